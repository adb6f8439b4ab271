// The one-pass install pipeline (download, hash, inflate and extract at once):
// its results match the simple path (libarchive with zlib, one step after the
// other) byte for byte, resumed or not, for gzip and zstd; damage anywhere
// leaves nothing installed; memory stays bounded.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/archive_builder.hpp"
#include "support/release_fixture.hpp"
#include "support/test_util.hpp"
#include "tl/archive/extract.hpp"
#include "tl/archive/inflate.hpp"
#include "tl/install/pipeline.hpp"
#include "tl/objfile/library.hpp"
#include "tl/objfile/platform_check.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

using namespace tl;
using namespace tl::testing;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Deterministic bytes that compress somewhat, like object code.
std::string filler(std::size_t size, unsigned salt) {
    std::string s(size, '\0');
    std::uint32_t x = 2463534242u + salt;
    for (std::size_t i = 0; i < size; ++i) {
        if (i % 7 == 0) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
        }
        s[i] = static_cast<char>((x >> (i % 4 * 8)) & 0x3f);
    }
    return s;
}

// Libraries of `size` bytes each with the contract's names.
std::map<std::string, std::string> sized_libraries(std::size_t size) {
    auto libs = contract_libraries();
    unsigned salt = 0;
    for (auto& [name, content] : libs) {
        content = make_static_library("linux-x64", filler(size, ++salt) + name);
    }
    return libs;
}

void shell(const std::string& command) {
    auto r = run_process({"sh", "-c", command});
    ASSERT_EQ(r.exit_code, 0) << command << ": " << r.err;
}

// What one extraction produced: path -> (sha256, size), checked against the files.
std::map<std::string, std::pair<std::string, std::uint64_t>> summary(
    const fs::path& dir, const std::vector<archive::ExtractedFile>& files) {
    std::map<std::string, std::pair<std::string, std::uint64_t>> out;
    for (const auto& f : files) {
        EXPECT_EQ(util::sha256_hex(read_file(dir / f.path)), f.sha256) << f.path;
        out[f.path] = {f.sha256, f.size};
    }
    return out;
}

// Every regular file under `dir` and its contents.
std::map<std::string, std::string> contents(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) {
            out[fs::relative(e.path(), dir).string()] = read_file(e.path());
        }
    }
    return out;
}

// The simple path: libarchive (zlib or libzstd inside it) on the whole file.
std::vector<archive::ExtractedFile> simple_extract(const fs::path& archive, const fs::path& dest) {
    fs::create_directories(dest);
    auto r = archive::extract_file(archive, dest);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : std::vector<archive::ExtractedFile>{};
}

install::UnpackOutcome pipeline_extract(const fs::path& archive, archive::Codec codec,
                                        const fs::path& dest, archive::InflateEngine engine) {
    fs::create_directories(dest);
    install::Unpacker unpacker(codec, dest, {}, engine);
    auto fed = install::feed_file(archive, unpacker);
    EXPECT_TRUE(fed.has_value());
    return unpacker.finish();
}

struct Archives : ::testing::Test {
    TestDir dir;
    fs::path gz;
    fs::path zst;
    void SetUp() override {
        gz = make_workflow_release(dir / "work", "a.tar.gz", sized_libraries(300u << 10));
        zst = dir / "a.tar.zst";
        shell("gzip -dc '" + gz.string() + "' | zstd -q -3 -o '" + zst.string() + "'");
    }
};

}  // namespace

TEST_F(Archives, GzipAndZstdMatchTheSimplePathWithEveryEngine) {
    auto reference = simple_extract(gz, dir / "simple");
    ASSERT_EQ(reference.size(), 5u);
    auto expected = summary(dir / "simple", reference);
    auto expected_bytes = contents(dir / "simple");
    struct Case {
        fs::path archive;
        archive::Codec codec;
        archive::InflateEngine engine;
        std::string engine_name;
    };
    std::vector<Case> cases = {
        {gz, archive::Codec::gzip, archive::InflateEngine::zlib, "zlib"},
        {gz, archive::Codec::gzip, archive::InflateEngine::fastest,
         archive::have_isal() ? "ISA-L" : "zlib"},
        {zst, archive::Codec::zstd, archive::InflateEngine::fastest, "zstd"},
    };
    int i = 0;
    for (const auto& c : cases) {
        fs::path out = dir / ("p" + std::to_string(i++));
        auto outcome = pipeline_extract(c.archive, c.codec, out, c.engine);
        ASSERT_TRUE(outcome.files.has_value()) << outcome.files.error().message;
        EXPECT_EQ(outcome.engine, c.engine_name);
        EXPECT_EQ(summary(out, *outcome.files), expected) << c.engine_name;
        EXPECT_EQ(contents(out), expected_bytes) << c.engine_name;
    }
}

