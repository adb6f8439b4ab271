// Network resilience end to end: faults injected by the fake GitHub server.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support/release_fixture.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;
using namespace std::chrono_literals;

namespace {

// A release whose archive is `size` bytes of incompressible data, so offsets
// into the body are meaningful.
struct BigRelease : ReleaseFixture {
    explicit BigRelease(std::size_t lib_size = 4u << 20) {
        publish_incompressible(lib_size, 88172645463325252ull);
    }
    std::vector<std::string> args(std::vector<std::string> extra = {}) const {
        return download_command(std::move(extra));
    }
    void expect_installed() const { expect_libraries_in(entry()); }
};

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST(Resilience, BurstsOf503OnApiAndStorageThenSuccess) {
    BigRelease f(1u << 20);
    f.github.fail_next(FakeServer::api, 3, 503);
    f.github.fail_next(FakeServer::storage, 2, 502);
    auto r = f.run(f.args());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    f.expect_installed();
    EXPECT_TRUE(contains(r.err, "HTTP 503; retrying in")) << r.err;
    EXPECT_TRUE(contains(r.err, "HTTP 502")) << r.err;
}

TEST(Resilience, PersistentServerErrorsGiveUpWithCount) {
    BigRelease f(1u << 16);
    f.github.fail_next(FakeServer::api, 50, 500);
    auto r = f.run(f.args({"--retries", "3"}));
    EXPECT_EQ(r.exit_code, 4);
    EXPECT_TRUE(contains(r.err, "failed: HTTP 500 after 3 attempts")) << r.err;
}

TEST(Resilience, DropsMidBodyResumeAndTransferLittleExtra) {
    for (double at : {0.1, 0.5, 0.9}) {
        BigRelease f;
        std::uint64_t size = f.archive_bytes.size();
        f.github.drop_next_download_at(static_cast<std::uint64_t>(at * static_cast<double>(size)));
        auto r = f.run(f.args());
        ASSERT_EQ(r.exit_code, 0) << r.err;
        f.expect_installed();
        EXPECT_TRUE(contains(r.err, "resuming at")) << r.err;
        EXPECT_LT(static_cast<double>(f.github.storage_bytes_sent()),
                  1.05 * static_cast<double>(size))
            << "drop at " << at;
    }
    BigRelease many;
    std::uint64_t size = many.archive_bytes.size();
    for (int i = 1; i <= 4; ++i) {
        many.github.drop_next_download_at(size * static_cast<std::uint64_t>(i) / 5);
    }
    auto r = many.run(many.args());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    many.expect_installed();
}

TEST(Resilience, PrimaryRateLimitsAreWaitedOut) {
    for (int status : {403, 429}) {
        BigRelease f(1u << 16);
        f.github.rate_limit_next(1, status, 2s);
        auto start = std::chrono::steady_clock::now();
        auto r = f.run(f.args());
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_GE(seconds_since(start), 1.0);
        EXPECT_TRUE(contains(
            r.err, "GitHub rate limit: rate limit exhausted (HTTP " + std::to_string(status) + ")"))
            << r.err;
    }
}

TEST(Resilience, SecondaryRateLimitHonoursRetryAfter) {
    BigRelease f(1u << 16);
    f.github.secondary_rate_limit_next(1, 403, 1s);
    auto start = std::chrono::steady_clock::now();
    auto r = f.run(f.args());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GE(seconds_since(start), 0.9);
    EXPECT_TRUE(contains(r.err, "secondary rate limit")) << r.err;
}

TEST(Resilience, RateLimitBeyondMaxWaitFailsAtOnceWithAdvice) {
    BigRelease f(1u << 16);
    f.github.rate_limit_next(1, 403, 3600s);
    auto start = std::chrono::steady_clock::now();
    auto r = f.run(f.args());
    EXPECT_LT(seconds_since(start), 1.0);
    EXPECT_EQ(r.exit_code, 4);
    EXPECT_TRUE(contains(r.err, "the limit resets at")) << r.err;
    EXPECT_TRUE(contains(r.err, "UTC")) << r.err;
    EXPECT_TRUE(contains(r.err, "no token was used: set GITHUB_TOKEN")) << r.err;
    f.github.rate_limit_next(1, 403, 3600s);
    auto with_token = f.run(f.args(), {{"GITHUB_TOKEN", "ghp_someTokenValue42"}});
    EXPECT_TRUE(contains(with_token.err, "a token was used")) << with_token.err;
}

TEST(Resilience, StalledBodyIsDroppedAndRetried) {
    BigRelease f(1u << 20);
    f.github.stall_next_download_at(200000, 6000ms);
    auto start = std::chrono::steady_clock::now();
    auto r = f.run(f.args({"--stall-timeout", "1"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    f.expect_installed();
    EXPECT_LT(seconds_since(start), 5.0) << "the stall should be cut after about a second";
    EXPECT_TRUE(contains(r.err, "stalled")) << r.err;
}

TEST(Resilience, ServerIgnoringRangeStillGivesTheRightFile) {
    BigRelease f;
    f.github.set_ignore_range(true);
    f.github.drop_next_download_at(f.archive_bytes.size() / 2);
    auto r = f.run(f.args());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    f.expect_installed();
}

TEST(Resilience, Answer416StillGivesTheRightFile) {
    BigRelease f;
    f.github.drop_next_download_at(f.archive_bytes.size() / 2);
    f.github.answer_416_next(1);
    auto r = f.run(f.args());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    f.expect_installed();
    EXPECT_TRUE(contains(r.err, "HTTP 416")) << r.err;
}

TEST(Resilience, RefusedStorageUrlAsksApiForAFreshOne) {
    BigRelease f(1u << 16);
    f.github.fail_next(FakeServer::storage, 1, 403);
    auto r = f.run(f.args());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "likely expired")) << r.err;
}

TEST(Resilience, KilledRunResumesFromPartialFile) {
    BigRelease f(8u << 20);
    std::uint64_t size = f.archive_bytes.size();
    f.github.set_storage_rate(4u << 20);  // ~2 s for the whole archive
    int pid = f.spawn(f.args(), f.dir / "killed.log");
    // Kill it once part of the archive has arrived.
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (f.github.storage_bytes_sent() < size / 3 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    ::kill(pid, SIGKILL);
    EXPECT_EQ(wait_process(pid), 128 + SIGKILL);
    std::uint64_t first = f.github.storage_bytes_sent();
    ASSERT_LT(first, size) << "the first run finished before it could be killed";
    ASSERT_TRUE(fs::exists(f.cache() / ".partial" / (f.archive_name + ".part")));
    EXPECT_FALSE(fs::exists(f.entry()));
    f.github.set_storage_rate(0);
    auto r = f.run(f.args());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "resuming '" + f.archive_name + "' at")) << r.err;
    f.expect_installed();
    EXPECT_LT(f.github.storage_bytes_sent() - first, size)
        << "the second run re-downloaded everything";
}

TEST(Resilience, PlainHttpToRemoteHostRefused) {
    BigRelease f(1u << 10);
    auto r = f.run(f.args({"--api-url", "http://example.invalid", "--retries", "1"}));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "refusing plain HTTP to 'example.invalid'")) << r.err;
}
