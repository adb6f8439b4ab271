// The parallel range engine (install/ranges.hpp) against a scripted server: a
// fetch callable that answers ranges of an in-memory file with random chunk
// sizes, delays and drops, and the misbehaviours a real server shows.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include "support/test_util.hpp"
#include "tl/install/downloader.hpp"
#include "tl/install/ranges.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::install;
using namespace tl::testing;
using namespace std::chrono_literals;

namespace {

std::string noise(std::size_t size, std::uint64_t seed) {
    std::string out(size, '\0');
    std::mt19937_64 rng(seed);
    for (std::size_t i = 0; i + 8 <= size; i += 8) {
        std::uint64_t x = rng();
        std::memcpy(out.data() + i, &x, 8);
    }
    return out;
}

// Sees the bytes as the installer's decoder would.
class RecordingTap : public ByteTap {
public:
    void bytes(const char* data, std::size_t size) override {
        std::lock_guard lock(m_mutex);
        seen.append(data, size);
    }
    void restart() override {
        std::lock_guard lock(m_mutex);
        seen.clear();
        ++restarts;
    }
    std::string seen;
    int restarts = 0;

private:
    std::mutex m_mutex;
};

// Retries at once, up to a limit of attempts without progress.
class QuickRetry : public RangeRetry {
public:
    explicit QuickRetry(std::atomic<int>& failures, int limit = 50)
        : m_failures(failures), m_limit(limit) {}
    void progressed() override { m_attempt = 0; }
    Result<void> after_failure(const http::SendResult& r, const std::string&) override {
        ++m_failures;
        if (++m_attempt > m_limit) {
            return fail(ErrorKind::network, r ? "HTTP " + std::to_string(r->status)
                                              : "transport: " + r.error().message);
        }
        return {};
    }

private:
    std::atomic<int>& m_failures;
    int m_limit;
    int m_attempt = 0;
};

// One request as the scripted server saw it.
struct Asked {
    std::uint64_t offset = 0;
    std::uint64_t end = 0;
    std::string validator;
};

// A server for one file: answers Range with 206 in random chunks, with faults.
struct ScriptedServer {
    std::string content;
    std::string etag = "\"v1\"";
    // Chance that a request drops after a random part of its body.
    double drop_chance = 0;
    // Random pause between chunks, up to this long.
    std::chrono::microseconds max_delay{0};
    // Requests from this one on (0-based) answer 200 with the whole body.
    int ignore_range_from = -1;
    // Requests from this one on see another ETag.
    int change_etag_from = -1;
    // This request answers a Content-Range that starts elsewhere.
    int wrong_range_at = -1;
    // This request's range is answered 404 (for good).
    std::uint64_t missing_offset = UINT64_MAX;
    // The first range is paced to this many bytes per second (0: not paced).
    std::uint64_t first_range_rate = 0;
    bool weak_etag = false;

    std::mutex mutex;
    std::vector<Asked> asked;
    std::atomic<std::uint64_t> served{0};
    std::atomic<int> in_flight{0};
    std::atomic<int> peak_in_flight{0};
    std::mt19937 rng{12345};

    http::SendResult operator()(std::uint64_t offset, std::uint64_t end,
                                const std::string& validator, http::BodySink& sink) {
        int index = 0;
        std::uint64_t seed = 0;
        {
            std::lock_guard lock(mutex);
            index = static_cast<int>(asked.size());
            asked.push_back({offset, end, validator});
            seed = rng();
        }
        int now = ++in_flight;
        int peak = peak_in_flight.load();
        while (now > peak && !peak_in_flight.compare_exchange_weak(peak, now)) {
        }
        auto r = answer(index, offset, end, validator, sink, seed);
        --in_flight;
        return r;
    }

