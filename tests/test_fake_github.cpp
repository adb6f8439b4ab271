// Tests of the fake GitHub server itself, through a real HTTP client: the other
// tests trust it to behave like GitHub, so its shapes and faults are pinned here.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>

#include "support/fake_github.hpp"
#include "support/test_util.hpp"
#include "tl/util/sha256.hpp"

using namespace tl::testing;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

namespace {

const std::string k_repo_path = "/repos/proompteng/lab";

// Deterministic bytes that are not all alike, so a wrong offset shows.
std::string pattern_bytes(std::size_t size) {
    std::string out(size, '\0');
    std::uint32_t x = 2463534242u;
    for (auto& c : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x & 0xff);
    }
    return out;
}

FakeAsset memory_asset(const std::string& name, std::string content) {
    FakeAsset asset;
    asset.name = name;
    asset.content = std::move(content);
    return asset;
}

FakeRelease make_release(const std::string& tag, std::vector<FakeAsset> assets = {}) {
    FakeRelease release;
    release.tag = tag;
    release.name = tag;
    release.assets = std::move(assets);
    return release;
}

json parse(const httplib::Result& res) {
    EXPECT_TRUE(res);
    return res ? json::parse(res->body) : json();
}

// Splits an absolute URL into the base ("http://host:port") and the rest.
std::pair<std::string, std::string> split_url(const std::string& url) {
    auto slash = url.find('/', url.find("://") + 3);
    return {url.substr(0, slash), url.substr(slash)};
}

std::int64_t epoch_now() {
    return std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A fake with one release holding a 300 KB asset, and clients for the servers.
class FakeGitHubTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_bytes = pattern_bytes(300 * 1000);
        m_release_id = m_github.add_release(make_release(
            "temporal-libs-v1.0.0", {memory_asset("big.tar.gz", m_bytes),
                                     memory_asset("big.tar.gz.sha256", "abc  big.tar.gz\n")}));
        m_asset_id = m_github.release("temporal-libs-v1.0.0")->assets[0].id;
    }

    // The path on the storage server of a signed download URL for the big asset.
    std::string signed_path() {
        httplib::Client api(m_github.api_url());
        auto res = api.Get(asset_path(), {{"Accept", "application/octet-stream"}});
        EXPECT_TRUE(res);
        EXPECT_EQ(res->status, 302);
        return split_url(res->get_header_value("Location")).second;
    }

    std::string asset_path() const {
        return k_repo_path + "/releases/assets/" + std::to_string(m_asset_id);
    }

    FakeGitHub m_github;
    httplib::Client m_api{m_github.api_url()};
    httplib::Client m_storage{m_github.storage_url()};
    httplib::Client m_uploads{m_github.uploads_url()};
    std::string m_bytes;
    std::uint64_t m_release_id = 0;
    std::uint64_t m_asset_id = 0;
};

// --- Servers and JSON shapes ---

TEST_F(FakeGitHubTest, ServesThreeServersOnLoopback) {
    EXPECT_EQ(m_github.repo(), "proompteng/lab");
    EXPECT_TRUE(std::regex_match(m_github.api_url(), std::regex(R"(http://127\.0\.0\.1:\d+)")));
    EXPECT_TRUE(std::regex_match(m_github.storage_url(), std::regex(R"(http://localhost:\d+)")));
    EXPECT_TRUE(std::regex_match(m_github.uploads_url(), std::regex(R"(http://127\.0\.0\.1:\d+)")));
    EXPECT_NE(m_github.api_url(), m_github.uploads_url());
    // Storage answers on both loopback addresses, whichever "localhost" resolves to.
    auto port = m_github.storage_url().substr(m_github.storage_url().rfind(':') + 1);
    httplib::Client v4("http://127.0.0.1:" + port);
    auto res = v4.Get("/proompteng/lab/releases/download/temporal-libs-v1.0.0/big.tar.gz");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_THROW(FakeGitHub("no-slash"), std::invalid_argument);
}

TEST_F(FakeGitHubTest, ReleaseJsonLooksLikeGitHub) {
    auto res = m_api.Get(k_repo_path + "/releases/tags/temporal-libs-v1.0.0");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
    json r = parse(res);
    const std::string id = std::to_string(m_release_id);
    EXPECT_EQ(r["id"], m_release_id);
    EXPECT_EQ(r["tag_name"], "temporal-libs-v1.0.0");
    EXPECT_EQ(r["name"], "temporal-libs-v1.0.0");
    EXPECT_EQ(r["draft"], false);
    EXPECT_EQ(r["prerelease"], false);
    const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
    EXPECT_TRUE(std::regex_match(r["created_at"].get<std::string>(), iso));
    EXPECT_TRUE(std::regex_match(r["published_at"].get<std::string>(), iso));
    EXPECT_EQ(r["url"], m_github.api_url() + k_repo_path + "/releases/" + id);
    EXPECT_EQ(r["assets_url"], m_github.api_url() + k_repo_path + "/releases/" + id + "/assets");
    EXPECT_EQ(r["upload_url"],
              m_github.uploads_url() + k_repo_path + "/releases/" + id + "/assets{?name,label}");
    EXPECT_EQ(r["html_url"], "https://github.com/proompteng/lab/releases/tag/temporal-libs-v1.0.0");
    ASSERT_EQ(r["assets"].size(), 2u);
    const json& a = r["assets"][0];
    EXPECT_EQ(a["id"], m_asset_id);
    EXPECT_EQ(a["name"], "big.tar.gz");
    EXPECT_EQ(a["label"], "");
    EXPECT_EQ(a["state"], "uploaded");
    EXPECT_EQ(a["content_type"], "application/octet-stream");
    EXPECT_EQ(a["size"], m_bytes.size());
    EXPECT_EQ(a["download_count"], 0);
    EXPECT_TRUE(std::regex_match(a["created_at"].get<std::string>(), iso));
    EXPECT_TRUE(std::regex_match(a["updated_at"].get<std::string>(), iso));
    EXPECT_EQ(a["url"], m_github.api_url() + asset_path());
    EXPECT_EQ(a["digest"], "sha256:" + tl::util::sha256_hex(m_bytes));
    // browser_download_url works as it is, without the API.
    auto [base, path] = split_url(a["browser_download_url"].get<std::string>());
    EXPECT_EQ(base, m_github.storage_url());
    auto download = m_storage.Get(path);
    ASSERT_TRUE(download);
    EXPECT_EQ(download->status, 200);
    EXPECT_EQ(download->body, m_bytes);

    // The same release by id, and the asset's own JSON without the octet-stream Accept.
    auto by_id = parse(m_api.Get(k_repo_path + "/releases/" + id));
    EXPECT_EQ(by_id["tag_name"], "temporal-libs-v1.0.0");
    auto asset = parse(m_api.Get(asset_path()));
    EXPECT_EQ(asset["name"], "big.tar.gz");
    EXPECT_EQ(asset["download_count"], 1);
}

