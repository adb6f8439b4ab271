// The shell reader: a command is found where it is a command, once, at the
// position it starts; text that only mentions cargo is not a command.

#include <gtest/gtest.h>

#include "support/scan_helpers.hpp"

using namespace tl::testing;
using tl::scan::FileType;

namespace {

Found sh(std::string_view text) {
    return findings_of(FileType::shell, text, "build.sh");
}

}  // namespace

TEST(ScanShell, FindsCommandsAndNotMentions) {
    EXPECT_EQ(sh("cargo build --release\n"), Found{"1:1 rust-build"});
    EXPECT_EQ(sh("# cargo build\n"), Found{});
    EXPECT_EQ(sh("echo \"cargo build\"\n"), Found{});
    EXPECT_EQ(sh("echo 'run cargo build' # cargo test\n"), Found{});
    EXPECT_EQ(sh("printf '%s\\n' cargo rustc rustup\n"), Found{});
    EXPECT_EQ(sh("grep -q 'cargo build' docs/x.md\n"), Found{});
    EXPECT_EQ(sh("log \"installing cargo\"; rustc --version\n"), Found{"1:25 rust-build"});
    EXPECT_EQ(sh("x=cargo\n"), Found{});
    EXPECT_EQ(sh("if command -v cargo >/dev/null; then echo ok; fi\n"), Found{});
    EXPECT_EQ(sh("which rustc && type cargo\n"), Found{});
    EXPECT_EQ(sh("cargo-fmt\n"), Found{});
}

TEST(ScanShell, ContinuationsAndChainsGiveOneFindingPerCommand) {
    EXPECT_EQ(sh("cargo build \\\n  --release \\\n  -p bridge\n"), Found{"1:1 rust-build"});
    EXPECT_EQ(sh("cd x && cargo build && cargo test || rustup update\n"),
              (Found{"1:9 rust-build", "1:24 rust-build", "1:38 toolchain-install"}));
    EXPECT_EQ(sh("make; cargo check & wait\n"), Found{"1:7 rust-build"});
    EXPECT_EQ(sh("cat Cargo.toml | cargo metadata\n"), Found{"1:18 rust-build"});
    EXPECT_EQ(sh("cargo build \\\r\n  --release\r\n"), Found{"1:1 rust-build"});
    EXPECT_EQ(sh("(cd sdk && cargo build)\n{ cargo test; }\n"),
              (Found{"1:12 rust-build", "2:3 rust-build"}));
}

TEST(ScanShell, SeesThroughWrappersAndAssignments) {
    EXPECT_EQ(sh("sudo -E cargo install cross\n"), Found{"1:1 rust-build"});
    EXPECT_EQ(sh("RUSTFLAGS=-g CARGO_TARGET_DIR=t cargo build\n"), Found{"1:1 rust-build"});
    EXPECT_EQ(sh("env -u X FOO=1 nice -n 5 timeout 600 cargo test\n"), Found{"1:1 rust-build"});
    EXPECT_EQ(sh("exec \"$HOME/.cargo/bin/cargo\" run\n"), Found{"1:1 rust-build"});
    EXPECT_EQ(sh("${CARGO:-cargo} build\n"), Found{"1:1 rust-build"});
    EXPECT_EQ(sh("/usr/local/cargo/bin/rustup default stable\n"), Found{"1:1 toolchain-install"});
    EXPECT_EQ(sh("if ! cargo build; then exit 1; fi\n"), Found{"1:6 rust-build"});
    EXPECT_EQ(sh("for t in a b; do cargo build --target $t; done\n"), Found{"1:18 rust-build"});
    EXPECT_EQ(sh("while cargo check; do sleep 1; done\n"), Found{"1:7 rust-build"});
    EXPECT_EQ(sh("cross build --target aarch64-unknown-linux-gnu\ncross-env X=1 node a\n"),
              Found{"1:1 rust-build"});
}

TEST(ScanShell, SubstitutionsAndShellStringsRunCommands) {
    EXPECT_EQ(sh("V=$(rustc --version)\n"), Found{"1:5 rust-build"});
    EXPECT_EQ(sh("echo \"host: $(rustc -vV | grep host)\"\n"), Found{"1:15 rust-build"});
    EXPECT_EQ(sh("echo `cargo --version`\n"), Found{"1:7 rust-build"});
    EXPECT_EQ(sh("T=${1:-$(rustc -vV)}\n"), Found{"1:10 rust-build"});
    EXPECT_EQ(sh("bash -c 'cd x && cargo build'\n"), Found{"1:18 rust-build"});
    EXPECT_EQ(sh("sh -ec \"cargo test\"\n"), Found{"1:9 rust-build"});
    EXPECT_EQ(sh("diff <(cargo tree) expected.txt\n"), Found{"1:8 rust-build"});
    EXPECT_EQ(sh("echo $((1 + 2)) cargo\n"), Found{});
}

