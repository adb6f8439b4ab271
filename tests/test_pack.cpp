// pack and the deterministic archive writer: the real binary on real static
// libraries (the objfile fixtures), archives read back with libarchive.

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <nlohmann/json.hpp>

#include "support/objfile_fixtures.hpp"
#include "support/publish_support.hpp"
#include "support/test_util.hpp"
#include "tl/archive/create.hpp"
#include "tl/release/contract.hpp"
#include "tl/release/manifest.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;

namespace {

ProcessResult pack(const fs::path& input, const fs::path& out, std::vector<std::string> extra = {},
                   std::map<std::string, std::string> env = {{"SOURCE_DATE_EPOCH", ""}}) {
    std::vector<std::string> argv = {tool_path(), "pack",       "--input",    input.string(),
                                     "--out",     out.string(), "--platform", "linux-x64",
                                     "--version", "v1.2.3"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_process(argv, env);
}

const std::string k_archive = "temporal-static-libs-linux-x64-v1.2.3.tar.gz";

struct ReadEntry {
    std::string name;
    la_int64_t uid = -1;
    la_int64_t gid = -1;
    time_t mtime = -1;
    int mode = 0;
    std::string uname;
    std::string content;
    bool has_xattrs = false;
};

// Every entry of an archive, in order, and the tar format libarchive saw.
std::vector<ReadEntry> read_archive(const fs::path& path, int* format = nullptr) {
    struct archive* a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 65536), ARCHIVE_OK)
        << archive_error_string(a);
    std::vector<ReadEntry> out;
    archive_entry* e = nullptr;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        ReadEntry r;
        r.name = archive_entry_pathname(e);
        r.uid = archive_entry_uid(e);
        r.gid = archive_entry_gid(e);
        r.mtime = archive_entry_mtime(e);
        r.mode = static_cast<int>(archive_entry_mode(e));
        r.uname = archive_entry_uname(e) != nullptr ? archive_entry_uname(e) : "";
        r.has_xattrs = archive_entry_xattr_count(e) > 0;
        char buf[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
            r.content.append(buf, static_cast<std::size_t>(n));
        }
        if (format != nullptr) {
            *format = archive_format(a);
        }
        out.push_back(std::move(r));
    }
    archive_read_free(a);
    return out;
}

}  // namespace

