// Link metadata end to end: flags, pkg-config and abi-check --version on the
// sample core crates built with cargo, downloaded from the fake GitHub.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/release_fixture.hpp"
#include "support/sample_core.hpp"
#include "tl/link/link.hpp"
#include "tl/release/manifest.hpp"

using namespace tl;
using namespace tl::testing;

namespace {

// A fixture whose release holds the real sample core libraries (and optionally
// a manifest.json).
struct SampleRelease : ReleaseFixture {
    explicit SampleRelease(const std::string& manifest = "") {
        platform = host_platform();
        archive_name = "temporal-static-libs-" + platform + "-" + version + ".tar.gz";
        libs.clear();
        for (const auto& [name, path] : sample_core_libraries()) {
            libs[name] = read_file(path);
        }
        fs::path work = dir / "sample";
        if (!manifest.empty()) {
            write_file(work / "artifacts" / "manifest.json", manifest);
        }
        fs::path archive = make_workflow_release(work, archive_name, libs);
        archive_bytes = read_file(archive);
        checksum_text = read_file(archive.string() + ".sha256");
        publish();
    }
    std::vector<std::string> args(std::vector<std::string> cmd) const {
        cmd.insert(cmd.end(), {"--version", version, "--platform", platform});
        return cmd;
    }
};

}  // namespace

TEST(Link, ProgramLinkedWithFlagsLibsBuildsAndRuns) {
    SampleRelease f;
    ASSERT_EQ(f.libs.size(), 5u);
    auto flags = f.run(f.args({"-q", "flags", "--libs"}));
    ASSERT_EQ(flags.exit_code, 0) << flags.err;
    EXPECT_TRUE(contains(flags.out, "-L" + f.entry().string())) << flags.out;
    EXPECT_TRUE(contains(flags.out, "-ltemporalio_sdk_core_c_bridge")) << flags.out;
    EXPECT_TRUE(contains(flags.out, "-lpthread -lm -ldl")) << flags.out;
    std::string out = (f.dir / "consumer").string();
    auto cc =
        run_process({"sh", "-c",
                     "cc -o '" + out + "' '" + (sample_core_dir() / "consumer.c").string() +
                         "' -I'" + (sample_core_dir() / "include").string() + "' " + flags.out});
    ASSERT_EQ(cc.exit_code, 0) << cc.err;
    auto run = run_process({out});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(contains(run.out, "sample-core 0.1.0: add=42 greet='hello, temporal' sum=5050"))
        << run.out;

    auto json = nlohmann::json::parse(f.run(f.args({"flags", "--json"})).out);
    EXPECT_EQ(json["native_args_origin"], "platform defaults");
    EXPECT_EQ(json["lib_dir"], f.entry().string());
}

TEST(Link, PkgConfigFilePointsIntoTheCache) {
    SampleRelease f;
    auto r = f.run(f.args({"-q", "pkg-config"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    fs::path pc = f.cache() / "pkgconfig" / "temporal-libs.pc";
    EXPECT_EQ(r.out, pc.string() + "\n");
    std::string text = read_file(pc);
    EXPECT_TRUE(contains(text, "prefix=" + f.entry().string())) << text;
    EXPECT_TRUE(contains(text, "Version: 1.0.2")) << text;
    EXPECT_TRUE(contains(text, "Libs: -L${libdir} -ltemporalio_sdk_core")) << text;
    auto pkg = run_process({"pkg-config", "--libs", "temporal-libs"},
                           {{"PKG_CONFIG_PATH", pc.parent_path().string()}});
    if (pkg.exit_code == 127) {
        return;  // no pkg-config program: the file's content was checked above
    }
    ASSERT_EQ(pkg.exit_code, 0) << pkg.err;
    EXPECT_TRUE(contains(pkg.out, "-L" + f.entry().string())) << pkg.out;
}

TEST(Link, AbiCheckAgainstTheCachedRelease) {
    SampleRelease f;
    fs::path header = sample_core_dir() / "include" / "temporal_sample_bridge.h";
    auto ok = f.run(f.args({"abi-check", "--header", header.string()}));
    EXPECT_EQ(ok.exit_code, 0) << ok.err << ok.out;
    EXPECT_TRUE(contains(ok.out, "ok: all 4 functions")) << ok.out;
    write_file(f.dir / "newer.h", read_file(header) + "\nint temporal_core_not_there(int x);\n");
    auto bad = f.run(f.args({"abi-check", "--header", (f.dir / "newer.h").string()}));
    EXPECT_EQ(bad.exit_code, 7) << bad.err;
    EXPECT_EQ(bad.out, "missing: temporal_core_not_there\n");
}

TEST(Link, ManifestNativeArgumentsWin) {
    release::Manifest m;
    m.platform = host_platform();
    m.tag = "temporal-libs-v1.0.2";
    m.version = "v1.0.2";
    m.native_link_args = {"-lpthread", "-ldl", "-lm", "-lrt"};
    SampleRelease f(release::to_json(m));
    auto json = nlohmann::json::parse(f.run(f.args({"flags", "--json"})).out);
    EXPECT_EQ(json["native_args_origin"], "manifest.json");
    EXPECT_EQ(json["native_args"], nlohmann::json({"-lpthread", "-ldl", "-lm", "-lrt"}));
}

TEST(Link, DefaultsPerPlatform) {
    auto mac = link::default_native_args({platform::Os::macos, platform::Arch::arm64});
    EXPECT_NE(std::find(mac.begin(), mac.end(), "Security"), mac.end());
    auto lin = link::default_native_args({platform::Os::linux, platform::Arch::x64});
    EXPECT_NE(std::find(lin.begin(), lin.end(), "-lpthread"), lin.end());
}