TEST_F(FakeGitHubTest, DigestIsNullOrOverridden) {
    FakeAsset plain = memory_asset("plain.bin", "x");
    plain.report_digest = false;
    FakeAsset wrong = memory_asset("wrong.bin", "y");
    wrong.digest_override = "sha256:" + std::string(64, '0');
    m_github.add_release(make_release("v2.0.0", {plain, wrong}));
    auto r = parse(m_api.Get(k_repo_path + "/releases/tags/v2.0.0"));
    EXPECT_TRUE(r["assets"][0]["digest"].is_null());
    EXPECT_EQ(r["assets"][1]["digest"], "sha256:" + std::string(64, '0'));
}

TEST_F(FakeGitHubTest, ListsNewestFirstWithLinkPagination) {
    for (int i = 1; i <= 4; ++i) {
        m_github.add_release(make_release("temporal-libs-v1.0." + std::to_string(i)));
    }
    const std::string base = m_github.api_url() + k_repo_path + "/releases?per_page=2&page=";
    auto page1 = m_api.Get(k_repo_path + "/releases?per_page=2");
    ASSERT_TRUE(page1);
    json list = parse(page1);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0]["tag_name"], "temporal-libs-v1.0.4");
    EXPECT_EQ(list[1]["tag_name"], "temporal-libs-v1.0.3");
    // created_at agrees with the order (ISO-8601 strings compare like times).
    EXPECT_GT(list[0]["created_at"].get<std::string>(), list[1]["created_at"].get<std::string>());
    EXPECT_EQ(page1->get_header_value("Link"),
              "<" + base + "2>; rel=\"next\", <" + base + "3>; rel=\"last\"");

    auto page2 = m_api.Get(k_repo_path + "/releases?per_page=2&page=2");
    ASSERT_TRUE(page2);
    EXPECT_EQ(parse(page2)[0]["tag_name"], "temporal-libs-v1.0.2");
    EXPECT_EQ(page2->get_header_value("Link"),
              "<" + base + "1>; rel=\"prev\", <" + base + "3>; rel=\"next\", <" + base +
                  "3>; rel=\"last\", <" + base + "1>; rel=\"first\"");

    // The Link URLs are absolute and can be followed as they are.
    auto page3 = m_api.Get(split_url(base + "3").second);
    ASSERT_TRUE(page3);
    json last = parse(page3);
    ASSERT_EQ(last.size(), 1u);
    EXPECT_EQ(last[0]["tag_name"], "temporal-libs-v1.0.0");
    EXPECT_EQ(page3->get_header_value("Link"),
              "<" + base + "2>; rel=\"prev\", <" + base + "1>; rel=\"first\"");

    // One page only: no Link header at all.
    auto all = m_api.Get(k_repo_path + "/releases");
    ASSERT_TRUE(all);
    EXPECT_EQ(parse(all).size(), 5u);
    EXPECT_FALSE(all->has_header("Link"));
}

TEST_F(FakeGitHubTest, DefaultAndMaximumPerPage) {
    for (int i = 1; i <= 104; ++i) {
        m_github.add_release(make_release("other-v" + std::to_string(i)));
    }
    EXPECT_EQ(parse(m_api.Get(k_repo_path + "/releases")).size(), 30u);
    EXPECT_EQ(parse(m_api.Get(k_repo_path + "/releases?per_page=500")).size(), 100u);
    m_github.set_default_per_page(7);
    auto res = m_api.Get(k_repo_path + "/releases");
    ASSERT_TRUE(res);
    EXPECT_EQ(parse(res).size(), 7u);
    EXPECT_NE(res->get_header_value("Link").find("per_page=7&page=15>; rel=\"last\""),
              std::string::npos);
}

TEST_F(FakeGitHubTest, DraftsAndPrereleases) {
    FakeRelease draft = make_release("temporal-libs-v3.0.0");
    draft.draft = true;
    auto draft_id = m_github.add_release(draft);
    FakeRelease pre = make_release("temporal-libs-v2.0.0-rc.1");
    pre.prerelease = true;
    m_github.add_release(pre);

    auto anonymous = parse(m_api.Get(k_repo_path + "/releases"));
    ASSERT_EQ(anonymous.size(), 2u);
    EXPECT_EQ(anonymous[0]["tag_name"], "temporal-libs-v2.0.0-rc.1");
    auto authed = parse(m_api.Get(k_repo_path + "/releases", {{"Authorization", "Bearer t"}}));
    ASSERT_EQ(authed.size(), 3u);
    EXPECT_EQ(authed[1]["tag_name"], "temporal-libs-v3.0.0");
    EXPECT_EQ(authed[1]["draft"], true);
    EXPECT_TRUE(authed[1]["published_at"].is_null());
    EXPECT_NE(authed[1]["html_url"].get<std::string>().find("/releases/tag/untagged-"),
              std::string::npos);

    // A draft has no tag as far as the API is concerned, even for its owner.
    for (const httplib::Headers& headers :
         {httplib::Headers{}, httplib::Headers{{"Authorization", "Bearer t"}}}) {
        auto res = m_api.Get(k_repo_path + "/releases/tags/temporal-libs-v3.0.0", headers);
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 404);
    }
    auto by_id = k_repo_path + "/releases/" + std::to_string(draft_id);
    EXPECT_EQ(m_api.Get(by_id)->status, 404);
    EXPECT_EQ(m_api.Get(by_id, {{"Authorization", "token t"}})->status, 200);

    // latest: newest that is neither draft nor prerelease.
    EXPECT_EQ(parse(m_api.Get(k_repo_path + "/releases/latest"))["tag_name"],
              "temporal-libs-v1.0.0");
}