TEST(Pack, SameInputTwiceGivesTheSameSha256) {
    TestDir dir;
    write_x64_libraries(dir / "artifacts");
    auto first = pack(dir / "artifacts", dir / "one", {"--json"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    auto second = pack(dir / "artifacts", dir / "two", {"--json"});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    auto j1 = nlohmann::json::parse(first.out);
    auto j2 = nlohmann::json::parse(second.out);
    EXPECT_EQ(j1["sha256"], j2["sha256"]);
    EXPECT_EQ(read_file(dir / "one" / k_archive), read_file(dir / "two" / k_archive));
    EXPECT_EQ(j1["sha256"], util::sha256_hex(read_file(dir / "one" / k_archive)));
    EXPECT_EQ(j1["libraries"].size(), 5u);
    EXPECT_EQ(j1["platform"], "linux-x64");
    EXPECT_EQ(j1["libraries"][0]["architecture"], "x86-64");
    // The checksum file is what sha256sum writes, and sha256sum accepts it.
    EXPECT_EQ(read_file(dir / "one" / (k_archive + ".sha256")),
              j1["sha256"].get<std::string>() + "  " + k_archive + "\n");
    auto check = run_process({"sha256sum", "-c", k_archive + ".sha256"}, {}, dir / "one");
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST(Pack, FileTimesModesAndOwnersDoNotChangeTheBytes) {
    TestDir dir;
    write_x64_libraries(dir / "a");
    write_x64_libraries(dir / "b");
    int i = 0;
    for (const auto& entry : fs::directory_iterator(dir / "b")) {
        struct utimbuf times {};
        times.actime = 1000000 + i;
        times.modtime = 2000000000 - 77 * i;
        ASSERT_EQ(::utime(entry.path().c_str(), &times), 0);
        ::chmod(entry.path().c_str(), i % 2 == 0 ? 0600 : 0775);
        if (::geteuid() == 0) {
            ASSERT_EQ(::chown(entry.path().c_str(), 1234 + i, 4321), 0);
        }
        ++i;
    }
    for (const char* format : {"tar.gz", "tar.zst"}) {
        const std::string name = std::string("temporal-static-libs-linux-x64-v1.2.3.") + format;
        auto a = pack(dir / "a", dir / ("out-a-" + std::string(format)), {"--format", format});
        ASSERT_EQ(a.exit_code, 0) << a.err;
        auto b = pack(dir / "b", dir / ("out-b-" + std::string(format)), {"--format", format});
        ASSERT_EQ(b.exit_code, 0) << b.err;
        EXPECT_EQ(util::sha256_hex(read_file(dir / ("out-a-" + std::string(format)) / name)),
                  util::sha256_hex(read_file(dir / ("out-b-" + std::string(format)) / name)))
            << format;
    }
    // zstd's own tool reads it: no padding after the frame.
    auto z = run_process(
        {"zstd", "-t",
         (dir / "out-a-tar.zst" / "temporal-static-libs-linux-x64-v1.2.3.tar.zst").string()});
    EXPECT_EQ(z.exit_code, 0) << z.err;
}

TEST(Pack, EntriesLookLikeTheWorkflowsWithFixedMetadata) {
    TestDir dir;
    write_x64_libraries(dir / "artifacts");
    fs::create_directories(dir / "artifacts" / "stray-dir");
    write_file(dir / "artifacts" / "notes.txt", "not packed");
    auto r = pack(dir / "artifacts", dir / "dist", {}, {{"SOURCE_DATE_EPOCH", "1700000000"}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    int format = 0;
    auto entries = read_archive(dir / "dist" / k_archive, &format);
    std::vector<std::string> names;
    for (const auto& e : entries) {
        names.push_back(e.name);
        EXPECT_EQ(e.uid, 0) << e.name;
        EXPECT_EQ(e.gid, 0) << e.name;
        EXPECT_EQ(e.mtime, 1700000000) << e.name;
        EXPECT_TRUE(e.uname.empty()) << e.name;
        EXPECT_FALSE(e.has_xattrs) << e.name;
    }
    EXPECT_EQ(format, ARCHIVE_FORMAT_TAR_USTAR) << "plain ustar, no pax headers";
    EXPECT_EQ(names, (std::vector<std::string>{
                         "./", "./libtemporalio_client.a", "./libtemporalio_common.a",
                         "./libtemporalio_sdk.a", "./libtemporalio_sdk_core.a",
                         "./libtemporalio_sdk_core_c_bridge.a", "./manifest.json"}));
    EXPECT_EQ(entries[0].mode & 07777, 0755);
    EXPECT_EQ(entries[1].mode & 07777, 0644);
    EXPECT_EQ(entries[1].content, read_file(fixture("libx64.a")));
    // gzip header: no time (bytes 4-7), no file name flag.
    std::string bytes = read_file(dir / "dist" / k_archive);
    ASSERT_GT(bytes.size(), 10u);
    EXPECT_EQ(bytes.substr(4, 4), std::string(4, '\0'));
    EXPECT_EQ(bytes[3] & 0x08, 0) << "FNAME flag set";
    // The old workflow's extraction command reads it.
    fs::create_directories(dir / "x");
    auto tar = run_process(
        {"tar", "-xzf", (dir / "dist" / k_archive).string(), "-C", (dir / "x").string()});
    EXPECT_EQ(tar.exit_code, 0) << tar.err;
    EXPECT_TRUE(fs::exists(dir / "x" / "libtemporalio_sdk.a"));

    // Without SOURCE_DATE_EPOCH the time is 0; a bad one is refused.
    auto zero = pack(dir / "artifacts", dir / "dist0");
    ASSERT_EQ(zero.exit_code, 0) << zero.err;
    EXPECT_EQ(read_archive(dir / "dist0" / k_archive)[1].mtime, 0);
    auto bad = pack(dir / "artifacts", dir / "dist1", {}, {{"SOURCE_DATE_EPOCH", "yesterday"}});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_TRUE(contains(bad.err, "SOURCE_DATE_EPOCH must be a whole number")) << bad.err;
}

TEST(Pack, ManifestDescribesTheLibrariesAndTheBuild) {
    TestDir dir;
    write_x64_libraries(dir / "artifacts");
    write_file(dir / "artifacts" / "temporal-libs-build.json", R"json({
        "format_version": 1, "tool": "temporal-libs 0.1.0", "target": "x86_64-unknown-linux-gnu",
        "rustc": "rustc 1.65.0 (test)", "cargo": "cargo 1.65.0",
        "source": {"repository": "https://example.invalid/sdk-core.git", "revision": "abc123"},
        "crates": [{"crate": "temporalio-sdk-core-c-bridge",
                    "file": "libtemporalio_sdk_core_c_bridge.a",
                    "native_link_args": ["-lgcc_s", "-lutil", "-lc"]},
                   {"crate": "temporalio-sdk", "file": "libtemporalio_sdk.a",
                    "native_link_args": ["-lutil", "-lpthread"]}]})json");
    auto r = pack(dir / "artifacts", dir / "dist", {"--source-revision", "def456"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto entries = read_archive(dir / "dist" / k_archive);
    ASSERT_EQ(entries.back().name, "./manifest.json");
    auto parsed = release::parse_manifest(entries.back().content);
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_TRUE(parsed->has_value());
    const release::Manifest& m = **parsed;
    EXPECT_EQ(m.platform, "linux-x64");
    EXPECT_EQ(m.target, "x86_64-unknown-linux-gnu");
    EXPECT_EQ(m.tag, "temporal-libs-v1.2.3");
    EXPECT_EQ(m.version, "v1.2.3");
    EXPECT_EQ(m.rustc, "rustc 1.65.0 (test)");
    EXPECT_EQ(m.source_repository, "https://example.invalid/sdk-core.git");
    EXPECT_EQ(m.source_revision, "def456") << "the flag wins over the build record";
    EXPECT_TRUE(m.tool.rfind("temporal-libs ", 0) == 0) << m.tool;
    // Merged in library order (libtemporalio_sdk.a sorts before the bridge).
    EXPECT_EQ(m.native_link_args,
              (std::vector<std::string>{"-lutil", "-lpthread", "-lgcc_s", "-lc"}));
    ASSERT_EQ(m.libraries.size(), 5u);
    std::string lib_sha = util::sha256_hex(read_file(fixture("libx64.a")));
    for (const auto& lib : m.libraries) {
        EXPECT_EQ(lib.sha256, lib_sha) << lib.file;
        EXPECT_EQ(lib.size, fs::file_size(fixture("libx64.a"))) << lib.file;
        EXPECT_EQ(lib.format, "ELF");
        EXPECT_EQ(lib.architecture, "x86-64");
    }
    const auto* bridge = m.find("libtemporalio_sdk_core_c_bridge.a");
    ASSERT_NE(bridge, nullptr);
    EXPECT_EQ(bridge->crate, "temporalio-sdk-core-c-bridge");
    EXPECT_EQ(bridge->native_link_args.size(), 3u);

    // A build record for another target means the wrong --platform.
    auto wrong =
        run_process({tool_path(), "pack", "--input", (dir / "artifacts").string(), "--out",
                     (dir / "dist2").string(), "--platform", "linux-arm64", "--version", "v1.2.3"});
    EXPECT_EQ(wrong.exit_code, 2) << wrong.err;
    EXPECT_TRUE(contains(wrong.err, "were built for 'x86_64-unknown-linux-gnu'")) << wrong.err;
    EXPECT_TRUE(contains(wrong.err, "pass --platform linux-x64")) << wrong.err;
}

TEST(Pack, WrongArchitectureOrMissingLibraryIsRefusedAndNothingWritten) {
    TestDir dir;
    write_x64_libraries(dir / "artifacts");
    fs::copy_file(fixture("libarm64.a"), dir / "artifacts" / "libtemporalio_sdk.a",
                  fs::copy_options::overwrite_existing);
    auto arch = pack(dir / "artifacts", dir / "dist");
    EXPECT_EQ(arch.exit_code, 5) << arch.err;
    EXPECT_TRUE(contains(arch.err, "libtemporalio_sdk.a")) << arch.err;
    EXPECT_TRUE(contains(arch.err, "AArch64")) << arch.err;
    EXPECT_TRUE(contains(arch.err, "nothing was packed")) << arch.err;
    EXPECT_FALSE(fs::exists(dir / "dist" / k_archive));

    write_file(dir / "artifacts" / "libtemporalio_sdk.a", "!<arch>\nnot really\n");
    auto junk = pack(dir / "artifacts", dir / "dist");
    EXPECT_EQ(junk.exit_code, 5) << junk.err;

    fs::remove(dir / "artifacts" / "libtemporalio_sdk.a");
    auto missing = pack(dir / "artifacts", dir / "dist");
    EXPECT_EQ(missing.exit_code, 3) << missing.err;
    EXPECT_TRUE(contains(missing.err, "missing from")) << missing.err;
    EXPECT_TRUE(contains(missing.err, "'libtemporalio_sdk.a'")) << missing.err;
    EXPECT_FALSE(fs::exists(dir / "dist" / k_archive));

    // Naming the libraries packs just those.
    auto some = pack(dir / "artifacts", dir / "dist",
                     {"--library", "temporalio_client", "--library", "libtemporalio_common.a"});
    ASSERT_EQ(some.exit_code, 0) << some.err;
    EXPECT_EQ(read_archive(dir / "dist" / k_archive).size(), 4u);

    auto no_input = pack(dir / "nope", dir / "dist");
    EXPECT_EQ(no_input.exit_code, 3);
    EXPECT_TRUE(contains(no_input.err, "input directory")) << no_input.err;
}

TEST(ArchiveCreate, ContentEntriesAndSourceThatChangesSize) {
    TestDir dir;
    tl::archive::CreateOptions o;
    o.mtime = 5;
    auto made =
        tl::archive::create_archive(dir / "a.tar.gz",
                                    {{tl::archive::Entry::Type::directory, "./", {}, {}},
                                     {tl::archive::Entry::Type::file, "./x.txt", {}, "hello"}},
                                    o);
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_EQ(made->sha256, util::sha256_hex(read_file(dir / "a.tar.gz")));
    ASSERT_EQ(made->entry_sha256.size(), 1u);
    EXPECT_EQ(made->entry_sha256[0].second, util::sha256_hex("hello"));
    auto entries = read_archive(dir / "a.tar.gz");
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[1].content, "hello");
    EXPECT_EQ(entries[1].mtime, 5);

    auto missing = tl::archive::create_archive(
        dir / "b.tar.gz", {{tl::archive::Entry::Type::file, "./y", dir / "absent", {}}}, o);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::filesystem);
    EXPECT_FALSE(fs::exists(dir / "b.tar.gz")) << "a failed archive leaves nothing behind";
}
