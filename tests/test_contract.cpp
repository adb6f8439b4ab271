#include <gtest/gtest.h>

#include "tl/release/contract.hpp"

using namespace tl;
using namespace tl::release;

TEST(Contract, NormalizesTags) {
    EXPECT_EQ(*normalize_tag("v1.0.2"), "temporal-libs-v1.0.2");
    EXPECT_EQ(*normalize_tag(" temporal-libs-v1.0.2 "), "temporal-libs-v1.0.2");
    EXPECT_FALSE(normalize_tag("").has_value());
    EXPECT_FALSE(normalize_tag("v1/../x").has_value());
    EXPECT_TRUE(is_latest("Latest"));
}

TEST(Contract, AssetNames) {
    platform::Platform p{platform::Os::linux, platform::Arch::arm64};
    EXPECT_EQ(archive_name(p, "temporal-libs-v1.0.2", ArchiveFormat::tar_gz),
              "temporal-static-libs-linux-arm64-v1.0.2.tar.gz");
    auto names = checksum_names(p, "temporal-libs-v1.0.2", ArchiveFormat::tar_gz);
    ASSERT_EQ(names.size(), 2u);
    EXPECT_EQ(names[0], "temporal-static-libs-linux-arm64-v1.0.2.tar.gz.sha256");
    EXPECT_EQ(names[1], "temporal-static-libs-linux-arm64-v1.0.2.sha256");
    auto parsed =
        parse_archive_name("temporal-static-libs-macos-x64-v1.0.2.tar.gz", "temporal-libs-v1.0.2");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->platform, "macos-x64");
    EXPECT_FALSE(parse_archive_name("other.tar.gz", "temporal-libs-v1.0.2").has_value());
}

TEST(Contract, ParsesChecksumFiles) {
    const std::string hex(64, 'a');
    EXPECT_EQ(*parse_checksum_file(hex + "  x.tar.gz\n", "x.tar.gz"), hex);
    EXPECT_EQ(*parse_checksum_file(hex + " *dist/x.tar.gz\n", "x.tar.gz"), hex);
    EXPECT_EQ(*parse_checksum_file(hex + "\n", "x.tar.gz"), hex);
    EXPECT_EQ(*parse_checksum_file(std::string(64, 'B') + "  x.tar.gz", "x.tar.gz"),
              std::string(64, 'b'));
    auto other = parse_checksum_file(hex + "  y.tar.gz\n", "x.tar.gz");
    ASSERT_FALSE(other.has_value());
    EXPECT_EQ(other.error().kind, ErrorKind::integrity);
    EXPECT_FALSE(parse_checksum_file("", "x").has_value());
    EXPECT_FALSE(parse_checksum_file("abc  x\n", "x").has_value());
    std::string many = std::string(64, '1') + "  a\n" + std::string(64, '2') + "  x.tar.gz\n";
    EXPECT_EQ(*parse_checksum_file(many, "x.tar.gz"), std::string(64, '2'));
}

TEST(Contract, ComparesTagsAsVersions) {
    EXPECT_LT(compare_tags("temporal-libs-v1.9.1", "temporal-libs-v1.10.0"), 0);
    EXPECT_GT(compare_tags("temporal-libs-v2.0.0", "temporal-libs-v1.99.99"), 0);
    EXPECT_LT(compare_tags("temporal-libs-v1.0.0-rc.1", "temporal-libs-v1.0.0"), 0);
    EXPECT_EQ(compare_tags("temporal-libs-v1.0", "temporal-libs-v1.0.0"), 0);
}
