// The write side of the GitHub API: where the token may go, upload URLs, and
// the Writer against the fake.

#include <gtest/gtest.h>

#include "support/fake_github.hpp"
#include "support/test_util.hpp"
#include "tl/github/writer.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;

TEST(Writer, TokenGoesOnlyToTheUploadsHostTheApiImplies) {
    using github::upload_origin_allowed;
    EXPECT_TRUE(upload_origin_allowed("https://api.github.com",
                                      "https://uploads.github.com/repos/o/r/releases/1/assets"));
    EXPECT_FALSE(upload_origin_allowed("https://api.github.com",
                                       "http://uploads.github.com/repos/o/r/releases/1/assets"));
    EXPECT_FALSE(upload_origin_allowed("https://api.github.com",
                                       "https://uploads.github.com.evil.example/x"));
    EXPECT_FALSE(upload_origin_allowed("https://api.github.com", "https://evil.example/x"));
    // GitHub Enterprise: uploads on the API's own host.
    EXPECT_TRUE(
        upload_origin_allowed("https://ghe.example/api/v3",
                              "https://ghe.example/api/uploads/repos/o/r/releases/1/assets"));
    EXPECT_FALSE(upload_origin_allowed("https://ghe.example/api/v3", "http://ghe.example/x"));
    EXPECT_FALSE(upload_origin_allowed("https://ghe.example/api/v3", "https://other.example/x"));
    // A local server on another port of the same host (the fake).
    EXPECT_TRUE(upload_origin_allowed("http://127.0.0.1:8080", "http://127.0.0.1:9090/repos/x"));
    EXPECT_FALSE(upload_origin_allowed("http://127.0.0.1:8080", "http://localhost:9090/repos/x"));
    EXPECT_FALSE(upload_origin_allowed("http://127.0.0.1:8080", "not a url"));
}

TEST(Writer, UploadUrlsAndContentTypes) {
    EXPECT_EQ(github::upload_url_for(
                  "https://uploads.github.com/repos/o/r/releases/7/assets{?name,label}",
                  "temporal-static-libs-linux-x64-v1.0.2.tar.gz"),
              "https://uploads.github.com/repos/o/r/releases/7/assets"
              "?name=temporal-static-libs-linux-x64-v1.0.2.tar.gz");
    EXPECT_EQ(github::upload_url_for("https://u/r/assets{?name,label}", "a b+c"),
              "https://u/r/assets?name=a%20b%2Bc");
    EXPECT_EQ(github::content_type_for("x.tar.gz"), "application/gzip");
    EXPECT_EQ(github::content_type_for("x.tar.zst"), "application/zstd");
    EXPECT_EQ(github::content_type_for("x.tar.gz.sha256"), "text/plain");
    EXPECT_EQ(github::content_type_for("x.json"), "application/json");
    EXPECT_EQ(github::content_type_for("x.bin"), "application/octet-stream");
}

TEST(Writer, CreatesFindsDraftsUploadsDeletesAndPublishes) {
    FakeGitHub fake;
    const std::string token = "ghp_writerTestToken000000000000";
    fake.require_token(token);
    github::ApiConfig config;
    config.api_url = fake.api_url();
    config.repo = fake.repo();
    config.token = token;
    config.net.retry.base_delay = std::chrono::milliseconds(1);
    auto client = http::make_curl_client({});
    util::Console console(stderr);
    github::Writer writer(*client, config, console);

    auto none = writer.find_release("temporal-libs-v3.0.0");
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_FALSE(none->has_value());

    github::NewRelease nr;
    nr.tag = "temporal-libs-v3.0.0";
    auto created = writer.create_release(nr);
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_TRUE(created->draft);
    auto again = writer.create_release(nr);
    ASSERT_FALSE(again);
    EXPECT_TRUE(again.error().message.find("already exists") != std::string::npos);

    auto draft = writer.find_release(nr.tag);
    ASSERT_TRUE(draft) << draft.error().message;
    ASSERT_TRUE(draft->has_value()) << "drafts are found through the release list";
    EXPECT_EQ((*draft)->id, created->id);

    TestDir dir;
    write_file(dir / "a.txt", "asset content");
    auto asset =
        writer.upload_asset(*created, dir / "a.txt", "a.txt", util::sha256_hex("asset content"));
    ASSERT_TRUE(asset) << asset.error().message;
    EXPECT_EQ(asset->name, "a.txt");
    EXPECT_EQ(asset->digest, util::sha256_hex("asset content"));
    auto hashed = writer.asset_sha256(*asset);
    ASSERT_TRUE(hashed) << hashed.error().message;
    EXPECT_EQ(*hashed, util::sha256_hex("asset content"));

    auto published = writer.publish_release(created->id);
    ASSERT_TRUE(published) << published.error().message;
    EXPECT_FALSE(published->draft);
    ASSERT_TRUE(writer.delete_asset(*asset));
    EXPECT_TRUE(fake.release(nr.tag)->assets.empty());

    // A forged upload_url never receives the token.
    github::Release forged = *published;
    forged.upload_url = "http://localhost:1/repos/x/releases/1/assets{?name,label}";
    fake.clear_requests();
    auto refused = writer.upload_asset(forged, dir / "a.txt", "a.txt", "");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::usage);
    EXPECT_TRUE(refused.error().message.find("refusing to send the token") != std::string::npos);
    EXPECT_TRUE(fake.requests().empty());

    // A bad token is named as such.
    github::ApiConfig bad = config;
    bad.token = "ghp_wrongTokenForTests00000000000";
    github::Writer bad_writer(*client, bad, console);
    auto denied = bad_writer.get_release(created->id);
    ASSERT_FALSE(denied);
    EXPECT_TRUE(denied.error().message.find("HTTP 401 bad credentials") != std::string::npos)
        << denied.error().message;
}

TEST(Writer, FindsADraftBehindNewerReleasesOfOtherProducts) {
    FakeGitHub fake;
    FakeRelease draft;
    draft.tag = "temporal-libs-v4.0.0";
    draft.draft = true;
    fake.add_release(draft);
    for (int i = 0; i < 150; ++i) {
        FakeRelease other;
        other.tag = "web-app-v" + std::to_string(i);
        fake.add_release(other);
    }
    github::ApiConfig config;
    config.api_url = fake.api_url();
    config.repo = fake.repo();
    config.token = "ghp_writerTestToken000000000000";
    auto client = http::make_curl_client({});
    util::Console console(stderr);
    github::Writer writer(*client, config, console);
    auto found = writer.find_release("temporal-libs-v4.0.0");
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_TRUE(found->has_value());
    EXPECT_TRUE((*found)->draft);
    auto absent = writer.find_release("temporal-libs-v5.0.0");
    ASSERT_TRUE(absent) << absent.error().message;
    EXPECT_FALSE(absent->has_value());
}
