// The consumer-side files for images and CI: the Dockerfile's download step run
// as a script against the fake GitHub (Docker itself is not needed), its
// structure, and the composite action's metadata. Both are also scanned by the
// tool's own migration scanner, which must find no Rust in them.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/release_fixture.hpp"

using namespace tl;
using namespace tl::testing;

namespace {

// The environment examples/make/Makefile runs in: the fixture's fake API and
// cache, a linux-x64 host, no token, no user configuration.
std::map<std::string, std::string> make_env(const ReleaseFixture& f) {
    auto env = tool_env_reset(f.dir / "xdg");
    env["TEMPORAL_LIBS_API_URL"] = f.github.api_url();
    env["TEMPORAL_LIBS_CACHE_DIR"] = f.cache().string();
    env["FORCE_PLATFORM"] = "linux";
    env["FORCE_ARCH"] = "x64";
    return env;
}

fs::path source_file(const std::string& rel) {
    return fs::path(TL_SOURCE_DIR) / rel;
}

}  // namespace

TEST(Dockerfile, ConsumerImageWithoutRustAndACacheMount) {
    std::string text = read_file(source_file("Dockerfile"));
    ASSERT_FALSE(text.empty());
    EXPECT_TRUE(contains(text, "FROM debian:12-slim")) << text;
    EXPECT_TRUE(contains(text, "RUN --mount=type=cache,target=/cache")) << text;
    EXPECT_TRUE(contains(text, "TEMPORAL_CORE_LIB_DIR=/opt/temporal-core/lib")) << text;
    // The tool is the prebuilt release binary, verified by install.sh, or the
    // archive of dist/cli; nothing is compiled and the final stage has no compiler.
    EXPECT_TRUE(contains(text, "sh /tmp/install.sh --require-signature")) << text;
    EXPECT_TRUE(contains(text, "COPY dist/cli/ /tmp/cli/")) << text;
    EXPECT_TRUE(contains(text, "FROM tool-${TEMPORAL_LIBS_CLI_FROM} AS tool")) << text;
    EXPECT_TRUE(
        contains(text, "COPY --from=tool /out/bin/temporal-libs /usr/local/bin/temporal-libs"))
        << text;
    std::string final_stage = text.substr(text.rfind("\nFROM "));
    for (const char* built : {"install-deps.sh", "cmake -", "build-essential", "-dev "}) {
        EXPECT_FALSE(contains(final_stage, built)) << built;
    }
    // No cache variable left pointing at the (empty in the image) cache mount.
    EXPECT_FALSE(contains(text, "ENV TEMPORAL_LIBS_CACHE_DIR")) << text;
    // The build context holds only what the stages copy.
    std::string ignore = read_file(source_file(".dockerignore"));
    EXPECT_TRUE(contains(ignore, "\n*\n!install.sh\n!dist/cli/\n")) << ignore;
    // The dependency lists agree with CMakeLists.txt (and the final stage has
    // no -dev package): tests/tools/action/check_deps.py.
    auto deps = run_process(
        {"python3", source_file("tests/tools/action/check_deps.py").string(), TL_SOURCE_DIR});
    EXPECT_EQ(deps.exit_code, 0) << deps.out << deps.err;
    for (const char* file : {"Dockerfile", "action.yml"}) {
        auto scan =
            run_process({tool_path(), "scan", "--fail-on-found", source_file(file).string()});
        EXPECT_EQ(scan.exit_code, 0) << file << ": " << scan.out << scan.err;
    }
}