TEST(ScanShell, ContainersAndNixShells) {
    EXPECT_EQ(sh("docker run --rm -v \"$PWD\":/src -w /src rust:1.80 cargo build --release\n"),
              Found{"1:1 rust-build"});
    EXPECT_EQ(sh("podman run --platform=linux/arm64 docker.io/library/rust:slim make\n"),
              Found{"1:1 rust-build"});
    EXPECT_EQ(sh("docker run -e RUST_LOG=debug -v rust:/cache node:20 npm test\n"), Found{});
    EXPECT_EQ(sh("docker build -t rust .\n"), Found{});
    EXPECT_EQ(sh("docker run --rm -v \"$(pwd):/w\" -w /w \"$IMAGE\" sh -c '\n"
                 "  curl https://sh.rustup.rs -sSf | sh -s -- -y\n"
                 "  cargo build --release'\n"),
              (Found{"2:3 toolchain-install", "3:3 rust-build"}));
    EXPECT_EQ(sh("nix develop .#ci --command cargo test\n"), Found{"1:1 rust-build"});
    EXPECT_EQ(sh("nix-shell -p cargo rustc --run 'cargo build'\n"),
              (Found{"1:1 toolchain-install", "1:33 rust-build"}));
    EXPECT_EQ(sh("nix develop --command make\n"), Found{});
}

TEST(ScanShell, RustBuildFrontEnds) {
    EXPECT_EQ(sh("uv run maturin build --release\n"), Found{"1:1 rust-build"});
    EXPECT_EQ(sh("poetry run maturin develop\nmaturin --version\n"), Found{"1:1 rust-build"});
    EXPECT_EQ(sh("napi build --platform --release\nwasm-pack build --target web\n"),
              (Found{"1:1 rust-build", "2:1 rust-build"}));
    EXPECT_EQ(sh("cargo-cp-artifact -nc index.node -- cargo build --message-format=json\n"),
              Found{"1:1 rust-build"});
    EXPECT_EQ(sh("uv run pytest\nnapi new\n"), Found{});
}

TEST(ScanShell, HeredocsAreDataUnlessAShellReadsThem) {
    EXPECT_EQ(sh("cat > Dockerfile <<EOF\nRUN cargo build\nEOF\ncargo test\n"),
              Found{"4:1 rust-build"});
    EXPECT_EQ(sh("cat <<-'EOT' >x\n\tcargo build\n\tEOT\n"), Found{});
    EXPECT_EQ(sh("bash <<EOF\ncargo build\nEOF\n"), Found{"2:1 rust-build"});
    EXPECT_EQ(sh("ssh host <<EOF\ncargo build\nEOF\n"), Found{});
    EXPECT_EQ(sh("grep x <<< \"cargo build\"\n"), Found{});
}

TEST(ScanShell, CasePatternsAreNotCommands) {
    EXPECT_EQ(sh("case \"$1\" in\n  cargo|rustc) echo tool ;;\n  build) cargo build ;;\n"
                 "  *) ;;\nesac\ncargo test\n"),
              (Found{"3:10 rust-build", "6:1 rust-build"}));
}

TEST(ScanShell, InstallersAndPackageManagers) {
    EXPECT_EQ(sh("curl --proto '=https' -sSf https://sh.rustup.rs | sh -s -- -y\n"),
              Found{"1:1 toolchain-install"});
    EXPECT_EQ(sh("wget -qO- https://sh.rustup.rs | bash\n"), Found{"1:1 toolchain-install"});
    EXPECT_EQ(sh("./rustup-init -y --profile minimal\n"), Found{"1:1 toolchain-install"});
    EXPECT_EQ(sh("sh rustup-init.sh -y\n"), Found{"1:1 toolchain-install"});
    EXPECT_EQ(sh("apt-get install -y cargo rustc protobuf-compiler\n"),
              (Found{"1:1 toolchain-install", "1:32 build-dependency"}));
    EXPECT_EQ(sh("apt-get -o Dpkg::Options::=--force-confnew install -y rustc-1.80\n"),
              Found{"1:1 toolchain-install"});
    EXPECT_EQ(sh("apk add --no-cache rust cargo\nbrew install rust\ndnf install -y rust-toolset\n"),
              (Found{"1:1 toolchain-install", "2:1 toolchain-install", "3:1 toolchain-install"}));
    EXPECT_EQ(sh("pacman -Syu --noconfirm rustup\nchoco install rustup.install\n"),
              (Found{"1:1 toolchain-install", "2:1 toolchain-install"}));
    EXPECT_EQ(sh("apt-get install -y rust-doc-viewer cargo-culture-kit\n"), Found{});
    EXPECT_EQ(sh("apt-cache search cargo\napt-get remove -y cargo\n"), Found{});
    EXPECT_EQ(sh("asdf plugin add rust\nmise use rust@1.80\n"),
              (Found{"1:1 toolchain-install", "2:1 toolchain-install"}));
}