TEST_F(Archives, LibrariesAreReadWhileTheyAreWritten) {
    // What the install checks (format, CPU, ar layout) comes from the bytes as
    // they were extracted, and agrees with reading the written file whole.
    fs::path out = dir / "out";
    auto outcome = pipeline_extract(gz, archive::Codec::gzip, out, archive::InflateEngine::fastest);
    ASSERT_TRUE(outcome.files.has_value()) << outcome.files.error().message;
    ASSERT_EQ(outcome.libraries.size(), 5u);
    for (const auto& streamed : outcome.libraries) {
        auto whole = objfile::inspect_library(out / streamed.path);
        ASSERT_TRUE(whole.has_value()) << streamed.path;
        EXPECT_EQ(streamed.kind, whole->kind) << streamed.path;
        EXPECT_EQ(streamed.member_count, whole->member_count);
        EXPECT_EQ(streamed.object_count, whole->object_count);
        EXPECT_EQ(streamed.architectures, whole->architectures);
        EXPECT_EQ(streamed.damage, whole->damage);
        EXPECT_TRUE(objfile::check_for_platform(
                        streamed, platform::Platform{platform::Os::linux, platform::Arch::x64})
                        .has_value());
        EXPECT_FALSE(objfile::check_for_platform(
                         streamed, platform::Platform{platform::Os::linux, platform::Arch::arm64})
                         .has_value());
    }
    // A library cut short inside the tar is damaged, whichever way it is read.
    std::string lib = make_static_library("linux-x64", filler(4000, 9));
    objfile::LibraryStream cut("libcut.a");
    cut.feed(std::string_view(lib).substr(0, lib.size() - 100));
    auto info = cut.finish();
    EXPECT_FALSE(objfile::check_for_platform(
                     info, platform::Platform{platform::Os::linux, platform::Arch::x64})
                     .has_value());
    EXPECT_TRUE(contains(info.damage, "truncated or damaged archive")) << info.damage;
}

TEST_F(Archives, MultiMemberGzipIsInflatedWhole) {
    // The tar split in three, each part its own gzip member, concatenated.
    fs::path tar = dir / "a.tar";
    shell("gzip -dc '" + gz.string() + "' > '" + tar.string() + "'");
    fs::path multi = dir / "multi.tar.gz";
    shell("cd '" + dir.path().string() + "' && split -n 3 a.tar part. && for p in part.*; do " +
          "gzip -c $p >> multi.tar.gz; done");
    auto expected = summary(dir / "simple", simple_extract(tar, dir / "simple"));
    for (auto engine : {archive::InflateEngine::fastest, archive::InflateEngine::zlib}) {
        fs::path out = dir / (engine == archive::InflateEngine::zlib ? "z" : "f");
        auto outcome = pipeline_extract(multi, archive::Codec::gzip, out, engine);
        ASSERT_TRUE(outcome.files.has_value()) << outcome.files.error().message;
        EXPECT_EQ(summary(out, *outcome.files), expected);
    }
}

