#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/archive_builder.hpp"
#include "support/test_util.hpp"
#include "tl/archive/extract.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;
namespace fs = std::filesystem;

namespace {

// Everything below `root` (relative paths), to prove nothing landed elsewhere.
std::vector<std::string> tree(const fs::path& root) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        out.push_back(fs::relative(e.path(), root).string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

struct Hostile : ::testing::Test {
    TestDir dir;
    fs::path staging = dir / "cache/tag/.staging";
    fs::path archive = dir / "evil.tar.gz";
    void SetUp() override { fs::create_directories(staging); }

    Failure extract_expecting_failure(const std::vector<TarEntry>& entries,
                                      const archive::Limits& limits = {}) {
        write_tar(archive, entries);
        auto r = archive::extract_file(archive, staging, limits);
        EXPECT_FALSE(r.has_value());
        // Nothing may appear outside the staging directory.
        auto all = tree(dir.path());
        for (const auto& p : all) {
            bool inside = p.rfind("cache", 0) == 0 || p == "evil.tar.gz";
            EXPECT_TRUE(inside) << "written outside staging: " << p;
        }
        return r.has_value() ? Failure{} : r.error();
    }
};

}  // namespace

TEST(Extract, WorkflowArchiveExtractsWithDigests) {
    TestDir dir;
    auto libs = contract_libraries();
    fs::path archive = make_workflow_release(dir.path(), "x.tar.gz", libs);
    fs::path dest = dir / "out";
    fs::create_directories(dest);
    auto r = archive::extract_file(archive, dest);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_EQ(r->size(), 5u);
    for (const auto& f : *r) {
        EXPECT_EQ(f.path.find("./"), std::string::npos);
        std::string lib = f.path.substr(3, f.path.size() - 5);
        EXPECT_EQ(f.sha256, util::sha256_hex(libs.at(lib))) << f.path;
        EXPECT_EQ(f.size, libs.at(lib).size());
        struct stat st {};
        ASSERT_EQ(::stat((dest / f.path).c_str(), &st), 0);
        EXPECT_EQ(static_cast<std::uint64_t>(st.st_ino), f.inode);
    }
}

TEST(Extract, ZstdAndSubdirectories) {
    TestDir dir;
    fs::path archive = dir / "a.tar.zst";
    write_tar(archive,
              {{TarEntry::Type::dir, "./include", "", "", 0},
               {TarEntry::Type::file, "./include/bridge.h", "int f(void);\n", "", 0},
               {TarEntry::Type::file, "./libx.a", "data", "", 0}},
              Compression::zstd);
    fs::create_directories(dir / "out");
    auto r = archive::extract_file(archive, dir / "out");
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(read_file(dir / "out/include/bridge.h"), "int f(void);\n");
}

TEST_F(Hostile, AbsolutePathRefused) {
    auto f = extract_expecting_failure({{TarEntry::Type::file, "/tmp/tl-evil-abs", "x", "", 0}});
    EXPECT_EQ(f.kind, ErrorKind::integrity);
    EXPECT_NE(f.message.find("absolute path"), std::string::npos) << f.message;
    EXPECT_FALSE(fs::exists("/tmp/tl-evil-abs"));
}

TEST_F(Hostile, DotDotEscapeRefused) {
    auto f = extract_expecting_failure({{TarEntry::Type::file, "./../../escaped", "x", "", 0}});
    EXPECT_NE(f.message.find("'..' escapes"), std::string::npos) << f.message;
}

TEST_F(Hostile, SymlinkThenWriteThroughItRefused) {
    auto f =
        extract_expecting_failure({{TarEntry::Type::symlink, "./link", "", dir.path().string(), 0},
                                   {TarEntry::Type::file, "./link/pwned", "x", "", 0}});
    EXPECT_NE(f.message.find("symbolic link"), std::string::npos) << f.message;
    EXPECT_FALSE(fs::exists(dir / "pwned"));
}

TEST_F(Hostile, HardlinkOutRefused) {
    auto f =
        extract_expecting_failure({{TarEntry::Type::hardlink, "./passwd", "", "/etc/passwd", 0}});
    EXPECT_NE(f.message.find("hard link"), std::string::npos) << f.message;
}

TEST_F(Hostile, DeviceNodeAndFifoRefused) {
    auto f = extract_expecting_failure({{TarEntry::Type::char_device, "./null", "", "", 0}});
    EXPECT_NE(f.message.find("character device"), std::string::npos) << f.message;
    fs::remove_all(staging);
    fs::create_directories(staging);
    auto g = extract_expecting_failure({{TarEntry::Type::fifo, "./pipe", "", "", 0}});
    EXPECT_NE(g.message.find("FIFO"), std::string::npos) << g.message;
}

TEST_F(Hostile, OversizedEntryRefusedBeforeWriting) {
    archive::Limits limits;
    limits.max_entry_size = 1024;
    auto f = extract_expecting_failure({{TarEntry::Type::file, "./big.a", "", "", 4096}}, limits);
    EXPECT_NE(f.message.find("over the limit"), std::string::npos) << f.message;
    EXPECT_FALSE(fs::exists(staging / "big.a"));
}

TEST_F(Hostile, TooManyEntriesAndTotalSizeRefused) {
    archive::Limits limits;
    limits.max_entries = 3;
    std::vector<TarEntry> many;
    for (int i = 0; i < 5; ++i) {
        many.push_back({TarEntry::Type::file, "./f" + std::to_string(i), "x", "", 0});
    }
    auto f = extract_expecting_failure(many, limits);
    EXPECT_NE(f.message.find("more than 3 entries"), std::string::npos) << f.message;
    fs::remove_all(staging);
    fs::create_directories(staging);
    archive::Limits total;
    total.max_total_size = 1500;
    auto g =
        extract_expecting_failure({{TarEntry::Type::file, "./a", std::string(1000, 'a'), "", 0},
                                   {TarEntry::Type::file, "./b", std::string(1000, 'b'), "", 0}},
                                  total);
    EXPECT_NE(g.message.find("expands to more than"), std::string::npos) << g.message;
}

TEST_F(Hostile, DuplicateEntryRefused) {
    auto f = extract_expecting_failure({{TarEntry::Type::file, "./liba.a", "one", "", 0},
                                        {TarEntry::Type::file, "liba.a", "two", "", 0}});
    EXPECT_NE(f.message.find("appears twice"), std::string::npos) << f.message;
}

TEST(Extract, CorruptArchiveIsIntegrityFailure) {
    TestDir dir;
    fs::path archive = make_workflow_release(dir.path(), "x.tar.gz", contract_libraries());
    // A truncated stream must fail. (A flipped byte inside file data can pass
    // extraction unnoticed: tar has no data checksums and the gzip trailer may
    // not be read; the archive digest is what catches those.)
    std::string bytes = read_file(archive);
    write_file(archive, bytes.substr(0, bytes.size() / 2));
    fs::create_directories(dir / "out");
    auto r = archive::extract_file(archive, dir / "out");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, ErrorKind::integrity);
}

TEST(Extract, NormalizesEntryNames) {
    archive::Limits l;
    EXPECT_EQ(*archive::normalize_entry_path("./libx.a", l), "libx.a");
    EXPECT_EQ(*archive::normalize_entry_path("./", l), "");
    EXPECT_EQ(*archive::normalize_entry_path("a//b/./c", l), "a/b/c");
    EXPECT_FALSE(archive::normalize_entry_path("a/../../b", l).has_value());
    EXPECT_FALSE(archive::normalize_entry_path("/etc/passwd", l).has_value());
    EXPECT_FALSE(archive::normalize_entry_path("", l).has_value());
}