TEST_F(FakeGitHubTest, UnknownThingsAreNotFound) {
    const std::string body =
        R"({"message":"Not Found","documentation_url":"https://docs.github.com/rest"})";
    for (const std::string& path :
         {std::string("/repos/proompteng/other/releases"),
          k_repo_path + "/releases/tags/temporal-libs-v9.9.9", k_repo_path + "/releases/12345",
          k_repo_path + "/releases/assets/12345", std::string("/user"),
          k_repo_path + "/releases/" + std::to_string(m_asset_id)}) {
        auto res = m_api.Get(path);
        ASSERT_TRUE(res) << path;
        EXPECT_EQ(res->status, 404) << path;
        EXPECT_EQ(res->body, body) << path;
    }
    FakeGitHub empty;
    httplib::Client client(empty.api_url());
    EXPECT_EQ(client.Get(k_repo_path + "/releases/latest")->status, 404);
    EXPECT_EQ(client.Get(k_repo_path + "/releases")->body, "[]");
    EXPECT_FALSE(empty.release("nope").has_value());
    EXPECT_FALSE(empty.remove_asset("nope", "x"));
}

TEST_F(FakeGitHubTest, EveryApiResponseCarriesRateLimitHeaders) {
    const std::int64_t now = epoch_now();
    std::string previous_used;
    for (const std::string& path :
         {k_repo_path + "/releases", k_repo_path + "/releases/404", asset_path()}) {
        auto res = m_api.Get(path, {{"X-GitHub-Api-Version", "2022-11-28"}});
        ASSERT_TRUE(res);
        EXPECT_EQ(res->get_header_value("x-ratelimit-limit"), "5000") << path;
        EXPECT_EQ(res->get_header_value("x-ratelimit-resource"), "core");
        EXPECT_EQ(res->get_header_value("x-github-api-version-selected"), "2022-11-28");
        auto used = std::stoi(res->get_header_value("x-ratelimit-used"));
        EXPECT_EQ(std::stoi(res->get_header_value("x-ratelimit-remaining")), 5000 - used);
        EXPECT_NE(res->get_header_value("x-ratelimit-used"), previous_used);
        previous_used = res->get_header_value("x-ratelimit-used");
        auto reset = std::stoll(res->get_header_value("x-ratelimit-reset"));
        EXPECT_GT(reset, now);
        EXPECT_LE(reset, now + 3601);
    }
    EXPECT_FALSE(m_api.Get(k_repo_path + "/releases")->has_header("x-github-api-version-selected"));

    // Conditional requests: an ETag, and 304 for If-None-Match.
    auto first = m_api.Get(k_repo_path + "/releases/latest");
    ASSERT_TRUE(first);
    std::string etag = first->get_header_value("ETag");
    ASSERT_FALSE(etag.empty());
    auto again = m_api.Get(k_repo_path + "/releases/latest", {{"If-None-Match", etag}});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 304);
    EXPECT_TRUE(again->body.empty());
    EXPECT_TRUE(again->has_header("x-ratelimit-remaining"));
}

TEST_F(FakeGitHubTest, RequireTokenGuardsTheApiButNotStorage) {
    m_github.require_token("s3cret");
    auto latest = k_repo_path + "/releases/latest";
    for (const httplib::Headers& headers :
         {httplib::Headers{}, httplib::Headers{{"Authorization", "Bearer wrong"}},
          httplib::Headers{{"Authorization", "s3cret"}}}) {
        auto res = m_api.Get(latest, headers);
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 401);
        EXPECT_EQ(json::parse(res->body)["message"], "Bad credentials");
        EXPECT_TRUE(res->has_header("x-ratelimit-limit"));
    }
    EXPECT_EQ(m_api.Get(latest, {{"Authorization", "Bearer s3cret"}})->status, 200);
    EXPECT_EQ(m_api.Get(latest, {{"Authorization", "token s3cret"}})->status, 200);
    // The redirect needs the token; the signed storage URL does not.
    auto redirect = m_api.Get(
        asset_path(), {{"Authorization", "Bearer s3cret"}, {"Accept", "application/octet-stream"}});
    ASSERT_TRUE(redirect);
    ASSERT_EQ(redirect->status, 302);
    auto download = m_storage.Get(split_url(redirect->get_header_value("Location")).second);
    ASSERT_TRUE(download);
    EXPECT_EQ(download->status, 200);
    EXPECT_EQ(download->body, m_bytes);
}

// --- Downloads ---

