// End to end: the real temporal-libs binary against the fake GitHub API.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/release_fixture.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;
using nlohmann::json;

namespace {

std::vector<std::string> base_args(const ReleaseFixture& f) {
    return {"download", "--version", f.version, "--platform", f.platform};
}

}  // namespace

TEST(Download, WorkflowReleaseInstallsThenCacheHitMakesNoRequest) {
    ReleaseFixture f;
    f.publish();
    auto args = base_args(f);
    args.push_back("--json");
    auto r = f.run(args);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    json j = json::parse(r.out);
    EXPECT_EQ(j["tag"], f.tag);
    EXPECT_EQ(j["platform"], f.platform);
    EXPECT_EQ(j["directory"], f.entry().string());
    EXPECT_EQ(j["from_cache"], false);
    EXPECT_EQ(j["archive_sha256"], util::sha256_hex(f.archive_bytes));
    EXPECT_EQ(j["libraries"].size(), 5u);
    // The contract's layout, byte for byte, and the latest link the Zig build reads.
    for (const auto& [name, content] : f.libs) {
        EXPECT_EQ(read_file(f.entry() / ("lib" + name + ".a")), content) << name;
    }
    EXPECT_EQ(fs::read_symlink(f.cache() / "latest"), f.tag);
    EXPECT_TRUE(fs::exists(f.entry() / ".temporal-libs-entry.json"));
    // Download went through the API URL and a redirect to the storage host.
    bool octet = false;
    for (const auto& req : f.github.requests(FakeServer::api)) {
        auto it = req.headers.find("accept");
        octet |= it != req.headers.end() && it->second == "application/octet-stream";
        EXPECT_NE(req.headers.find("x-github-api-version"), req.headers.end());
        EXPECT_NE(req.headers.find("user-agent"), req.headers.end());
    }
    EXPECT_TRUE(octet);
    EXPECT_EQ(f.archive_downloads(), 1u);

    f.github.clear_requests();
    auto again = f.run(args);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(json::parse(again.out)["from_cache"], true);
    EXPECT_TRUE(f.github.requests().empty()) << "a cache hit must make no request";
}

TEST(Download, LatestPagesPastOtherProductsReleases) {
    ReleaseFixture f;
    f.publish();  // temporal-libs-v1.0.2, the oldest
    for (int i = 0; i < 130; ++i) {
        FakeRelease other;
        other.tag = "web-app-v" + std::to_string(i);
        f.github.add_release(other);
        if (i == 60) {
            FakeRelease draft;
            draft.tag = "temporal-libs-v9.0.0";
            draft.draft = true;
            f.github.add_release(draft);
            FakeRelease pre;
            pre.tag = "temporal-libs-v2.0.0-rc.1";
            pre.prerelease = true;
            f.github.add_release(pre);
        }
    }
    auto r = f.run({"download", "--version", "latest", "--platform", f.platform, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["tag"], f.tag);
    bool second_page = false;
    for (const auto& req : f.github.requests(FakeServer::api)) {
        EXPECT_FALSE(contains(req.target, "/releases/latest")) << req.target;
        second_page |= contains(req.target, "page=2");
    }
    EXPECT_TRUE(second_page) << "latest must follow Link rel=\"next\"";
}

TEST(Download, FlippedByteRejectedAfterOneRetryAndNothingInstalled) {
    ReleaseFixture f;
    // The stored blob is damaged; the .sha256 and GitHub's digest describe the original.
    f.archive_digest_override = "sha256:" + util::sha256_hex(f.archive_bytes);
    f.archive_bytes[f.archive_bytes.size() / 3] ^= 0x01;
    f.publish();
    auto r = f.run(base_args(f));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "checksum mismatch for '" + f.archive_name + "'")) << r.err;
    EXPECT_TRUE(
        contains(r.err, "from checksum file '" + f.archive_name + ".sha256' and the digest"))
        << r.err;
    EXPECT_TRUE(contains(r.err, util::sha256_hex(f.archive_bytes))) << r.err;
    EXPECT_TRUE(contains(r.err, "nothing was installed")) << r.err;
    EXPECT_EQ(f.archive_downloads(), 2u) << "a mismatch is downloaded once more, then rejected";
    EXPECT_FALSE(fs::exists(f.entry()));
    EXPECT_FALSE(fs::exists(f.cache() / "latest"));
    for (const auto& e : fs::recursive_directory_iterator(f.cache())) {
        EXPECT_FALSE(e.is_regular_file() && e.path().extension() == ".a") << e.path();
    }
}

