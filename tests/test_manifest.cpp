// The release manifest: written by pack, read by consumers (release/manifest.hpp).

#include <gtest/gtest.h>

#include "tl/release/manifest.hpp"

using namespace tl;
using namespace tl::release;

namespace {

Manifest sample() {
    Manifest m;
    m.tool = "temporal-libs 0.1.0";
    m.tag = "temporal-libs-v1.2.3";
    m.version = "v1.2.3";
    m.platform = "linux-arm64";
    m.target = "aarch64-unknown-linux-gnu";
    m.rustc = "rustc 1.65.0 (897e37553 2022-11-02)";
    m.source_repository = "https://github.com/temporalio/sdk-core";
    m.source_revision = "0123456789abcdef0123456789abcdef01234567";
    m.native_link_args = {"-lgcc_s", "-lutil", "-lpthread"};
    ManifestLibrary b{"libtemporalio_sdk.a",
                      "temporalio-sdk",
                      std::string(64, 'b'),
                      42,
                      "ELF",
                      "AArch64",
                      {"-lgcc_s"}};
    ManifestLibrary a{"libtemporalio_client.a", "", std::string(64, 'a'), 7, "ELF", "AArch64", {}};
    m.libraries = {b, a};
    return m;
}

}  // namespace

TEST(Manifest, RoundTripsAndSortsLibraries) {
    Manifest m = sample();
    std::string text = to_json(m);
    EXPECT_EQ(text.back(), '\n');
    auto parsed = parse_manifest(text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_TRUE(parsed->has_value());
    const Manifest& p = **parsed;
    EXPECT_EQ(p.format_version, k_manifest_format_version);
    EXPECT_EQ(p.platform, "linux-arm64");
    EXPECT_EQ(p.target, "aarch64-unknown-linux-gnu");
    EXPECT_EQ(p.rustc, m.rustc);
    EXPECT_EQ(p.source_revision, m.source_revision);
    EXPECT_EQ(p.source_repository, m.source_repository);
    EXPECT_EQ(p.native_link_args, m.native_link_args);
    ASSERT_EQ(p.libraries.size(), 2u);
    EXPECT_EQ(p.libraries[0].file, "libtemporalio_client.a") << "sorted by file name";
    EXPECT_TRUE(p.libraries[0].crate.empty()) << "null stays unknown";
    const ManifestLibrary* sdk = p.find("libtemporalio_sdk.a");
    ASSERT_NE(sdk, nullptr);
    EXPECT_EQ(sdk->size, 42u);
    EXPECT_EQ(sdk->crate, "temporalio-sdk");
    EXPECT_EQ(sdk->native_link_args, std::vector<std::string>{"-lgcc_s"});
    // Deterministic: the same manifest is the same bytes, whatever the input order.
    Manifest reordered = m;
    std::swap(reordered.libraries[0], reordered.libraries[1]);
    EXPECT_EQ(to_json(reordered), text);
    EXPECT_EQ(to_json(p), text);
}

TEST(Manifest, UnknownKeysAreIgnoredAndNewerVersionsAreAbsent) {
    auto extra = parse_manifest(R"({"format_version": 1, "platform": "linux-x64",
        "libraries": [{"file": "libx.a", "sha256": ")" +
                                std::string(64, 'C') + R"(", "size": 1, "future": true}],
        "signature": "later"})");
    ASSERT_TRUE(extra) << extra.error().message;
    ASSERT_TRUE(extra->has_value());
    EXPECT_EQ((*extra)->libraries[0].sha256, std::string(64, 'c')) << "digest lower-cased";

    auto newer = parse_manifest(R"({"format_version": 2, "whatever": []})");
    ASSERT_TRUE(newer) << newer.error().message;
    EXPECT_FALSE(newer->has_value()) << "a newer format reads as no manifest";
}

TEST(Manifest, DamageIsAnIntegrityFailure) {
    const std::string hex(64, 'a');
    const std::vector<std::string> bad = {
        "",
        "[]",
        "{\"format_version\": \"1\"}",
        "{\"format_version\": 0, \"platform\": \"linux-x64\", \"libraries\": []}",
        "{\"format_version\": 1, \"libraries\": []}",
        "{\"format_version\": 1, \"platform\": \"linux-x64\"}",
        "{\"format_version\": 1, \"platform\": \"linux-x64\", \"libraries\": [{\"file\": "
        "\"../libx.a\", \"sha256\": \"" +
            hex + "\", \"size\": 1}]}",
        "{\"format_version\": 1, \"platform\": \"linux-x64\", \"libraries\": [{\"file\": "
        "\"libx.so\", \"sha256\": \"" +
            hex + "\", \"size\": 1}]}",
        "{\"format_version\": 1, \"platform\": \"linux-x64\", \"libraries\": [{\"file\": "
        "\"libx.a\", \"sha256\": \"abc\", \"size\": 1}]}",
        "{\"format_version\": 1, \"platform\": \"linux-x64\", \"libraries\": [{\"file\": "
        "\"libx.a\", \"sha256\": \"" +
            hex + "\", \"size\": -1}]}",
        "{\"format_version\": 1, \"platform\": \"linux-x64\", \"libraries\": [{\"file\": "
        "\"libx.a\", \"sha256\": \"" +
            hex + "\", \"size\": 1}, {\"file\": \"libx.a\", \"sha256\": \"" + hex +
            "\", \"size\": 1}]}",
        "{\"format_version\": 1, \"platform\": \"linux-x64\", \"native_link_args\": [1], "
        "\"libraries\": []}",
    };
    for (const auto& text : bad) {
        auto r = parse_manifest(text);
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error().kind, ErrorKind::integrity) << text;
        EXPECT_EQ(r.error().message.rfind("damaged manifest: ", 0), 0u) << r.error().message;
    }
}

TEST(Manifest, MergeLinkArgsKeepsOrderAndFrameworkPairs) {
    auto merged = merge_link_args({{"-lgcc_s", "-lutil", "-lc"},
                                   {"-lutil", "-framework", "Security", "-lc"},
                                   {"-framework", "CoreFoundation", "-framework", "Security"}});
    EXPECT_EQ(merged, (std::vector<std::string>{"-lgcc_s", "-lutil", "-lc", "-framework",
                                                "Security", "-framework", "CoreFoundation"}));
}