TEST_F(Archives, DamageAnywhereFailsTheStream) {
    std::string bytes = read_file(gz);
    const std::size_t n = bytes.size();
    // Header, deflate data, CRC-32 in the trailer, the size in the last byte.
    for (std::size_t pos : {std::size_t{0}, n / 2, n - 8, n - 6, n - 1}) {
        for (auto engine : {archive::InflateEngine::fastest, archive::InflateEngine::zlib}) {
            std::string bad = bytes;
            bad[pos] ^= 0x20;
            fs::path file = dir / "bad.tar.gz";
            write_file(file, bad);
            fs::path out = dir / ("bad-" + std::to_string(pos));
            fs::remove_all(out);
            auto outcome = pipeline_extract(file, archive::Codec::gzip, out, engine);
            ASSERT_FALSE(outcome.files.has_value()) << "byte " << pos;
            EXPECT_EQ(outcome.files.error().kind, ErrorKind::integrity);
            EXPECT_NE(outcome.failed, install::UnpackStage::none);
            if (pos >= n - 8) {
                // The tar is complete by then: only the trailer check can catch it.
                EXPECT_EQ(outcome.failed, install::UnpackStage::decode) << pos;
                EXPECT_TRUE(contains(outcome.files.error().message, "damaged"))
                    << outcome.files.error().message;
            }
        }
    }
    std::string zbytes = read_file(zst);
    for (std::size_t pos : {std::size_t{0}, zbytes.size() / 2, zbytes.size() - 1}) {
        std::string bad = zbytes;
        bad[pos] ^= 0x20;
        fs::path file = dir / "bad.tar.zst";
        write_file(file, bad);
        fs::path out = dir / ("zbad-" + std::to_string(pos));
        auto outcome =
            pipeline_extract(file, archive::Codec::zstd, out, archive::InflateEngine::fastest);
        EXPECT_FALSE(outcome.files.has_value()) << "zstd byte " << pos;
    }
    // Cut short: the last member never ends.
    write_file(dir / "short.tar.gz", bytes.substr(0, n - 4));
    auto outcome = pipeline_extract(dir / "short.tar.gz", archive::Codec::gzip, dir / "short",
                                    archive::InflateEngine::fastest);
    ASSERT_FALSE(outcome.files.has_value());
    EXPECT_EQ(outcome.failed, install::UnpackStage::decode);
}

TEST_F(Archives, PaddingMayOnlyBeZeros) {
    std::string bytes = read_file(gz);
    write_file(dir / "padded.tar.gz", bytes + std::string(700, '\0'));
    write_file(dir / "junk.tar.gz", bytes + std::string(300, '\0') + "junk");
    for (auto engine : {archive::InflateEngine::fastest, archive::InflateEngine::zlib}) {
        auto padded =
            pipeline_extract(dir / "padded.tar.gz", archive::Codec::gzip, dir / "padded", engine);
        EXPECT_TRUE(padded.files.has_value()) << padded.files.error().message;
        fs::remove_all(dir / "padded");
        auto junk =
            pipeline_extract(dir / "junk.tar.gz", archive::Codec::gzip, dir / "junk", engine);
        ASSERT_FALSE(junk.files.has_value());
        EXPECT_EQ(junk.failed, install::UnpackStage::decode);
        fs::remove_all(dir / "junk");
    }
}

TEST_F(Archives, StreamTheFastDecoderRefusedIsInflatedAgainWithZlib) {
    // No gzip stream that ISA-L rejects and zlib accepts is known, so the
    // refusal is given; the second pass must produce the simple path's files.
    auto expected = summary(dir / "simple", simple_extract(gz, dir / "simple"));
    fs::create_directories(dir / "out");
    write_file(dir / "out" / "half-written.a", "leftover of the refused pass");
    install::UnpackOutcome refused;
    refused.failed = install::UnpackStage::decode;
    refused.engine = "ISA-L";
    refused.files = util::unexpected(Failure{ErrorKind::integrity, "ISA-L: invalid deflate block"});
    util::Console console;
    auto files =
        install::settle(std::move(refused), archive::Codec::gzip, gz, dir / "out", {}, console);
    ASSERT_TRUE(files.has_value()) << files.error().message;
    EXPECT_EQ(summary(dir / "out", files->files), expected);
    EXPECT_EQ(files->libraries.size(), 5u);
    EXPECT_EQ(contents(dir / "out"), contents(dir / "simple"));

    // zlib's verdict is final, and a damaged stream stays refused.
    std::string bad = read_file(gz);
    bad[bad.size() - 7] ^= 1;
    write_file(dir / "bad.tar.gz", bad);
    install::UnpackOutcome again;
    again.failed = install::UnpackStage::decode;
    again.engine = "ISA-L";
    again.files = util::unexpected(Failure{ErrorKind::integrity, "ISA-L: CRC-32"});
    fs::create_directories(dir / "out2");
    auto refused_twice = install::settle(std::move(again), archive::Codec::gzip, dir / "bad.tar.gz",
                                         dir / "out2", {}, console);
    ASSERT_FALSE(refused_twice.has_value());
    EXPECT_TRUE(contains(refused_twice.error().message, "zlib")) << refused_twice.error().message;
}

