// End to end: lockfile (lock, pins, --locked, trust on first use) and signed
// SHA256SUMS (sign, publish, public_keys) with the real binary, the fake GitHub
// and Debian's minisign tool.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/publish_support.hpp"
#include "support/release_fixture.hpp"
#include "tl/trust/lockfile.hpp"
#include "tl/trust/minisign.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;
using nlohmann::json;

namespace {

std::vector<std::string> download_args(const ReleaseFixture& f) {
    return {"download", "--version", f.version, "--platform", f.platform};
}

// A project directory (temporal-libs.toml) around the fixture's working directory.
void make_project(const ReleaseFixture& f) {
    write_file(f.dir / "temporal-libs.toml", "# project\n");
}

trust::Lockfile load_lock(const ReleaseFixture& f) {
    auto l = trust::Lockfile::load(f.dir / "temporal-libs.lock");
    EXPECT_TRUE(l && l->has_value());
    return l && l->has_value() ? **l : trust::Lockfile();
}

// Replaces the release's archive with another valid one (other library
// contents) and a matching .sha256: what a replaced release looks like.
std::string replace_archive(ReleaseFixture& f) {
    fs::path other = make_workflow_release(f.dir / "work-replaced", f.archive_name,
                                           contract_libraries("replaced"));
    FakeAsset a;
    a.name = f.archive_name;
    a.content = read_file(other);
    a.content_type = "application/gzip";
    f.github.put_asset(f.tag, a);
    FakeAsset s;
    s.name = f.archive_name + ".sha256";
    s.content = read_file(other.string() + ".sha256");
    s.content_type = "text/plain";
    f.github.put_asset(f.tag, s);
    return util::sha256_hex(a.content);
}

struct ToolKey {
    fs::path pub;
    fs::path sec;
    std::string base64;  // "RW..."
};

ToolKey tool_key(const fs::path& dir, const std::string& name) {
    ToolKey k{dir / (name + ".pub"), dir / (name + ".key"), ""};
    auto r = run_process({"minisign", "-G", "-W", "-p", k.pub.string(), "-s", k.sec.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto pk = trust::minisign::parse_public_key(read_file(k.pub));
    EXPECT_TRUE(pk);
    k.base64 = pk ? pk->base64() : "";
    return k;
}

std::string key_id(const ToolKey& k) {
    return trust::minisign::key_id_hex(trust::minisign::parse_public_key(k.base64)->id);
}

// Puts SHA256SUMS (over the archive and its .sha256) and, signed by `key` with
// `minisign -S`, SHA256SUMS.minisig on the release.
void publish_signed_sums(ReleaseFixture& f, const ToolKey& key) {
    fs::path dir = f.dir / "sums";
    fs::create_directories(dir);
    std::string sums = util::sha256_hex(f.archive_bytes) + "  " + f.archive_name + "\n" +
                       util::sha256_hex(f.checksum_text) + "  " + f.archive_name + ".sha256\n";
    write_file(dir / "SHA256SUMS", sums);
    auto r = run_process(
        {"minisign", "-S", "-s", key.sec.string(), "-m", (dir / "SHA256SUMS").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* name : {"SHA256SUMS", "SHA256SUMS.minisig"}) {
        FakeAsset a;
        a.name = name;
        a.content = read_file(dir / name);
        a.content_type = "text/plain";
        f.github.put_asset(f.tag, a);
    }
}

}  // namespace

TEST(TrustCli, LockPinsThenAReplacedAssetIsRefusedAndNothingInstalled) {
    ReleaseFixture f;
    f.publish();
    make_project(f);
    auto lock = f.run({"lock", "--version", f.version, "--platform", f.platform, "--json"});
    ASSERT_EQ(lock.exit_code, 0) << lock.err;
    json j = json::parse(lock.out);
    EXPECT_EQ(j["entries"][0]["change"], "added");
    const std::string locked = util::sha256_hex(f.archive_bytes);
    trust::Lockfile file = load_lock(f);
    const trust::LockEntry* e = file.find(f.tag, f.platform);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->archive, f.archive_name);
    EXPECT_EQ(e->archive_sha256, locked);
    ASSERT_EQ(e->libraries.size(), f.libs.size());
    for (const auto& [name, content] : f.libs) {
        EXPECT_EQ(e->libraries.at("lib" + name + ".a"), util::sha256_hex(content)) << name;
    }
    EXPECT_TRUE(contains(e->source, "github:proompteng/lab")) << e->source;
    EXPECT_FALSE(e->first_seen.empty());
    const std::string lock_text = read_file(f.dir / "temporal-libs.lock");

    const std::string replaced = replace_archive(f);
    fs::remove_all(f.cache());
    f.github.clear_requests();
    auto r = f.run(download_args(f));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "asset '" + f.archive_name + "' changed since it was locked"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "locked sha256 " + locked)) << r.err;
    EXPECT_TRUE(contains(r.err, "the release now says " + replaced)) << r.err;
    EXPECT_TRUE(contains(r.err, "nothing was installed")) << r.err;
    EXPECT_TRUE(contains(r.err, "temporal-libs lock --version v1.0.2")) << r.err;
    EXPECT_FALSE(fs::exists(f.entry()));
    EXPECT_EQ(f.archive_downloads(), 0u) << "a refused archive is not even downloaded";
    // Never a silent re-pin.
    EXPECT_EQ(read_file(f.dir / "temporal-libs.lock"), lock_text);

