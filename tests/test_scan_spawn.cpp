// Commands inside strings handed to process-spawning calls (a script's own
// run() helper, Python's subprocess and os.system), scripts that run a Rust
// installer by its file name, one finding per command, and the release
// workflow on the allow list reported as expected.

#include <gtest/gtest.h>

#include "support/scan_helpers.hpp"
#include "support/test_util.hpp"

using namespace tl;
using namespace tl::testing;
using tl::scan::FileType;

TEST(ScanSpawn, RunHelperWithAShellString) {
    EXPECT_EQ(findings_of(FileType::javascript,
                          "import { run } from './util';\n"
                          "run('sh', ['-c', 'curl -sSf https://sh.rustup.rs | sh -s -- -y']);\n"
                          "await run('cargo', ['build', '--release']);\n"
                          "runSync('rustup target add aarch64-unknown-linux-gnu');\n"
                          "app.run('cargo build');\n"
                          "run(['echo', 'cargo build']);\n"
                          "console.log('run cargo build by hand');\n",
                          "scripts/install-rust.ts"),
              (Found{"2:19 toolchain-install", "3:11 rust-build", "4:10 toolchain-install"}));
}

TEST(ScanSpawn, PythonSubprocessAndOsSystem) {
    EXPECT_EQ(findings_of(FileType::python,
                          "import os, subprocess\n"
                          "from subprocess import run\n"
                          "# subprocess.run(['cargo', 'build'])\n"
                          "'''cargo build in a docstring'''\n"
                          "print('cargo build')\n"
                          "subprocess.run(['cargo', 'build', '--release'], check=True)\n"
                          "subprocess.check_call('cargo test && cargo doc', shell=True)\n"
                          "os.system(\"curl https://sh.rustup.rs | sh -s -- -y\")\n"
                          "run(['rustc', '--version'])\n"
                          "p = subprocess.Popen(['git', 'status'])\n",
                          "tools/build.py"),
              (Found{"6:17 rust-build", "7:24 rust-build", "7:38 rust-build",
                     "8:12 toolchain-install", "9:6 rust-build"}));
    EXPECT_EQ(scan::classify_path("tools/build_bridge.py"), FileType::python);
    EXPECT_EQ(scan::classify_shebang("#!/usr/bin/env python3\n"), FileType::python);
}

TEST(ScanSpawn, OneFindingPerCommandOnOneLine) {
    EXPECT_EQ(findings_of(FileType::dockerfile,
                          "FROM debian\n"
                          "RUN rustup default stable && rustup component add clippy\n"
                          "RUN cargo build -p a && cargo build -p b\n"),
              (Found{"2:5 toolchain-install", "2:30 toolchain-install", "3:5 rust-build",
                     "3:25 rust-build"}));
}

namespace {

scan::ScanReport scan_tree_ok(const fs::path& root, std::vector<std::string> allow = {}) {
    scan::ScanOptions options;
    options.root = root;
    options.use_git = scan::UseGit::no;
    options.allow_globs = std::move(allow);
    auto r = scan::scan_tree(options);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : scan::ScanReport{};
}

std::vector<std::string> keys(const scan::ScanReport& report) {
    std::vector<std::string> out;
    for (const auto& f : report.findings) {
        out.push_back(f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + " " +
                      scan::kind_name(f.kind) +
                      (f.status == scan::Status::allowed ? " allowed" : ""));
    }
    return out;
}

}  // namespace

TEST(ScanSpawn, FilesRunningARustInstallerByName) {
    TestDir dir;
    fs::path tree = dir / "repo";
    write_file(tree / "scripts/install-rust.ts",
               "run('sh', ['-c', 'curl -sSf https://sh.rustup.rs | sh -s -- -y']);\n");
    // The file name in a variable, then run: no word of Rust in this file.
    write_file(tree / "scripts/build.ts",
               "const installer = 'scripts/install-rust.ts';\n"
               "// install-rust.ts is no longer run from here (a comment)\n"
               "spawnSync('bun', [installer]);\n"
               "const other = 'scripts/reinstall-rust.ts';\n");
    write_file(
        tree / "package.json",
        "{\"scripts\": {\"setup\": \"bun scripts/install-rust.ts\", \"x\": \"bun x.ts\"}}\n");
    write_file(
        tree / "ci/setup.sh",
        "#!/bin/sh\n# install-rust.ts used to run here\nbun ./scripts/install-rust.ts --yes\n");
    write_file(tree / "Makefile", "all:\n\techo install-rust.tsx\n");
    scan::ScanReport report = scan_tree_ok(tree);
    EXPECT_EQ(keys(report), (std::vector<std::string>{
                                "ci/setup.sh:3:5 toolchain-install",
                                "package.json:1:28 toolchain-install",
                                "scripts/build.ts:1:19 toolchain-install",
                                "scripts/install-rust.ts:1:19 toolchain-install",
                            }));
    for (const auto& f : report.findings) {
        if (f.path != "scripts/install-rust.ts") {
            EXPECT_TRUE(contains(f.why,
                                 "names scripts/install-rust.ts, which installs a Rust "
                                 "toolchain"))
                << f.path << ": " << f.why;
        }
    }
    auto scanned = std::find_if(report.scanned.begin(), report.scanned.end(),
                                [](const auto& s) { return s.path == "scripts/build.ts"; });
    ASSERT_NE(scanned, report.scanned.end());
    EXPECT_EQ(scanned->findings, 1u);

    // An installer that is allowed (meant to stay) makes no finding elsewhere.
    scan::ScanReport allowed = scan_tree_ok(tree, {"scripts/install-rust.ts"});
    EXPECT_EQ(keys(allowed),
              (std::vector<std::string>{"scripts/install-rust.ts:1:19 toolchain-install allowed"}));
}

TEST(ScanSpawn, ReleaseWorkflowOnTheAllowListIsExpected) {
    TestDir dir;
    fs::path tree = dir / "repo";
    write_file(tree / ".github/workflows/release.yml",
               "jobs:\n  build:\n    steps:\n"
               "      - run: curl -sSf https://sh.rustup.rs | sh -s -- -y\n"
               "      - run: cargo rustc -p bridge --crate-type staticlib --release\n");
    write_file(tree / "Dockerfile", "FROM debian\nRUN echo no rust here\n");
    auto r = run_process({tool_path(), "scan", tree.string(), "--no-git", "--fail-on-found",
                          "--allow", ".github/workflows/release*.yml"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "allow list: '.github/workflows/release*.yml'")) << r.out;
    auto without = run_process({tool_path(), "scan", tree.string(), "--no-git", "--fail-on-found"});
    EXPECT_EQ(without.exit_code, 7) << without.out << without.err;
}