TEST(Pipeline, QueueStaysBoundedWithASlowConsumer) {
    install::BlockQueue queue;
    const std::size_t total = 24u << 20;
    std::string data = filler(total, 7);
    std::string received;
    std::thread consumer([&] {
        while (auto block = queue.pop()) {
            received.append(block->data(), block->size());
            std::this_thread::sleep_for(2ms);
            queue.recycle(std::move(block));
        }
    });
    // Odd-sized writes, like curl's callbacks.
    for (std::size_t at = 0; at < total; at += 100003) {
        queue.write(data.data() + at, std::min<std::size_t>(100003, total - at));
    }
    queue.close();
    consumer.join();
    EXPECT_EQ(received.size(), data.size());
    EXPECT_TRUE(received == data);
    EXPECT_LE(queue.peak_blocks(), install::k_max_blocks);
    EXPECT_GE(queue.peak_blocks(), 2u);

    // A consumer that gives up never blocks the producer.
    install::BlockQueue cancelled;
    cancelled.cancel();
    for (int i = 0; i < 100; ++i) {
        cancelled.write(data.data(), 1u << 20);
    }
    EXPECT_EQ(cancelled.pop(), nullptr);
}

TEST(Pipeline, UnpackerRestartStartsOverWithAnEmptyStaging) {
    TestDir dir;
    fs::path gz = make_workflow_release(dir / "work", "a.tar.gz", contract_libraries());
    std::string bytes = read_file(gz);
    fs::create_directories(dir / "out");
    install::Unpacker unpacker(archive::Codec::gzip, dir / "out", {});
    // Half of a different archive first, then a restart and the real one.
    std::string other =
        read_file(make_workflow_release(dir / "w2", "b.tar.gz", sized_libraries(64u << 10)));
    unpacker.bytes(other.data(), other.size() / 2);
    unpacker.restart();
    unpacker.bytes(bytes.data(), bytes.size());
    auto outcome = unpacker.finish();
    ASSERT_TRUE(outcome.files.has_value()) << outcome.files.error().message;
    auto expected = summary(dir / "simple", simple_extract(gz, dir / "simple"));
    EXPECT_EQ(summary(dir / "out", *outcome.files), expected);
    EXPECT_EQ(contents(dir / "out"), contents(dir / "simple"));
}

namespace {

// A release on the fake GitHub whose archive is big enough to be resumed.
struct Published {
    ReleaseFixture f;
    std::map<std::string, std::pair<std::string, std::uint64_t>> expected;
    std::map<std::string, std::string> expected_bytes;

    // `zstd`: publish the .tar.zst made from the same tar instead of the .tar.gz.
    explicit Published(bool zstd, std::size_t lib_size = 400u << 10) {
        f.libs = sized_libraries(lib_size);
        fs::remove_all(f.dir / "work");
        fs::path archive = make_workflow_release(f.dir / "work", f.archive_name, f.libs);
        if (zstd) {
            f.archive_name = "temporal-static-libs-linux-x64-v1.0.2.tar.zst";
            fs::path zst = f.dir / "work" / f.archive_name;
            shell("gzip -dc '" + archive.string() + "' | zstd -q -3 -o '" + zst.string() + "'");
            archive = zst;
            f.checksum_text = util::sha256_hex(read_file(zst)) + "  " + f.archive_name + "\n";
        } else {
            f.checksum_text = read_file(archive.string() + ".sha256");
        }
        f.archive_bytes = read_file(archive);
        auto files = simple_extract(archive, f.dir / "simple");
        expected = summary(f.dir / "simple", files);
        expected_bytes = contents(f.dir / "simple");
    }

    ProcessResult download() {
        return f.run({"-v", "download", "--version", f.version, "--platform", f.platform});
    }

    // The installed entry holds exactly the simple path's files, and its record
    // lists the same per-file digests.
    void expect_same_as_simple_path() {
        auto files = contents(f.entry());
        files.erase(".temporal-libs-entry.json");
        EXPECT_EQ(files, expected_bytes);
        json record = json::parse(read_file(f.entry() / ".temporal-libs-entry.json"));
        std::map<std::string, std::pair<std::string, std::uint64_t>> listed;
        for (const auto& file : record["files"]) {
            listed[file["path"]] = {file["sha256"], file["size"]};
        }
        EXPECT_EQ(listed, expected);
        EXPECT_EQ(record["archive"]["sha256"], util::sha256_hex(f.archive_bytes));
    }

