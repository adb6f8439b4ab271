#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include "support/archive_builder.hpp"
#include "support/test_util.hpp"
#include "tl/cache/cache.hpp"

using namespace tl;
using namespace tl::testing;
namespace fs = std::filesystem;

namespace {

// Installs a small entry through the real staging + install path.
fs::path install_entry(const cache::Cache& c, const std::string& tag, const std::string& content) {
    auto staging = c.make_staging(tag, "linux-x64");
    EXPECT_TRUE(staging.has_value());
    TestDir src;
    fs::path archive = src / "a.tar.gz";
    write_tar(archive, {{TarEntry::Type::file, "./libtemporalio_sdk.a", content, "", 0}});
    auto files = archive::extract_file(archive, *staging);
    EXPECT_TRUE(files.has_value());
    cache::EntryRecord rec;
    rec.tag = tag;
    rec.platform = "linux-x64";
    rec.archive_name = "a.tar.gz";
    rec.files = cache::file_records(*files);
    auto dir = c.install(*staging, rec);
    EXPECT_TRUE(dir.has_value());
    return *dir;
}

}  // namespace

TEST(Cache, InstallLookupAndLatest) {
    TestDir d;
    cache::Cache c(d / "cache");
    ASSERT_TRUE(c.ensure_layout().has_value());
    EXPECT_EQ(c.lookup("temporal-libs-v1.0.0", "linux-x64", cache::Verify::fast).state,
              cache::Lookup::State::absent);
    fs::path dir = install_entry(c, "temporal-libs-v1.0.0", "lib-one");
    EXPECT_EQ(dir, d / "cache/temporal-libs-v1.0.0/linux-x64");
    EXPECT_EQ(read_file(dir / "libtemporalio_sdk.a"), "lib-one");
    auto l = c.lookup("temporal-libs-v1.0.0", "linux-x64", cache::Verify::full);
    ASSERT_EQ(l.state, cache::Lookup::State::ok) << l.problem;

    ASSERT_TRUE(c.update_latest("temporal-libs-v1.0.0").has_value());
    EXPECT_EQ(fs::read_symlink(d / "cache/latest"), "temporal-libs-v1.0.0");
    install_entry(c, "temporal-libs-v1.2.0", "lib-two");
    // Only `update` (LatestLink::move) moves a link that resolves; any other
    // install leaves it, newer tag or older.
    ASSERT_TRUE(c.update_latest("temporal-libs-v1.2.0").has_value());
    EXPECT_EQ(*c.latest_tag(), "temporal-libs-v1.0.0");
    ASSERT_TRUE(c.update_latest("temporal-libs-v1.2.0", cache::LatestLink::move).has_value());
    EXPECT_EQ(*c.latest_tag(), "temporal-libs-v1.2.0");
    ASSERT_TRUE(c.update_latest("temporal-libs-v1.0.0").has_value());
    EXPECT_EQ(*c.latest_tag(), "temporal-libs-v1.2.0");
}

TEST(Cache, ReinstallSwapsAtomicallyAndLeavesNoDebris) {
    TestDir d;
    cache::Cache c(d / "cache");
    install_entry(c, "t1", "old");
    fs::path dir = install_entry(c, "t1", "new");
    EXPECT_EQ(read_file(dir / "libtemporalio_sdk.a"), "new");
    for (const auto& e : fs::directory_iterator(d / "cache/t1")) {
        EXPECT_EQ(e.path().filename(), "linux-x64") << "left behind: " << e.path();
    }
}

TEST(Cache, FastCheckCatchesTruncationFullCheckCatchesSameSizeEdit) {
    TestDir d;
    cache::Cache c(d / "cache");
    fs::path dir = install_entry(c, "t1", "0123456789");
    fs::path lib = dir / "libtemporalio_sdk.a";
    struct stat before {};
    ::stat(lib.c_str(), &before);
    {
        // Same size, mtime restored: only a full check can see it.
        FILE* f = std::fopen(lib.c_str(), "r+b");
        std::fputc('X', f);
        std::fclose(f);
        struct timespec times[2] = {before.st_atim, before.st_mtim};
        ::utimensat(AT_FDCWD, lib.c_str(), times, 0);
    }
    EXPECT_EQ(c.lookup("t1", "linux-x64", cache::Verify::fast).state, cache::Lookup::State::ok);
    auto full = c.lookup("t1", "linux-x64", cache::Verify::full);
    EXPECT_EQ(full.state, cache::Lookup::State::damaged);
    EXPECT_NE(full.problem.find("does not match its recorded SHA-256"), std::string::npos);
    fs::resize_file(lib, 3);
    auto fast = c.lookup("t1", "linux-x64", cache::Verify::fast);
    EXPECT_EQ(fast.state, cache::Lookup::State::damaged);
    EXPECT_NE(fast.problem.find("has size 3, expected 10"), std::string::npos) << fast.problem;
}

TEST(Cache, DirectoryWithoutRecordIsForeign) {
    TestDir d;
    cache::Cache c(d / "cache");
    write_file(d / "cache/t1/linux-x64/libtemporalio_sdk.a", "x");
    EXPECT_EQ(c.lookup("t1", "linux-x64", cache::Verify::fast).state,
              cache::Lookup::State::foreign);
    write_file(d / "cache/t1/linux-x64/.temporal-libs-entry.json", "{\"format\": 99}");
    EXPECT_EQ(c.lookup("t1", "linux-x64", cache::Verify::fast).state,
              cache::Lookup::State::damaged);
}

TEST(Cache, RecordRoundTripsAndRejectsEscapes) {
    cache::EntryRecord r;
    r.tag = "t";
    r.platform = "linux-x64";
    r.files.push_back({"libx.a", std::string(64, 'a'), 5, 7, 9});
    auto back = cache::parse_entry(cache::to_json(r));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->files[0].inode, 7u);
    r.files[0].path = "../../etc/passwd";
    EXPECT_FALSE(cache::parse_entry(cache::to_json(r)).has_value());
}

TEST(Cache, LeftoverStagingRemovedByLockHolder) {
    TestDir d;
    cache::Cache c(d / "cache");
    auto staging = c.make_staging("t1", "linux-x64");
    ASSERT_TRUE(staging.has_value());
    write_file(*staging / "half.a", "half");
    auto lock = c.lock_entry("t1", "linux-x64", nullptr);
    ASSERT_TRUE(lock.has_value());
    c.remove_leftovers("t1", "linux-x64");
    EXPECT_FALSE(fs::exists(*staging));
}
