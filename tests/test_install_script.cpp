// install.sh, the installer of the tool itself, run under dash against the fake
// GitHub: a CLI release made as the release workflow makes it (an archive of the
// real executable, `temporal-libs sign`, `temporal-libs publish`), found among
// library releases, drafts and pre-releases over more than one page, fetched
// with curl or with wget only, checked, and installed in one rename; and every
// way it must refuse, each with one line and its exit code.

#include <gtest/gtest.h>

#include <unistd.h>

#include <regex>
#include <sstream>

#include "support/fake_github.hpp"
#include "support/test_util.hpp"

using namespace tl::testing;

namespace {

const fs::path k_root = TL_SOURCE_DIR;
const std::string k_version = TL_VERSION;
const std::string k_tag = "temporal-libs-cli-v" + k_version;
const std::string k_archive = "temporal-libs-" + k_version + "-linux-x64.tar.gz";

std::string which(const std::string& name) {
    for (const char* dir : {"/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
        fs::path p = fs::path(dir) / name;
        if (::access(p.c_str(), X_OK) == 0) {
            return p.string();
        }
    }
    return {};
}

// A directory of links to exactly these commands: a PATH without curl, without
// minisign, without a compiler.
fs::path tool_dir(const fs::path& dir, const std::vector<std::string>& extra) {
    std::vector<std::string> names = {"uname", "ls",    "mkdir", "tar",    "gzip", "sha256sum",
                                      "awk",   "sed",   "tr",    "mktemp", "rm",   "cat",
                                      "cp",    "chmod", "mv",    "grep",   "sort", "head"};
    names.insert(names.end(), extra.begin(), extra.end());
    fs::create_directories(dir);
    for (const auto& n : names) {
        std::string path = which(n);
        EXPECT_FALSE(path.empty()) << n << " is not installed (scripts/deps/test.txt)";
        if (!path.empty() && !fs::exists(dir / n)) {
            fs::create_symlink(path, dir / n);
        }
    }
    return dir;
}

// The tool stripped, as release-binaries.sh ships it (and 35 times smaller to
// pack in every test than the build's executable with its debug information).
const std::string& stripped_tool() {
    static const std::string path = [] {
        fs::path out =
            fs::path(tool_path()).parent_path() / "test-install-script" / "temporal-libs";
        fs::create_directories(out.parent_path());
        // CTest runs these tests in parallel processes, each making this copy:
        // written aside and renamed into place, so none reads another's
        // half-written file (an "Exec format error" under the sanitizer build).
        fs::path tmp = out;
        tmp += ".tmp." + std::to_string(::getpid());
        auto r = run_process({"strip", "-o", tmp.string(), tool_path()});
        EXPECT_EQ(r.exit_code, 0) << "strip (binutils, scripts/deps/build.txt): " << r.err;
        fs::rename(tmp, out);
        return out.string();
    }();
    return path;
}

FakeAsset asset(const std::string& name, const std::string& content) {
    FakeAsset a;
    a.name = name;
    a.content = content;
    return a;
}

FakeRelease release(const std::string& tag, bool draft, bool prerelease,
                    std::vector<FakeAsset> assets = {}) {
    FakeRelease r;
    r.tag = tag;
    r.name = tag;
    r.draft = draft;
    r.prerelease = prerelease;
    r.assets = std::move(assets);
    return r;
}

struct Key {
    fs::path pub;
    fs::path sec;
    std::string base64;  // the public key's second line
};

Key make_key(const fs::path& dir, const std::string& name) {
    Key k{dir / (name + ".pub"), dir / (name + ".key"), {}};
    auto r = run_process({"minisign", "-G", "-W", "-p", k.pub.string(), "-s", k.sec.string()});
    EXPECT_EQ(r.exit_code, 0) << "minisign (scripts/deps/test.txt): " << r.out << r.err;
    std::istringstream in(read_file(k.pub));
    std::getline(in, k.base64);
    std::getline(in, k.base64);
    return k;
}

// The archive release-binaries.sh writes: one top directory holding the
// executable and licences/.
void make_archive(const fs::path& work, const fs::path& out, const std::string& executable) {
    const std::string top = "temporal-libs-" + k_version + "-linux-x64";
    fs::create_directories(work / top / "licenses");
    write_file(work / top / "licenses" / "README", "licence notices of the linked libraries\n");
    fs::copy_file(executable, work / top / "temporal-libs", fs::copy_options::overwrite_existing);
    fs::permissions(work / top / "temporal-libs",
                    fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                        fs::perms::others_read | fs::perms::others_exec);
    fs::create_directories(out.parent_path());
    auto r = run_process({"tar", "-czf", out.string(), "-C", work.string(), top});
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

class InstallScript : public ::testing::Test {
protected:
    TestDir dir;
    FakeGitHub github;
    Key key = make_key(dir.path(), "release");
    fs::path home = dir / "home";

    void SetUp() override {
        // Older first: a library release and an older CLI release...
        github.add_release(release("temporal-libs-v1.0.1", false, false));
        github.add_release(release("temporal-libs-cli-v0.0.1", false, false,
                                   {asset("temporal-libs-0.0.1-linux-x64.tar.gz", "old")}));
        // ...then the release the workflow publishes...
        publish_cli_release();
        // ...then newer ones the installer must skip: a draft and a pre-release
        // of the CLI, and more library releases than one page holds.
        github.add_release(release("temporal-libs-cli-v99.0.0", true, false,
                                   {asset("temporal-libs-99.0.0-linux-x64.tar.gz", "draft")}));
        github.add_release(release("temporal-libs-cli-v98.0.0", false, true,
                                   {asset("temporal-libs-98.0.0-linux-x64.tar.gz", "pre")}));
        for (int i = 0; i < 100; ++i) {
            github.add_release(release("temporal-libs-v2.0." + std::to_string(i), false, false));
        }
        fs::create_directories(home);
        github.clear_requests();  // count only the installer's requests
    }

    // `temporal-libs sign` and `temporal-libs publish` as release-cli.yml runs them.
    void publish_cli_release() {
        fs::path dist = dir / "dist";
        make_archive(dir / "pack", dist / k_archive, stripped_tool());
        auto sign =
            run_process({tool_path(), "sign", "--key", key.sec.string(), "--dir", dist.string()});
        ASSERT_EQ(sign.exit_code, 0) << sign.out << sign.err;
        ASSERT_TRUE(contains(sign.out, "public key: " + key.base64)) << sign.out;
        auto pub = run_process({tool_path(), "publish", "--version", k_tag, "--dir", dist.string(),
                                "--repo", "proompteng/lab", "--json"},
                               {{"GITHUB_TOKEN", "publish-token"},
                                {"GH_TOKEN", ""},
                                {"TEMPORAL_LIBS_API_URL", github.api_url()}});
        ASSERT_EQ(pub.exit_code, 0) << pub.out << pub.err;
        ASSERT_TRUE(contains(pub.out, "\"tag\": \"" + k_tag + "\"")) << pub.out;
        auto rel = github.release(k_tag);  // published, not left a draft
        ASSERT_TRUE(rel.has_value());
        ASSERT_FALSE(rel->draft);
        ASSERT_EQ(rel->assets.size(), 3u);
    }

    std::map<std::string, std::string> env(const fs::path& path_dir) const {
        return {{"PATH", path_dir.string()},
                {"HOME", home.string()},
                {"TEMPORAL_LIBS_API_URL", github.api_url()},
                {"TEMPORAL_LIBS_REPO", "proompteng/lab"},
                {"TEMPORAL_LIBS_CLI_PUBLIC_KEY", key.base64},
                {"GITHUB_TOKEN", ""},
                {"GH_TOKEN", ""},
                {"FORCE_PLATFORM", "linux"},
                {"FORCE_ARCH", "x64"},
                {"TMPDIR", dir.path().string()}};
    }

    ProcessResult install(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& environment) const {
        std::vector<std::string> argv = {which("dash"), (k_root / "install.sh").string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_process(argv, environment, dir.path());
    }

    fs::path curl_path() const { return tool_dir(dir / "with-curl", {"curl", "minisign"}); }
    fs::path wget_path() const { return tool_dir(dir / "with-wget", {"wget"}); }

    // The one error line on stderr (after the progress lines).
    static std::string last_line(const std::string& text) {
        std::string t = text;
        while (!t.empty() && t.back() == '\n') {
            t.pop_back();
        }
        return t.substr(t.rfind('\n') == std::string::npos ? 0 : t.rfind('\n') + 1);
    }
};

}  // namespace

TEST_F(InstallScript, LatestWithCurlChecksSumAndSignature) {
    ASSERT_FALSE(which("dash").empty()) << "dash (scripts/deps/test.txt)";
    auto r = install({}, env(curl_path()));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    fs::path target = home / ".local/bin/temporal-libs";
    EXPECT_EQ(r.out, "installed temporal-libs " + k_version + " to " + target.string() + "\n");
    EXPECT_TRUE(
        contains(r.err, "newest temporal-libs-cli-v* release of proompteng/lab (linux-x64)"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "checked: sha256 of " + k_archive + " matches SHA256SUMS"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "SHA256SUMS signature verified with minisign")) << r.err;
    EXPECT_TRUE(contains(r.err, "is not on PATH")) << r.err;
    EXPECT_EQ(read_file(target), read_file(stripped_tool()));
    auto v = run_process({target.string(), "--version"});
    EXPECT_EQ(v.out, "temporal-libs " + k_version + "\n");
    // Nothing left beside it, nothing in TMPDIR.
    EXPECT_EQ(std::distance(fs::directory_iterator(target.parent_path()), {}), 1);
    for (const auto& e : fs::directory_iterator(dir.path())) {
        EXPECT_FALSE(contains(e.path().filename().string(), "temporal-libs-install.")) << e.path();
    }
    // Two pages were read: the CLI release is older than 100 library releases.
    int pages = 0;
    for (const auto& req : github.requests(FakeServer::api)) {
        pages += contains(req.target, "/releases?") ? 1 : 0;
    }
    EXPECT_EQ(pages, 2);
}

TEST_F(InstallScript, PinnedWithWgetOnlyAndNoMinisign) {
    fs::path path = wget_path();
    ASSERT_FALSE(fs::exists(path / "curl"));
    for (const std::string& pin : {k_version, "v" + k_version, k_tag}) {
        auto r = install({"--version", pin, "--prefix", (dir / "opt").string()}, env(path));
        ASSERT_EQ(r.exit_code, 0) << pin << ": " << r.out << r.err;
        fs::path target = dir / "opt/bin/temporal-libs";
        EXPECT_EQ(r.out, "installed temporal-libs " + k_version + " to " + target.string() + "\n");
        EXPECT_TRUE(contains(r.err, "release " + k_tag + " of proompteng/lab")) << r.err;
        EXPECT_TRUE(contains(r.err, "signature not checked (install minisign")) << r.err;
        EXPECT_EQ(read_file(target), read_file(stripped_tool()));
    }
    // A pinned release is one request for its tag, not a walk through the list.
    for (const auto& req : github.requests(FakeServer::api)) {
        EXPECT_FALSE(contains(req.target, "/releases?")) << req.target;
    }
}

TEST_F(InstallScript, TokenGoesToTheApiHostOnly) {
    github.require_token("s3cret-token");
    for (const fs::path& path : {curl_path(), wget_path()}) {
        github.clear_requests();
        auto e = env(path);
        e["GH_TOKEN"] = "s3cret-token";
        auto r = install({"--prefix", (dir / "p").string()}, e);
        ASSERT_EQ(r.exit_code, 0) << path << ": " << r.out << r.err;
        EXPECT_FALSE(contains(r.out + r.err, "s3cret")) << r.out << r.err;
        auto storage = github.requests(FakeServer::storage);
        ASSERT_FALSE(storage.empty());
        for (const auto& req : storage) {
            EXPECT_EQ(req.headers.count("authorization"), 0u) << path << " " << req.target;
        }
    }
    auto e = env(curl_path());
    auto r = install({"--prefix", (dir / "p").string()}, e);
    EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
    EXPECT_TRUE(
        contains(last_line(r.err), "HTTP 401 bad credentials (check GITHUB_TOKEN/GH_TOKEN)"))
        << r.err;
}

TEST_F(InstallScript, UnsupportedPlatformListsTheSupportedOnes) {
    auto e = env(curl_path());
    e["FORCE_PLATFORM"] = "windows";
    auto r = install({}, e);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err,
              "error: no temporal-libs binary for operating system 'windows'; supported "
              "platforms: linux-x64, linux-arm64, macos-arm64, macos-x64 (or build from source: "
              "see README.md)\n");
    e["FORCE_PLATFORM"] = "linux";
    e["FORCE_ARCH"] = "riscv64";
    r = install({}, e);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, "architecture 'riscv64'; supported platforms: linux-x64,"))
        << r.err;
    r = install({"--platform", "linux-x86"}, env(curl_path()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, "unknown platform 'linux-x86'; supported platforms:")) << r.err;
    // A supported platform the release has no binary for.
    r = install({"--platform", "macos-arm64"}, env(curl_path()));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(contains(last_line(r.err),
                         "release " + k_tag + " has no binary for macos-arm64 (it has: linux-x64)"))
        << r.err;
    EXPECT_FALSE(fs::exists(home / ".local/bin/temporal-libs"));
}

