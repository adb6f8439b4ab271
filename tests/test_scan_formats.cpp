// Each kind of build file: where its commands are, what is only text.

#include <gtest/gtest.h>

#include "support/scan_helpers.hpp"

using namespace tl::testing;
using tl::scan::FileType;

TEST(ScanDockerfile, JoinsContinuationsAndDropsCommentLines) {
    EXPECT_EQ(findings_of(FileType::dockerfile,
                          "FROM debian\n"
                          "RUN apt-get update && apt-get install -y \\\n"
                          "    # cargo is needed below\n"
                          "\n"
                          "    curl \\\n"
                          "    && cargo build\n"),
              Found{"6:8 rust-build"});
    EXPECT_EQ(findings_of(FileType::dockerfile,
                          "# RUN cargo build\nLABEL note=\"cargo build\"\n"
                          "RUN echo cargo build\n"),
              Found{});
}

TEST(ScanDockerfile, InstructionsThatInstallRust) {
    EXPECT_EQ(findings_of(FileType::dockerfile,
                          "FROM --platform=$BUILDPLATFORM rust:1.80 AS b\n"
                          "FROM docker.io/library/rust@sha256:abc\n"
                          "FROM rustlang/rust:nightly\n"
                          "FROM trust/base:1\n"
                          "FROM b\n"),
              (Found{"1:1 toolchain-install", "2:1 toolchain-install", "3:1 toolchain-install"}));
    EXPECT_EQ(findings_of(FileType::dockerfile,
                          "FROM debian\n"
                          "COPY --from=rust:1.80 /usr/local/cargo /usr/local/cargo\n"
                          "ADD https://sh.rustup.rs /tmp/rustup.sh\n"
                          "ADD https://github.com/temporalio/sdk-core.git /src\n"
                          "COPY --from=builder /out /out\n"),
              (Found{"2:1 toolchain-install", "3:1 toolchain-install", "4:1 sdk-core-source"}));
}

TEST(ScanDockerfile, ExecFormHeredocsEscapeDirectiveAndAllow) {
    EXPECT_EQ(findings_of(FileType::dockerfile,
                          "FROM x\nENTRYPOINT [\"cargo\", \"run\"]\n"
                          "RUN [\"/bin/sh\", \"-c\", \"cargo test\"]\n"),
              (Found{"2:13 rust-build", "3:24 rust-build"}));
    EXPECT_EQ(findings_of(FileType::dockerfile,
                          "FROM x\nRUN <<EOF\nset -e\ncargo build\nEOF\nRUN cargo test\n"),
              (Found{"4:1 rust-build", "6:5 rust-build"}));
    EXPECT_EQ(
        findings_of(FileType::dockerfile, "# escape=`\nFROM x\nRUN cargo build `\n    --release\n"),
        Found{"3:5 rust-build"});
    EXPECT_EQ(findings_of(FileType::dockerfile,
                          "FROM x\n# temporal-libs: allow-rust\nRUN apt-get update \\\n"
                          "  && cargo build\nRUN cargo test\n"),
              (Found{"4:6 rust-build allowed", "5:5 rust-build"}));
}

TEST(ScanYaml, RunBlocksOfEveryStyle) {
    const char* wf =
        "jobs:\n"
        "  a:\n"
        "    steps:\n"
        "      - run: cargo build\n"                        // 4: plain
        "      - run: 'cargo test'\n"                       // 5: single-quoted
        "      - run: \"echo \\\"cargo\\\"; cargo doc\"\n"  // 6: double-quoted with escapes
        "      - run: |\n"
        "          echo building\n"
        "          cargo build \\\n"  // 9
        "            --release\n"
        "      - run: >\n"
        "          cargo\n"  // 12: folded
        "          clippy\n"
        "      - name: plain over lines\n"
        "        run: cargo fmt\n"  // 15
        "          --check\n"
        "      - run: echo done # cargo build\n";
    EXPECT_EQ(findings_of(FileType::github_workflow, wf, ".github/workflows/ci.yml"),
              (Found{"4:14 rust-build", "5:15 rust-build", "6:31 rust-build", "9:11 rust-build",
                     "12:11 rust-build", "15:14 rust-build"}));
}