    // Re-pinning is an explicit `lock`, and says so.
    auto repin = f.run({"lock", "--version", f.version, "--platform", f.platform});
    ASSERT_EQ(repin.exit_code, 0) << repin.err;
    EXPECT_TRUE(contains(repin.err, "re-pinned")) << repin.err;
    EXPECT_EQ(load_lock(f).find(f.tag, f.platform)->archive_sha256, replaced);
    EXPECT_EQ(f.run(download_args(f)).exit_code, 0);
}

TEST(TrustCli, CachedEntryThatDiffersFromTheLockIsNotServed) {
    ReleaseFixture f;
    f.publish();
    make_project(f);
    ASSERT_EQ(f.run(download_args(f)).exit_code, 0);  // records the entry
    // The lock now pins another archive than the one in the cache.
    trust::Lockfile l = load_lock(f);
    trust::LockEntry e = *l.find(f.tag, f.platform);
    e.archive_sha256 = util::sha256_hex("something else");
    l.put(e);
    write_file(f.dir / "temporal-libs.lock", l.serialize());

    auto offline =
        f.run({"download", "--version", f.version, "--platform", f.platform, "--offline"});
    EXPECT_EQ(offline.exit_code, 5) << offline.err;
    EXPECT_TRUE(contains(offline.err, "is not the one 'temporal-libs.lock' pins")) << offline.err;
    auto online = f.run(download_args(f));
    EXPECT_EQ(online.exit_code, 5) << online.err;
    EXPECT_TRUE(contains(online.err, "changed since it was locked")) << online.err;
}

TEST(TrustCli, LockedWithoutAnEntryFailsAndFirstUseRecordsIt) {
    ReleaseFixture f;
    f.publish();
    make_project(f);
    auto args = download_args(f);
    args.push_back("--locked");
    auto locked = f.run(args);
    EXPECT_EQ(locked.exit_code, 3) << locked.err;
    EXPECT_TRUE(contains(locked.err, "--locked")) << locked.err;
    EXPECT_TRUE(contains(locked.err, "temporal-libs lock --version v1.0.2")) << locked.err;
    EXPECT_FALSE(fs::exists(f.entry()));
    EXPECT_FALSE(fs::exists(f.dir / "temporal-libs.lock"));
    // The environment variable does the same.
    auto env = f.run(download_args(f), {{"TEMPORAL_LIBS_LOCKED", "1"}});
    EXPECT_EQ(env.exit_code, 3) << env.err;

    // Without --locked the first download records the entry and says so.
    auto first = f.run(download_args(f));
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_TRUE(contains(first.err, "in temporal-libs.lock") ||
                contains(first.err, "temporal-libs.lock' (trust on first use)"))
        << first.err;
    EXPECT_TRUE(contains(first.err, "trust on first use")) << first.err;
    trust::Lockfile recorded = load_lock(f);
    const trust::LockEntry* e = recorded.find(f.tag, f.platform);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->archive_sha256, util::sha256_hex(f.archive_bytes));
    EXPECT_EQ(e->libraries.size(), 5u);
    // Now --locked is satisfied, from the cache.
    auto again = f.run(args);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_FALSE(contains(again.err, "trust on first use")) << again.err;
}

TEST(TrustCli, SignedByMinisignToolIsVerified) {
    ReleaseFixture f;
    f.publish();
    ToolKey key = tool_key(f.dir.path(), "release");
    publish_signed_sums(f, key);
    auto r = f.run(download_args(f), {{"TEMPORAL_LIBS_PUBLIC_KEYS", key.base64}});
    EXPECT_EQ(r.exit_code, 0) << r.err;

    // Another trusted key's signature: rejected, naming the found and trusted ids.
    ToolKey other = tool_key(f.dir.path(), "other");
    fs::remove_all(f.cache());
    auto wrong = f.run(download_args(f), {{"TEMPORAL_LIBS_PUBLIC_KEYS", other.base64}});
    EXPECT_EQ(wrong.exit_code, 5) << wrong.err;
    EXPECT_TRUE(contains(wrong.err, "signed with key id " + key_id(key))) << wrong.err;
    EXPECT_TRUE(contains(wrong.err, "trusted key ids: " + key_id(other))) << wrong.err;
    EXPECT_FALSE(fs::exists(f.entry()));
}