TEST_F(InstallScript, ChecksumMismatchInstallsNothing) {
    fs::path bin = home / ".local/bin";
    write_file(bin / "temporal-libs", "#!/bin/sh\necho old\n");
    // The archive is swapped for another after signing.
    fs::path other = dir / "other.tar.gz";
    make_archive(dir / "pack2", other, which("true"));
    github.put_asset(k_tag, asset(k_archive, read_file(other)));
    for (const fs::path& path : {curl_path(), wget_path()}) {
        auto r = install({}, env(path));
        EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
        EXPECT_TRUE(contains(last_line(r.err),
                             "error: checksum mismatch for " + k_archive + " (SHA256SUMS says "))
            << r.err;
        EXPECT_TRUE(contains(last_line(r.err), "): nothing installed")) << r.err;
        EXPECT_EQ(r.out, "");
        EXPECT_EQ(read_file(bin / "temporal-libs"), "#!/bin/sh\necho old\n");
        EXPECT_EQ(std::distance(fs::directory_iterator(bin), {}), 1);
    }
}

TEST_F(InstallScript, BadSignatureInstallsNothingWhenMinisignChecks) {
    // SHA256SUMS signed by a key nobody trusts.
    Key other = make_key(dir.path(), "other");
    fs::path resign = dir / "resign";
    fs::create_directories(resign);
    write_file(resign / k_archive, read_file(dir / "dist" / k_archive));
    auto s =
        run_process({tool_path(), "sign", "--key", other.sec.string(), "--dir", resign.string()});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    github.put_asset(k_tag, asset("SHA256SUMS.minisig", read_file(resign / "SHA256SUMS.minisig")));
    auto r = install({}, env(curl_path()));
    EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
    EXPECT_TRUE(contains(last_line(r.err), "error: bad signature: SHA256SUMS of " + k_tag +
                                               " is not signed by the key in "
                                               "TEMPORAL_LIBS_CLI_PUBLIC_KEY"))
        << r.err;
    EXPECT_FALSE(fs::exists(home / ".local/bin/temporal-libs"));
    // The embedded key (the real release key) does not trust the test's key either.
    auto e = env(curl_path());
    e["TEMPORAL_LIBS_CLI_PUBLIC_KEY"] = "";
    github.put_asset(k_tag,
                     asset("SHA256SUMS.minisig", read_file(dir / "dist/SHA256SUMS.minisig")));
    r = install({}, e);
    EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
    EXPECT_TRUE(contains(last_line(r.err), "not signed by the temporal-libs release key")) << r.err;
    // --require-signature refuses when minisign is absent.
    r = install({"--require-signature"}, env(wget_path()));
    EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
    EXPECT_TRUE(contains(last_line(r.err), "minisign is not installed")) << r.err;
    EXPECT_FALSE(fs::exists(home / ".local/bin/temporal-libs"));
}