TEST_F(FakeGitHubTest, AssetDownloadRedirectsToSignedStorageUrl) {
    auto res = m_api.Get(asset_path(), {{"Accept", "application/octet-stream"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 302);
    std::string location = res->get_header_value("Location");
    EXPECT_EQ(location.rfind(m_github.storage_url() + "/", 0), 0u) << location;
    EXPECT_NE(location.find("X-Amz-Signature="), std::string::npos);
    EXPECT_NE(location.find("X-Amz-Expires="), std::string::npos);
    // (httplib's client percent-decodes response header values, so only the
    // unencoded parts are compared.)
    EXPECT_NE(location.find("response-content-disposition=attachment"), std::string::npos);
    EXPECT_NE(location.find("big.tar.gz&response-content-type="), std::string::npos);
    // Every redirect is signed afresh.
    auto second = m_api.Get(asset_path(), {{"Accept", "application/octet-stream"}});
    EXPECT_NE(second->get_header_value("Location"), location);

    auto download = m_storage.Get(split_url(location).second);
    ASSERT_TRUE(download);
    EXPECT_EQ(download->status, 200);
    EXPECT_EQ(download->body, m_bytes);
    EXPECT_EQ(download->get_header_value("Content-Disposition"), "attachment; filename=big.tar.gz");

    // A client that follows redirects across hosts gets the bytes in one go.
    httplib::Client follower(m_github.api_url());
    follower.set_follow_location(true);
    auto followed = follower.Get(asset_path(), {{"Accept", "application/octet-stream"}});
    ASSERT_TRUE(followed);
    EXPECT_EQ(followed->status, 200);
    EXPECT_EQ(followed->body, m_bytes);

    // Unsigned or tampered storage URLs are refused like S3 does.
    auto path = split_url(location).second;
    auto unsigned_res = m_storage.Get(path.substr(0, path.find('?')));
    ASSERT_TRUE(unsigned_res);
    EXPECT_EQ(unsigned_res->status, 403);
    EXPECT_NE(unsigned_res->body.find("<Code>AccessDenied</Code>"), std::string::npos);
    auto tampered = m_storage.Get(path.substr(0, path.find('?')) + "?X-Amz-Signature=00");
    ASSERT_TRUE(tampered);
    EXPECT_EQ(tampered->status, 403);
}

TEST_F(FakeGitHubTest, RedirectUrlsExpire) {
    m_github.set_redirect_lifetime(milliseconds(300));
    auto fresh = signed_path();
    EXPECT_NE(fresh.find("X-Amz-Expires=1&"), std::string::npos);
    EXPECT_EQ(m_storage.Get(fresh)->status, 200);
    std::this_thread::sleep_for(milliseconds(450));
    auto expired = m_storage.Get(fresh);
    ASSERT_TRUE(expired);
    EXPECT_EQ(expired->status, 403);
    EXPECT_NE(expired->body.find("<Code>AccessDenied</Code>"), std::string::npos);
    EXPECT_NE(expired->body.find("Request has expired"), std::string::npos);
    // A new redirect works again.
    EXPECT_EQ(m_storage.Get(signed_path())->status, 200);
}

TEST_F(FakeGitHubTest, StorageSendsValidatorsAndHonoursRanges) {
    auto path = signed_path();
    auto full = m_storage.Get(path);
    ASSERT_TRUE(full);
    EXPECT_EQ(full->status, 200);
    std::string etag = full->get_header_value("ETag");
    EXPECT_TRUE(std::regex_match(etag, std::regex(R"("[0-9a-f]{32}")"))) << etag;
    std::string last_modified = full->get_header_value("Last-Modified");
    EXPECT_TRUE(std::regex_match(
        last_modified, std::regex(R"([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT)")))
        << last_modified;
    EXPECT_EQ(full->get_header_value("Accept-Ranges"), "bytes");
    EXPECT_EQ(full->get_header_value("Content-Length"), std::to_string(m_bytes.size()));

    const std::string total = std::to_string(m_bytes.size());
    auto tail = m_storage.Get(path, {{"Range", "bytes=1000-"}});
    ASSERT_TRUE(tail);
    EXPECT_EQ(tail->status, 206);
    EXPECT_EQ(tail->get_header_value("Content-Range"),
              "bytes 1000-" + std::to_string(m_bytes.size() - 1) + "/" + total);
    EXPECT_EQ(tail->body, m_bytes.substr(1000));

    auto middle = m_storage.Get(path, {{"Range", "bytes=10-19"}});
    ASSERT_TRUE(middle);
    EXPECT_EQ(middle->status, 206);
    EXPECT_EQ(middle->get_header_value("Content-Range"), "bytes 10-19/" + total);
    EXPECT_EQ(middle->get_header_value("Content-Length"), "10");
    EXPECT_EQ(middle->body, m_bytes.substr(10, 10));

    auto suffix = m_storage.Get(path, {{"Range", "bytes=-4"}});
    ASSERT_TRUE(suffix);
    EXPECT_EQ(suffix->status, 206);
    EXPECT_EQ(suffix->body, m_bytes.substr(m_bytes.size() - 4));

    auto beyond = m_storage.Get(path, {{"Range", "bytes=" + total + "-"}});
    ASSERT_TRUE(beyond);
    EXPECT_EQ(beyond->status, 416);
    EXPECT_EQ(beyond->get_header_value("Content-Range"), "bytes */" + total);

    // If-Range with the current ETag or Last-Modified keeps the range.
    for (const std::string& validator : {etag, last_modified}) {
        auto kept = m_storage.Get(path, {{"Range", "bytes=10-19"}, {"If-Range", validator}});
        ASSERT_TRUE(kept);
        EXPECT_EQ(kept->status, 206) << validator;
        EXPECT_EQ(kept->body, m_bytes.substr(10, 10));
    }
    auto weak = m_storage.Get(path, {{"Range", "bytes=10-19"}, {"If-Range", "W/" + etag}});
    ASSERT_TRUE(weak);
    EXPECT_EQ(weak->status, 200);
    EXPECT_EQ(weak->body, m_bytes);
}

TEST_F(FakeGitHubTest, ChangedContentChangesValidatorsAndBreaksIfRange) {
    auto path = signed_path();
    auto before = m_storage.Head(path);
    ASSERT_TRUE(before);
    std::string old_etag = before->get_header_value("ETag");
    std::string old_date = before->get_header_value("Last-Modified");

    std::string replacement = pattern_bytes(5000);
    replacement[0] = 'X';
    m_github.put_asset("temporal-libs-v1.0.0", memory_asset("big.tar.gz", replacement));
    // The asset keeps its id, so the URL the client holds now serves the new bytes.
    EXPECT_EQ(m_github.release("temporal-libs-v1.0.0")->assets[0].id, m_asset_id);
    EXPECT_EQ(m_github.release("temporal-libs-v1.0.0")->assets[0].content, replacement);

    for (const std::string& validator : {old_etag, old_date}) {
        auto res = m_storage.Get(path, {{"Range", "bytes=100-"}, {"If-Range", validator}});
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 200) << validator;
        EXPECT_EQ(res->body, replacement);
    }
    auto after = m_storage.Head(path);
    ASSERT_TRUE(after);
    EXPECT_NE(after->get_header_value("ETag"), old_etag);
    EXPECT_NE(after->get_header_value("Last-Modified"), old_date);
    auto json_after = parse(m_api.Get(asset_path()));
    EXPECT_EQ(json_after["size"], replacement.size());
    EXPECT_EQ(json_after["digest"], "sha256:" + tl::util::sha256_hex(replacement));

    EXPECT_TRUE(m_github.remove_asset("temporal-libs-v1.0.0", "big.tar.gz"));
    EXPECT_FALSE(m_github.remove_asset("temporal-libs-v1.0.0", "big.tar.gz"));
    EXPECT_EQ(m_storage.Get(path)->status, 404);
    EXPECT_EQ(m_api.Get(asset_path())->status, 404);
}

TEST_F(FakeGitHubTest, HeadAnswersHeadersOnly) {
    auto path = signed_path();
    auto head = m_storage.Head(path);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_TRUE(head->body.empty());
    EXPECT_EQ(head->get_header_value("Content-Length"), std::to_string(m_bytes.size()));
    EXPECT_EQ(head->get_header_value("Accept-Ranges"), "bytes");
    EXPECT_FALSE(head->get_header_value("ETag").empty());
    auto ranged = m_storage.Head(path, {{"Range", "bytes=5-"}});
    ASSERT_TRUE(ranged);
    EXPECT_EQ(ranged->status, 206);
    EXPECT_EQ(ranged->get_header_value("Content-Length"), std::to_string(m_bytes.size() - 5));
    auto records = m_github.requests(FakeServer::storage);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].method, "HEAD");
    EXPECT_EQ(records[0].body_bytes_sent, 0u);
}

