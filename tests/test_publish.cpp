// publish: the real binary against the fake GitHub (API, uploads server,
// storage), with archives packed by the real binary from real static libraries.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/publish_support.hpp"
#include "support/release_fixture.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;
using nlohmann::json;

namespace {

const std::string k_token = "ghp_publishTokenForTests0123456789";
const std::string k_version = "v2.0.0";
const std::string k_tag = "temporal-libs-v2.0.0";
const std::string k_archive = "temporal-static-libs-linux-x64-v2.0.0.tar.gz";

// A fake GitHub with the old workflow's release v1.0.2 on it, and a dist
// directory holding v2.0.0 packed by `pack`.
struct PublishFixture {
    ReleaseFixture f;
    fs::path dist = f.dir / "dist";
    fs::path artifacts = f.dir / "artifacts";

    PublishFixture() {
        f.publish();
        f.github.require_token(k_token);
        write_x64_libraries(artifacts);
        pack_linux_x64(artifacts, dist, k_version);
    }
    ProcessResult publish(std::vector<std::string> extra = {}, bool with_token = true) const {
        std::vector<std::string> args = {"publish", "--version", k_version, "--dir", dist.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        std::map<std::string, std::string> env;
        if (with_token) {
            env["GITHUB_TOKEN"] = k_token;
        }
        return f.run(args, env);
    }
    // `temporal-libs download` of one version (the fake wants the token on every API call).
    ProcessResult download(const std::string& version) const {
        return f.run({"download", "--version", version, "--platform", "linux-x64", "--json"},
                     {{"GITHUB_TOKEN", k_token}});
    }
    // Requests that change something: writes to the API and every upload.
    std::vector<RecordedRequest> writes() const {
        std::vector<RecordedRequest> out;
        for (const auto& r : f.github.requests()) {
            if (r.server == "uploads" || (r.server == "api" && r.method != "GET")) {
                out.push_back(r);
            }
        }
        return out;
    }
    std::string remote(const std::string& name) const {
        auto rel = f.github.release(k_tag);
        if (!rel) {
            return {};
        }
        for (const auto& a : rel->assets) {
            if (a.name == name) {
                return a.content;
            }
        }
        return {};
    }
};

}  // namespace

TEST(Publish, CreatesADraftUploadsVerifiesAndPublishes) {
    PublishFixture p;
    auto r = p.publish({"--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out);
    EXPECT_EQ(j["tag"], k_tag);
    EXPECT_EQ(j["created"], true);
    EXPECT_EQ(j["published_now"], true);
    EXPECT_EQ(j["draft"], false);
    EXPECT_EQ(j["uploaded"], 2);
    EXPECT_EQ(j["skipped"], 0);
    EXPECT_TRUE(contains(r.err, "verified 2 assets")) << r.err;

    auto rel = p.f.github.release(k_tag);
    ASSERT_TRUE(rel);
    EXPECT_FALSE(rel->draft);
    EXPECT_EQ(p.remote(k_archive), read_file(p.dist / k_archive));
    EXPECT_EQ(p.remote(k_archive + ".sha256"), read_file(p.dist / (k_archive + ".sha256")));

    // The order GitHub needs: a draft first, then the uploads, then publishing.
    auto writes = p.writes();
    ASSERT_EQ(writes.size(), 4u);
    EXPECT_EQ(writes[0].method, "POST");
    EXPECT_TRUE(contains(writes[0].target, "/releases")) << writes[0].target;
    for (int i : {1, 2}) {
        EXPECT_EQ(writes[i].server, "uploads");
        EXPECT_TRUE(contains(writes[i].target, "?name=temporal-static-libs-linux-x64-v2.0.0"))
            << writes[i].target;
        EXPECT_NE(writes[i].headers.find("content-length"), writes[i].headers.end());
    }
    EXPECT_EQ(writes[1].headers.find("content-type")->second, "application/gzip");
    EXPECT_EQ(writes[1].headers.find("content-length")->second,
              std::to_string(fs::file_size(p.dist / k_archive)));
    EXPECT_EQ(writes[2].headers.find("content-type")->second, "text/plain");
    EXPECT_EQ(writes[3].method, "PATCH");

    // The token went to the API and uploads hosts only and was never printed.
    for (const auto& req : p.f.github.requests()) {
        auto it = req.headers.find("authorization");
        if (req.server == "storage") {
            EXPECT_EQ(it, req.headers.end()) << "token sent to storage " << req.target;
        } else {
            ASSERT_NE(it, req.headers.end()) << req.server << " " << req.target;
            EXPECT_EQ(it->second, "Bearer " + k_token);
        }
    }
    EXPECT_FALSE(contains(r.out + r.err, k_token));

    // Consumers get it like any other release.
    auto d = p.download(k_version);
    ASSERT_EQ(d.exit_code, 0) << d.err;
    EXPECT_EQ(json::parse(d.out)["archive_sha256"],
              util::sha256_hex(read_file(p.dist / k_archive)));
}

TEST(Publish, RunningAgainUploadsNothing) {
    PublishFixture p;
    ASSERT_EQ(p.publish().exit_code, 0);
    p.f.github.clear_requests();
    auto again = p.publish({"--json"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    json j = json::parse(again.out);
    EXPECT_EQ(j["uploaded"], 0);
    EXPECT_EQ(j["skipped"], 2);
    EXPECT_EQ(j["created"], false);
    EXPECT_EQ(j["published_now"], false);
    EXPECT_TRUE(p.writes().empty()) << p.writes().size() << " writes on a second run";
    auto plain = p.publish();
    EXPECT_TRUE(contains(plain.out, "is up to date")) << plain.out;
}

TEST(Publish, ChangedAssetFailsWithoutReplaceAndIsReplacedWithIt) {
    PublishFixture p;
    ASSERT_EQ(p.publish().exit_code, 0);
    const std::string before = p.remote(k_archive);
    // Same libraries, another SOURCE_DATE_EPOCH: other bytes under the same name.
    pack_linux_x64(p.artifacts, p.dist, k_version, "1700000000");
    const std::string changed = read_file(p.dist / k_archive);
    ASSERT_NE(changed, before);
    p.f.github.clear_requests();

    auto refused = p.publish();
    EXPECT_EQ(refused.exit_code, 5) << refused.err;
    EXPECT_TRUE(contains(refused.err, "already has '" + k_archive + "'")) << refused.err;
    EXPECT_TRUE(contains(refused.err, "nothing was changed")) << refused.err;
    EXPECT_TRUE(contains(refused.err, "--replace")) << refused.err;
    EXPECT_TRUE(p.writes().empty());
    EXPECT_EQ(p.remote(k_archive), before);

    auto replaced = p.publish({"--replace", "--json"});
    ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
    json j = json::parse(replaced.out);
    EXPECT_EQ(j["uploaded"], 2);
    EXPECT_EQ(j["assets"][0]["action"], "replace");
    EXPECT_EQ(p.remote(k_archive), changed);
    EXPECT_EQ(p.remote(k_archive + ".sha256"), read_file(p.dist / (k_archive + ".sha256")));
}

TEST(Publish, HalfUploadedAssetIsDeletedAndUploadedAgain) {
    PublishFixture p;
    FakeRelease draft;
    draft.tag = k_tag;
    draft.draft = true;
    FakeAsset half;
    half.name = k_archive;
    half.content = "the first megabyte of something";
    half.state = "starter";
    draft.assets.push_back(half);
    p.f.github.add_release(draft);

    auto r = p.publish({"--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out);
    EXPECT_EQ(j["created"], false) << "the draft of an interrupted run is reused";
    EXPECT_EQ(j["published_now"], true);
    EXPECT_EQ(j["assets"][0]["action"], "reupload");
    EXPECT_EQ(j["assets"][1]["action"], "upload");
    EXPECT_EQ(p.remote(k_archive), read_file(p.dist / k_archive));
    auto rel = p.f.github.release(k_tag);
    ASSERT_TRUE(rel);
    EXPECT_FALSE(rel->draft);
    for (const auto& a : rel->assets) {
        EXPECT_EQ(a.state, "uploaded") << a.name;
    }
    bool deleted = false;
    for (const auto& w : p.writes()) {
        deleted |= w.method == "DELETE";
    }
    EXPECT_TRUE(deleted);
}

TEST(Publish, NeedsATokenAndSaysSo) {
    PublishFixture p;
    auto r = p.publish({}, false);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "publishing needs a GitHub token: set GITHUB_TOKEN")) << r.err;
    EXPECT_TRUE(p.f.github.requests().empty());
}

TEST(Publish, DryRunChangesNothing) {
    PublishFixture p;
    auto r = p.publish({"--dry-run", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out);
    EXPECT_EQ(j["dry_run"], true);
    EXPECT_EQ(j["created"], true);
    EXPECT_EQ(j["assets"][0]["action"], "upload");
    EXPECT_TRUE(contains(r.err, "would create draft release")) << r.err;
    EXPECT_TRUE(p.writes().empty());
    EXPECT_FALSE(p.f.github.release(k_tag));
}

TEST(Publish, DraftStaysDraftUntilPublishedWithoutUploadingAgain) {
    PublishFixture p;
    auto d = p.publish({"--draft"});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    EXPECT_TRUE(p.f.github.release(k_tag)->draft);
    EXPECT_TRUE(contains(d.out, "left as a draft")) << d.out;
    // Consumers do not see drafts.
    auto hidden = p.download(k_version);
    EXPECT_EQ(hidden.exit_code, 3) << hidden.err;

    p.f.github.clear_requests();
    auto r = p.publish();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(p.f.github.release(k_tag)->draft);
    auto writes = p.writes();
    ASSERT_EQ(writes.size(), 1u);
    EXPECT_EQ(writes[0].method, "PATCH");
}

TEST(Publish, TransientFailuresAndRateLimitsAreRetried) {
    PublishFixture p;
    p.f.github.fail_next(FakeServer::uploads, 1, 502);
    p.f.github.secondary_rate_limit_next(1, 403, std::chrono::seconds(1));
    auto r = p.publish();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "HTTP 502; retrying")) << r.err;
    EXPECT_TRUE(contains(r.err, "secondary rate limit")) << r.err;
    EXPECT_EQ(p.remote(k_archive), read_file(p.dist / k_archive));
    auto rel = p.f.github.release(k_tag);
    ASSERT_TRUE(rel);
    EXPECT_EQ(rel->assets.size(), 2u) << "a failed attempt leaves no duplicate";
}

TEST(Publish, ArchiveThatDisagreesWithItsChecksumIsNotSent) {
    PublishFixture p;
    write_file(p.dist / (k_archive + ".sha256"), std::string(64, '0') + "  " + k_archive + "\n");
    auto r = p.publish();
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "does not match '" + k_archive + ".sha256'")) << r.err;
    EXPECT_TRUE(p.f.github.requests().empty());

    fs::remove(p.dist / (k_archive + ".sha256"));
    auto none = p.publish();
    EXPECT_EQ(none.exit_code, 5) << none.err;
    EXPECT_TRUE(contains(none.err, "no '" + k_archive + ".sha256'")) << none.err;

    auto empty = p.f.run({"publish", "--version", "v9.9.9", "--dir", p.dist.string()},
                         {{"GITHUB_TOKEN", k_token}});
    EXPECT_EQ(empty.exit_code, 2) << empty.err;
    EXPECT_TRUE(contains(empty.err, "is not an asset of 'temporal-libs-v9.9.9'")) << empty.err;
}

TEST(Publish, WorkflowReleaseAndPackedReleaseAreBothDownloadable) {
    PublishFixture p;
    ASSERT_EQ(p.publish().exit_code, 0);
    // v1.0.2 was made by the old workflow's shell commands, v2.0.0 by pack.
    auto old_release = p.download(p.f.version);
    ASSERT_EQ(old_release.exit_code, 0) << old_release.err;
    for (const auto& [name, content] : p.f.libs) {
        EXPECT_EQ(read_file(p.f.entry() / ("lib" + name + ".a")), content) << name;
    }
    EXPECT_FALSE(fs::exists(p.f.entry() / "manifest.json"));

    auto packed = p.download(k_version);
    ASSERT_EQ(packed.exit_code, 0) << packed.err;
    fs::path entry = p.f.cache() / k_tag / "linux-x64";
    for (const auto& e : fs::directory_iterator(p.artifacts)) {
        EXPECT_EQ(read_file(entry / e.path().filename()), read_file(e.path()))
            << e.path().filename();
    }
    EXPECT_TRUE(fs::exists(entry / "manifest.json"));
    // The first install created the latest link; only `update` moves it.
    EXPECT_EQ(fs::read_symlink(p.f.cache() / "latest"), p.f.tag);
}

TEST(Publish, AssetsWithoutADigestAreComparedByTheirBytes) {
    PublishFixture p;
    // An older release whose assets GitHub reports no digest for: one the same
    // as ours, one of the same size with other bytes.
    FakeRelease old;
    old.tag = k_tag;
    FakeAsset same;
    same.name = k_archive;
    same.content = read_file(p.dist / k_archive);
    same.report_digest = false;
    FakeAsset other;
    other.name = k_archive + ".sha256";
    other.content = read_file(p.dist / (k_archive + ".sha256"));
    other.content[0] = other.content[0] == 'a' ? 'b' : 'a';
    other.report_digest = false;
    old.assets = {same, other};
    p.f.github.add_release(old);

    auto refused = p.publish();
    EXPECT_EQ(refused.exit_code, 5) << refused.err;
    EXPECT_TRUE(contains(refused.err, "'" + k_archive + ".sha256' (sha256 ")) << refused.err;
    EXPECT_FALSE(contains(refused.err, "'" + k_archive + "' ("))
        << "the same bytes are no conflict";
    EXPECT_TRUE(p.writes().empty());
    EXPECT_GE(p.f.github.requests(FakeServer::storage).size(), 2u) << "both were downloaded";
}