TEST(TrustCli, UnsignedOrTamperedReleaseIsRejectedWhenKeysAreSet) {
    ReleaseFixture f;
    f.publish();
    ToolKey key = tool_key(f.dir.path(), "release");
    write_file(f.dir / "temporal-libs.toml", "public_keys = [\"" + key.base64 + "\"]\n");
    auto unsigned_release = f.run(download_args(f));
    EXPECT_EQ(unsigned_release.exit_code, 5) << unsigned_release.err;
    EXPECT_TRUE(contains(unsigned_release.err, "trusted key ids: " + key_id(key)))
        << unsigned_release.err;
    EXPECT_TRUE(contains(unsigned_release.err, "SHA256SUMS")) << unsigned_release.err;
    EXPECT_FALSE(fs::exists(f.entry()));

    publish_signed_sums(f, key);
    // SHA256SUMS altered after signing (here: pointing at another archive).
    auto rel = f.github.release(f.tag);
    ASSERT_TRUE(rel);
    FakeAsset sums;
    sums.name = "SHA256SUMS";
    sums.content = util::sha256_hex("evil") + "  " + f.archive_name + "\n";
    f.github.put_asset(f.tag, sums);
    auto tampered = f.run(download_args(f));
    EXPECT_EQ(tampered.exit_code, 5) << tampered.err;
    EXPECT_TRUE(contains(tampered.err, "does not match the signed file")) << tampered.err;
    EXPECT_FALSE(fs::exists(f.entry()));
}

TEST(TrustCli, UnsignedSha256SumsThatDisagreesIsNamed) {
    ReleaseFixture f;
    f.publish();
    FakeAsset sums;
    sums.name = "SHA256SUMS";
    sums.content = util::sha256_hex("other") + "  " + f.archive_name + "\n";
    f.github.put_asset(f.tag, sums);
    auto r = f.run(download_args(f));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, util::sha256_hex("other") + "  from SHA256SUMS (unsigned)"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "from checksum file")) << r.err;
}

TEST(TrustCli, SignPublishAndVerifyWithMinisignAndTheClient) {
    ReleaseFixture f;
    f.publish();
    const std::string token = "ghp_trustTokenForTests0123456789";
    f.github.require_token(token);
    fs::path dist = f.dir / "dist";
    write_x64_libraries(f.dir / "artifacts");
    pack_linux_x64(f.dir / "artifacts", dist, "v2.0.0");
    ToolKey key = tool_key(f.dir.path(), "release");

    auto sign = f.run({"sign", "--key", key.sec.string(), "--dir", dist.string()},
                      {{"SOURCE_DATE_EPOCH", "1700000000"}});
    ASSERT_EQ(sign.exit_code, 0) << sign.err;
    EXPECT_TRUE(contains(sign.out, key.base64)) << sign.out;
    std::string sums = read_file(dist / "SHA256SUMS");
    const std::string archive = "temporal-static-libs-linux-x64-v2.0.0.tar.gz";
    EXPECT_TRUE(contains(sums, util::sha256_hex(read_file(dist / archive)) + "  " + archive))
        << sums;
    EXPECT_TRUE(contains(sums, "  " + archive + ".sha256\n")) << sums;
    // The minisign tool accepts our signature.
    auto v = run_process(
        {"minisign", "-V", "-p", key.pub.string(), "-m", (dist / "SHA256SUMS").string()});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    EXPECT_TRUE(contains(v.out, "timestamp:1700000000")) << v.out;

    auto pub = f.run({"publish", "--version", "v2.0.0", "--dir", dist.string(), "--json"},
                     {{"GITHUB_TOKEN", token}});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
    EXPECT_EQ(json::parse(pub.out)["uploaded"], 4);
    auto rel = f.github.release("temporal-libs-v2.0.0");
    ASSERT_TRUE(rel);
    bool has_sig = false;
    for (const auto& a : rel->assets) {
        has_sig |= a.name == "SHA256SUMS.minisig";
    }
    EXPECT_TRUE(has_sig);

    auto d = f.run({"download", "--version", "v2.0.0", "--platform", "linux-x64"},
                   {{"GITHUB_TOKEN", token}, {"TEMPORAL_LIBS_PUBLIC_KEYS", key.base64}});
    EXPECT_EQ(d.exit_code, 0) << d.err;

    // A dist directory changed after signing is not published.
    write_file(dist / "notes.txt", "late addition\n");
    auto stale = f.run({"publish", "--version", "v2.0.0", "--dir", dist.string()},
                       {{"GITHUB_TOKEN", token}});
    EXPECT_EQ(stale.exit_code, 5) << stale.err;
    EXPECT_TRUE(contains(stale.err, "run 'temporal-libs sign' again")) << stale.err;
}
