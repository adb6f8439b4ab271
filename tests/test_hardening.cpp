// The release binary carries the hardening flags (TL_HARDEN): a PIE, full RELRO
// (GNU_RELRO and BIND_NOW), stack protector and FORTIFY_SOURCE checked calls.

#include <gtest/gtest.h>

#include "support/test_util.hpp"
#include "tl/util/strings.hpp"

using namespace tl::testing;

namespace {

std::string readelf(const std::string& flags) {
    auto r = run_process({"readelf", flags, "-W", tool_path()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

}  // namespace

TEST(Hardening, ReleaseBinaryIsPieWithFullRelroAndChecks) {
    if (!TL_HARDENED) {
        GTEST_SKIP() << "built with TL_HARDEN=OFF (sanitizer or fuzz preset)";
    }
    std::string header = readelf("-h");
    EXPECT_TRUE(contains(header, "DYN (")) << "not a position-independent executable:\n" << header;
    std::string segments = readelf("-l");
    EXPECT_TRUE(contains(segments, "GNU_RELRO")) << segments;
    std::string dynamic = readelf("-d");
    EXPECT_TRUE(contains(dynamic, "BIND_NOW")) << dynamic;
    EXPECT_TRUE(contains(dynamic, "PIE")) << dynamic;
    std::string symbols = readelf("--dyn-syms");
    EXPECT_TRUE(contains(symbols, "__stack_chk_fail")) << "no stack protector";
    if (TL_FORTIFIED) {
        // Some libc call made through its checked variant (__memcpy_chk, ...).
        bool chk = false;
        for (const auto& line : tl::util::split(symbols, '\n')) {
            chk |= contains(line, "UND") && contains(line, "_chk@");
        }
        EXPECT_TRUE(chk) << "no __*_chk import: FORTIFY_SOURCE is not in effect";
    }
}