TEST_F(InstallScript, DeadServerNoWritablePrefixAndMissingRelease) {
    const std::string dead = "http://127.0.0.1:" + std::to_string(free_port());
    for (const fs::path& path : {curl_path(), wget_path()}) {
        auto e = env(path);
        e["TEMPORAL_LIBS_API_URL"] = dead;
        auto r = install({}, e);
        EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
        EXPECT_TRUE(contains(last_line(r.err),
                             "error: listing the releases of proompteng/lab "
                             "failed: no answer from " +
                                 dead))
            << r.err;
    }
    // A prefix that cannot be created (a file is in the way) fails before any download.
    write_file(dir / "file", "");
    github.clear_requests();
    auto r = install({"--prefix", (dir / "file/sub").string()}, env(curl_path()));
    EXPECT_EQ(r.exit_code, 6);
    EXPECT_EQ(r.err, "error: cannot write to " + (dir / "file/sub/bin").string() +
                         "; choose another directory with --prefix DIR (the binary goes into "
                         "DIR/bin) or run with permission to write there\n");
    EXPECT_TRUE(github.requests().empty());

    r = install({"--version", "7.7.7"}, env(curl_path()));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(contains(last_line(r.err),
                         "error: release 'temporal-libs-cli-v7.7.7' not found "
                         "in proompteng/lab"))
        << r.err;
    // A draft is not a release to install (GitHub finds no draft by tag).
    r = install({"--version", "99.0.0"}, env(curl_path()));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(contains(last_line(r.err), "release 'temporal-libs-cli-v99.0.0' not found"))
        << r.err;
    // Plain http to a host that is not loopback is refused without a request.
    auto e = env(curl_path());
    e["TEMPORAL_LIBS_API_URL"] = "http://example.invalid";
    r = install({}, e);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, "refusing plain HTTP to http://example.invalid")) << r.err;
    r = install({"--frobnicate"}, env(curl_path()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "error: unknown option '--frobnicate' (see --help)\n");
}