TEST(Download, HostileArchiveWithValidChecksumIsRefused) {
    ReleaseFixture f;
    write_tar(f.dir / "evil.tar.gz", {{TarEntry::Type::file, "./libtemporalio_sdk.a", "x", "", 0},
                                      {TarEntry::Type::symlink, "./out", "", "/tmp", 0},
                                      {TarEntry::Type::file, "./out/tl-pwned", "x", "", 0}});
    f.archive_bytes = read_file(f.dir / "evil.tar.gz");
    f.checksum_text = util::sha256_hex(f.archive_bytes) + "  " + f.archive_name + "\n";
    f.publish();
    auto r = f.run(base_args(f));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "unsafe archive entry './out'")) << r.err;
    EXPECT_FALSE(fs::exists("/tmp/tl-pwned"));
    EXPECT_FALSE(fs::exists(f.entry()));
}

TEST(Download, TokenReachesApiHostOnlyAndIsNeverPrinted) {
    ReleaseFixture f;
    f.publish();
    const std::string token = "ghp_fakeTokenForTests0123456789";
    f.github.require_token(token);
    auto r = f.run({"-v", "download", "--version", f.version, "--platform", f.platform},
                   {{"GITHUB_TOKEN", token}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::size_t api_with_token = 0;
    for (const auto& req : f.github.requests()) {
        auto it = req.headers.find("authorization");
        if (req.server == "api") {
            ASSERT_NE(it, req.headers.end()) << req.target;
            EXPECT_TRUE(contains(it->second, token));
            ++api_with_token;
        } else {
            EXPECT_EQ(it, req.headers.end()) << "token sent to " << req.server << req.target;
            for (const auto& [k, v] : req.headers) {
                EXPECT_FALSE(contains(v, token)) << k;
            }
        }
    }
    EXPECT_GT(api_with_token, 0u);
    EXPECT_FALSE(f.github.requests(FakeServer::storage).empty());
    EXPECT_FALSE(contains(r.out + r.err, token));
    EXPECT_TRUE(contains(r.err, "redirect")) << "verbose output should show the redirect";
}

TEST(Download, MissingReleaseListsAvailableTags) {
    ReleaseFixture f;
    f.publish();
    auto r = f.run({"download", "--version", "v7.7.7", "--platform", f.platform});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_TRUE(
        contains(r.err, "release 'temporal-libs-v7.7.7' not found in github:proompteng/lab"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "available: temporal-libs-v1.0.2")) << r.err;
}

TEST(Download, MissingPlatformListsThoseTheReleaseHas) {
    ReleaseFixture f;
    f.publish();
    auto r = f.run({"download", "--version", f.version, "--platform", "macos-arm64"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_TRUE(contains(r.err, "has no archive for macos-arm64")) << r.err;
    EXPECT_TRUE(contains(r.err, "platforms it has: linux-x64")) << r.err;
}

TEST(Download, NoChecksumAnywhereIsAnError) {
    ReleaseFixture f;
    FakeRelease rel;
    rel.tag = f.tag;
    FakeAsset a;
    a.name = f.archive_name;
    a.content = f.archive_bytes;
    a.report_digest = false;
    rel.assets.push_back(a);
    f.github.add_release(rel);
    auto r = f.run(base_args(f));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "no checksum for '" + f.archive_name + "'")) << r.err;
    EXPECT_FALSE(fs::exists(f.entry()));
}

TEST(Download, DigestAndChecksumFileMustAgree) {
    ReleaseFixture f;
    f.publish();
    FakeAsset a;
    a.name = f.archive_name;
    a.content = f.archive_bytes;
    a.digest_override = "sha256:" + std::string(64, 'e');
    f.github.put_asset(f.tag, a);
    auto r = f.run(base_args(f));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "disagree")) << r.err;
    EXPECT_TRUE(contains(r.err, std::string(64, 'e'))) << r.err;
    EXPECT_TRUE(contains(r.err, util::sha256_hex(f.archive_bytes))) << r.err;
    EXPECT_EQ(f.archive_downloads(), 0u);
}