    http::SendResult answer(int index, std::uint64_t offset, std::uint64_t end,
                            const std::string& validator, http::BodySink& sink,
                            std::uint64_t seed) {
        std::mt19937_64 chunks(seed);
        const std::string current =
            change_etag_from >= 0 && index >= change_etag_from ? "\"v2\"" : etag;
        http::ResponseHead head;
        head.url = "http://storage.test/file";
        head.headers.add("etag", weak_etag ? "W/" + current : current);
        const std::uint64_t size = content.size();
        std::uint64_t first = 0;
        std::uint64_t last = size - 1;
        bool ranged = (offset > 0 || end > 0) &&
                      !(ignore_range_from >= 0 && index >= ignore_range_from) &&
                      (validator.empty() || validator == current);
        if (offset >= missing_offset && missing_offset != UINT64_MAX) {
            head.status = 404;
            sink.on_head(head);
            return http::Response{404, head.headers, head.url, 0};
        }
        if (ranged) {
            first = offset;
            last = end > 0 ? end - 1 : size - 1;
            head.status = 206;
            std::uint64_t shown = index == wrong_range_at ? first + 1 : first;
            head.headers.add("content-range", "bytes " + std::to_string(shown) + "-" +
                                                  std::to_string(last) + "/" +
                                                  std::to_string(size));
        } else {
            head.status = 200;
        }
        auto transport = [&](http::TransportError::Kind kind, std::uint64_t sent) {
            http::TransportError e;
            e.kind = kind;
            e.message = kind == http::TransportError::Kind::aborted ? "aborted" : "dropped";
            e.status = head.status;
            e.body_bytes = sent;
            return util::unexpected(e);
        };
        if (!sink.on_head(head)) {
            return transport(http::TransportError::Kind::aborted, 0);
        }
        const std::uint64_t length = last - first + 1;
        std::uint64_t drop_at = length;
        if (drop_chance > 0 && std::uniform_real_distribution<>(0, 1)(chunks) < drop_chance) {
            drop_at = std::uniform_int_distribution<std::uint64_t>(0, length - 1)(chunks);
        }
        const bool paced = first_range_rate > 0 && first == 0;
        std::uint64_t sent = 0;
        while (sent < length) {
            if (sent >= drop_at) {
                return transport(http::TransportError::Kind::partial, sent);
            }
            std::uint64_t n = std::uniform_int_distribution<std::uint64_t>(1, 256 * 1024)(chunks);
            n = std::min({n, length - sent, drop_at - sent});
            if (max_delay.count() > 0) {
                std::this_thread::sleep_for(std::chrono::microseconds(
                    std::uniform_int_distribution<std::int64_t>(0, max_delay.count())(chunks)));
            }
            if (paced) {
                std::this_thread::sleep_for(
                    std::chrono::microseconds(n * 1'000'000 / first_range_rate));
            }
            served += n;
            if (!sink.on_data(content.data() + first + sent, static_cast<std::size_t>(n))) {
                return transport(http::TransportError::Kind::aborted, sent);
            }
            sent += n;
        }
        return http::Response{head.status, head.headers, head.url, sent};
    }
};

// A partial file and the state download_ranges works with.
struct Harness {
    TestDir dir;
    fs::path path = dir / "file.part";
    util::UniqueFd fd{::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)};
    util::Sha256 hash;
    RecordingTap tap;
    std::atomic<int> failures{0};
    std::mutex saves_mutex;
    std::vector<std::vector<ByteRange>> saves;

    RangedDownload make(ScriptedServer& server, unsigned connections = 4) {
        RangedDownload d;
        d.fd = fd.get();
        d.path = path;
        d.size = server.content.size();
        d.name = "file";
        d.connections = connections;
        d.fetch = [&server](std::uint64_t offset, std::uint64_t end, const std::string& v,
                            http::BodySink& sink) { return server(offset, end, v, sink); };
        d.make_retry = [this] { return std::make_unique<QuickRetry>(failures); };
        d.save = [this](const std::string&, const std::vector<ByteRange>& r) {
            std::lock_guard lock(saves_mutex);
            saves.push_back(r);
        };
        d.save_interval = 20ms;
        d.hash = &hash;
        d.tap = &tap;
        return d;
    }

    std::string file() const { return read_file(path); }
};

}  // namespace

TEST(RangesSplit, CutsIntoAlignedContiguousRanges) {
    auto r = split_ranges(64u << 20, 4);
    ASSERT_EQ(r.size(), 4u);
    EXPECT_TRUE(ranges_valid(r, 64u << 20));
    EXPECT_EQ(r[1].start, 16u << 20);
    // An odd size: the last range is the short one, and the tiling is exact.
    auto odd = split_ranges((40u << 20) + 7, 3);
    ASSERT_EQ(odd.size(), 3u);
    EXPECT_TRUE(ranges_valid(odd, (40u << 20) + 7));
    EXPECT_EQ(odd[0].start % (1u << 20), 0u);
    EXPECT_EQ(odd[1].start % (1u << 20), 0u);
    // Never ranges below the minimum size: fewer connections instead.
    EXPECT_EQ(split_ranges(9u << 20, 8).size(), 2u);
    EXPECT_EQ(split_ranges(1000, 4).size(), 1u);
    EXPECT_EQ(split_ranges(100u << 20, 1).size(), 1u);
    EXPECT_EQ(split_ranges(1u << 30, 64).size(), k_max_connections);
}

