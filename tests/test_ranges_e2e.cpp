// Parallel ranged downloads end to end: the real temporal-libs binary against
// the fake GitHub, whose storage host serves ranges (and misbehaves on demand).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/release_fixture.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// A release whose archive is about `lib_size` bytes of incompressible data:
// large enough to be fetched in ranges.
struct LargeRelease : ReleaseFixture {
    explicit LargeRelease(std::size_t lib_size = 24u << 20) {
        publish_incompressible(lib_size, 0x9E3779B97F4A7C15ull);
        // Slower than k_single_stream_rate per connection, like a CDN's cap:
        // one fast connection on loopback would not be split.
        github.set_storage_rate(64u << 20, Pacing::per_download);
    }
    std::vector<std::string> args(std::vector<std::string> extra = {}) const {
        return download_command(std::move(extra));
    }
    void expect_installed(const fs::path& entry_dir) const { expect_libraries_in(entry_dir); }
    fs::path partial() const { return cache() / ".partial" / (archive_name + ".part"); }
};

}  // namespace

TEST(RangesEndToEnd, FourConnectionsInstallTheSameBytesAsOne) {
    LargeRelease f;
    ASSERT_GE(f.archive_bytes.size(), 16u << 20);
    auto r = f.run(f.args({"--json"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["archive_sha256"], util::sha256_hex(f.archive_bytes));
    f.expect_installed(f.entry());
    EXPECT_EQ(f.github.ranged_requests(), 4);
    EXPECT_GE(f.github.peak_concurrent_downloads(), 2);
    // Each byte once (the checksum file is the rest).
    EXPECT_EQ(f.github.storage_bytes_sent(), f.archive_bytes.size() + f.checksum_text.size());
    // One progress line for the whole file, not one per connection.
    EXPECT_EQ(r.err.find("range"), std::string::npos) << r.err;

    // --connections 1: one stream, no Range, the same installed bytes.
    f.github.clear_requests();
    const fs::path other = f.dir / "cache1";
    auto one = f.run(f.args({"--connections", "1", "--cache-dir", other.string(), "--json"}));
    ASSERT_EQ(one.exit_code, 0) << one.err;
    EXPECT_EQ(f.github.ranged_requests(), 4) << "--connections 1 sent a Range";
    for (const auto& [name, content] : f.libs) {
        const std::string file = "lib" + name + ".a";
        EXPECT_EQ(read_file(f.entry() / file), read_file(other / f.tag / f.platform / file));
    }
    // So does the environment variable.
    auto env = f.run(f.args({"--cache-dir", (f.dir / "cache2").string()}),
                     {{"TEMPORAL_LIBS_CONNECTIONS", "1"}});
    ASSERT_EQ(env.exit_code, 0) << env.err;
    EXPECT_EQ(f.github.ranged_requests(), 4);
}

TEST(RangesEndToEnd, BadConnectionsValueIsAUsageError) {
    ReleaseFixture f;
    f.publish();
    for (const char* bad : {"0", "17", "four"}) {
        auto r = f.run(
            {"download", "--version", f.version, "--platform", f.platform, "--connections", bad});
        EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
        EXPECT_NE(r.err.find("'connections' must be a whole number from 1 to 16"),
                  std::string::npos)
            << r.err;
    }
    auto help = f.run({"download", "--help"});
    EXPECT_NE(help.out.find("--connections"), std::string::npos);
}

TEST(RangesEndToEnd, OneDropInEachRangeRefetchesOnlyTheRest) {
    LargeRelease f;
    f.github.drop_each_range_at(1u << 20);
    auto r = f.run(f.args());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    f.expect_installed(f.entry());
    EXPECT_EQ(f.github.ranged_requests(), 8) << "each of 4 ranges once, then its rest once";
    const double served = static_cast<double>(f.github.storage_bytes_sent());
    EXPECT_LE(served, 1.05 * static_cast<double>(f.archive_bytes.size()));
    EXPECT_NE(r.err.find("resuming that range"), std::string::npos) << r.err;
}

TEST(RangesEndToEnd, ServerIgnoringRangesMidwayStillInstalls) {
    LargeRelease f;
    f.github.ignore_range_after(2);
    auto r = f.run(f.args());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    f.expect_installed(f.entry());
    EXPECT_NE(r.err.find("over one connection"), std::string::npos) << r.err;
}

TEST(RangesEndToEnd, ValidatorChangeBetweenRangesStartsOver) {
    LargeRelease f;
    f.github.set_first_range_rate(16u << 20);
    // The checksum file, then the first range; the other ranges see new validators.
    f.github.change_validators_after(2);
    auto r = f.run(f.args({"--json"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    f.expect_installed(f.entry());
    EXPECT_NE(r.err.find("changed on the server"), std::string::npos) << r.err;
    EXPECT_EQ(json::parse(r.out)["archive_sha256"], util::sha256_hex(f.archive_bytes));
}

TEST(RangesEndToEnd, KilledParallelRunResumesEachRange) {
    LargeRelease f;
    const std::uint64_t size = f.archive_bytes.size();
    f.github.set_storage_rate(3u << 20, Pacing::per_download);  // ~2 s per range
    int pid = f.spawn(f.args(), f.dir / "killed.log");
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (f.github.storage_bytes_sent() < size / 3 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    // Past a progress save (once a second), then killed.
    std::this_thread::sleep_for(1200ms);
    ::kill(pid, SIGKILL);
    EXPECT_EQ(wait_process(pid), 128 + SIGKILL);
    const std::uint64_t first = f.github.storage_bytes_sent();
    ASSERT_LT(first, size) << "the first run finished before it could be killed";
    json meta = json::parse(read_file(f.partial().string() + ".json"));
    ASSERT_EQ(meta["format"], 2) << meta.dump();
    ASSERT_EQ(meta["ranges"].size(), 4u) << meta.dump();
    std::uint64_t recorded = 0;
    int started = 0;
    for (const auto& range : meta["ranges"]) {
        recorded += range[2].get<std::uint64_t>();
        started += range[2].get<std::uint64_t>() > 0 ? 1 : 0;
    }
    EXPECT_EQ(started, 4) << meta.dump();
    EXPECT_LE(recorded, first);

    f.github.set_storage_rate(0);
    f.github.clear_requests();
    auto r = f.run(f.args());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("in 4 ranges"), std::string::npos) << r.err;
    f.expect_installed(f.entry());
    // Only what the saved ranges lacked came again.
    EXPECT_EQ(f.github.storage_bytes_sent() - first, size - recorded + f.checksum_text.size());
    for (const auto& req : f.github.requests(FakeServer::storage)) {
        if (req.method == "GET" && req.headers.count("range") > 0) {
            auto it = req.headers.find("if-range");
            EXPECT_NE(it, req.headers.end()) << "a resumed range without If-Range";
        }
    }
}

TEST(RangesEndToEnd, OneConnectionResumesTheContiguousPrefixOfARangedPartial) {
    LargeRelease f;
    const std::uint64_t size = f.archive_bytes.size();
    f.github.set_storage_rate(3u << 20, Pacing::per_download);
    int pid = f.spawn(f.args(), f.dir / "killed.log");
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (f.github.storage_bytes_sent() < size / 4 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    std::this_thread::sleep_for(1200ms);
    ::kill(pid, SIGKILL);
    wait_process(pid);
    ASSERT_TRUE(fs::exists(f.partial()));
    f.github.set_storage_rate(0);
    auto r = f.run(f.args({"--connections", "1"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("resuming '" + f.archive_name + "' at"), std::string::npos) << r.err;
    f.expect_installed(f.entry());
}

TEST(RangesEndToEnd, MemoryStaysBoundedWithASlowFirstRange) {
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer's shadow memory and quarantine are most of the figure.
    GTEST_SKIP() << "a resident-set bound means nothing under AddressSanitizer";
#endif
    LargeRelease f(56u << 20);
    // The first range crawls; the three others arrive at once and wait on disk.
    f.github.set_first_range_rate(24u << 20);
    int pid = f.spawn(f.args(), f.dir / "run.log");
    // The tool's own high-water mark: VmHWM starts afresh at exec and only
    // grows, so the last reading is the peak (rusage would count the test
    // process the child was forked from, before its exec).
    std::uint64_t peak_kib = 0;
    int status = 0;
    for (;;) {
        std::string text = read_file("/proc/" + std::to_string(pid) + "/status");
        if (auto at = text.find("VmHWM:"); at != std::string::npos) {
            peak_kib = std::stoull(text.substr(at + 6));
        }
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(f.dir / "run.log");
    f.expect_installed(f.entry());
    EXPECT_EQ(f.github.peak_concurrent_downloads(), 4);
    EXPECT_GT(peak_kib, 0u);
    EXPECT_LT(peak_kib, 64u * 1024) << "peak RSS " << peak_kib << " KiB";
}
