#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "support/test_util.hpp"
#include "tl/config/config.hpp"
#include "tl/platform/platform.hpp"

using namespace tl;
using namespace tl::testing;
namespace fs = std::filesystem;

TEST(Config, LayersRecordTheirOrigin) {
    TestDir d;
    write_file(d / "user.toml", "repo = \"user/repo\"\nretries = 3\n");
    write_file(
        d / "proj/temporal-libs.toml",
        "version = \"v2.0.0\"\nretries = 4\nlibraries = [\"a\", \"b\"]\n[scan]\nallow = []\n");
    fs::create_directories(d / "proj/sub/dir");
    ::setenv("TEMPORAL_LIBS_RETRIES", "6", 1);
    auto c = config::Config::load(d / "proj/sub/dir", d / "user.toml");
    ::unsetenv("TEMPORAL_LIBS_RETRIES");
    ASSERT_TRUE(c.has_value()) << c.error().message;
    EXPECT_EQ(c->get("repo").origin, config::Origin::user_file);
    EXPECT_EQ(c->get("version").origin, config::Origin::project_file);
    EXPECT_EQ(c->text("version"), "v2.0.0");
    EXPECT_EQ(c->get("retries").origin, config::Origin::environment);
    EXPECT_EQ(c->text("retries"), "6");
    EXPECT_EQ(c->get("api_url").origin, config::Origin::default_value);
    EXPECT_EQ(c->list("libraries"), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(c->project_dir(), d / "proj");
    c->set_from_flag("retries", "9", "--retries");
    EXPECT_EQ(c->get("retries").origin, config::Origin::command_line);
}

TEST(Config, UnknownKeysAndBadTomlAreUsageErrors) {
    TestDir d;
    write_file(d / "temporal-libs.toml", "verison = \"v1\"\n");
    auto c = config::Config::load(d.path(), d / "none.toml");
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().kind, ErrorKind::usage);
    EXPECT_NE(c.error().message.find("unknown key 'verison'"), std::string::npos);
    write_file(d / "temporal-libs.toml", "version = \n");
    auto bad = config::Config::load(d.path(), d / "none.toml");
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().message.find("line 1"), std::string::npos) << bad.error().message;
}

TEST(Platform, DetectionAndOverrides) {
    using platform::HostInfo;
    auto linux_x64 = platform::resolve_platform({}, {}, {}, HostInfo{"Linux", "x86_64", false});
    EXPECT_EQ(linux_x64->name(), "linux-x64");
    EXPECT_EQ(platform::resolve_platform({}, {}, {}, HostInfo{"Darwin", "arm64", false})->name(),
              "macos-arm64");
    EXPECT_EQ(platform::resolve_platform({}, std::string("darwin"), std::string("arm64"),
                                         HostInfo{"Linux", "x86_64", false})
                  ->name(),
              "macos-arm64");
    EXPECT_EQ(platform::resolve_platform(std::string("linux-arm64"), std::string("darwin"), {},
                                         HostInfo{"Linux", "x86_64", false})
                  ->name(),
              "linux-arm64");
    auto musl = platform::resolve_platform({}, {}, {}, HostInfo{"Linux", "x86_64", true});
    ASSERT_FALSE(musl.has_value());
    EXPECT_NE(musl.error().message.find("musl"), std::string::npos);
    EXPECT_NE(musl.error().message.find("linux-arm64, linux-x64, macos-arm64, macos-x64"),
              std::string::npos);
    auto win = platform::resolve_platform({}, {}, {}, HostInfo{"Windows_NT", "x86_64", false});
    ASSERT_FALSE(win.has_value());
    EXPECT_EQ(win.error().kind, ErrorKind::usage);
    EXPECT_FALSE(platform::resolve_platform({}, {}, std::string("riscv64"),
                                            HostInfo{"Linux", "x86_64", false})
                     .has_value());
    EXPECT_EQ(platform::from_triple("aarch64-apple-darwin")->name(), "macos-arm64");
}