TEST(ScanShell, ProtobufCountsOnlyNextToRust) {
    EXPECT_EQ(sh("apt-get install -y protobuf-compiler\n"), Found{});
    EXPECT_EQ(sh("apt-get install -y protobuf-compiler\ncargo build\n"),
              (Found{"1:20 build-dependency", "2:1 rust-build"}));
}

TEST(ScanShell, SdkCoreClonesAndTheRetiredWrapper) {
    EXPECT_EQ(sh("git clone https://github.com/temporalio/sdk-core.git\n"),
              Found{"1:1 sdk-core-source"});
    EXPECT_EQ(sh("git -C vendor submodule add git@github.com:temporalio/sdk-core\n"),
              Found{"1:1 sdk-core-source"});
    EXPECT_EQ(sh("gh repo clone temporalio/sdk-core\n"), Found{"1:1 sdk-core-source"});
    EXPECT_EQ(sh("git clone https://github.com/temporalio/sdk-core-extras.git\n"), Found{});
    EXPECT_EQ(sh("git log -- temporalio/sdk-core\n"), Found{});
    EXPECT_EQ(sh("bun run scripts/run-with-rust-toolchain.ts cargo build\n"),
              Found{"1:1 retired-script"});
    EXPECT_EQ(sh("./scripts/run-with-rust-toolchain.ts\n"), Found{"1:1 retired-script"});
    EXPECT_EQ(sh("echo see run-with-rust-toolchain.ts\nrm run-with-rust-toolchain.ts\n"), Found{});
}

TEST(ScanShell, AllowComments) {
    EXPECT_EQ(sh("cargo build # temporal-libs: allow-rust\n"), Found{"1:1 rust-build allowed"});
    EXPECT_EQ(sh("# temporal-libs: allow-rust publishing job\ncargo build\ncargo test\n"),
              (Found{"2:1 rust-build allowed", "3:1 rust-build"}));
    EXPECT_EQ(sh("echo 'temporal-libs: allow-rust'\ncargo build\n"), Found{"2:1 rust-build"});
    EXPECT_EQ(sh("#!/bin/sh\n# temporal-libs: allow-rust-file\nrustup update\ncargo build\n"),
              (Found{"3:1 toolchain-install allowed", "4:1 rust-build allowed"}));
    EXPECT_EQ(sh("# temporal-libs: allow-rusty\ncargo build\n"), Found{"2:1 rust-build"});
    auto allowed =
        findings_of(FileType::shell, "cargo build\n", "ci/release/build.sh", {"ci/release/*"});
    EXPECT_EQ(allowed, Found{"1:1 rust-build allowed"});
}

TEST(ScanShell, ReasonAndPositionOfAnAllowedFinding) {
    auto r = tl::scan::scan_text("x.sh", FileType::shell,
                                 "# temporal-libs: allow-rust -- builds the release\n"
                                 "  cargo rustc --release\n");
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 1u);
    const auto& f = r->front();
    EXPECT_EQ(f.status, tl::scan::Status::allowed);
    EXPECT_EQ(f.severity, tl::scan::Severity::info);
    EXPECT_EQ(f.allowed_by, "allow-rust comment at line 1: builds the release");
    EXPECT_EQ(f.line, 2);
    EXPECT_EQ(f.column, 3);
    EXPECT_EQ(f.text, "cargo rustc --release");
}

TEST(ScanShell, ColumnsCountCodePoints) {
    EXPECT_EQ(sh("echo \"héllo wörld\" && cargo build\n"), Found{"1:23 rust-build"});
}

TEST(ScanShell, HostileInputNeverCrashes) {
    // Deep nesting, unterminated quotes and substitutions: whatever is found,
    // the reader must return.
    std::string deep;
    for (int i = 0; i < 5000; ++i) {
        deep += "$(";
    }
    deep += "cargo build";
    sh(deep);
    sh("echo \"unterminated $(cargo build\n");
    sh("cat <<EOF\nno end\n");
    sh("case x in\n");
    sh(std::string(100000, '('));
    sh("\\");
    sh("'");
    sh("${");
    sh("`");
    sh("a=(");
    SUCCEED();
}