TEST_F(FakeGitHubTest, FileBackedAssetsStreamFromDisk) {
    TestDir dir;
    const std::string content = pattern_bytes(1 << 20);
    write_file(dir / "lib.tar.gz", content);
    FakeAsset asset;
    asset.name = "lib.tar.gz";
    asset.file = dir / "lib.tar.gz";
    asset.content_type = "application/gzip";
    FakeAsset empty = memory_asset("empty.txt", "");
    m_github.add_release(make_release("temporal-libs-v1.1.0", {asset, empty}));
    auto r = parse(m_api.Get(k_repo_path + "/releases/tags/temporal-libs-v1.1.0"));
    EXPECT_EQ(r["assets"][0]["size"], content.size());
    EXPECT_EQ(r["assets"][0]["content_type"], "application/gzip");
    EXPECT_EQ(r["assets"][0]["digest"], "sha256:" + *tl::util::sha256_file(dir / "lib.tar.gz"));
    auto path = split_url(r["assets"][0]["browser_download_url"].get<std::string>()).second;
    auto full = m_storage.Get(path);
    ASSERT_TRUE(full);
    EXPECT_EQ(full->body, content);
    EXPECT_EQ(full->get_header_value("Content-Type"), "application/gzip");
    auto ranged = m_storage.Get(path, {{"Range", "bytes=70000-200000"}});
    ASSERT_TRUE(ranged);
    EXPECT_EQ(ranged->status, 206);
    EXPECT_EQ(ranged->body, content.substr(70000, 130001));
    EXPECT_EQ(m_github.release("temporal-libs-v1.1.0")->assets[0].file, dir / "lib.tar.gz");

    auto zero = m_storage.Get(split_url(r["assets"][1]["browser_download_url"]).second);
    ASSERT_TRUE(zero);
    EXPECT_EQ(zero->status, 200);
    EXPECT_EQ(zero->get_header_value("Content-Length"), "0");
    auto zero_range = m_storage.Get(split_url(r["assets"][1]["browser_download_url"]).second,
                                    {{"Range", "bytes=0-"}});
    ASSERT_TRUE(zero_range);
    EXPECT_EQ(zero_range->status, 416);

    FakeAsset missing;
    missing.name = "missing";
    missing.file = dir / "does-not-exist";
    EXPECT_THROW(m_github.put_asset("temporal-libs-v1.1.0", missing), std::invalid_argument);
    EXPECT_THROW(m_github.put_asset("no-such-tag", empty), std::out_of_range);
    EXPECT_THROW(m_github.add_release(make_release("temporal-libs-v1.1.0")), std::invalid_argument);
}

// --- Writes ---

TEST_F(FakeGitHubTest, CreatesEditsAndDeletesReleases) {
    const httplib::Headers auth{{"Authorization", "Bearer t"}};
    const std::string create = R"({"tag_name":"temporal-libs-v2.0.0","name":"v2","draft":true,
        "prerelease":false,"target_commitish":"abc123","body":"notes"})";
    auto unauthenticated = m_api.Post(k_repo_path + "/releases", create, "application/json");
    ASSERT_TRUE(unauthenticated);
    EXPECT_EQ(unauthenticated->status, 401);

    auto created = m_api.Post(k_repo_path + "/releases", auth, create, "application/json");
    ASSERT_TRUE(created);
    EXPECT_EQ(created->status, 201);
    json r = json::parse(created->body);
    EXPECT_EQ(r["tag_name"], "temporal-libs-v2.0.0");
    EXPECT_EQ(r["name"], "v2");
    EXPECT_EQ(r["draft"], true);
    EXPECT_EQ(r["target_commitish"], "abc123");
    EXPECT_EQ(r["body"], "notes");
    EXPECT_TRUE(r["published_at"].is_null());
    auto id = std::to_string(r["id"].get<std::uint64_t>());

    auto again = m_api.Post(k_repo_path + "/releases", auth, create, "application/json");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 422);
    EXPECT_EQ(json::parse(again->body),
              json::parse(R"({"message":"Validation Failed","errors":[{"resource":"Release",
                  "code":"already_exists","field":"tag_name"}],
                  "documentation_url":"https://docs.github.com/rest"})"));
    EXPECT_EQ(m_api.Post(k_repo_path + "/releases", auth, "{nope", "application/json")->status,
              400);

    EXPECT_EQ(m_api.Get(k_repo_path + "/releases/tags/temporal-libs-v2.0.0")->status, 404);
    auto published = m_api.Patch(k_repo_path + "/releases/" + id, auth, R"({"draft":false})",
                                 "application/json");
    ASSERT_TRUE(published);
    EXPECT_EQ(published->status, 200);
    EXPECT_EQ(json::parse(published->body)["draft"], false);
    EXPECT_FALSE(json::parse(published->body)["published_at"].is_null());
    EXPECT_EQ(m_api.Get(k_repo_path + "/releases/tags/temporal-libs-v2.0.0")->status, 200);
    EXPECT_EQ(parse(m_api.Get(k_repo_path + "/releases/latest"))["tag_name"],
              "temporal-libs-v2.0.0");
    EXPECT_FALSE(m_github.release("temporal-libs-v2.0.0")->draft);

    // Assets of a release, then deleting one (DELETE carries no body at all).
    auto assets =
        parse(m_api.Get(k_repo_path + "/releases/" + std::to_string(m_release_id) + "/assets"));
    ASSERT_EQ(assets.size(), 2u);
    EXPECT_EQ(assets[1]["name"], "big.tar.gz.sha256");
    EXPECT_EQ(m_api.Delete(asset_path())->status, 401);
    auto deleted = m_api.Delete(asset_path(), auth);
    ASSERT_TRUE(deleted);
    EXPECT_EQ(deleted->status, 204);
    EXPECT_EQ(m_api.Delete(asset_path(), auth)->status, 404);
    EXPECT_EQ(m_github.release("temporal-libs-v1.0.0")->assets.size(), 1u);
}