TEST(RangesSplit, ContiguousPrefixStopsAtTheFirstGap) {
    std::vector<ByteRange> r = {{0, 10, 10}, {10, 20, 4}, {20, 30, 10}};
    EXPECT_EQ(contiguous_prefix(r), 14u);
    r[1].done = 10;
    EXPECT_EQ(contiguous_prefix(r), 30u);
    r[0].done = 0;
    EXPECT_EQ(contiguous_prefix(r), 0u);
    EXPECT_FALSE(ranges_valid({{0, 10, 11}}, 10));
    EXPECT_FALSE(ranges_valid({{0, 10, 0}, {11, 20, 0}}, 20));
    EXPECT_FALSE(ranges_valid({{0, 10, 0}}, 20));
    EXPECT_FALSE(ranges_valid({}, 0));
}

TEST(RangesSplit, StrongValidatorSkipsWeakETags) {
    http::Headers h;
    h.add("ETag", "W/\"abc\"");
    h.add("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT");
    EXPECT_EQ(strong_validator(h), "Tue, 01 Dec 2026 10:00:00 GMT");
    http::Headers s;
    s.add("ETag", "\"abc\"");
    EXPECT_EQ(strong_validator(s), "\"abc\"");
    http::Headers bad;
    bad.add("ETag", "\"a\r\nX-Evil: 1\"");
    EXPECT_EQ(strong_validator(bad), "");
    EXPECT_EQ(strong_validator(http::Headers{}), "");
}

TEST(RangesEngine, ReassemblesInOrderUnderRandomDelaysAndDrops) {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        ScriptedServer server;
        server.content = noise((20u << 20) + 12345, seed);
        server.rng.seed(static_cast<unsigned>(seed));
        server.drop_chance = 0.5;
        server.max_delay = 300us;
        Harness h;
        auto d = h.make(server);
        auto r = download_ranges(d);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->kind, RangedResult::Kind::complete);
        EXPECT_EQ(r->prefix, server.content.size());
        EXPECT_EQ(r->peak_connections, 4u);
        // The server saw ranges overlap (how many at once depends on the machine's load).
        EXPECT_GE(server.peak_in_flight.load(), 2);
        EXPECT_EQ(h.hash.hex_digest(), util::sha256_hex(server.content)) << "seed " << seed;
        EXPECT_TRUE(h.tap.seen == server.content) << "the tap saw other bytes, seed " << seed;
        EXPECT_EQ(h.tap.restarts, 0);
        EXPECT_TRUE(h.file() == server.content);
        EXPECT_GT(h.failures.load(), 0) << "no drop happened; the test proves nothing";
        // Every byte counted once: what arrived is what the server served.
        EXPECT_EQ(r->received, server.served.load());
        // The first request asks the first range only, without If-Range; later
        // requests carry the validator.
        ASSERT_FALSE(server.asked.empty());
        EXPECT_EQ(server.asked[0].offset, 0u);
        EXPECT_EQ(server.asked[0].end, split_ranges(server.content.size(), 4)[0].end);
        EXPECT_EQ(server.asked[0].validator, "");
        for (std::size_t i = 1; i < server.asked.size(); ++i) {
            EXPECT_EQ(server.asked[i].validator, "\"v1\"");
        }
        // The last save records every range complete.
        ASSERT_FALSE(h.saves.empty());
        for (const auto& range : h.saves.back()) {
            EXPECT_TRUE(range.complete());
        }
    }
}

TEST(RangesEngine, DropResumesOnlyTheRestOfThatRange) {
    ScriptedServer server;
    server.content = noise(32u << 20, 7);
    server.drop_chance = 0.3;
    Harness h;
    auto d = h.make(server);
    auto r = download_ranges(d);
    ASSERT_TRUE(r) << r.error().message;
    auto ranges = split_ranges(server.content.size(), 4);
    // Each request stays inside one range and ends where that range ends.
    for (const auto& a : server.asked) {
        bool inside = false;
        for (const auto& range : ranges) {
            inside |= a.offset >= range.start && a.offset < range.end && a.end == range.end;
        }
        EXPECT_TRUE(inside) << a.offset << "-" << a.end;
    }
    EXPECT_EQ(server.served.load(), server.content.size())
        << "a drop made a range fetch bytes again";
}

TEST(RangesEngine, WholeFileAnswerBecomesOneStream) {
    ScriptedServer server;
    server.content = noise(20u << 20, 9);
    server.ignore_range_from = 0;
    Harness h;
    auto d = h.make(server);
    auto r = download_ranges(d);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->kind, RangedResult::Kind::complete);
    EXPECT_EQ(r->peak_connections, 1u);
    EXPECT_EQ(server.asked.size(), 1u);
    EXPECT_TRUE(h.tap.seen == server.content);
    EXPECT_EQ(h.hash.hex_digest(), util::sha256_hex(server.content));
}