TEST(Download, AlternativeChecksumNameAndDigestOnlyBothWork) {
    {
        ReleaseFixture f;
        FakeRelease rel;
        rel.tag = f.tag;
        FakeAsset a;
        a.name = f.archive_name;
        a.content = f.archive_bytes;
        a.report_digest = false;
        FakeAsset s;
        s.name = "temporal-static-libs-" + f.platform + "-" + f.version + ".sha256";
        s.content = f.checksum_text;
        rel.assets = {a, s};
        f.github.add_release(rel);
        auto r = f.run(base_args(f));
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    {
        ReleaseFixture f;
        FakeRelease rel;
        rel.tag = f.tag;
        FakeAsset a;
        a.name = f.archive_name;
        a.content = f.archive_bytes;  // digest reported by the API only
        rel.assets = {a};
        f.github.add_release(rel);
        auto r = f.run(base_args(f));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_TRUE(contains(r.err, "verified")) << r.err;
    }
}

TEST(Download, UnreachableApiIsNetworkErrorNamingHost) {
    ReleaseFixture f;
    auto r = f.run({"download", "--version", f.version, "--platform", f.platform, "--retries", "1",
                    "--api-url", "http://127.0.0.1:9"});
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_TRUE(contains(r.err, "cannot connect to '127.0.0.1:9'")) << r.err;
}

TEST(Download, OfflineUsesOnlyTheCache) {
    ReleaseFixture f;
    f.publish();
    auto miss = f.run({"download", "--version", f.version, "--platform", f.platform, "--offline"});
    EXPECT_EQ(miss.exit_code, 3) << miss.err;
    EXPECT_TRUE(contains(miss.err, "--offline forbids downloading")) << miss.err;
    EXPECT_TRUE(f.github.requests().empty());
    ASSERT_EQ(f.run(base_args(f)).exit_code, 0);
    f.github.clear_requests();
    auto hit = f.run({"download", "--version", "latest", "--platform", f.platform, "--offline"});
    EXPECT_EQ(hit.exit_code, 0) << hit.err;
    EXPECT_TRUE(f.github.requests().empty());
}

TEST(Download, DamagedEntryIsReportedAndFetchedAgain) {
    ReleaseFixture f;
    f.publish();
    ASSERT_EQ(f.run(base_args(f)).exit_code, 0);
    fs::resize_file(f.entry() / "libtemporalio_sdk.a", 10);
    auto offline =
        f.run({"download", "--version", f.version, "--platform", f.platform, "--offline"});
    EXPECT_EQ(offline.exit_code, 5);
    EXPECT_TRUE(contains(offline.err, "libtemporalio_sdk.a' has size 10")) << offline.err;
    f.github.clear_requests();
    auto r = f.run(base_args(f));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "is not usable")) << r.err;
    EXPECT_EQ(read_file(f.entry() / "libtemporalio_sdk.a"), f.libs["temporalio_sdk"]);
    // The kept archive made the reinstall free of downloads.
    EXPECT_EQ(f.archive_downloads(), 0u);
}

TEST(Download, UnsupportedPlatformIsUsageError) {
    ReleaseFixture f;
    auto r = f.run({"download", "--platform", "windows-x64"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(
        contains(r.err, "supported platforms: linux-arm64, linux-x64, macos-arm64, macos-x64"))
        << r.err;
    auto forced = f.run({"download"}, {{"FORCE_ARCH", "mips"}});
    EXPECT_EQ(forced.exit_code, 2);
    EXPECT_TRUE(contains(forced.err, "FORCE_ARCH=mips")) << forced.err;
}

TEST(Download, JsonErrorObjectOnFailure) {
    ReleaseFixture f;
    f.publish();
    auto r = f.run({"download", "--version", "v0.0.1", "--platform", f.platform, "--json"});
    EXPECT_EQ(r.exit_code, 3);
    json j = json::parse(r.out);
    EXPECT_EQ(j["error"]["kind"], "not_found");
    EXPECT_EQ(j["error"]["exit_code"], 3);
}

TEST(Download, Arm64ReleaseCarryingX64ObjectsIsRejected) {
    ReleaseFixture f;
    f.platform = "linux-arm64";
    f.archive_name = "temporal-static-libs-linux-arm64-" + f.version + ".tar.gz";
    fs::path archive =
        make_workflow_release(f.dir / "arm", f.archive_name, f.libs);  // x86-64 inside
    f.archive_bytes = read_file(archive);
    f.checksum_text = read_file(archive.string() + ".sha256");
    f.publish();
    auto r = f.run(base_args(f));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "holds ELF x86-64 objects, but linux-arm64 needs ELF AArch64"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "nothing was installed")) << r.err;
    EXPECT_FALSE(fs::exists(f.entry()));

    // The same libraries built for AArch64 install fine.
    ReleaseFixture g;
    g.platform = "linux-arm64";
    g.archive_name = "temporal-static-libs-linux-arm64-" + g.version + ".tar.gz";
    for (auto& [name, content] : g.libs) {
        content = make_static_library("linux-arm64", name);
    }
    fs::path ok = make_workflow_release(g.dir / "arm", g.archive_name, g.libs);
    g.archive_bytes = read_file(ok);
    g.checksum_text = read_file(ok.string() + ".sha256");
    g.publish();
    auto good = g.run(base_args(g));
    EXPECT_EQ(good.exit_code, 0) << good.err;
}