TEST(Dockerfile, DownloadStepInstallsTheLibrariesOrFailsClearly) {
    std::string script = dockerfile_run("RUN --mount=type=cache");
    ASSERT_TRUE(contains(script, "temporal-libs download")) << script;
    ASSERT_FALSE(contains(script, "--mount")) << script;

    ReleaseFixture f;
    f.publish();
    fs::path bin = fs::path(tool_path()).parent_path();
    std::map<std::string, std::string> env = {
        {"PATH", bin.string() + ":/usr/bin:/bin"},
        {"TEMPORAL_LIBS_VERSION", f.version},
        {"TEMPORAL_LIBS_REPO", "proompteng/lab"},
        {"TEMPORAL_LIBS_CACHE_DIR", f.cache().string()},
        {"TEMPORAL_CORE_LIB_DIR", (f.dir / "opt/lib").string()},
        {"TEMPORAL_LIBS_API_URL", f.github.api_url()},
        {"FORCE_PLATFORM", "linux"},
        {"FORCE_ARCH", "x64"},
        {"GITHUB_TOKEN", ""},
        {"GH_TOKEN", ""}};
    // /opt/temporal-core/include is the image's; write it somewhere harmless.
    std::string local = script;
    for (std::size_t at; (at = local.find("/opt/temporal-core")) != std::string::npos;) {
        local.replace(at, std::string("/opt/temporal-core").size(), (f.dir / "opt").string());
    }
    auto ok = run_process({"bash", "-o", "pipefail", "-c", local}, env, f.dir.path());
    ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    for (const auto& [name, bytes] : f.libs) {
        EXPECT_EQ(read_file(f.dir / "opt/lib" / ("lib" + name + ".a")), bytes) << name;
    }

    ReleaseFixture down;
    env["TEMPORAL_LIBS_API_URL"] = down.github.api_url();  // no release there
    env["TEMPORAL_LIBS_CACHE_DIR"] = down.cache().string();
    env["TEMPORAL_CORE_LIB_DIR"] = (down.dir / "opt/lib").string();
    auto bad = run_process({"bash", "-o", "pipefail", "-c", local}, env, down.dir.path());
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_TRUE(contains(bad.err, "release 'temporal-libs-v1.0.2' not found")) << bad.err;
    EXPECT_TRUE(contains(bad.err,
                         "error: prebuilt Temporal core libraries v1.0.2 from "
                         "proompteng/lab are unavailable"))
        << bad.err;
    EXPECT_FALSE(fs::exists(down.dir / "opt/lib/libtemporalio_sdk_core.a"));
}

TEST(ActionYml, CompositeActionStructure) {
    auto check = run_process({"python3", source_file("tests/tools/action/check_action.py").string(),
                              source_file("action.yml").string()});
    EXPECT_EQ(check.exit_code, 0) << "needs python3 with PyYAML (scripts/install-deps.sh test): "
                                  << check.out << check.err;
    std::string text = read_file(source_file("action.yml"));
    EXPECT_TRUE(contains(text, "uses: actions/cache/restore@v4")) << text;
    EXPECT_TRUE(contains(text, "uses: actions/cache/save@v4")) << text;
    // Never a fixed key for 'latest'.
    EXPECT_FALSE(contains(text, "key: temporal-libs-${{ inputs.version }}")) << text;
    EXPECT_TRUE(contains(text, "key: ${{ steps.key.outputs.key }}")) << text;
    EXPECT_TRUE(contains(text, "key: ${{ steps.download.outputs.save-key }}")) << text;
    for (const char* input : {"  locked:\n", "  platform:\n", "  sources:\n"}) {
        EXPECT_TRUE(contains(text, input)) << input;
    }
    EXPECT_TRUE(contains(text, "  cache-path:\n    description: Absolute path")) << text;
    EXPECT_TRUE(contains(text, "echo \"TEMPORAL_CORE_LIB_DIR=$dir\"")) << text;
    EXPECT_TRUE(contains(text, "} >> \"$GITHUB_ENV\"")) << text;

    // The check itself catches what it is for.
    TestDir d;
    std::string broken = text;
    broken.replace(broken.find("temporal-libs download --platform"),
                   std::string("temporal-libs download --platform").size(),
                   "temporal-libs download --version ${{ inputs.versoin }} --platform");
    write_file(d / "action.yml", broken);
    auto caught =
        run_process({"python3", source_file("tests/tools/action/check_action.py").string(),
                     (d / "action.yml").string()});
    EXPECT_EQ(caught.exit_code, 1) << caught.out << caught.err;
    EXPECT_TRUE(contains(caught.out, "expression inside 'run'")) << caught.out;
    EXPECT_TRUE(contains(caught.out, "unknown input 'versoin'")) << caught.out;
}