TEST(ConfigShow, ReportsTheOriginOfEachLayer) {
    TestDir d;
    write_file(d / "xdg/temporal-libs/config.toml", "repo = \"user/repo\"\nretries = 2\n");
    write_file(d / "proj/temporal-libs.toml",
               "version = \"v2.0.0\"\nretries = 3\nverify = \"full\"\n");
    fs::create_directories(d / "proj/a/b");
    auto r = run_process({tool_path(), "config", "show", "--json", "--stall-timeout", "9"},
                         {{"XDG_CONFIG_HOME", (d / "xdg").string()},
                          {"TEMPORAL_LIBS_VERIFY", "fast"},
                          {"TEMPORAL_LIBS_VERSION", ""},
                          {"TEMPORAL_LIBS_REPO", ""},
                          {"TEMPORAL_LIBS_RETRIES", ""}},
                         d / "proj/a/b");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    auto origin = [&](const char* key) { return j["settings"][key]["origin"].get<std::string>(); };
    EXPECT_EQ(origin("api_url"), "default");
    EXPECT_EQ(origin("repo"), "user file");
    EXPECT_EQ(j["settings"]["repo"]["value"], "user/repo");
    EXPECT_EQ(origin("version"), "project file");
    EXPECT_EQ(origin("retries"), "project file");
    EXPECT_EQ(j["settings"]["retries"]["value"], "3");
    EXPECT_EQ(origin("verify"), "environment");
    EXPECT_EQ(j["settings"]["verify"]["where"], "TEMPORAL_LIBS_VERIFY");
    EXPECT_EQ(origin("stall_timeout"), "command line");
    EXPECT_EQ(j["project_file"], (d / "proj/temporal-libs.toml").string());
    EXPECT_EQ(j["cache_dir"], (d / "proj/.temporal-libs-cache").string());
    auto text = run_process({tool_path(), "config", "show"},
                            {{"XDG_CONFIG_HOME", (d / "xdg").string()}}, d / "proj");
    EXPECT_NE(text.out.find("project file (" + (d / "proj/temporal-libs.toml").string() + ")"),
              std::string::npos)
        << text.out;
}

TEST(ConfigShow, SourceBuildAndChecksumKeys) {
    TestDir d;
    write_file(d / "proj/temporal-libs.toml",
               "source_dir = \"../sdk-core\"\ncrates = [\"temporalio-sdk-core-c-bridge\"]\n");
    auto r = run_process({tool_path(), "config", "show", "--json"},
                         {{"XDG_CONFIG_HOME", (d / "xdg").string()},
                          {"TEMPORAL_LIBS_SOURCE_DIR", ""},
                          {"TEMPORAL_LIBS_VERIFY_CHECKSUMS", "false"}},
                         d / "proj");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["settings"]["source_dir"]["value"], "../sdk-core");
    EXPECT_EQ(j["settings"]["source_dir"]["origin"], "project file");
    EXPECT_EQ(j["settings"]["crates"]["value"], "temporalio-sdk-core-c-bridge");
    EXPECT_EQ(j["settings"]["verify_checksums"]["value"], "false");
    EXPECT_EQ(j["settings"]["verify_checksums"]["origin"], "environment");
    EXPECT_NE(r.err.find("warning: checksum verification is off"), std::string::npos) << r.err;

    auto on = run_process(
        {tool_path(), "config", "show", "--json"},
        {{"XDG_CONFIG_HOME", (d / "xdg").string()}, {"TEMPORAL_LIBS_VERIFY_CHECKSUMS", ""}},
        d / "proj");
    ASSERT_EQ(on.exit_code, 0) << on.err;
    EXPECT_EQ(nlohmann::json::parse(on.out)["settings"]["verify_checksums"]["origin"], "default");
    EXPECT_EQ(on.err.find("checksum verification is off"), std::string::npos) << on.err;

    auto bad = run_process({tool_path(), "download"},
                           {{"XDG_CONFIG_HOME", (d / "xdg").string()},
                            {"TEMPORAL_LIBS_VERIFY_CHECKSUMS", "sometimes"}},
                           d / "proj");
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
    EXPECT_NE(bad.err.find("'verify_checksums' must be true or false"), std::string::npos)
        << bad.err;
}
