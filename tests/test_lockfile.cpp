// The lockfile format (round trip, deterministic order, refusals) and how its
// pin joins the other expected digests.

#include <gtest/gtest.h>

#include "support/test_util.hpp"
#include "tl/trust/lockfile.hpp"
#include "tl/util/sha256.hpp"
#include "tl/verify/digests.hpp"

using namespace tl;
using namespace tl::testing;

namespace {

trust::LockEntry entry(const std::string& tag, const std::string& platform,
                       const std::string& salt) {
    trust::LockEntry e;
    e.tag = tag;
    e.platform = platform;
    e.archive = "temporal-static-libs-" + platform + "-v1.0.2.tar.gz";
    e.archive_sha256 = util::sha256_hex("archive" + salt);
    e.libraries["libtemporalio_sdk.a"] = util::sha256_hex("sdk" + salt);
    e.libraries["libtemporalio_client.a"] = util::sha256_hex("client" + salt);
    e.source = "github:o/r https://example.invalid/" + salt;
    e.first_seen = "2026-11-27T12:00:00Z";
    return e;
}

}  // namespace

TEST(Lockfile, RoundTripsAndSortsByTagAndPlatform) {
    trust::Lockfile a;
    a.put(entry("temporal-libs-v1.0.3", "linux-x64", "3"));
    a.put(entry("temporal-libs-v1.0.2", "macos-arm64", "2m"));
    a.put(entry("temporal-libs-v1.0.2", "linux-arm64", "2a"));
    trust::Lockfile b;
    b.put(entry("temporal-libs-v1.0.2", "linux-arm64", "2a"));
    b.put(entry("temporal-libs-v1.0.3", "linux-x64", "3"));
    b.put(entry("temporal-libs-v1.0.2", "macos-arm64", "2m"));
    std::string text = a.serialize();
    // Insertion order does not matter: the text is the same.
    EXPECT_EQ(text, b.serialize());
    EXPECT_LT(text.find("linux-arm64"), text.find("macos-arm64"));
    EXPECT_LT(text.find("temporal-libs-v1.0.2"), text.find("temporal-libs-v1.0.3"));
    EXPECT_LT(text.find("libtemporalio_client.a"), text.find("libtemporalio_sdk.a"));
    EXPECT_TRUE(contains(text, "\"format\": 1"));
    EXPECT_EQ(text.back(), '\n');

    auto parsed = trust::Lockfile::parse(text, "lock");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->size(), 3u);
    const trust::LockEntry* e = parsed->find("temporal-libs-v1.0.2", "macos-arm64");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(*e, entry("temporal-libs-v1.0.2", "macos-arm64", "2m"));
    EXPECT_EQ(parsed->find("temporal-libs-v1.0.3", "macos-arm64"), nullptr);
    EXPECT_EQ(parsed->serialize(), text);
}

TEST(Lockfile, RefusesDamageAndNewerFormats) {
    auto newer = trust::Lockfile::parse(R"({"format": 2, "entries": {}})", "'x.lock'");
    ASSERT_FALSE(newer);
    EXPECT_EQ(newer.error().kind, ErrorKind::usage);
    EXPECT_TRUE(contains(newer.error().message, "upgrade temporal-libs"));

    EXPECT_FALSE(trust::Lockfile::parse("not json", "x"));
    EXPECT_FALSE(trust::Lockfile::parse(R"({"entries": {}})", "x"));
    std::string bad_digest = trust::Lockfile().serialize();
    trust::Lockfile one;
    one.put(entry("temporal-libs-v1.0.0", "linux-x64", "1"));
    std::string text = one.serialize();
    std::string digest = one.find("temporal-libs-v1.0.0", "linux-x64")->archive_sha256;
    text.replace(text.find(digest), 4, "ZZZZ");
    auto damaged = trust::Lockfile::parse(text, "'x.lock'");
    ASSERT_FALSE(damaged);
    EXPECT_EQ(damaged.error().kind, ErrorKind::integrity);
    EXPECT_TRUE(contains(damaged.error().message, "archive_sha256")) << damaged.error().message;
}

TEST(Lockfile, UpdateKeepsOtherEntriesAndLoadSeesThem) {
    TestDir dir;
    fs::path file = dir / "temporal-libs.lock";
    auto missing = trust::Lockfile::load(file);
    ASSERT_TRUE(missing);
    EXPECT_FALSE(missing->has_value());
    ASSERT_TRUE(trust::update_lockfile(
        file, [](trust::Lockfile& l) { l.put(entry("temporal-libs-v1.0.1", "linux-x64", "a")); }));
    ASSERT_TRUE(trust::update_lockfile(
        file, [](trust::Lockfile& l) { l.put(entry("temporal-libs-v1.0.2", "linux-x64", "b")); }));
    auto loaded = trust::Lockfile::load(file);
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->size(), 2u);
    EXPECT_NE((*loaded)->find("temporal-libs-v1.0.1", "linux-x64"), nullptr);
    // Only the lockfile and its hidden lock file: no temporaries left behind.
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir.path())) {
        (void)e;
        ++files;
    }
    EXPECT_EQ(files, 2u);
}

TEST(Lockfile, PinThatReleaseClaimsContradictSaysChangedSinceLocked) {
    std::string old_digest = util::sha256_hex("old");
    std::string new_digest = util::sha256_hex("new");
    verify::ExpectedDigest pin{"temporal-libs.lock", old_digest};
    pin.authority = verify::Authority::pin;
    pin.pinned_detail = "on 2026-11-27T12:00:00Z from github:o/r";
    pin.repin_hint = "run 'temporal-libs lock --version v1.0.2 --platform linux-x64' to re-pin";
    std::vector<verify::ExpectedDigest> expected = {{"checksum file 'a.tar.gz.sha256'", new_digest},
                                                    {"the digest github:o/r reports", new_digest},
                                                    pin};
    auto r = verify::agreed_digest(expected, "a.tar.gz");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::integrity);
    const std::string& m = r.error().message;
    EXPECT_TRUE(contains(m, "asset 'a.tar.gz' changed since it was locked")) << m;
    EXPECT_TRUE(contains(m, "locked sha256 " + old_digest + " on 2026-11-27T12:00:00Z")) << m;
    EXPECT_TRUE(contains(m, "the release now says " + new_digest)) << m;
    EXPECT_TRUE(contains(m, "nothing was installed")) << m;
    EXPECT_TRUE(contains(m, "lock --version v1.0.2")) << m;

    // Agreement with the pin passes and returns it.
    expected[0].sha256 = old_digest;
    expected[1].sha256 = old_digest;
    auto ok = verify::agreed_digest(expected, "a.tar.gz");
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, old_digest);

    // Release claims that disagree among themselves: every origin is named.
    expected[1].sha256 = new_digest;
    auto split = verify::agreed_digest(expected, "a.tar.gz");
    ASSERT_FALSE(split);
    EXPECT_TRUE(contains(split.error().message, "disagree")) << split.error().message;
    for (const auto& e : expected) {
        EXPECT_TRUE(contains(split.error().message, e.sha256 + "  from " + e.origin))
            << split.error().message;
    }
}
