// Replays the fuzz seed corpora and every crashing input the fuzzers ever
// found (tests/fuzz/crashes/TARGET) through the same calls as the fuzz
// targets, so a fixed crash stays fixed in the normal test run.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/test_util.hpp"
#include "tl/objfile/abi.hpp"
#include "tl/objfile/c_header.hpp"
#include "tl/objfile/library.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputs(const std::string& target) {
    std::vector<fs::path> files;
    for (const char* kind : {"corpus", "crashes"}) {
        fs::path dir = fs::path(TL_SOURCE_DIR) / "tests" / "fuzz" / kind / target;
        if (!fs::is_directory(dir)) {
            continue;
        }
        for (const auto& entry : fs::directory_iterator(dir)) {
            if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') {
                files.push_back(entry.path());
            }
        }
    }
    return files;
}

}  // namespace

TEST(FuzzReplay, ObjfileInputs) {
    auto files = inputs("objfile");
    ASSERT_FALSE(files.empty()) << "the seed corpus tests/fuzz/corpus/objfile is missing";
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        std::string data = tl::testing::read_file(file);
        auto info = tl::objfile::inspect_library_bytes(data, file.filename().string());
        ASSERT_TRUE(info.has_value());
        for (const auto& platform : tl::platform::all_platforms()) {
            (void)tl::objfile::check_for_platform(*info, platform);
        }
        (void)tl::objfile::abi_check({"tl_alpha", "main"}, {*info});
    }
}

TEST(FuzzReplay, HeaderInputs) {
    auto files = inputs("c_header");
    ASSERT_FALSE(files.empty()) << "the seed corpus tests/fuzz/corpus/c_header is missing";
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        (void)tl::objfile::parse_header_functions(tl::testing::read_file(file));
    }
}
