// The cache shared by many processes: locking, crash safety, management commands.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/release_fixture.hpp"
#include "tl/cache/cache.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// Either no entry, or a complete one whose files all match their record.
void expect_no_entry_or_complete(const ReleaseFixture& f) {
    cache::Cache c(f.cache());
    auto l = c.lookup(f.tag, f.platform, cache::Verify::full);
    EXPECT_TRUE(l.state == cache::Lookup::State::absent || l.state == cache::Lookup::State::ok)
        << l.problem;
    if (l.state == cache::Lookup::State::ok) {
        for (const auto& [name, content] : f.libs) {
            EXPECT_EQ(read_file(f.entry() / ("lib" + name + ".a")), content);
        }
    }
}

}  // namespace

TEST(CacheCli, SigkillAtTwentyPointsNeverLeavesAHalfEntry) {
    // Large libraries and a paced server spread one run over about a second:
    // the kill points fall in the download, verification, extraction and install.
    ReleaseFixture f;
    std::string big(6u << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>((i * 2654435761u) >> 13);
    }
    for (auto& [name, content] : f.libs) {
        content = make_static_library(f.platform, big + name);
    }
    fs::remove_all(f.dir / "work");
    fs::path archive = make_workflow_release(f.dir / "work", f.archive_name, f.libs);
    f.archive_bytes = read_file(archive);
    f.checksum_text = read_file(archive.string() + ".sha256");
    f.publish();
    f.github.set_storage_rate(f.archive_bytes.size() * 2);  // half a second of transfer

    // Kill points chosen by what the run has reached, not by wall time, so they
    // land in every phase on any machine: part-way through the download (by bytes
    // served), right after verification (the "verified" line), during extraction
    // (a staging directory exists) and around install (the entry appears).
    std::uint64_t size = f.archive_bytes.size();
    struct Point {
        std::string phase;
        std::function<bool(const fs::path& log)> reached;
        std::chrono::milliseconds delay;
    };
    auto staging_exists = [&](const fs::path&) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(f.cache() / f.tag, ec)) {
            if (e.path().filename().string().rfind(".staging-", 0) == 0) {
                return true;
            }
        }
        return false;
    };
    std::vector<Point> points;
    for (int i = 1; i <= 8; ++i) {
        points.push_back({"download",
                          [&, i](const fs::path&) {
                              return f.github.storage_bytes_sent() >= size * i / 9 + 100;
                          },
                          0ms});
    }
    for (int ms : {0, 3, 8, 15}) {
        points.push_back({"verified",
                          [](const fs::path& log) { return contains(read_file(log), "verified"); },
                          std::chrono::milliseconds(ms)});
    }
    for (int ms : {0, 2, 5, 10, 20}) {
        points.push_back({"extract", staging_exists, std::chrono::milliseconds(ms)});
    }
    for (int ms : {0, 1, 3}) {
        points.push_back({"install", [&](const fs::path&) { return fs::exists(f.entry()); },
                          std::chrono::milliseconds(ms)});
    }
    ASSERT_GE(points.size(), 20u);
    std::map<std::string, int> killed_in;
    for (std::size_t i = 0; i < points.size(); ++i) {
        fs::remove_all(f.cache());
        f.github.clear_requests();
        fs::path log = f.dir / ("kill-" + std::to_string(i) + ".log");
        std::uint64_t before = f.github.storage_bytes_sent();
        int pid = f.spawn({"download", "--version", f.version, "--platform", f.platform}, log);
        auto deadline = std::chrono::steady_clock::now() + 20s;
        auto reached = [&] {
            if (points[i].phase == "download") {
                return f.github.storage_bytes_sent() - before >= size * (i + 1) / 9;
            }
            return points[i].reached(log);
        };
        while (!reached() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::microseconds(300));
        }
        std::this_thread::sleep_for(points[i].delay);
        ::kill(pid, SIGKILL);
        int status = wait_process(pid);
        if (status == 128 + SIGKILL) {
            ++killed_in[points[i].phase];
        }
        expect_no_entry_or_complete(f);
        auto again = f.run({"download", "--version", f.version, "--platform", f.platform});
        ASSERT_EQ(again.exit_code, 0) << "after kill " << i << ": " << again.err;
        EXPECT_EQ(cache::Cache(f.cache()).lookup(f.tag, f.platform, cache::Verify::full).state,
                  cache::Lookup::State::ok);
        // No staging or moved-aside directory survives the next run.
        for (const auto& e : fs::directory_iterator(f.cache() / f.tag)) {
            EXPECT_EQ(e.path().filename(), f.platform) << e.path();
        }
    }
    for (const auto& [phase, n] : killed_in) {
        std::printf("killed during %s: %d\n", phase.c_str(), n);
    }
    EXPECT_GE(killed_in["download"], 6);
    EXPECT_GE(killed_in["verified"] + killed_in["extract"] + killed_in["install"], 6)
        << "too few kills landed after the download";
}