TEST(InstallScriptKey, EmbeddedKeyIsTheCommittedPublicKey) {
    std::string script = read_file(k_root / "install.sh");
    std::string pub = read_file(k_root / "keys" / "temporal-libs-cli.pub");
    std::smatch key;
    std::smatch id;
    ASSERT_TRUE(std::regex_search(script, key, std::regex("\nPUBLIC_KEY='([^']+)'")));
    ASSERT_TRUE(std::regex_search(script, id, std::regex("\nPUBLIC_KEY_ID='([0-9A-F]+)'")));
    EXPECT_EQ(pub,
              "untrusted comment: minisign public key " + id[1].str() + "\n" + key[1].str() + "\n");
    // The README prints the same key.
    EXPECT_TRUE(contains(read_file(k_root / "README.md"), key[1].str()));
    // And release-cli.yml checks the signing key against this file.
    EXPECT_TRUE(contains(read_file(k_root / ".github/workflows/release-cli.yml"),
                         "keys/temporal-libs-cli.pub"));
}

TEST_F(InstallScript, ActionInstallsThePrebuiltBinaryAndCompilesOnlyWithoutOne) {
    const std::string script = action_step_script("tool");
    ASSERT_TRUE(contains(script, "install.sh")) << script;
    fs::path runner = dir / "runner";
    fs::create_directories(runner);
    auto e = env(curl_path());
    // bash for the step itself; dash is what `sh` runs install.sh with.
    fs::create_symlink(which("bash"), curl_path() / "bash");
    fs::create_symlink(which("dash"), curl_path() / "sh");
    e["ACTION_PATH"] = k_root.string();
    e["CLI_VERSION"] = "";  // the version of the action's checkout
    e["RUNNER_TEMP"] = runner.string();
    e["GITHUB_OUTPUT"] = (runner / "output").string();
    e["GITHUB_PATH"] = (runner / "path").string();
    auto step = [&] {
        write_file(runner / "output", "");
        write_file(runner / "path", "");
        return run_process({which("bash"), "-e", "-c", script}, e, dir.path());
    };
    auto r = step();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(read_file(runner / "output"), "tool=prebuilt\n");
    EXPECT_EQ(read_file(runner / "path"), (runner / "temporal-libs/bin").string() + "\n");
    EXPECT_EQ(read_file(runner / "temporal-libs/bin/temporal-libs"), read_file(stripped_tool()));
    EXPECT_TRUE(contains(r.err, "release " + k_tag)) << r.err;
    EXPECT_FALSE(contains(r.out, "compiling")) << r.out;

    // No binary for this runner: the step says it will compile, and the build
    // steps run (their condition is tool == 'source').
    e["FORCE_ARCH"] = "arm64";
    r = step();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(read_file(runner / "output"), "tool=source\n");
    EXPECT_EQ(read_file(runner / "path"), "");
    EXPECT_TRUE(contains(r.out, "::notice title=temporal-libs::no prebuilt temporal-libs " +
                                    k_version + " for this runner: compiling it from source"))
        << r.out;
    const std::string action = read_file(k_root / "action.yml");
    std::size_t builds = 0;
    for (std::size_t at = 0;
         (at = action.find("if: steps.tool.outputs.tool == 'source'", at)) != std::string::npos;
         ++at) {
        ++builds;
    }
    EXPECT_EQ(builds, 2u);  // dependencies, then cmake

    // A checksum mismatch is not a reason to compile: the step fails.
    e["FORCE_ARCH"] = "x64";
    fs::path other = dir / "other.tar.gz";
    make_archive(dir / "pack2", other, which("true"));
    github.put_asset(k_tag, asset(k_archive, read_file(other)));
    r = step();
    EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
    EXPECT_EQ(read_file(runner / "output"), "");
    EXPECT_TRUE(contains(r.err, "checksum mismatch")) << r.err;
}

