// build, and the whole publisher flow end to end: the sample core crates built
// with the real cargo, packed, published to the fake GitHub, downloaded into a
// fresh cache, checked against their header and linked into a C++ program.
// cargo is a test dependency (scripts/deps/test-publish.txt): these tests fail,
// never skip, when it is missing.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "support/publish_support.hpp"
#include "support/release_fixture.hpp"
#include "tl/release/manifest.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

using namespace tl;
using namespace tl::testing;
using nlohmann::json;

namespace {

ProcessResult build(std::vector<std::string> extra, std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {tool_path(), "build", "--offline"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_process(argv, env);
}

void write_executable(const fs::path& path, const std::string& text) {
    write_file(path, text);
    ::chmod(path.c_str(), 0755);
}

}  // namespace

TEST(Build, MissingCargoSaysWhatToInstall) {
    TestDir dir;
    auto flag = build({"--source", sample_core_dir().string(), "--target", host_triple(), "--cargo",
                       (dir / "no-cargo-here").string()});
    EXPECT_EQ(flag.exit_code, 3) << flag.err;
    EXPECT_TRUE(contains(flag.err, "cannot find '" + (dir / "no-cargo-here").string() + "'"))
        << flag.err;
    fs::create_directories(dir / "empty-bin");
    auto path = build({"--source", sample_core_dir().string(), "--target", host_triple()},
                      {{"PATH", (dir / "empty-bin").string()}});
    EXPECT_EQ(path.exit_code, 3) << path.err;
    EXPECT_TRUE(contains(path.err, "cannot find 'cargo' on PATH: install Rust")) << path.err;
}

TEST(Build, MissingTargetNamesTheRustupCommand) {
    TestDir dir;
    // A rustc whose sysroot has no standard library for any target.
    fs::create_directories(dir / "sysroot" / "lib" / "rustlib");
    write_executable(dir / "rustc", "#!/bin/sh\ncase \"$*\" in\n  *sysroot*) echo '" +
                                        (dir / "sysroot").string() +
                                        "' ;;\n  *) echo 'rustc 1.65.0 (fake)' ;;\nesac\n");
    auto r = build({"--source", sample_core_dir().string(), "--target", "aarch64-apple-darwin"},
                   {{"RUSTC", (dir / "rustc").string()}});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_TRUE(contains(r.err,
                         "the Rust standard library for 'aarch64-apple-darwin' is not "
                         "installed"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "run 'rustup target add aarch64-apple-darwin'")) << r.err;
}

TEST(Build, BadArgumentsAreUsageErrors) {
    TestDir dir;
    auto triple = build({"--source", sample_core_dir().string(), "--target", "wasm32-wasi"});
    EXPECT_EQ(triple.exit_code, 2);
    EXPECT_TRUE(contains(triple.err, "unknown target 'wasm32-wasi'")) << triple.err;
    EXPECT_TRUE(contains(triple.err, "aarch64-unknown-linux-gnu")) << triple.err;
    auto source = build({"--source", dir.path().string(), "--target", host_triple()});
    EXPECT_EQ(source.exit_code, 2);
    EXPECT_TRUE(contains(source.err, "no Cargo.toml in")) << source.err;
    auto crate = build({"--source", sample_core_dir().string(), "--target", host_triple(),
                        "--crate", "temporalio-nope", "--target-dir",
                        shared_cargo_target_dir().string(), "--out", (dir / "out").string()});
    EXPECT_EQ(crate.exit_code, 2) << crate.err;
    EXPECT_TRUE(contains(crate.err, "crate 'temporalio-nope' is not a library of the workspace"))
        << crate.err;
    EXPECT_TRUE(contains(crate.err, "temporalio-sdk-core-c-bridge")) << crate.err;
}

TEST(Build, FailedBuildNamesTheCommand) {
    TestDir dir;
    write_file(dir / "ws" / "Cargo.toml",
               "[package]\nname = \"broken\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n"
               "[lib]\npath = \"lib.rs\"\n");
    write_file(dir / "ws" / "lib.rs", "pub fn oops( -> u8 { 1 }\n");
    write_file(dir / "out" / "temporal-libs-build.json", "{\"format_version\": 1}");
    auto r =
        build({"--source", (dir / "ws").string(), "--target", host_triple(), "--crate", "broken",
               "--target-dir", (dir / "target").string(), "--out", (dir / "out").string()});
    EXPECT_EQ(r.exit_code, 8) << r.err;
    EXPECT_TRUE(contains(r.err, "'cargo rustc -p broken --crate-type staticlib --target " +
                                    host_triple() + " --release --offline"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "failed with exit code 101")) << r.err;
    EXPECT_TRUE(contains(r.err, "error")) << "cargo's own messages are shown: " << r.err;
    EXPECT_FALSE(fs::exists(dir / "out" / "libbroken.a"));
    EXPECT_FALSE(fs::exists(dir / "out" / "temporal-libs-build.json"))
        << "an earlier build's record must not outlive a failed build";
}

TEST(EndToEnd, BuildPackPublishDownloadCheckLinkAndRun) {
    ReleaseFixture f;  // a fake GitHub with nothing published yet
    const std::string token = "ghp_endToEndToken0000000000000000";
    const std::string platform = host_platform();
    const fs::path artifacts = f.dir / "artifacts";

    // 1. cargo, through temporal-libs build (offline: the crates have no dependencies).
    auto built =
        build({"--source", sample_core_dir().string(), "--target", host_triple(), "--target-dir",
               shared_cargo_target_dir().string(), "--out", artifacts.string(), "--json"});
    ASSERT_EQ(built.exit_code, 0) << "is cargo installed? (bash scripts/install-deps.sh test)\n"
                                  << built.err;
    json b = json::parse(built.out);
    ASSERT_EQ(b["crates"].size(), 5u);
    EXPECT_EQ(b["target"], host_triple());
    EXPECT_TRUE(contains(b["rustc"].get<std::string>(), "rustc ")) << b.dump();
    EXPECT_FALSE(b["crates"][1]["native_link_args"].empty()) << b.dump();
    EXPECT_TRUE(fs::exists(artifacts / "temporal-libs-build.json"));

    // 2. pack, twice: the same archive.
    auto pack = [&](const fs::path& out) {
        return run_process({tool_path(), "pack", "--input", artifacts.string(), "--out",
                            out.string(), "--platform", platform, "--version", "v0.3.0", "--json"},
                           {{"SOURCE_DATE_EPOCH", ""}});
    };
    auto packed = pack(f.dir / "dist");
    ASSERT_EQ(packed.exit_code, 0) << packed.err;
    auto repacked = pack(f.dir / "dist-again");
    ASSERT_EQ(repacked.exit_code, 0) << repacked.err;
    EXPECT_EQ(json::parse(packed.out)["sha256"], json::parse(repacked.out)["sha256"]);

    // 3. publish to the fake, which accepts creation and uploads like GitHub.
    auto published = f.run({"publish", "--version", "v0.3.0", "--dir", (f.dir / "dist").string()},
                           {{"GITHUB_TOKEN", token}});
    ASSERT_EQ(published.exit_code, 0) << published.err;
    EXPECT_TRUE(contains(published.out, "published")) << published.out;

    // 4. download into a fresh cache: the same libraries, byte for byte.
    auto got = f.run({"download", "--version", "v0.3.0", "--platform", platform, "--json"});
    ASSERT_EQ(got.exit_code, 0) << got.err;
    const fs::path entry = f.cache() / "temporal-libs-v0.3.0" / platform;
    for (const auto& crate : b["crates"]) {
        const std::string file = crate["file"];
        EXPECT_EQ(util::sha256_hex(read_file(entry / file)),
                  util::sha256_hex(read_file(artifacts / file)))
            << file;
    }

    // 5. the header's functions are all in the downloaded libraries.
    const fs::path header = sample_core_dir() / "include" / "temporal_sample_bridge.h";
    const fs::path bridge = entry / "libtemporalio_sdk_core_c_bridge.a";
    auto abi = run_process(
        {tool_path(), "abi-check", "--header", header.string(), "--lib", bridge.string()});
    EXPECT_EQ(abi.exit_code, 0) << abi.out << abi.err;

    // 6. the consumer side reads the manifest for the link line, and a C++
    // program links with exactly that line and runs.
    auto manifest = release::parse_manifest(read_file(entry / "manifest.json"));
    ASSERT_TRUE(manifest) << manifest.error().message;
    ASSERT_TRUE(manifest->has_value());
    EXPECT_EQ((*manifest)->platform, platform);
    auto flags = f.run({"flags", "--version", "v0.3.0", "--platform", platform, "--json"});
    ASSERT_EQ(flags.exit_code, 0) << flags.err;
    json link = json::parse(flags.out);
    EXPECT_EQ(link["native_args_origin"], "manifest.json");
    EXPECT_EQ(link["native_args"].get<std::vector<std::string>>(), (*manifest)->native_link_args);
    write_file(f.dir / "consumer.cpp", R"src(
#include <iostream>
#include <string>

#include "temporal_sample_bridge.h"

int main() {
    char buf[64];
    if (temporal_core_add(40, 2) != 42) return 1;
    if (temporal_core_greet("c++", buf, sizeof buf) < 0 || std::string(buf) != "hello, c++") return 2;
    if (temporal_core_sum_on_thread(100) != 5050) return 3;
    std::cout << temporal_core_bridge_version() << " linked from C++\n";
    return 0;
}
)src");
    std::vector<std::string> cxx = {"g++",
                                    "-std=c++17",
                                    "-o",
                                    (f.dir / "consumer").string(),
                                    (f.dir / "consumer.cpp").string(),
                                    "-I" + header.parent_path().string()};
    for (const auto& arg : util::split(link["libs"].get<std::string>(), ' ')) {
        if (!arg.empty()) {
            cxx.push_back(arg);
        }
    }
    auto compiled = run_process(cxx);
    ASSERT_EQ(compiled.exit_code, 0) << compiled.out << compiled.err;
    auto ran = run_process({(f.dir / "consumer").string()});
    EXPECT_EQ(ran.exit_code, 0) << ran.err;
    EXPECT_EQ(ran.out, "sample-core 0.1.0 linked from C++\n");
}