TEST_F(FakeGitHubTest, UploadsAssets) {
    auto upload_url =
        parse(m_api.Get(k_repo_path + "/releases/latest"))["upload_url"].get<std::string>();
    auto [base, templated] = split_url(upload_url);
    EXPECT_EQ(base, m_github.uploads_url());
    const std::string path = templated.substr(0, templated.find('{'));
    const httplib::Headers auth{{"Authorization", "Bearer t"}};
    const std::string content = pattern_bytes(70000);

    EXPECT_EQ(m_uploads.Post(path + "?name=new.tar.gz", content, "application/gzip")->status, 401);
    auto res = m_uploads.Post(path + "?name=new.tar.gz&label=New%20one", auth, content,
                              "application/gzip");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 201);
    json a = json::parse(res->body);
    EXPECT_EQ(a["name"], "new.tar.gz");
    EXPECT_EQ(a["label"], "New one");
    EXPECT_EQ(a["state"], "uploaded");
    EXPECT_EQ(a["content_type"], "application/gzip");
    EXPECT_EQ(a["size"], content.size());
    EXPECT_EQ(a["digest"], "sha256:" + tl::util::sha256_hex(content));

    auto held = m_github.release("temporal-libs-v1.0.0");
    ASSERT_EQ(held->assets.size(), 3u);
    EXPECT_EQ(held->assets[2].content, content);
    EXPECT_EQ(held->assets[2].label, "New one");
    auto download = m_storage.Get(split_url(a["browser_download_url"].get<std::string>()).second);
    ASSERT_TRUE(download);
    EXPECT_EQ(download->body, content);

    auto duplicate = m_uploads.Post(path + "?name=new.tar.gz", auth, "x", "text/plain");
    ASSERT_TRUE(duplicate);
    EXPECT_EQ(duplicate->status, 422);
    json dup = json::parse(duplicate->body);
    EXPECT_EQ(dup["message"], "Validation Failed");
    EXPECT_EQ(dup["errors"][0]["code"], "already_exists");

    // httplib sends a body of unknown length chunked, without Content-Length.
    auto chunked = m_uploads.Post(
        path + "?name=chunked.bin", auth,
        [](std::size_t, httplib::DataSink& sink) {
            sink.write("abc", 3);
            sink.done();
            return true;
        },
        "application/octet-stream");
    ASSERT_TRUE(chunked);
    EXPECT_EQ(chunked->status, 400);
    EXPECT_EQ(
        m_uploads.Post(k_repo_path + "/releases/1/assets?name=x", auth, "x", "text/plain")->status,
        404);
}

// --- Faults ---

TEST_F(FakeGitHubTest, FailNextAppliesPerServer) {
    m_github.fail_next(FakeServer::api, 2, 503);
    m_github.fail_next(FakeServer::storage, 1, 500);
    m_github.fail_next(FakeServer::uploads, 1, 502);
    for (int i = 0; i < 2; ++i) {
        auto res = m_api.Get(k_repo_path + "/releases/latest");
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 503);
        EXPECT_EQ(json::parse(res->body)["message"], "Service Unavailable");
    }
    EXPECT_EQ(m_api.Get(k_repo_path + "/releases/latest")->status, 200);

    auto path = signed_path();
    auto storage_failure = m_storage.Get(path);
    ASSERT_TRUE(storage_failure);
    EXPECT_EQ(storage_failure->status, 500);
    EXPECT_EQ(json::parse(storage_failure->body)["message"], "Internal Server Error");
    EXPECT_EQ(m_storage.Get(path)->status, 200);

    const std::string upload =
        k_repo_path + "/releases/" + std::to_string(m_release_id) + "/assets?name=u.bin";
    const httplib::Headers auth{{"Authorization", "Bearer t"}};
    auto upload_failure = m_uploads.Post(upload, auth, "data", "application/octet-stream");
    ASSERT_TRUE(upload_failure);
    EXPECT_EQ(upload_failure->status, 502);
    EXPECT_EQ(json::parse(upload_failure->body)["message"], "Bad Gateway");
    EXPECT_EQ(m_uploads.Post(upload, auth, "data", "application/octet-stream")->status, 201);
}

TEST_F(FakeGitHubTest, PrimaryRateLimit) {
    m_github.rate_limit_next(1, 403, seconds(2));
    m_github.rate_limit_next(1, 429, seconds(1));
    for (auto [status, reset_in] : {std::pair{403, 2}, std::pair{429, 1}}) {
        const std::int64_t now = epoch_now();
        auto res = m_api.Get(k_repo_path + "/releases/latest");
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, status);
        EXPECT_EQ(res->get_header_value("x-ratelimit-remaining"), "0");
        EXPECT_EQ(res->get_header_value("x-ratelimit-limit"), "5000");
        auto reset = std::stoll(res->get_header_value("x-ratelimit-reset"));
        EXPECT_GE(reset, now + reset_in);
        EXPECT_LE(reset, now + reset_in + 1);
        EXPECT_FALSE(res->has_header("retry-after"));
        EXPECT_EQ(json::parse(res->body)["message"].get<std::string>().rfind(
                      "API rate limit exceeded for 127.0.0.1.", 0),
                  0u);
    }
    auto after = m_api.Get(k_repo_path + "/releases/latest");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200);
    EXPECT_NE(after->get_header_value("x-ratelimit-remaining"), "0");
    // Storage is not rate limited: the fault waits for the next API request.
    auto path = signed_path();
    m_github.rate_limit_next(1, 403, seconds(1));
    EXPECT_EQ(m_storage.Get(path)->status, 200);
    EXPECT_EQ(m_api.Get(k_repo_path + "/releases/latest")->status, 403);
}

TEST_F(FakeGitHubTest, SecondaryRateLimit) {
    m_github.secondary_rate_limit_next(2, 403, seconds(1));
    auto res = m_api.Get(k_repo_path + "/releases/latest");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403);
    EXPECT_EQ(res->get_header_value("retry-after"), "1");
    EXPECT_NE(res->get_header_value("x-ratelimit-remaining"), "0");
    EXPECT_NE(json::parse(res->body)["message"].get<std::string>().find("secondary rate limit"),
              std::string::npos);
    EXPECT_EQ(m_api.Get(k_repo_path + "/releases/latest")->status, 403);
    EXPECT_EQ(m_api.Get(k_repo_path + "/releases/latest")->status, 200);
    m_github.secondary_rate_limit_next(1, 429, seconds(3));
    auto too_many = m_api.Get(k_repo_path + "/releases/latest");
    ASSERT_TRUE(too_many);
    EXPECT_EQ(too_many->status, 429);
    EXPECT_EQ(too_many->get_header_value("retry-after"), "3");
}