TEST(ScanYaml, TextThatIsNotShell) {
    const char* wf =
        "name: cargo build\n"
        "description: |\n"
        "  run: cargo build\n"
        "env:\n"
        "  HINT: \"cargo build\"\n"
        "jobs:\n"
        "  a:\n"
        "    steps:\n"
        "      - uses: actions/github-script@v7\n"
        "        with:\n"
        "          script: |\n"
        "            console.log('cargo build')\n"
        "      # - run: cargo build\n"
        "      - name: Build with cargo\n"
        "        run: make\n";
    EXPECT_EQ(findings_of(FileType::github_workflow, wf, ".github/workflows/ci.yml"), Found{});
}

TEST(ScanYaml, GitHubActionsAndContainers) {
    const char* wf =
        "jobs:\n"
        "  a:\n"
        "    container: rust:1.80\n"
        "    steps:\n"
        "      - uses: dtolnay/rust-toolchain@master\n"
        "      - uses: actions-rust-lang/setup-rust-toolchain@v1\n"
        "      - uses: actions-rs/cargo@v1\n"
        "      - uses: docker://rust:1.80\n"
        "      - uses: Swatinem/rust-cache@v2\n"
        "      - uses: actions/setup-node@v4\n";
    EXPECT_EQ(findings_of(FileType::github_workflow, wf, ".github/workflows/ci.yml"),
              (Found{"3:5 toolchain-install", "5:9 toolchain-install", "6:9 toolchain-install",
                     "7:9 rust-build", "8:9 toolchain-install", "9:9 build-dependency"}));
}

TEST(ScanYaml, AllowCommentsCoverStepsAndJobs) {
    const char* wf =
        "jobs:\n"
        "  # temporal-libs: allow-rust release\n"
        "  release:\n"
        "    steps:\n"
        "      - run: cargo build\n"
        "  test:\n"
        "    steps:\n"
        "      # temporal-libs: allow-rust this step only\n"
        "      - name: build\n"
        "        run: |\n"
        "          cargo build\n"
        "      - run: cargo test\n";
    EXPECT_EQ(findings_of(FileType::github_workflow, wf, ".github/workflows/ci.yml"),
              (Found{"5:14 rust-build allowed", "11:11 rust-build allowed", "12:14 rust-build"}));
}

TEST(ScanYaml, GitLabScriptsAndImages) {
    const char* ci =
        "image: rust:latest\n"
        "job:\n"
        "  image:\n"
        "    name: rust:1.80-slim\n"
        "  before_script: [rustup component add clippy, 'cargo fetch']\n"
        "  script:\n"
        "  - cargo build\n"
        "  - >\n"
        "    cargo test\n"
        "    --all\n"
        "  after_script: echo cargo\n"
        "other:\n"
        "  image: node:20\n"
        "  variables:\n"
        "    CMD: cargo build\n"
        "  script: npm test\n";
    EXPECT_EQ(findings_of(FileType::gitlab_ci, ci, ".gitlab-ci.yml"),
              (Found{"1:1 toolchain-install", "3:3 toolchain-install", "5:19 toolchain-install",
                     "5:49 rust-build", "7:5 rust-build", "9:5 rust-build"}));
}

TEST(ScanMake, RecipesVariablesAndShellFunctions) {
    const char* mk =
        "CARGO ?= cargo\n"
        "V := $(shell rustc --version)\n"
        "NOTE = cargo build\n"
        "define HELP\n"
        "\tcargo build\n"
        "endef\n"
        "all: lib\n"
        "lib:\n"
        "\t@echo cargo build\n"
        "\t$(CARGO) build \\\n"
        "\t  --release\n"
        "\t-cargo test; rustup show\n"
        "\n"
        "\t# cargo doc\n"
        "fmt: ; cargo fmt\n"
        "\tcargo run\n";
    EXPECT_EQ(findings_of(FileType::makefile, mk, "Makefile"),
              (Found{"2:14 rust-build", "10:2 rust-build", "12:3 rust-build",
                     "12:15 toolchain-install", "15:8 rust-build", "16:2 rust-build"}));
}

TEST(ScanMake, JustRecipes) {
    const char* just =
        "set shell := [\"bash\", \"-c\"]\n"
        "version := `cargo pkgid`\n"
        "build target=\"x\": deps\n"
        "    @echo cargo\n"
        "    cargo build --target {{target}}\n"
        "py:\n"
        "    #!/usr/bin/env python3\n"
        "    import os; os.system('cargo build')\n"
        "sh:\n"
        "    #!/usr/bin/env bash\n"
        "    set -e\n"
        "    cargo test\n";
    EXPECT_EQ(findings_of(FileType::justfile, just, "justfile"),
              (Found{"2:13 rust-build", "5:5 rust-build", "12:5 rust-build"}));
}