TEST(InstallScriptPublish, ACliReleaseNeedsItsSignedSha256Sums) {
    // Without library archives, publish accepts a directory only when
    // SHA256SUMS (from `sign`) covers every file in it.
    TestDir d;
    FakeGitHub github;
    write_file(d / "dist" / k_archive, "not checked by anything");
    std::map<std::string, std::string> env = {
        {"GITHUB_TOKEN", "t"}, {"GH_TOKEN", ""}, {"TEMPORAL_LIBS_API_URL", github.api_url()}};
    auto bare = run_process(
        {tool_path(), "publish", "--version", k_tag, "--dir", (d / "dist").string(), "--dry-run"},
        env);
    EXPECT_EQ(bare.exit_code, 3) << bare.out << bare.err;
    EXPECT_TRUE(contains(bare.err, "and no SHA256SUMS from 'temporal-libs sign'")) << bare.err;
    Key key = make_key(d.path(), "k");
    auto sign = run_process(
        {tool_path(), "sign", "--key", key.sec.string(), "--dir", (d / "dist").string()});
    ASSERT_EQ(sign.exit_code, 0) << sign.err;
    auto signed_dir = run_process(
        {tool_path(), "publish", "--version", k_tag, "--dir", (d / "dist").string(), "--dry-run"},
        env);
    EXPECT_EQ(signed_dir.exit_code, 0) << signed_dir.out << signed_dir.err;
    EXPECT_TRUE(contains(signed_dir.out, "dry run: " + k_tag + " in proompteng/lab: 3 to upload"))
        << signed_dir.out;
    // A file added after signing is refused.
    write_file(d / "dist" / "extra.txt", "x");
    auto changed = run_process(
        {tool_path(), "publish", "--version", k_tag, "--dir", (d / "dist").string(), "--dry-run"},
        env);
    EXPECT_EQ(changed.exit_code, 5) << changed.out << changed.err;
}

namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) {
        s.replace(at, from.size(), to);
    }
}

}  // namespace

TEST_F(InstallScript, DockerfileToolStagesInstallTheVerifiedBinary) {
    // The release stage: install.sh with --require-signature (minisign is
    // installed in that stage) into /out.
    std::string release = dockerfile_run("RUN --mount=type=secret,id=github_token,required=false");
    ASSERT_TRUE(contains(release, "sh /tmp/install.sh --require-signature")) << release;
    replace_all(release, "/tmp/install.sh", (k_root / "install.sh").string());
    replace_all(release, "/out", (dir / "out").string());
    fs::path path = curl_path();
    fs::create_symlink(which("dash"), path / "sh");
    auto e = env(path);
    e["TEMPORAL_LIBS_CLI_VERSION"] = "latest";
    auto r = run_process({which("dash"), "-eu", "-c", release}, e, dir.path());
    ASSERT_EQ(r.exit_code, 0) << release << "\n" << r.out << r.err;
    EXPECT_EQ(read_file(dir / "out/bin/temporal-libs"), read_file(stripped_tool()));
    EXPECT_TRUE(contains(r.err, "SHA256SUMS signature verified with minisign")) << r.err;

    // The dist stage: the archive release-binaries.sh wrote, checked against
    // SHA256SUMS when there is one.
    std::string dist = dockerfile_run("RUN cd /tmp/cli;");
    ASSERT_TRUE(contains(dist, "tar -xzf")) << dist;
    replace_all(dist, "/tmp/cli", (dir / "dist").string());
    replace_all(dist, "/out", (dir / "out2").string());
    replace_all(dist, "\"$(uname -m)\"", "x86_64");  // the fixture's archive is linux-x64
    auto d = run_process({which("dash"), "-eu", "-c", dist}, e, dir.path());
    ASSERT_EQ(d.exit_code, 0) << dist << "\n" << d.out << d.err;
    EXPECT_EQ(read_file(dir / "out2/bin/temporal-libs"), read_file(stripped_tool()));
    // A changed archive fails the SHA256SUMS check.
    fs::remove_all(dir / "out2");
    fs::remove_all(dir / "dist/x");
    make_archive(dir / "pack2", dir / "dist" / k_archive, which("true"));
    d = run_process({which("dash"), "-eu", "-c", dist}, e, dir.path());
    EXPECT_NE(d.exit_code, 0) << d.out << d.err;
    EXPECT_TRUE(contains(d.out, k_archive + ": FAILED")) << d.out << d.err;
    EXPECT_FALSE(fs::exists(dir / "out2/bin/temporal-libs"));
    // No archive: the stage says what to run.
    fs::remove_all(dir / "dist");
    fs::create_directories(dir / "dist");
    d = run_process({which("dash"), "-eu", "-c", dist}, e, dir.path());
    EXPECT_NE(d.exit_code, 0);
    EXPECT_TRUE(contains(d.err, "run 'bash scripts/release-binaries.sh --platform")) << d.err;
}