TEST_F(FakeGitHubTest, DropNextDownloadCutsTheConnectionMidBody) {
    auto path = signed_path();
    const std::uint64_t start_total = m_github.storage_bytes_sent();
    m_github.drop_next_download_at(100000);
    m_github.drop_next_download_at(5);
    auto fetch = [&](const httplib::Headers& headers, std::string& body) {
        body.clear();
        std::string content_length;
        auto res = m_storage.Get(
            path, headers,
            [&](const httplib::Response& response) {
                content_length = response.get_header_value("Content-Length");
                return true;
            },
            [&](const char* data, std::size_t size) {
                body.append(data, size);
                return true;
            });
        EXPECT_EQ(content_length.empty() ? 0u : std::stoull(content_length),
                  headers.empty() ? m_bytes.size() : m_bytes.size() - 1000);
        return static_cast<bool>(res);
    };
    std::string body;
    EXPECT_FALSE(fetch({}, body));  // the client sees a short body
    EXPECT_EQ(body, m_bytes.substr(0, 100000));
    // The second drop counts from the start of that response's body.
    EXPECT_FALSE(fetch({{"Range", "bytes=1000-"}}, body));
    EXPECT_EQ(body, m_bytes.substr(1000, 5));
    EXPECT_TRUE(fetch({}, body));
    EXPECT_EQ(body, m_bytes);

    EXPECT_EQ(m_github.storage_bytes_sent() - start_total, 100000u + 5u + m_bytes.size());
    auto records = m_github.requests(FakeServer::storage);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].body_bytes_sent, 100000u);
    EXPECT_EQ(records[0].status, 200);
    EXPECT_EQ(records[1].body_bytes_sent, 5u);
    EXPECT_EQ(records[1].status, 206);
    EXPECT_EQ(records[2].body_bytes_sent, m_bytes.size());
}

TEST_F(FakeGitHubTest, StallNextDownloadPausesThenContinues) {
    auto path = signed_path();
    m_github.stall_next_download_at(1000, milliseconds(400));
    SteadyClock::time_point first_bytes;
    SteadyClock::time_point after_stall;
    bool resumed = false;
    std::string body;
    auto started = SteadyClock::now();
    auto res = m_storage.Get(path, [&](const char* data, std::size_t size) {
        auto now = SteadyClock::now();
        if (body.empty()) {
            first_bytes = now;
        } else if (body.size() >= 1000 && !resumed) {
            // The first bytes past the stall point.
            resumed = true;
            after_stall = now;
        }
        body.append(data, size);
        return true;
    });
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(body, m_bytes);
    EXPECT_LT(first_bytes - started, milliseconds(300));
    ASSERT_TRUE(resumed);
    EXPECT_GE(after_stall - first_bytes, milliseconds(350));
    // Only the next download stalls.
    started = SteadyClock::now();
    EXPECT_EQ(m_storage.Get(path)->body, m_bytes);
    EXPECT_LT(SteadyClock::now() - started, milliseconds(300));
}

TEST_F(FakeGitHubTest, IgnoreRangeAlwaysSendsTheWholeBody) {
    auto path = signed_path();
    m_github.set_ignore_range(true);
    auto res = m_storage.Get(path, {{"Range", "bytes=1000-"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_FALSE(res->has_header("Content-Range"));
    EXPECT_EQ(res->body, m_bytes);
    auto beyond = m_storage.Get(path, {{"Range", "bytes=999999999-"}});
    ASSERT_TRUE(beyond);
    EXPECT_EQ(beyond->status, 200);
    m_github.set_ignore_range(false);
    EXPECT_EQ(m_storage.Get(path, {{"Range", "bytes=1000-"}})->status, 206);
}

TEST_F(FakeGitHubTest, Answer416NextRefusesRangedRequests) {
    auto path = signed_path();
    m_github.answer_416_next(2);
    // A request without Range does not use up the fault.
    EXPECT_EQ(m_storage.Get(path)->status, 200);
    for (int i = 0; i < 2; ++i) {
        auto res = m_storage.Get(path, {{"Range", "bytes=10-"}});
        ASSERT_TRUE(res);
        EXPECT_EQ(res->status, 416);
        EXPECT_EQ(res->get_header_value("Content-Range"),
                  "bytes */" + std::to_string(m_bytes.size()));
    }
    EXPECT_EQ(m_storage.Get(path, {{"Range", "bytes=10-"}})->status, 206);
}

TEST_F(FakeGitHubTest, StorageRatePacesBodies) {
    auto path = signed_path();
    m_github.set_storage_rate(500 * 1000);
    auto started = SteadyClock::now();
    auto res = m_storage.Get(path);
    auto elapsed = SteadyClock::now() - started;
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, m_bytes);
    // 300 KB at 500 KB/s: about 0.6 s (the first slice goes out at once).
    EXPECT_GE(elapsed, milliseconds(500));
    EXPECT_LT(elapsed, milliseconds(3000));
    m_github.set_storage_rate(0);
    started = SteadyClock::now();
    EXPECT_EQ(m_storage.Get(path)->body, m_bytes);
    EXPECT_LT(SteadyClock::now() - started, milliseconds(300));
}

// --- Records and lifetime ---

TEST_F(FakeGitHubTest, RecordsEveryRequest) {
    auto path = signed_path();
    auto listed = m_api.Get(k_repo_path + "/releases?per_page=1", {{"X-Custom", "Value"}});
    ASSERT_TRUE(listed);
    auto downloaded = m_storage.Get(path, {{"Range", "bytes=0-99"}});
    ASSERT_TRUE(downloaded);
    m_uploads.Post(k_repo_path + "/releases/" + std::to_string(m_release_id) + "/assets?name=r",
                   {{"Authorization", "Bearer t"}}, "body", "text/plain");

    auto all = m_github.requests();
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].server, "api");
    EXPECT_EQ(all[0].status, 302);
    EXPECT_EQ(all[0].headers.find("accept")->second, "application/octet-stream");
    EXPECT_EQ(all[1].server, "api");
    EXPECT_EQ(all[1].method, "GET");
    EXPECT_EQ(all[1].target, k_repo_path + "/releases?per_page=1");
    EXPECT_EQ(all[1].headers.find("x-custom")->second, "Value");
    EXPECT_EQ(all[1].headers.count("X-Custom"), 0u);
    EXPECT_EQ(all[1].headers.count("remote_addr"), 0u);
    EXPECT_EQ(all[1].status, 200);
    EXPECT_EQ(all[1].body_bytes_sent, listed->body.size());
    EXPECT_EQ(all[2].server, "storage");
    EXPECT_EQ(all[2].target.rfind("/github-production-release-asset-2e65be/", 0), 0u);
    EXPECT_NE(all[2].target.find("X-Amz-Signature="), std::string::npos);
    EXPECT_EQ(all[2].headers.find("range")->second, "bytes=0-99");
    EXPECT_EQ(all[2].status, 206);
    EXPECT_EQ(all[2].body_bytes_sent, 100u);
    EXPECT_EQ(all[3].server, "uploads");
    EXPECT_EQ(all[3].method, "POST");
    EXPECT_EQ(all[3].status, 201);

    EXPECT_EQ(m_github.requests(FakeServer::api).size(), 2u);
    EXPECT_EQ(m_github.requests(FakeServer::storage).size(), 1u);
    EXPECT_EQ(m_github.requests(FakeServer::uploads).size(), 1u);
    m_github.clear_requests();
    EXPECT_TRUE(m_github.requests().empty());
}