TEST(ScanJson, PackageJsonScriptsOnly) {
    const char* pkg =
        "{\n"
        "  \"description\": \"cargo build wrapper\",\n"
        "  \"scripts\": {\n"
        "    \"build\": \"cargo build --release\",\n"
        "    \"esc\": \"echo \\\"hi\\\" && cargo test\",\n"
        "    \"note\": \"echo cargo\"\n"
        "  },\n"
        "  \"config\": {\"cmd\": \"cargo build\"}\n"
        "}\n";
    EXPECT_EQ(findings_of(FileType::package_json, pkg, "package.json"),
              (Found{"4:15 rust-build", "5:28 rust-build"}));
    auto broken = tl::scan::scan_text("package.json", FileType::package_json,
                                      "{\"scripts\": {\"b\": \"cargo build\"");
    EXPECT_FALSE(broken.has_value());
}

TEST(ScanJson, Devcontainer) {
    const char* dc =
        "{\n"
        "  // comment: \"postCreateCommand\": \"cargo build\"\n"
        "  \"image\": \"mcr.microsoft.com/devcontainers/base:bookworm\",\n"
        "  \"features\": { \"ghcr.io/devcontainers/features/rust:1\": {}, },\n"
        "  \"onCreateCommand\": [\"rustup\", \"target\", \"add\", \"wasm32-wasi\"],\n"
        "  \"postStartCommand\": { \"a\": \"cargo fetch\", \"b\": [\"echo\", \"cargo\"] },\n"
        "}\n";
    EXPECT_EQ(findings_of(FileType::devcontainer, dc, ".devcontainer/devcontainer.json"),
              (Found{"4:17 toolchain-install", "5:23 toolchain-install", "6:31 rust-build"}));
}

TEST(ScanCode, JavaScriptSpawns) {
    const char* js =
        "// spawn('cargo', ['build'])\n"
        "/* execSync('cargo build') */\n"
        "const re = /spawn\\('cargo'\\)/;\n"
        "console.log('cargo build');\n"
        "spawn('cargo', ['build']);\n"
        "child_process.execSync(\"cargo test && echo ok\");\n"
        "Bun.spawnSync({ cmd: ['rustup', 'update'] });\n"
        "await execa('cargo', ['build'], { cwd });\n"
        "new Deno.Command('cargo', { args: ['build'] });\n"
        "await $`cargo build --release`;\n"
        "spawn(program, args);\n"
        "spawn('sh', ['-c', 'cargo build']);\n"
        "regex.exec('cargo build');\n"
        "const { exec } = require('node:child_process'); exec('cargo doc');\n"
        "cargoCpArtifact(['--artifact', 'x', '--', 'cargo', 'build', '--release']);\n"
        "const tools = ['cargo', 'rustc', 'rustup'];\n";
    EXPECT_EQ(findings_of(FileType::javascript, js, "build.ts"),
              (Found{"5:7 rust-build", "6:25 rust-build", "7:23 toolchain-install",
                     "8:13 rust-build", "9:18 rust-build", "10:9 rust-build", "12:21 rust-build",
                     "14:55 rust-build", "15:43 rust-build"}));
}

TEST(ScanCode, Zig) {
    const char* zig =
        "// b.addSystemCommand(&.{\"cargo\", \"build\"});\n"
        "const a = b.addSystemCommand(&.{ \"cargo\", \"build\" });\n"
        "const c = b.addSystemCommand(&[_][]const u8{ cargo_path, \"test\" });\n"
        "std.debug.print(\"cargo build\", .{});\n"
        "var child = std.process.Child.init(&.{ \"rustup\", \"show\" }, alloc);\n"
        "const r = try std.process.Child.run(.{ .allocator = a, .argv = &.{ \"rustc\", \"-V\" } "
        "});\n"
        "const d = b.addSystemCommand(&.{ \"zig\", \"version\" });\n"
        "const args = [_][]const u8{ \"cargo\", \"build\", \"--release\" };\n";
    EXPECT_EQ(findings_of(FileType::zig_build, zig, "build.zig"),
              (Found{"2:34 rust-build", "3:46 rust-build", "5:40 toolchain-install",
                     "6:68 rust-build", "8:29 rust-build"}));
}