TEST(RangesEngine, ServerIgnoringRangesMidwayFallsBackFromThePrefix) {
    ScriptedServer server;
    server.content = noise(24u << 20, 11);
    server.ignore_range_from = 2;  // the first range and one more are served
    server.max_delay = 200us;
    Harness h;
    auto d = h.make(server);
    auto r = download_ranges(d);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->kind, RangedResult::Kind::fallback);
    EXPECT_FALSE(r->restarted);
    EXPECT_EQ(r->validator, "\"v1\"");
    EXPECT_FALSE(r->reason.empty());
    // The hash and the tap saw exactly the prefix, once.
    EXPECT_EQ(h.tap.seen.size(), r->prefix);
    EXPECT_TRUE(h.tap.seen == server.content.substr(0, r->prefix));
    EXPECT_EQ(h.hash.hex_digest(), util::sha256_hex(server.content.substr(0, r->prefix)));
}

TEST(RangesEngine, ValidatorChangeStartsOverFromScratch) {
    ScriptedServer server;
    server.content = noise(24u << 20, 13);
    server.change_etag_from = 1;  // the first range is of v1, the others see v2
    server.first_range_rate = 32u << 20;
    Harness h;
    auto d = h.make(server);
    auto r = download_ranges(d);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->kind, RangedResult::Kind::fallback);
    EXPECT_TRUE(r->restarted);
    EXPECT_EQ(r->prefix, 0u);
    EXPECT_EQ(r->validator, "");
    EXPECT_TRUE(h.tap.seen.empty());
    EXPECT_EQ(h.hash.hex_digest(), util::sha256_hex(""));
    EXPECT_EQ(h.tap.restarts, 1);
}

TEST(RangesEngine, WrongContentRangeFallsBack) {
    ScriptedServer server;
    server.content = noise(24u << 20, 17);
    server.wrong_range_at = 2;
    Harness h;
    auto d = h.make(server);
    auto r = download_ranges(d);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->kind, RangedResult::Kind::fallback);
    EXPECT_FALSE(r->restarted);
    EXPECT_TRUE(h.tap.seen == server.content.substr(0, r->prefix));
}

TEST(RangesEngine, WeakValidatorStaysOneStream) {
    ScriptedServer server;
    server.content = noise(24u << 20, 19);
    server.weak_etag = true;
    Harness h;
    auto d = h.make(server);
    auto r = download_ranges(d);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->kind, RangedResult::Kind::fallback);
    EXPECT_EQ(r->prefix, 0u);
    EXPECT_EQ(server.asked.size(), 1u) << "no range may start without a strong validator";
    EXPECT_EQ(r->received, 0u);
}

TEST(RangesEngine, ResumesSavedRangesWhereTheyWere) {
    ScriptedServer server;
    server.content = noise(32u << 20, 23);
    Harness h;
    auto ranges = split_ranges(server.content.size(), 4);
    // An earlier run got some of each range (range 2 complete) onto disk.
    std::uint64_t had = 0;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        auto& r = ranges[i];
        r.done = i == 2 ? r.end - r.start : (r.end - r.start) / (i + 2);
        ASSERT_EQ(::pwrite(h.fd.get(), server.content.data() + r.start, r.done,
                           static_cast<off_t>(r.start)),
                  static_cast<ssize_t>(r.done));
        had += r.done;
    }
    auto d = h.make(server);
    d.ranges = ranges;
    d.validator = "\"v1\"";
    auto r = download_ranges(d);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->kind, RangedResult::Kind::complete);
    EXPECT_EQ(server.served.load(), server.content.size() - had);
    EXPECT_EQ(server.asked.size(), 3u);
    for (const auto& a : server.asked) {
        EXPECT_EQ(a.validator, "\"v1\"");
        bool at_a_resume_point = false;
        for (const auto& range : ranges) {
            at_a_resume_point |= a.offset == range.start + range.done && a.end == range.end;
        }
        EXPECT_TRUE(at_a_resume_point) << a.offset;
    }
    EXPECT_TRUE(h.tap.seen == server.content);
    EXPECT_EQ(h.hash.hex_digest(), util::sha256_hex(server.content));
}

