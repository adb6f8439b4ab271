#include <gtest/gtest.h>

#include "tl/github/release.hpp"

using namespace tl::github;

TEST(GitHubJson, ParsesReleaseWithDigests) {
    auto r = parse_release(R"({"id": 7, "tag_name": "temporal-libs-v1.0.2", "draft": false,
        "prerelease": false, "upload_url": "https://uploads/x{?name,label}",
        "assets": [{"id": 1, "name": "a.tar.gz", "size": 10, "state": "uploaded",
                    "url": "https://api/assets/1", "digest": "sha256:)" +
                           std::string(64, 'A') + R"("},
                   {"id": 2, "name": "b", "size": 1, "digest": null},
                   {"id": 3, "name": "c", "digest": "md5:abc"}]})");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->tag, "temporal-libs-v1.0.2");
    ASSERT_EQ(r->assets.size(), 3u);
    EXPECT_EQ(r->assets[0].digest, std::string(64, 'a'));
    EXPECT_EQ(r->assets[1].digest, "");
    EXPECT_EQ(r->assets[2].digest, "");
    EXPECT_NE(r->find_asset("b"), nullptr);
}

TEST(GitHubJson, RejectsGarbage) {
    EXPECT_FALSE(parse_release("not json").has_value());
    EXPECT_FALSE(parse_release("[]").has_value());
    EXPECT_FALSE(parse_release_list("{}").has_value());
    auto list = parse_release_list(R"([{"tag_name": "a"}, 5, {"no": "tag"}])");
    ASSERT_TRUE(list.has_value());
    EXPECT_EQ(list->size(), 1u);
}

TEST(GitHubJson, ParsesLinkHeaders) {
    auto links = parse_link_header(
        R"(<https://api.github.com/repositories/1/releases?per_page=100&page=2>; rel="next", )"
        R"(<https://api.github.com/repositories/1/releases?per_page=100&page=5>; rel="last")");
    EXPECT_EQ(links["next"], "https://api.github.com/repositories/1/releases?per_page=100&page=2");
    EXPECT_EQ(links["last"], "https://api.github.com/repositories/1/releases?per_page=100&page=5");
    EXPECT_TRUE(parse_link_header("").empty());
    EXPECT_TRUE(parse_link_header("garbage <").empty());
}
