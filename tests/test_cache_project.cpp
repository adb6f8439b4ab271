// The cache in a project and in the user's home: CACHEDIR.TAG and .gitignore,
// no lock helper file in the project root, ~ and $VAR in path settings, the
// default cache rule, one meaning of "latest" for every source, `update` as
// the one way to move the latest link, and the v1.0.2 alias the original Zig
// build looks up.

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "support/registry.hpp"
#include "support/release_fixture.hpp"
#include "tl/config/config.hpp"
#include "tl/source/latest.hpp"

using namespace tl;
using namespace tl::testing;
using nlohmann::json;

namespace {

// The tag `download --version latest` installs through `source` into its own cache.
std::string latest_through(ReleaseFixture& f, const std::string& source, const std::string& name) {
    auto r = f.run(
        {"download", "--version", "latest", "--platform", f.platform, "--json", "--retries", "1"},
        {{"TEMPORAL_LIBS_SOURCES", source},
         {"TEMPORAL_LIBS_CACHE_DIR", (f.dir / ("cache-" + name)).string()}});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err << r.out;
    json j = json::parse(r.out, nullptr, false);
    return j.is_discarded() ? std::string() : j.value("tag", std::string());
}

}  // namespace

TEST(CacheProject, NewCacheGetsCacheDirTagAndGitignoreAndKeepsUsersFiles) {
    ReleaseFixture f;
    f.publish();
    ASSERT_EQ(f.run({"download", "--version", f.version, "--platform", f.platform}).exit_code, 0);
    std::string tag = read_file(f.cache() / "CACHEDIR.TAG");
    EXPECT_EQ(tag.rfind("Signature: 8a477f597d28d172789f06886806bc55\n", 0), 0u) << tag;
    EXPECT_TRUE(contains(tag, "\n# ")) << "a comment says who made it";
    EXPECT_TRUE(contains(read_file(f.cache() / ".gitignore"), "\n*\n"));

    // An existing cache root without them gets them; a user's own file stays.
    fs::path other = f.dir / "cache-old";
    write_file(other / ".gitignore", "# mine\n*.a\n");
    auto r = f.run({"download", "--version", f.version, "--platform", f.platform},
                   {{"TEMPORAL_LIBS_CACHE_DIR", other.string()}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(other / ".gitignore"), "# mine\n*.a\n");
    EXPECT_TRUE(fs::exists(other / "CACHEDIR.TAG"));
}

TEST(CacheProject, GitStatusStaysCleanAndNoLockHelperInTheProjectRoot) {
    if (run_process({"sh", "-c", "command -v git"}).exit_code != 0) {
        GTEST_SKIP() << "git is not installed";
    }
    ReleaseFixture f;
    f.publish();
    fs::path project = f.dir / "project";
    write_file(project / "temporal-libs.toml", "version = \"v1.0.2\"\n");
    ASSERT_EQ(run_process({"git", "init", "-q", project.string()}).exit_code, 0);
    std::vector<std::string> argv = {tool_path(), "download", "--platform", f.platform};
    auto env = tool_env_reset(f.dir / "xdg");
    env["TEMPORAL_LIBS_API_URL"] = f.github.api_url();
    auto r = run_process(argv, env, project);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The project default, a lockfile recorded (trust on first use), and no
    // .temporal-libs.lock.lk beside it.
    EXPECT_TRUE(fs::exists(project / ".temporal-libs-cache" / f.tag / f.platform));
    EXPECT_TRUE(fs::exists(project / "temporal-libs.lock"));
    EXPECT_FALSE(fs::exists(project / ".temporal-libs.lock.lk"));
    auto status = run_process(
        {"git", "-C", project.string(), "status", "--porcelain", "--untracked-files=all"});
    ASSERT_EQ(status.exit_code, 0) << status.err;
    EXPECT_FALSE(contains(status.out, ".temporal-libs-cache")) << status.out;
    EXPECT_TRUE(contains(status.out, "temporal-libs.lock")) << status.out;
}

TEST(CacheProject, PathSettingsExpandHomeAndVariables) {
    const char* old_home = std::getenv("HOME");
    std::string saved_home = old_home != nullptr ? old_home : "";
    struct RestoreHome {
        std::string value;
        bool had;
        ~RestoreHome() { had ? ::setenv("HOME", value.c_str(), 1) : ::unsetenv("HOME"); }
    } restore{saved_home, old_home != nullptr};
    ::setenv("TL_TEST_ROOT", "/srv/tl", 1);
    ::setenv("HOME", "/home/ci", 1);
    EXPECT_EQ(*config::expand_path("~/.cache/temporal-libs", "x"), "/home/ci/.cache/temporal-libs");
    EXPECT_EQ(*config::expand_path("~", "x"), "/home/ci");
    EXPECT_EQ(*config::expand_path("$TL_TEST_ROOT/cache", "x"), "/srv/tl/cache");
    EXPECT_EQ(*config::expand_path("${TL_TEST_ROOT}x/c", "x"), "/srv/tlx/c");
    EXPECT_EQ(*config::expand_path("a$$b", "x"), "a$b");
    EXPECT_EQ(*config::expand_path("rel/~/x", "x"), "rel/~/x");  // only a leading ~
    ::unsetenv("TL_TEST_UNSET");
    auto unset = config::expand_path("$TL_TEST_UNSET/cache", "config.toml");
    ASSERT_FALSE(unset.has_value());
    EXPECT_TRUE(contains(unset.error().message, "TL_TEST_UNSET")) << unset.error().message;
    EXPECT_TRUE(contains(unset.error().message, "config.toml")) << unset.error().message;
    EXPECT_FALSE(config::expand_path("${TL_TEST_ROOT", "x").has_value());
}

TEST(CacheProject, UserConfigTildeAndDefaultCacheRuleInConfigShow) {
    ReleaseFixture f;
    fs::path home = f.dir / "home";
    fs::path outside = f.dir / "outside";  // no project marker up to /tmp
    fs::create_directories(outside);
    auto show = [&](const fs::path& cwd, std::map<std::string, std::string> env) {
        env["TEMPORAL_LIBS_CACHE_DIR"] = "";
        env["HOME"] = home.string();
        env["XDG_CONFIG_HOME"] = (f.dir / "xdg").string();
        auto r = run_process({tool_path(), "config", "show", "--json"}, env, cwd);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return json::parse(r.out, nullptr, false);
    };
    if (config::find_project(outside)) {
        GTEST_SKIP() << "the temp dir is inside a project (" << config::find_project(outside)->dir
                     << ")";
    }
    // No project: the user cache, XDG first.
    json j = show(outside, {{"XDG_CACHE_HOME", (f.dir / "xdg-cache").string()}});
    EXPECT_EQ(j["cache_dir"], (f.dir / "xdg-cache" / "temporal-libs").string());
    EXPECT_TRUE(contains(j["cache_dir_rule"].get<std::string>(), "user cache default")) << j;
    j = show(outside, {{"XDG_CACHE_HOME", ""}});
    EXPECT_EQ(j["cache_dir"], (home / ".cache" / "temporal-libs").string());

    // A git work tree is a project: the contract's .temporal-libs-cache.
    fs::create_directories(outside / "repo" / ".git");
    fs::create_directories(outside / "repo" / "sub");
    j = show(outside / "repo" / "sub", {{"XDG_CACHE_HOME", ""}});
    EXPECT_EQ(j["cache_dir"], (outside / "repo" / "sub" / ".temporal-libs-cache").string());
    EXPECT_TRUE(contains(j["cache_dir_rule"].get<std::string>(), "project default")) << j;

    // cache_dir = "~/..." in the user file is the home directory, not <cwd>/~.
    write_file(f.dir / "xdg" / "temporal-libs" / "config.toml",
               "cache_dir = \"~/.cache/tl-custom\"\n");
    j = show(outside, {{"XDG_CACHE_HOME", ""}});
    EXPECT_EQ(j["cache_dir"], (home / ".cache" / "tl-custom").string());
    EXPECT_TRUE(contains(j["cache_dir_rule"].get<std::string>(), "setting")) << j;
    EXPECT_EQ(j["settings"]["cache_dir"]["value"], (home / ".cache" / "tl-custom").string());
}

TEST(CacheProject, LatestRuleIsTheHighestStableVersion) {
    using source::pick_latest;
    const std::string p = "temporal-libs-";
    // Publication order does not matter; pre-releases and non-versions are not candidates.
    EXPECT_EQ(
        pick_latest({"temporal-libs-v1.0.3", "temporal-libs-v1.2.0", "temporal-libs-v1.1.0"}, p),
        "temporal-libs-v1.2.0");
    EXPECT_EQ(
        pick_latest({"temporal-libs-v2.0.0-rc.1", "temporal-libs-v1.10.0", "temporal-libs-v1.9.0"},
                    p),
        "temporal-libs-v1.10.0");
    EXPECT_EQ(pick_latest({"temporal-libs-nightly", "temporal-libs-v1.0.0"}, p),
              "temporal-libs-v1.0.0");
    EXPECT_EQ(pick_latest({"other-v9.0.0"}, p), std::nullopt);
    EXPECT_FALSE(source::is_latest_candidate("temporal-libs-v3.0.0", p, true, false));
    EXPECT_FALSE(source::is_latest_candidate("temporal-libs-v3.0.0", p, false, true));
}

TEST(CacheProject, EverySourceAgreesOnLatest) {
    ReleaseFixture f;
    f.publish();                             // v1.0.2
    f.publish_version("v1.2.0");             // the highest stable version
    f.publish_version("v1.1.1");             // a fix on an older line, published after
    f.publish_version("v1.3.0-rc.1", true);  // a pre-release, published last
    fs::path dir = f.dir / "mirror";
    for (const char* v : {"v1.0.2", "v1.2.0", "v1.1.1", "v1.3.0-rc.1"}) {
        auto m = f.run({"mirror", "--version", v, "--platform", f.platform, "--to", dir.string()});
        ASSERT_EQ(m.exit_code, 0) << v << ": " << m.err;
    }
    EXPECT_EQ(latest_through(f, "github", "github"), "temporal-libs-v1.2.0");
    EXPECT_EQ(latest_through(f, "file://" + dir.string(), "dir"), "temporal-libs-v1.2.0");
    if (DockerRegistry::available()) {
        DockerRegistry registry(f.dir / "registry");
        const std::string url = registry.url("team/temporal-libs");
        for (const char* v : {"v1.0.2", "v1.2.0", "v1.1.1", "v1.3.0-rc.1"}) {
            auto m = f.run({"mirror", "--version", v, "--platform", f.platform, "--to", url,
                            "--retries", "1"});
            ASSERT_EQ(m.exit_code, 0) << v << ": " << m.err;
        }
        EXPECT_EQ(latest_through(f, url, "oci"), "temporal-libs-v1.2.0");
    }
}

TEST(CacheProject, OnlyUpdateMovesTheLatestLink) {
    ReleaseFixture f;
    f.publish();
    f.publish_version("v1.2.0");
    // The first install into a cache without the link creates it.
    ASSERT_EQ(f.run({"download", "--version", "v1.0.2", "--platform", f.platform}).exit_code, 0);
    EXPECT_EQ(fs::read_symlink(f.cache() / "latest"), "temporal-libs-v1.0.2");
    // Another version, newer or the resolved "latest", does not move it.
    ASSERT_EQ(f.run({"download", "--version", "v1.2.0", "--platform", f.platform}).exit_code, 0);
    EXPECT_EQ(fs::read_symlink(f.cache() / "latest"), "temporal-libs-v1.0.2");
    auto l = f.run({"download", "--version", "latest", "--platform", f.platform});
    ASSERT_EQ(l.exit_code, 0) << l.err;
    EXPECT_EQ(fs::read_symlink(f.cache() / "latest"), "temporal-libs-v1.0.2");
    EXPECT_TRUE(contains(l.err, "'temporal-libs update' moves it")) << l.err;
    // update does.
    auto u = f.run({"update", "--platform", f.platform});
    ASSERT_EQ(u.exit_code, 0) << u.err;
    EXPECT_EQ(fs::read_symlink(f.cache() / "latest"), "temporal-libs-v1.2.0");
    // Clearing what it points at falls back to what is left, never dangling.
    ASSERT_EQ(f.run({"cache", "clear", "--version", "v1.2.0"}).exit_code, 0);
    EXPECT_EQ(fs::read_symlink(f.cache() / "latest"), "temporal-libs-v1.0.2");
}

TEST(CacheProject, VersionAliasServesTheOriginalLookupRule) {
    ReleaseFixture f;
    f.publish();
    f.publish_version("v1.2.0");
    for (const char* v : {"v1.0.2", "v1.2.0"}) {
        ASSERT_EQ(f.run({"download", "--version", v, "--platform", f.platform}).exit_code, 0);
    }
    EXPECT_EQ(fs::read_symlink(f.cache() / "v1.0.2"), "temporal-libs-v1.0.2");
    // The original consumer's build.zig: .temporal-libs-cache/<TEMPORAL_LIBS_VERSION>/<platform>/,
    // the version as the user wrote it.
    for (const std::string version : {"v1.0.2", "temporal-libs-v1.0.2", "latest"}) {
        fs::path lib = f.cache() / version / f.platform / "libtemporalio_sdk.a";
        EXPECT_TRUE(read_file(lib) == f.libs["temporalio_sdk"]) << version;
    }
    EXPECT_TRUE(read_file(f.cache() / "v1.2.0" / f.platform / "libtemporalio_sdk.a") ==
                contract_libraries("v1.2.0")["temporalio_sdk"]);

    // The alias is no entry: list and verify see two entries, both fine.
    auto verify = f.run({"cache", "verify", "--json"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    EXPECT_EQ(json::parse(verify.out)["entries"].size(), 2u);

    // It goes with its entry (clear, prune) and only then.
    ASSERT_EQ(f.run({"cache", "clear", "--version", "v1.2.0"}).exit_code, 0);
    EXPECT_FALSE(fs::is_symlink(f.cache() / "v1.2.0"));
    EXPECT_TRUE(fs::is_symlink(f.cache() / "v1.0.2"));
    ASSERT_EQ(f.run({"cache", "clear", "--all"}).exit_code, 0);
    EXPECT_FALSE(fs::is_symlink(f.cache() / "v1.0.2"));
    EXPECT_FALSE(fs::exists(f.cache() / "latest"));

    // A cache hit in a cache made before aliases existed adds the missing one.
    ASSERT_EQ(f.run({"download", "--version", "v1.0.2", "--platform", f.platform}).exit_code, 0);
    fs::remove(f.cache() / "v1.0.2");
    ASSERT_EQ(f.run({"download", "--version", "v1.0.2", "--platform", f.platform}).exit_code, 0);
    EXPECT_EQ(fs::read_symlink(f.cache() / "v1.0.2"), "temporal-libs-v1.0.2");
}
