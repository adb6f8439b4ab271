// Replays the fuzz seed corpora and every crashing input the fuzzers ever
// found (tests/fuzz/crashes/TARGET) through the same calls as the fuzz
// targets, so a fixed crash stays fixed in the normal test run.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/test_util.hpp"
#include "tl/archive/extract.hpp"
#include "tl/cache/cache.hpp"
#include "tl/config/config.hpp"
#include "tl/github/release.hpp"
#include "tl/objfile/abi.hpp"
#include "tl/objfile/c_header.hpp"
#include "tl/objfile/library.hpp"
#include "tl/objfile/platform_check.hpp"
#include "tl/oci/registry.hpp"
#include "tl/publish/build.hpp"
#include "tl/release/contract.hpp"
#include "tl/release/manifest.hpp"
#include "tl/source/mirror_layout.hpp"
#include "tl/trust/lockfile.hpp"
#include "tl/trust/minisign.hpp"

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

TEST(FuzzReplay, ReleaseTextInputs) {
    auto files = inputs("release_text");
    ASSERT_FALSE(files.empty()) << "the seed corpus tests/fuzz/corpus/release_text is missing";
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        std::string data = tl::testing::read_file(file);
        ASSERT_FALSE(data.empty());
        std::string_view text(data.data() + 1, data.size() - 1);
        // Every parser sees every input, not only the one its first byte picks.
        (void)tl::github::parse_release(text);
        (void)tl::github::parse_release_list(text);
        (void)tl::github::parse_link_header(text);
        (void)tl::release::parse_checksum_file(text, "temporal-static-libs-linux-x64-v1.tar.gz");
        (void)tl::cache::parse_entry(text);
        (void)tl::release::parse_manifest(text);
        (void)tl::github::parse_asset(text);
        (void)tl::publish::parse_build_record(text);
        (void)tl::publish::parse_native_static_libs(text);
    }
}

TEST(FuzzReplay, ExtractInputs) {
    auto files = inputs("extract");
    ASSERT_FALSE(files.empty()) << "the seed corpus tests/fuzz/corpus/extract is missing";
    tl::testing::TestDir dir;
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        fs::path dest = dir / ("out-" + file.filename().string());
        fs::create_directories(dest);
        (void)tl::archive::extract_file(file, dest);
    }
    for (const auto& e : fs::directory_iterator(dir.path())) {
        EXPECT_EQ(e.path().filename().string().rfind("out-", 0), 0u) << "escaped: " << e.path();
    }
}

TEST(FuzzReplay, LockfileInputs) {
    auto files = inputs("lockfile");
    ASSERT_FALSE(files.empty()) << "the seed corpus tests/fuzz/corpus/lockfile is missing";
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        auto lock = tl::trust::Lockfile::parse(tl::testing::read_file(file), "replay");
        if (lock) {
            std::string once = lock->serialize();
            auto again = tl::trust::Lockfile::parse(once, "replay");
            ASSERT_TRUE(again);
            EXPECT_EQ(again->serialize(), once);
        }
    }
}

TEST(FuzzReplay, MinisignInputs) {
    auto files = inputs("minisign");
    ASSERT_FALSE(files.empty()) << "the seed corpus tests/fuzz/corpus/minisign is missing";
    namespace ms = tl::trust::minisign;
    auto key = ms::parse_public_key("RWT+ZAeqonraVjhuy8ZPKgjmFwCynj+Y8Fu2aBxQD81xggI5dmWJS1jU");
    ASSERT_TRUE(key);
    auto no_password = []() -> tl::Result<std::string> {
        return tl::fail(tl::ErrorKind::usage, "no password while replaying");
    };
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        std::string data = tl::testing::read_file(file);
        ASSERT_FALSE(data.empty());
        std::string_view text(data.data() + 1, data.size() - 1);
        (void)ms::parse_public_key(text);
        (void)ms::parse_signature(text);
        (void)ms::parse_secret_key(text, no_password);
        std::size_t cut = text.find('\0');
        if (cut != std::string_view::npos) {
            auto who = ms::verify({*key}, text.substr(0, cut), text.substr(cut + 1));
            // The seeds signed by the fuzz key verify; mutated ones must not crash.
            if (file.parent_path().filename() == "minisign" &&
                file.filename().string().rfind("verify", 0) == 0) {
                EXPECT_TRUE(who) << who.error().message;
            }
        }
    }
}

TEST(FuzzReplay, ConfigInputs) {
    auto files = inputs("config");
    ASSERT_FALSE(files.empty()) << "the seed corpus tests/fuzz/corpus/config is missing";
    tl::testing::TestDir dir;
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        tl::testing::write_file(dir / tl::config::k_project_file, tl::testing::read_file(file));
        auto c = tl::config::Config::load(dir.path(), dir / "no-user-file.toml");
        if (c) {
            for (const auto& k : tl::config::keys()) {
                (void)c->list(k.name);
                (void)c->boolean(k.name);
            }
        }
    }
}

TEST(FuzzReplay, MirrorTextInputs) {
    auto files = inputs("mirror_text");
    ASSERT_FALSE(files.empty()) << "the seed corpus tests/fuzz/corpus/mirror_text is missing";
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        std::string data = tl::testing::read_file(file);
        ASSERT_FALSE(data.empty());
        std::string_view text(data.data() + 1, data.size() - 1);
        // Every parser sees every input, not only the one its first byte picks.
        (void)tl::source::parse_tag_index(text, "index.json");
        (void)tl::source::parse_release_index(text, "temporal-libs-v1.0.2", "index.json");
        (void)tl::oci::parse_manifest(text);
        (void)tl::oci::parse_index(text);
        (void)tl::oci::parse_challenge(text);
        (void)tl::oci::parse_reference(text, tl::http::PlainHttp::loopback_only);
    }
}

TEST(OciChallenge, ParsesQuotedCommasAndEscapes) {
    auto c = tl::oci::parse_challenge(
        "Bearer realm=\"https://auth.example/token\",service=\"registry.example\","
        "scope=\"repository:team/tl:pull,push\"");
    EXPECT_EQ(c.scheme, "bearer");
    EXPECT_EQ(c.params["realm"], "https://auth.example/token");
    EXPECT_EQ(c.params["service"], "registry.example");
    EXPECT_EQ(c.params["scope"], "repository:team/tl:pull,push");
    EXPECT_EQ(tl::oci::parse_challenge("Basic realm=\"a\\\"b\"").params["realm"], "a\"b");
    EXPECT_EQ(tl::oci::parse_challenge("").scheme, "");
}