TEST(FakeGitHubLifetime, DestructorIsQuickWithOpenConnections) {
    auto github = std::make_unique<FakeGitHub>();
    github->add_release(make_release("v1", {memory_asset("a", pattern_bytes(100000))}));
    // An idle keep-alive connection, and a download stalled for far longer than
    // the test may take.
    httplib::Client idle(github->api_url());
    idle.set_keep_alive(true);
    ASSERT_TRUE(idle.Get(k_repo_path + "/releases"));
    github->stall_next_download_at(10, std::chrono::seconds(30));
    httplib::Client stalled(github->storage_url());
    std::thread download([&] { stalled.Get("/proompteng/lab/releases/download/v1/a"); });
    std::this_thread::sleep_for(milliseconds(100));
    auto started = SteadyClock::now();
    github.reset();
    EXPECT_LT(SteadyClock::now() - started, milliseconds(1500));
    download.join();
}

// --- The standalone server ---

// A child process whose standard output is read line by line.
class ChildProcess {
public:
    explicit ChildProcess(const std::vector<std::string>& argv) {
        int out[2];
        if (::pipe(out) != 0) {
            throw std::runtime_error("pipe failed");
        }
        m_pid = ::fork();
        if (m_pid == 0) {
            ::dup2(out[1], 1);
            ::close(out[0]);
            ::close(out[1]);
            std::vector<char*> args;
            for (const auto& a : argv) {
                args.push_back(const_cast<char*>(a.c_str()));
            }
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        ::close(out[1]);
        m_out = out[0];
    }
    ~ChildProcess() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        ::close(m_out);
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // The next line of output, or empty after `timeout`.
    std::string read_line(milliseconds timeout) {
        auto deadline = SteadyClock::now() + timeout;
        std::string line;
        while (SteadyClock::now() < deadline) {
            pollfd p{m_out, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) {
                continue;
            }
            char c = 0;
            if (::read(m_out, &c, 1) != 1) {
                break;
            }
            if (c == '\n') {
                return line;
            }
            line.push_back(c);
        }
        return {};
    }

    // Sends `sig` and waits; the exit status, or 128 + signal.
    int stop(int sig) {
        ::kill(m_pid, sig);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

private:
    pid_t m_pid = -1;
    int m_out = -1;
};

TEST(FakeGitHubServer, ServesADirectoryOfReleases) {
    const std::string server = (fs::path(tool_path()).parent_path() / "fake-github").string();
    if (!fs::exists(server)) {
        GTEST_SKIP() << "fake-github not built";
    }
    TestDir dir;
    const std::string archive = pattern_bytes(200000);
    write_file(dir / "releases/temporal-libs-v1.0.10/temporal-static-libs-linux-x64-v1.0.10.tar.gz",
               archive);
    write_file(dir / "releases/temporal-libs-v1.0.2/notes.txt", "old");
    write_file(dir / "releases/v1.0.9/notes.txt", "middle");
    write_file(dir / "releases/temporal-libs-v1.0.10-rc.1/notes.txt", "candidate");
    write_file(dir / "releases/not-a-release.txt", "ignored");

    ChildProcess child({server, "--dir", (dir / "releases").string(), "--port-file",
                        (dir / "port").string(), "--token", "tok"});
    std::string line = child.read_line(milliseconds(10000));
    ASSERT_EQ(line.rfind("api_url=http://127.0.0.1:", 0), 0u) << line;
    const std::string api_url = line.substr(8);
    EXPECT_EQ(read_file(dir / "port"), api_url + "\n");

    httplib::Client api(api_url);
    const httplib::Headers auth{{"Authorization", "Bearer tok"}};
    EXPECT_EQ(api.Get(k_repo_path + "/releases")->status, 401);
    auto list = api.Get(k_repo_path + "/releases", auth);
    ASSERT_TRUE(list);
    json releases = json::parse(list->body);
    ASSERT_EQ(releases.size(), 4u);
    EXPECT_EQ(releases[0]["tag_name"], "temporal-libs-v1.0.10");
    EXPECT_EQ(releases[1]["tag_name"], "temporal-libs-v1.0.10-rc.1");
    EXPECT_EQ(releases[2]["tag_name"], "v1.0.9");
    EXPECT_EQ(releases[3]["tag_name"], "temporal-libs-v1.0.2");
    const json& asset = releases[0]["assets"][0];
    EXPECT_EQ(asset["content_type"], "application/gzip");
    EXPECT_EQ(asset["digest"], "sha256:" + tl::util::sha256_hex(archive));

    httplib::Client follower(api_url);
    follower.set_follow_location(true);
    auto download =
        follower.Get(split_url(asset["url"].get<std::string>()).second,
                     {{"Authorization", "Bearer tok"}, {"Accept", "application/octet-stream"}});
    ASSERT_TRUE(download);
    EXPECT_EQ(download->status, 200);
    EXPECT_EQ(download->body, archive);

    EXPECT_EQ(child.stop(SIGTERM), 0);
}

TEST(FakeGitHubServer, ExplainsUsage) {
    const std::string server = (fs::path(tool_path()).parent_path() / "fake-github").string();
    if (!fs::exists(server)) {
        GTEST_SKIP() << "fake-github not built";
    }
    auto help = run_process({server, "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("--dir"), std::string::npos);
    EXPECT_NE(help.out.find("--port-file"), std::string::npos);
    auto missing = run_process({server});
    EXPECT_NE(missing.exit_code, 0);
}

}  // namespace
