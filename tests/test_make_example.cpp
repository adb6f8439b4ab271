// examples/make/Makefile when the tool fails: the build stops with the tool's
// own message, before the compiler runs, instead of linking with no libraries
// and ending in undefined references.

#include <gtest/gtest.h>

#include "support/release_fixture.hpp"

using namespace tl;
using namespace tl::testing;

TEST(MakeExample, FailedFlagsStopTheBuildWithTheToolsMessage) {
    ReleaseFixture f;  // nothing published: the release does not exist
    std::map<std::string, std::string> env = {{"TEMPORAL_LIBS_API_URL", f.github.api_url()},
                                              {"TEMPORAL_LIBS_CACHE_DIR", f.cache().string()},
                                              {"TEMPORAL_LIBS_RETRIES", "1"},
                                              {"FORCE_PLATFORM", "linux"},
                                              {"FORCE_ARCH", "x64"},
                                              {"GITHUB_TOKEN", ""},
                                              {"GH_TOKEN", ""},
                                              {"USE_PREBUILT_LIBS", ""},
                                              {"XDG_CONFIG_HOME", (f.dir / "xdg").string()}};
    // -o download: the download target counts as done, so the recipe's own
    // `temporal-libs flags` is what fails (as it does when the download
    // succeeded for another version or library set).
    auto r = run_process({"make", "-o", "download", "-f",
                          (fs::path(TL_SOURCE_DIR) / "examples/make/Makefile").string(),
                          "TEMPORAL_LIBS=" + tool_path(), "TEMPORAL_LIBS_VERSION=" + f.version,
                          "OUT=" + (f.dir / "out").string(), "build-native"},
                         env, f.dir.path());
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "release 'temporal-libs-v1.0.2' not found")) << r.err;
    EXPECT_TRUE(contains(r.err,
                         "'temporal-libs flags' failed (its message is above); nothing was "
                         "linked"))
        << r.err;
    EXPECT_FALSE(contains(r.out + r.err, "undefined reference")) << r.out << r.err;
    EXPECT_FALSE(contains(r.out, " cc ")) << "the compiler ran: " << r.out;
    EXPECT_FALSE(fs::exists(f.dir / "out" / "consumer"));
}