TEST(MakeTargets, DownloadBuildNativeAndCleanCache) {
    ReleaseFixture f;
    f.publish();
    std::map<std::string, std::string> env = make_env(f);
    std::vector<std::string> make = {"make", "-f", source_file("examples/make/Makefile").string(),
                                     "TEMPORAL_LIBS=" + tool_path(),
                                     "TEMPORAL_LIBS_VERSION=" + f.version};
    auto with = [&](const std::string& target) {
        auto argv = make;
        argv.push_back(target);
        return run_process(argv, env, f.dir.path());
    };
    auto dl = with("download");
    ASSERT_EQ(dl.exit_code, 0) << dl.out << dl.err;
    EXPECT_TRUE(fs::exists(f.entry() / "libtemporalio_sdk_core_c_bridge.a"));
    EXPECT_EQ(f.archive_downloads(), 1u);
    // build-native needs real libraries (the fixture's are stand-ins): check
    // the link line it would run instead.
    auto dry = run_process(
        {"make", "-n", "-f", source_file("examples/make/Makefile").string(),
         "TEMPORAL_LIBS=" + tool_path(), "TEMPORAL_LIBS_VERSION=" + f.version, "build-native"},
        env, f.dir.path());
    ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
    EXPECT_TRUE(contains(dry.out, tool_path() + " download --version " + f.version)) << dry.out;
    EXPECT_TRUE(contains(dry.out, "-q flags --libs --version " + f.version)) << dry.out;
    EXPECT_FALSE(contains(dry.out, "cargo")) << dry.out;
    auto clean = with("clean-cache");
    ASSERT_EQ(clean.exit_code, 0) << clean.out << clean.err;
    EXPECT_FALSE(fs::exists(f.entry()));
}