TEST(Download, ChecksumVerificationOffSkipsOnlyTheComparisonAndWarnsEveryRun) {
    ReleaseFixture f;
    // A sound archive whose checksum file and reported digest describe other bytes.
    std::string wrong = util::sha256_hex("other bytes");
    f.checksum_text = wrong + "  " + f.archive_name + "\n";
    f.archive_digest_override = "sha256:" + wrong;
    f.publish();
    auto on = f.run(base_args(f));
    EXPECT_EQ(on.exit_code, 5) << on.err;
    EXPECT_TRUE(contains(on.err, "checksum mismatch")) << on.err;
    EXPECT_FALSE(fs::exists(f.entry()));

    std::map<std::string, std::string> off = {{"TEMPORAL_LIBS_VERIFY_CHECKSUMS", "false"}};
    auto r = f.run(base_args(f), off);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err,
                         "warning: checksum verification is off (verify_checksums from "
                         "environment TEMPORAL_LIBS_VERIFY_CHECKSUMS)"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "(sha256 " + util::sha256_hex(f.archive_bytes) +
                                    ") was not compared with the release's checksums"))
        << r.err;
    EXPECT_FALSE(contains(r.err, "verified ")) << r.err;
    EXPECT_TRUE(fs::exists(f.entry() / "libtemporalio_sdk_core.a"));

    // A cache hit still says so, even with --quiet.
    auto again = f.run({"-q", "download", "--version", f.version, "--platform", f.platform}, off);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(contains(again.err, "checksum verification is off")) << again.err;
}

TEST(Download, ChecksumVerificationOffStillRefusesUnsafeAndForeignArchives) {
    std::map<std::string, std::string> off = {{"TEMPORAL_LIBS_VERIFY_CHECKSUMS", "false"}};
    ReleaseFixture f;
    write_tar(f.dir / "evil.tar.gz", {{TarEntry::Type::file, "./libtemporalio_sdk.a", "x", "", 0},
                                      {TarEntry::Type::symlink, "./out", "", "/tmp", 0},
                                      {TarEntry::Type::file, "./out/tl-pwned", "x", "", 0}});
    f.archive_bytes = read_file(f.dir / "evil.tar.gz");
    f.checksum_text = util::sha256_hex("something else") + "  " + f.archive_name + "\n";
    f.publish();
    auto r = f.run(base_args(f), off);
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "unsafe archive entry './out'")) << r.err;
    EXPECT_FALSE(fs::exists(f.entry()));

    ReleaseFixture g;
    g.platform = "linux-arm64";
    g.archive_name = "temporal-static-libs-linux-arm64-" + g.version + ".tar.gz";
    fs::path archive = make_workflow_release(g.dir / "arm", g.archive_name, g.libs);  // x86-64
    g.archive_bytes = read_file(archive);
    g.checksum_text = read_file(archive.string() + ".sha256");
    g.publish();
    auto arm = g.run(base_args(g), off);
    EXPECT_EQ(arm.exit_code, 5) << arm.err;
    EXPECT_TRUE(contains(arm.err, "holds ELF x86-64 objects, but linux-arm64 needs ELF AArch64"))
        << arm.err;
    EXPECT_FALSE(fs::exists(g.entry()));
}