TEST(RangesEngine, SavedProgressNeverClaimsBytesNotOnDisk) {
    ScriptedServer server;
    server.content = noise(24u << 20, 29);
    server.max_delay = 500us;
    Harness h;
    auto d = h.make(server);
    // Check each save against the file as it is at that moment.
    std::atomic<int> bad{0};
    d.save = [&](const std::string& v, const std::vector<ByteRange>& ranges) {
        EXPECT_EQ(v, "\"v1\"");
        for (const auto& r : ranges) {
            std::string got(r.done, '\0');
            if (r.done > 0 &&
                ::pread(h.fd.get(), got.data(), got.size(), static_cast<off_t>(r.start)) !=
                    static_cast<ssize_t>(r.done)) {
                ++bad;
            } else if (got != server.content.substr(r.start, r.done)) {
                ++bad;
            }
        }
        std::lock_guard lock(h.saves_mutex);
        h.saves.push_back(ranges);
    };
    auto r = download_ranges(d);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(bad.load(), 0);
    EXPECT_GT(h.saves.size(), 2u) << "progress is saved while ranges run";
}

TEST(RangesEngine, RangeOutOfRetriesFailsAndKeepsProgress) {
    ScriptedServer server;
    server.content = noise(24u << 20, 31);
    auto ranges = split_ranges(server.content.size(), 4);
    server.missing_offset = ranges[3].start;  // the last range answers 404
    Harness h;
    auto d = h.make(server);
    // The failing range gives up only once the others have bytes on disk, so
    // a loaded machine cannot make it fail before they start.
    struct AfterOthers : QuickRetry {
        AfterOthers(std::atomic<int>& failures, ScriptedServer& server)
            : QuickRetry(failures, 3), m_server(server) {}
        Result<void> after_failure(const http::SendResult& r, const std::string& hint) override {
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
            while (m_server.served < (4u << 20) && std::chrono::steady_clock::now() < deadline) {
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
            return QuickRetry::after_failure(r, hint);
        }
        ScriptedServer& m_server;
    };
    d.make_retry = [&h, &server] { return std::make_unique<AfterOthers>(h.failures, server); };
    auto r = download_ranges(d);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("404"), std::string::npos) << r.error().message;
    ASSERT_FALSE(h.saves.empty());
    // What the other ranges got is recorded for the next run.
    std::uint64_t recorded = 0;
    for (const auto& range : h.saves.back()) {
        recorded += range.done;
    }
    EXPECT_GT(recorded, 0u);
    EXPECT_EQ(h.saves.back()[3].done, 0u);
}

TEST(RangesEngine, SlowFirstRangeLetsLaterRangesFinishOnDisk) {
    ScriptedServer server;
    server.content = noise(32u << 20, 37);
    server.first_range_rate = 24u << 20;  // ~0.35 s for the first 8 MiB
    Harness h;
    auto d = h.make(server);
    auto r = download_ranges(d);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->kind, RangedResult::Kind::complete);
    EXPECT_TRUE(h.tap.seen == server.content);
    // The later ranges did not wait for the first one: they were done (on disk,
    // not in memory) while it still ran.
    bool later_done_first = false;
    for (const auto& s : h.saves) {
        later_done_first |=
            !s[0].complete() && s[1].complete() && s[2].complete() && s[3].complete();
    }
    EXPECT_TRUE(later_done_first);
}

TEST(RangesEngine, AFastFirstConnectionIsKeptAloneAndTheRestIsOneStream) {
    ScriptedServer server;
    server.content = noise(24u << 20, 41);
    Harness h;
    auto d = h.make(server);
    d.single_stream_rate = 1;  // any connection is fast enough
    auto r = download_ranges(d);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->kind, RangedResult::Kind::fallback);
    EXPECT_TRUE(r->reason.empty()) << "a fast connection is not worth a warning";
    EXPECT_FALSE(r->restarted);
    EXPECT_EQ(r->validator, "\"v1\"");
    EXPECT_GE(r->prefix, k_probe_bytes);
    EXPECT_EQ(r->peak_connections, 1u);
    EXPECT_EQ(server.asked.size(), 1u);
    EXPECT_TRUE(h.tap.seen == server.content.substr(0, r->prefix));
}

TEST(RangesEngine, ASlowFirstConnectionIsSplit) {
    ScriptedServer server;
    server.content = noise(24u << 20, 43);
    server.first_range_rate = 8u << 20;  // 1 MiB in about 125 ms
    Harness h;
    auto d = h.make(server);
    d.single_stream_rate = 1024u << 20;
    auto r = download_ranges(d);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->kind, RangedResult::Kind::complete);
    EXPECT_EQ(r->peak_connections, 4u);
    EXPECT_TRUE(h.tap.seen == server.content);
}