// examples/make/Makefile when the tool fails: the build stops with the tool's
// own message, before the compiler runs, instead of linking with no libraries
// and ending in undefined references.
TEST(MakeExample, FailedFlagsStopTheBuildWithTheToolsMessage) {
    ReleaseFixture f;  // nothing published: the release does not exist
    std::map<std::string, std::string> env = make_env(f);
    env["TEMPORAL_LIBS_RETRIES"] = "1";
    // -o download: the download target counts as done, so the recipe's own
    // `temporal-libs flags` is what fails (as it does when the download
    // succeeded for another version or library set).
    auto r =
        run_process({"make", "-o", "download", "-f", source_file("examples/make/Makefile").string(),
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

TEST(ActionYml, PlatformAndDownloadStepsExportTheLibraryDirectory) {
    ReleaseFixture f;
    f.publish();
    std::string platform = action_step_script("platform");
    write_file(f.dir / "out1", "");
    auto p =
        run_process({"bash", "-e", "-c", platform}, {{"RUNNER_OS_NAME", "Linux"},
                                                     {"RUNNER_ARCH_NAME", "X64"},
                                                     {"GITHUB_OUTPUT", (f.dir / "out1").string()}});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    EXPECT_EQ(read_file(f.dir / "out1"), "platform=linux-x64\n");
    auto other =
        run_process({"bash", "-e", "-c", platform}, {{"RUNNER_OS_NAME", "Windows"},
                                                     {"RUNNER_ARCH_NAME", "X64"},
                                                     {"GITHUB_OUTPUT", (f.dir / "out1").string()}});
    EXPECT_NE(other.exit_code, 0);
    EXPECT_TRUE(contains(other.out, "::error::temporal-libs has no libraries for Windows/X64"))
        << other.out;

    std::string download = action_step_script("download");
    write_file(f.dir / "env", "");
    write_file(f.dir / "out2", "");
    fs::create_directories(f.dir / "runner-temp");
    std::map<std::string, std::string> env = {
        {"RUNNER_TEMP", (f.dir / "runner-temp").string()},
        {"KEY", "temporal-libs-linux-x64-latest-123"},
        {"SOURCES", ""},
        {"PATH", fs::path(tool_path()).parent_path().string() + ":/usr/bin:/bin"},
        {"GITHUB_TOKEN", ""},
        {"GH_TOKEN", ""},
        {"TEMPORAL_LIBS_VERSION", f.version},
        {"TEMPORAL_LIBS_REPO", "proompteng/lab"},
        {"TEMPORAL_LIBS_CACHE_DIR", f.cache().string()},
        {"TEMPORAL_LIBS_API_URL", f.github.api_url()},
        {"PLATFORM", "linux-x64"},
        {"GITHUB_ENV", (f.dir / "env").string()},
        {"GITHUB_OUTPUT", (f.dir / "out2").string()}};
    auto d = run_process({"bash", "-e", "-o", "pipefail", "-c", download}, env, f.dir.path());
    ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
    std::string exported = read_file(f.dir / "env");
    EXPECT_TRUE(contains(exported, "TEMPORAL_CORE_LIB_DIR=" + f.entry().string() + "\n"))
        << exported;
    EXPECT_TRUE(contains(exported, "USE_PREBUILT_LIBS=ON\n")) << exported;
    // 'latest' is saved under the tag it resolved to.
    EXPECT_EQ(read_file(f.dir / "out2"), "lib-dir=" + f.entry().string() + "\ntag=" + f.tag +
                                             "\nsave-key=temporal-libs-linux-x64-" + f.tag + "\n");
    EXPECT_TRUE(fs::exists(f.entry() / "libtemporalio_sdk_core.a"));

    // Nothing to download: the step fails with the client's message and exports nothing.
    ReleaseFixture empty;
    write_file(empty.dir / "env", "");
    env["TEMPORAL_LIBS_API_URL"] = empty.github.api_url();
    env["TEMPORAL_LIBS_CACHE_DIR"] = empty.cache().string();
    env["GITHUB_ENV"] = (empty.dir / "env").string();
    auto bad = run_process({"bash", "-e", "-o", "pipefail", "-c", download}, env, empty.dir.path());
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_TRUE(contains(bad.err, "release 'temporal-libs-v1.0.2' not found")) << bad.err;
    EXPECT_EQ(read_file(empty.dir / "env"), "");
}

TEST(ActionYml, CacheKeyFromTheLockfileElseTheTagNeverFixedForLatest) {
    std::string script = action_step_script("key");
    TestDir d;
    auto key_for = [&](const std::string& version, const std::string& cache_dir) {
        write_file(d / "out", "");
        auto r = run_process({"bash", "-e", "-c", script},
                             {{"CACHE_DIR", cache_dir},
                              {"VERSION", version},
                              {"PLATFORM", "linux-arm64"},
                              {"RUN_ID", "4242"},
                              {"GITHUB_WORKSPACE", (d / "ws").string()},
                              {"GITHUB_OUTPUT", (d / "out").string()}},
                             d / "ws");
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        return read_file(d / "out");
    };
    fs::create_directories(d / "ws");
    const std::string rel = "cache-path=" + (d / "ws" / ".temporal-libs-cache").string() + "\n";
    EXPECT_EQ(key_for("v1.0.2", ".temporal-libs-cache"),
              rel + "key=temporal-libs-linux-arm64-temporal-libs-v1.0.2\nrestore=\n");
    EXPECT_EQ(key_for("temporal-libs-v1.0.2", "/abs/cache"),
              "cache-path=/abs/cache\nkey=temporal-libs-linux-arm64-temporal-libs-v1.0.2\n"
              "restore=\n");
    // latest: a key no other run has, and the newest cache of the platform restored.
    EXPECT_EQ(key_for("latest", ".temporal-libs-cache"),
              rel +
                  "key=temporal-libs-linux-arm64-latest-4242\n"
                  "restore=temporal-libs-linux-arm64-temporal-libs-v\n");
    // A lockfile decides, whatever the version says; its content changes the key.
    write_file(d / "ws" / "temporal-libs.lock", "version = 1\n");
    std::string a = key_for("latest", ".temporal-libs-cache");
    EXPECT_TRUE(contains(a, "key=temporal-libs-linux-arm64-lock-")) << a;
    EXPECT_TRUE(contains(a, "restore=\n")) << a;
    EXPECT_EQ(key_for("v1.0.2", ".temporal-libs-cache"), a);
    write_file(d / "ws" / "temporal-libs.lock", "version = 2\n");
    EXPECT_NE(key_for("latest", ".temporal-libs-cache"), a);
}