    // No entry, no staging directory, no kept or partial archive.
    void expect_nothing_installed() {
        EXPECT_FALSE(fs::exists(f.entry()));
        std::error_code ec;
        for (const auto& e : fs::recursive_directory_iterator(f.cache(), ec)) {
            // The cache's own markers (CACHEDIR.TAG, .gitignore) are not an install.
            EXPECT_FALSE(e.is_regular_file() && e.path().filename() != ".stats.json" &&
                         e.path().filename() != "CACHEDIR.TAG" &&
                         e.path().filename() != ".gitignore" && e.path().extension() != ".lock")
                << "left behind: " << e.path();
            EXPECT_FALSE(contains(e.path().filename().string(), ".staging-")) << e.path();
        }
    }
};

}  // namespace

TEST(PipelineInstall, ReleaseWithBothFormatsIsDownloadedAsZstd) {
    // A release may carry the contract's .tar.gz and a .tar.zst of the same
    // tar: the client takes the zstd one, and installs the same files.
    Published p(false);
    const std::string zst_name = "temporal-static-libs-linux-x64-v1.0.2.tar.zst";
    fs::path gz = p.f.dir / "work" / p.f.archive_name;
    fs::path zst = p.f.dir / "work" / zst_name;
    shell("gzip -dc '" + gz.string() + "' | zstd -q -3 -o '" + zst.string() + "'");
    FakeRelease r;
    r.tag = p.f.tag;
    r.name = p.f.tag;
    for (const auto& [name, bytes] : std::map<std::string, std::string>{
             {p.f.archive_name, p.f.archive_bytes}, {zst_name, read_file(zst)}}) {
        FakeAsset a;
        a.name = name;
        a.content = bytes;
        r.assets.push_back(a);
        FakeAsset sum;
        sum.name = name + ".sha256";
        sum.content = util::sha256_hex(bytes) + "  " + name + "\n";
        r.assets.push_back(sum);
    }
    p.f.github.add_release(r);
    auto out =
        p.f.run({"download", "--version", p.f.version, "--platform", p.f.platform, "--json"});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    json j = json::parse(out.out);
    EXPECT_EQ(j["archive"], zst_name);
    auto files = contents(p.f.entry());
    files.erase(".temporal-libs-entry.json");
    EXPECT_EQ(files, p.expected_bytes);
}

TEST(PipelineInstall, GzipAndZstdInstallTheSameFilesAsTheSimplePath) {
    for (bool zstd : {false, true}) {
        Published p(zstd);
        p.f.publish();
        auto r = p.download();
        ASSERT_EQ(r.exit_code, 0) << r.err;
        p.expect_same_as_simple_path();
        EXPECT_EQ(p.f.archive_downloads(), 1u);
        // A reinstall streams the kept archive through the same pipeline.
        fs::remove_all(p.f.entry());
        auto again = p.download();
        ASSERT_EQ(again.exit_code, 0) << again.err;
        EXPECT_TRUE(contains(again.err, "using kept archive")) << again.err;
        EXPECT_EQ(p.f.archive_downloads(), 1u);
        p.expect_same_as_simple_path();
    }
}

TEST(PipelineInstall, DroppedConnectionResumesIntoTheSamePipeline) {
    for (bool zstd : {false, true}) {
        Published p(zstd);
        p.f.publish();
        p.f.github.drop_next_download_at(p.f.archive_bytes.size() / 2);
        auto r = p.download();
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_TRUE(contains(r.err, "resuming at")) << r.err;
        p.expect_same_as_simple_path();
        bool ranged = false;
        for (const auto& req : p.f.github.requests(FakeServer::storage)) {
            auto it = req.headers.find("range");
            ranged |= it != req.headers.end();
        }
        EXPECT_TRUE(ranged) << "the second request must resume with Range";
    }
}

TEST(PipelineInstall, PartialFileFromAKilledRunIsReplayedThenResumed) {
    for (bool zstd : {false, true}) {
        Published p(zstd, 1u << 20);
        p.f.publish();
        const std::uint64_t size = p.f.archive_bytes.size();
        p.f.github.set_storage_rate(size);  // about a second
        int pid = p.f.spawn({"download", "--version", p.f.version, "--platform", p.f.platform},
                            p.f.dir / "killed.log");
        auto deadline = std::chrono::steady_clock::now() + 20s;
        while (p.f.github.storage_bytes_sent() < size / 2 &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(1ms);
        }
        ::kill(pid, SIGKILL);
        wait_process(pid);
        p.f.github.set_storage_rate(0);
        auto r = p.download();
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_TRUE(contains(r.err, "resuming " + util::quoted(p.f.archive_name) + " at")) << r.err;
        p.expect_same_as_simple_path();
    }
}