TEST(CacheCli, EightProcessesAtOnceDownloadOnce) {
    ReleaseFixture f;
    f.publish();
    f.github.set_storage_rate(f.archive_bytes.size() * 4);  // keep the download open a while
    std::vector<int> pids;
    for (int i = 0; i < 8; ++i) {
        pids.push_back(f.spawn({"download", "--version", f.version, "--platform", f.platform},
                               f.dir / ("p" + std::to_string(i) + ".log")));
    }
    int waited = 0;
    for (std::size_t i = 0; i < pids.size(); ++i) {
        EXPECT_EQ(wait_process(pids[i]), 0)
            << read_file(f.dir / ("p" + std::to_string(i) + ".log"));
        waited +=
            contains(read_file(f.dir / ("p" + std::to_string(i) + ".log")), "waiting for another")
                ? 1
                : 0;
    }
    EXPECT_EQ(f.archive_downloads(), 1u);
    EXPECT_GE(waited, 1) << "a waiting process should say so";
    expect_no_entry_or_complete(f);
}

TEST(CacheCli, ListVerifyAndStatistics) {
    ReleaseFixture f;
    f.publish();
    auto args =
        std::vector<std::string>{"download", "--version", f.version, "--platform", f.platform};
    ASSERT_EQ(f.run(args).exit_code, 0);
    for (int i = 0; i < 9; ++i) {
        ASSERT_EQ(f.run(args).exit_code, 0);
    }
    auto list = f.run({"cache", "list", "--json"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    json j = json::parse(list.out);
    ASSERT_EQ(j["entries"].size(), 1u);
    EXPECT_EQ(j["entries"][0]["state"], "ok");
    EXPECT_EQ(j["entries"][0]["latest"], true);
    EXPECT_GT(j["entries"][0]["last_used"].get<std::int64_t>(), 0);
    EXPECT_EQ(j["stats"]["hits"], 9);
    EXPECT_EQ(j["stats"]["misses"], 1);
    EXPECT_EQ(j["stats"]["downloads"], 1);
    EXPECT_DOUBLE_EQ(j["stats"]["hit_rate"].get<double>(), 0.9);
    auto text = f.run({"cache", "list"});
    EXPECT_TRUE(contains(text.out, "hit rate 90.0%")) << text.out;

    EXPECT_EQ(f.run({"cache", "verify", "--full"}).exit_code, 0);
    // Same size, same mtime, one byte different: only --full sees it.
    fs::path lib = f.entry() / "libtemporalio_client.a";
    auto mtime = fs::last_write_time(lib);
    std::string bytes = read_file(lib);
    bytes[5] ^= 0x20;
    {
        std::FILE* out = std::fopen(lib.c_str(), "r+b");
        std::fwrite(bytes.data(), 1, bytes.size(), out);
        std::fclose(out);
    }
    fs::last_write_time(lib, mtime);
    EXPECT_EQ(f.run({"cache", "verify"}).exit_code, 0);
    auto bad = f.run({"cache", "verify", "--full"});
    EXPECT_EQ(bad.exit_code, 7);
    EXPECT_TRUE(contains(bad.out, "libtemporalio_client.a' does not match its recorded SHA-256"))
        << bad.out;
    // download --verify full replaces the tampered entry (from the kept archive).
    auto fixed =
        f.run({"download", "--version", f.version, "--platform", f.platform, "--verify", "full"});
    ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
    EXPECT_EQ(read_file(lib), f.libs["temporalio_client"]);
}

TEST(CacheCli, PruneAndClearKeepOthersAndLatest) {
    ReleaseFixture f;
    f.publish();
    f.publish_version("v1.1.0");
    f.publish_version("v1.2.0");
    for (const char* v : {"v1.0.2", "v1.1.0", "v1.2.0"}) {
        ASSERT_EQ(f.run({"download", "--version", v, "--platform", f.platform}).exit_code, 0);
    }
    // The first install created the link; only update moves it (to v1.2.0, the highest).
    EXPECT_EQ(fs::read_symlink(f.cache() / "latest"), "temporal-libs-v1.0.2");
    ASSERT_EQ(f.run({"update", "--platform", f.platform}).exit_code, 0);
    EXPECT_EQ(fs::read_symlink(f.cache() / "latest"), "temporal-libs-v1.2.0");

    auto dry = f.run({"cache", "prune", "--keep", "1", "--dry-run"});
    ASSERT_EQ(dry.exit_code, 0) << dry.err;
    EXPECT_TRUE(contains(dry.out, "would remove temporal-libs-v1.1.0 linux-x64")) << dry.out;
    EXPECT_TRUE(fs::exists(f.cache() / "temporal-libs-v1.1.0/linux-x64"));
    EXPECT_TRUE(fs::exists(f.cache() / "temporal-libs-v1.0.2/linux-x64"));

    auto pruned = f.run({"cache", "prune", "--keep", "2"});
    ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
    EXPECT_FALSE(fs::exists(f.cache() / "temporal-libs-v1.0.2"));
    EXPECT_TRUE(fs::exists(f.cache() / "temporal-libs-v1.1.0/linux-x64/libtemporalio_sdk.a"));
    EXPECT_TRUE(fs::exists(f.cache() / "temporal-libs-v1.2.0/linux-x64/libtemporalio_sdk.a"));

    auto dry_clear = f.run({"cache", "clear", "--version", "v1.1.0", "--dry-run"});
    EXPECT_EQ(dry_clear.exit_code, 0);
    EXPECT_TRUE(fs::exists(f.cache() / "temporal-libs-v1.1.0/linux-x64"));
    auto cleared = f.run({"cache", "clear", "--version", "v1.1.0"});
    ASSERT_EQ(cleared.exit_code, 0) << cleared.err;
    EXPECT_FALSE(fs::exists(f.cache() / "temporal-libs-v1.1.0"));
    EXPECT_EQ(fs::read_symlink(f.cache() / "latest"), "temporal-libs-v1.2.0");
    EXPECT_EQ(read_file(f.cache() / "temporal-libs-v1.2.0/linux-x64/libtemporalio_sdk.a"),
              contract_libraries("v1.2.0")["temporalio_sdk"]);

    // Prune never removes what latest points at, even with --keep 1 of an older set.
    auto keep = f.run({"cache", "prune", "--older-than", "0s"});
    ASSERT_EQ(keep.exit_code, 0) << keep.err;
    EXPECT_TRUE(contains(keep.out, "keeping temporal-libs-v1.2.0 linux-x64 (latest points at it)"))
        << keep.out;
    EXPECT_TRUE(fs::exists(f.cache() / "temporal-libs-v1.2.0/linux-x64"));

    EXPECT_EQ(f.run({"cache", "clear"}).exit_code, 2);
    auto all = f.run({"cache", "clear", "--all"});
    ASSERT_EQ(all.exit_code, 0) << all.err;
    EXPECT_FALSE(fs::exists(f.cache() / "temporal-libs-v1.2.0"));
    EXPECT_FALSE(fs::exists(f.cache() / "latest"));
}

TEST(CacheCli, ClearSkipsEntriesInUse) {
    ReleaseFixture f;
    f.publish();
    ASSERT_EQ(f.run({"download", "--version", f.version, "--platform", f.platform}).exit_code, 0);
    cache::Cache c(f.cache());
    auto lock = c.lock_entry(f.tag, f.platform, nullptr);
    ASSERT_TRUE(lock.has_value());
    auto r = f.run({"cache", "clear", "--all"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "in use by another process")) << r.err;
    EXPECT_TRUE(fs::exists(f.entry()));
}

TEST(CacheCli, PathForScriptsAndUpdate) {
    ReleaseFixture f;
    f.publish();
    auto missing = f.run({"cache", "path", "--version", f.version, "--platform", f.platform});
    EXPECT_EQ(missing.exit_code, 3);
    EXPECT_TRUE(contains(missing.err, "is not installed")) << missing.err;
    ASSERT_EQ(f.run({"download", "--version", f.version, "--platform", f.platform}).exit_code, 0);
    auto p = f.run({"cache", "path", "--version", f.version, "--platform", f.platform});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    EXPECT_EQ(p.out, f.entry().string() + "\n");

    f.publish_version("v1.3.0");
    auto up = f.run({"update", "--platform", f.platform});
    ASSERT_EQ(up.exit_code, 0) << up.err;
    EXPECT_TRUE(contains(up.err, "updated 'temporal-libs-v1.0.2' to 'temporal-libs-v1.3.0'"))
        << up.err;
    EXPECT_EQ(fs::read_symlink(f.cache() / "latest"), "temporal-libs-v1.3.0");
    auto latest = f.run({"cache", "path", "--version", "latest", "--platform", f.platform});
    EXPECT_EQ(latest.out, (f.cache() / "temporal-libs-v1.3.0" / f.platform).string() + "\n");
    auto again = f.run({"update", "--platform", f.platform});
    EXPECT_TRUE(contains(again.err, "already at the newest release")) << again.err;
}

TEST(CacheCli, ForceRedownloads) {
    ReleaseFixture f;
    f.publish();
    ASSERT_EQ(f.run({"download", "--version", f.version, "--platform", f.platform}).exit_code, 0);
    fs::remove_all(f.cache() / ".archives");
    auto r = f.run({"download", "--version", f.version, "--platform", f.platform, "--force"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(f.archive_downloads(), 2u);
}