TEST(ScanCode, CMake) {
    const char* cm =
        "# execute_process(COMMAND cargo build)\n"
        "message(STATUS \"cargo build\")\n"
        "execute_process(COMMAND \"cargo\" build COMMAND rustc -V\n"
        "  OUTPUT_QUIET)\n"
        "add_custom_command(OUTPUT x COMMAND echo cargo COMMENT \"cargo build\")\n"
        "add_custom_target(r ALL COMMAND ${CARGO} build)\n"
        "#[[ add_custom_target(q cargo build) ]]\n"
        "ExternalProject_Add(core GIT_REPOSITORY https://github.com/temporalio/sdk-core\n"
        "  BUILD_COMMAND cargo build --release INSTALL_COMMAND \"\")\n"
        "corrosion_import_crate(MANIFEST_PATH Cargo.toml)\n";
    EXPECT_EQ(findings_of(FileType::cmake, cm, "CMakeLists.txt"),
              (Found{"3:25 rust-build", "3:47 rust-build", "6:33 rust-build", "8:1 sdk-core-source",
                     "9:17 rust-build", "10:1 rust-build"}));
}

TEST(ScanGitmodules, SdkCoreSubmodule) {
    EXPECT_EQ(
        findings_of(
            FileType::gitmodules,
            "[submodule \"core\"]\n  path = core\n  url = git@github.com:temporalio/sdk-core.git\n"
            "[submodule \"x\"]\n  url = https://github.com/temporalio/sdk-core-docs\n",
            ".gitmodules"),
        Found{"3:3 sdk-core-source"});
}

TEST(ScanClassify, FileTypesByNameAndShebang) {
    using tl::scan::classify_path;
    EXPECT_EQ(classify_path("Dockerfile"), FileType::dockerfile);
    EXPECT_EQ(classify_path("docker/api.Dockerfile"), FileType::dockerfile);
    EXPECT_EQ(classify_path("Dockerfile.dev"), FileType::dockerfile);
    EXPECT_EQ(classify_path("x/Containerfile"), FileType::dockerfile);
    EXPECT_FALSE(classify_path("Dockerfile.md").has_value());
    EXPECT_EQ(classify_path(".github/workflows/ci.yaml"), FileType::github_workflow);
    EXPECT_FALSE(classify_path(".github/workflows/sub/ci.yaml").has_value());
    EXPECT_EQ(classify_path(".github/actions/x/action.yml"), FileType::github_action);
    EXPECT_EQ(classify_path("services/api/.gitlab-ci.yml"), FileType::gitlab_ci);
    EXPECT_EQ(classify_path(".gitlab/ci/build.yml"), FileType::gitlab_ci);
    EXPECT_EQ(classify_path("scripts/a.bash"), FileType::shell);
    EXPECT_EQ(classify_path("GNUmakefile"), FileType::makefile);
    EXPECT_EQ(classify_path("mk/rules.mk"), FileType::makefile);
    EXPECT_EQ(classify_path("Justfile"), FileType::justfile);
    EXPECT_EQ(classify_path("packages/x/package.json"), FileType::package_json);
    EXPECT_EQ(classify_path("scripts/build.mts"), FileType::javascript);
    EXPECT_FALSE(classify_path("types/index.d.ts").has_value());
    EXPECT_EQ(classify_path("build.zig"), FileType::zig_build);
    EXPECT_EQ(classify_path("cmake/Rust.cmake"), FileType::cmake);
    EXPECT_EQ(classify_path(".devcontainer/devcontainer.json"), FileType::devcontainer);
    EXPECT_EQ(classify_path(".devcontainer/rust/devcontainer.json"), FileType::devcontainer);
    EXPECT_FALSE(classify_path("config/devcontainer.json").has_value());
    EXPECT_EQ(classify_path(".gitmodules"), FileType::gitmodules);
    EXPECT_FALSE(classify_path("README.md").has_value());
    EXPECT_FALSE(classify_path("src/lib.rs").has_value());

    using tl::scan::classify_shebang;
    EXPECT_EQ(classify_shebang("#!/bin/bash\n"), FileType::shell);
    EXPECT_EQ(classify_shebang("#!/usr/bin/env -S bash -eu\n"), FileType::shell);
    EXPECT_EQ(classify_shebang("#!/usr/bin/env bun\n"), FileType::javascript);
    EXPECT_EQ(classify_shebang("#!/usr/bin/env python3\n"), FileType::python);
    EXPECT_FALSE(classify_shebang("#!/usr/bin/env ruby\n").has_value());
    EXPECT_FALSE(classify_shebang("\x7f"
                                  "ELF")
                     .has_value());
}