TEST(PipelineInstall, ServerIgnoringRangeRestartsTheStagingCleanly) {
    Published p(false);
    p.f.publish();
    p.f.github.set_ignore_range(true);
    p.f.github.drop_next_download_at(p.f.archive_bytes.size() / 2);
    auto r = p.download();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    p.expect_same_as_simple_path();
}

TEST(PipelineInstall, CorruptedByteAnywhereLeavesNothingInstalled) {
    for (double at : {0.0, 0.5, -8.0, -1.0}) {
        Published p(false);
        const std::string good = p.f.archive_bytes;
        const std::size_t n = good.size();
        // A fraction of the size, or an offset from the end: the CRC-32 starts 8 bytes before it.
        const std::size_t pos = at >= 0 ? static_cast<std::size_t>(at * static_cast<double>(n))
                                        : n - static_cast<std::size_t>(-at);
        p.f.archive_digest_override = "sha256:" + util::sha256_hex(good);
        p.f.archive_bytes[pos] ^= 0x01;
        p.f.publish();
        auto r = p.download();
        EXPECT_EQ(r.exit_code, 5) << "byte " << pos << ": " << r.err;
        EXPECT_TRUE(contains(r.err, "checksum mismatch for '" + p.f.archive_name + "'")) << r.err;
        EXPECT_TRUE(contains(r.err, "nothing was installed")) << r.err;
        EXPECT_EQ(p.f.archive_downloads(), 2u);
        p.expect_nothing_installed();
    }
}

TEST(PipelineInstall, CorruptedByteWithChecksumsOffIsReportedAsDamage) {
    Published p(false);
    p.f.archive_bytes[p.f.archive_bytes.size() - 6] ^= 0x01;  // in the CRC-32
    p.f.publish();
    auto r = p.f.run({"download", "--version", p.f.version, "--platform", p.f.platform},
                     {{"TEMPORAL_LIBS_VERIFY_CHECKSUMS", "false"}});
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "damaged")) << r.err;
    p.expect_nothing_installed();
}

TEST(PipelineInstall, GzipPaddedWithZerosInstalls) {
    // Some tools pad gzip output with zeros (gzip -d accepts it too).
    Published p(false);
    p.f.archive_bytes += std::string(1024, '\0');
    p.f.checksum_text = util::sha256_hex(p.f.archive_bytes) + "  " + p.f.archive_name + "\n";
    p.f.publish();
    auto r = p.download();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    p.expect_same_as_simple_path();
}

TEST(PipelineInstall, MemoryStaysFlatForALargeArchive) {
    // Peak RSS of the tool for a small archive and for one of ~48 MiB: the
    // pipeline holds a few MiB whatever the size.
    // Measured by a small python parent: a child forked straight from this
    // (large) test process would count the test's own pages as its peak.
    auto peak_rss_kib = [](Published& p) {
        p.f.publish();
        auto r = run_process(
            {"python3", "-c",
             "import resource, subprocess, sys\n"
             "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
             "sys.exit(rc)",
             tool_path(), "-q", "download", "--version", p.f.version, "--platform", p.f.platform},
            {{"TEMPORAL_LIBS_API_URL", p.f.github.api_url()},
             {"TEMPORAL_LIBS_CACHE_DIR", p.f.cache().string()},
             {"GITHUB_TOKEN", ""},
             {"GH_TOKEN", ""},
             {"XDG_CONFIG_HOME", (p.f.dir / "xdg").string()}});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_TRUE(fs::exists(p.f.entry()));
        return std::stol(r.out);
    };
    Published small(false, 64u << 10);
    long small_rss = peak_rss_kib(small);
    Published large(false, 8u << 20);
    ASSERT_GT(large.f.archive_bytes.size(), 20u << 20);
    long large_rss = peak_rss_kib(large);
    std::printf("peak RSS: %ld KiB (small), %ld KiB (%zu MiB archive)\n", small_rss, large_rss,
                large.f.archive_bytes.size() >> 20);
    // Holding the archive (or a library) in memory would add 20 MiB or more.
    EXPECT_LT(large_rss, small_rss + 12 * 1024);
}
