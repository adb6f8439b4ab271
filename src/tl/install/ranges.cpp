#include "tl/install/ranges.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "tl/install/downloader.hpp"
#include "tl/util/escape.hpp"
#include "tl/util/strings.hpp"

namespace tl::install {

namespace {

constexpr std::size_t k_read_back = 1u << 20;
// The reader wakes when a range has this much more on disk (or is complete).
constexpr std::uint64_t k_wake_batch = 256u << 10;
constexpr std::uint64_t k_align = 1u << 20;

struct ContentRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t total = 0;
};

// "bytes A-B/T"; empty when malformed or when the total is "*".
std::optional<ContentRange> parse_content_range(const std::string& value) {
    std::string_view v = util::trim(value);
    if (!util::starts_with(v, "bytes ")) {
        return std::nullopt;
    }
    v.remove_prefix(6);
    auto dash = v.find('-');
    auto slash = v.find('/');
    if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
        return std::nullopt;
    }
    auto first = util::parse_u64(v.substr(0, dash));
    auto last = util::parse_u64(v.substr(dash + 1, slash - dash - 1));
    auto total = util::parse_u64(v.substr(slash + 1));
    if (!first || !last || !total || *last < *first || *last >= *total) {
        return std::nullopt;
    }
    return ContentRange{*first, *last, *total};
}

// What the threads of one download share.
class Engine {
public:
    explicit Engine(RangedDownload& d) : m_d(d) {}

    Result<RangedResult> run();

private:
    enum class Mode {
        deciding,  // the first range's first answer decides
        probing,   // ranges are served: the first range's speed decides
        fast,      // one connection is fast enough: the rest is one stream
        parallel,  // every range on its own connection
        single,    // one stream of the whole file (a 200)
    };

    class Sink;
    friend class Sink;

    void run_range(std::size_t index);
    void start_ranges_locked();
    void save_locked();
    void fail_locked(Failure failure);
    void fall_back_locked(std::string reason, bool restart);
    std::uint64_t done_locked() const;

    RangedDownload& m_d;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<ByteRange> m_ranges;
    std::vector<bool> m_started;
    std::vector<std::thread> m_threads;
    std::string m_validator;
    Mode m_mode = Mode::deciding;
    std::atomic<bool> m_stop{false};
    bool m_fallback = false;
    bool m_restart = false;
    std::string m_reason;
    std::optional<Failure> m_failure;
    std::uint64_t m_received = 0;
    bool m_dirty = false;
    std::chrono::steady_clock::time_point m_probe_started;
    unsigned m_running = 0;
    unsigned m_peak_running = 0;
};

// Writes one range's body at its offset; decides, on the first range's first
// answer, whether the download goes parallel.
class Engine::Sink : public http::BodySink {
public:
    Sink(Engine& engine, std::size_t index, std::uint64_t offset, std::uint64_t end, bool deciding)
        : m_e(engine), m_index(index), m_offset(offset), m_end(end), m_deciding(deciding) {}

    bool on_head(const http::ResponseHead& head) override {
        status = head.status;
        if (m_e.m_stop) {
            return false;
        }
        if (status != 200 && status != 206 && status != 416) {
            return true;  // an error body, kept for the retry decision
        }
        const std::string validator = strong_validator(head.headers);
        std::lock_guard lock(m_e.m_mutex);
        if (status == 416) {
            return refuse("the server refused a range (HTTP 416)", false);
        }
        if (status == 200) {
            if (m_deciding) {
                // Ranges are not served: the whole file comes in this answer.
                m_e.m_mode = Mode::single;
                m_e.m_ranges = {ByteRange{0, m_e.m_d.size, 0}};
                m_e.m_started = {true};
                m_e.m_validator = validator;
                m_end = m_e.m_d.size;
                m_e.m_dirty = true;
                m_e.m_changed.notify_all();
                return true;
            }
            bool changed = validator != m_e.m_validator;
            return refuse(changed ? "the file changed on the server (a new validator)"
                                  : "the server sent the whole file instead of a range",
                          changed);
        }
        auto cr = parse_content_range(head.headers.get("content-range").value_or(""));
        if (!cr || cr->first != m_offset || cr->last >= m_end) {
            return refuse("the server answered another range than asked", false);
        }
        if (cr->total != m_e.m_d.size) {
            return refuse("the server reports " + std::to_string(cr->total) + " bytes, not " +
                              std::to_string(m_e.m_d.size),
                          false);
        }
        if (m_deciding) {
            if (validator.empty()) {
                return refuse("the server sends no strong validator (ETag or Last-Modified)",
                              false);
            }
            m_e.m_validator = validator;
            m_e.m_mode = m_e.m_d.single_stream_rate != 0 ? Mode::probing : Mode::parallel;
            m_e.m_probe_started = std::chrono::steady_clock::now();
            // Saved before any byte is written, so a killed run can resume.
            m_e.save_locked();
            m_e.m_changed.notify_all();
            return true;
        }
        if (validator != m_e.m_validator) {
            return refuse("the file changed on the server (a new validator)", true);
        }
        return true;
    }

    bool on_data(const char* data, std::size_t size) override {
        if (m_e.m_stop) {
            return false;
        }
        if (status != 200 && status != 206) {
            if (error_body.size() < 1024) {
                error_body.append(data, std::min<std::size_t>(size, 1024 - error_body.size()));
            }
            return true;
        }
        if (size > m_end - m_offset) {
            failure = Failure{ErrorKind::integrity,
                              "the server sent more of " + util::quoted(m_e.m_d.name) +
                                  " than the range asked for; the download was stopped"};
            return false;
        }
        std::size_t written = 0;
        while (written < size) {
            ssize_t n = ::pwrite(m_e.m_d.fd, data + written, size - written,
                                 static_cast<off_t>(m_offset + written));
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                failure = Failure{ErrorKind::filesystem, "cannot write '" + m_e.m_d.path.string() +
                                                             "': " + std::strerror(errno)};
                return false;
            }
            written += static_cast<std::size_t>(n);
        }
        m_offset += size;
        received += size;
        bool wake = false;
        {
            std::lock_guard lock(m_e.m_mutex);
            ByteRange& r = m_e.m_ranges[m_index];
            // The reader is woken per batch, not per network chunk.
            wake = (r.done + size) / k_wake_batch != r.done / k_wake_batch ||
                   r.done + size >= r.end - r.start;
            r.done += size;
            m_e.m_received += size;
            m_e.m_dirty = true;
            if (m_e.m_mode == Mode::probing && r.done >= k_probe_bytes) {
                std::chrono::duration<double> took =
                    std::chrono::steady_clock::now() - m_e.m_probe_started;
                const bool fast = static_cast<double>(r.done) >=
                                  static_cast<double>(m_e.m_d.single_stream_rate) * took.count();
                m_e.m_mode = fast ? Mode::fast : Mode::parallel;
                if (m_e.m_d.console != nullptr) {
                    m_e.m_d.console->debug(
                        "first range of " + util::quoted(m_e.m_d.name) + " at " +
                        util::human_bytes(static_cast<std::uint64_t>(
                            static_cast<double>(r.done) / std::max(took.count(), 1e-6))) +
                        "/s: " + (fast ? "one connection" : "ranges"));
                }
                wake = true;
            }
            if (m_e.m_mode == Mode::fast) {
                // One connection keeps pace: the caller's one stream goes on
                // from here, straight into the decoder.
                m_e.fall_back_locked("", false);
                wake = true;
            }
        }
        if (wake) {
            m_e.m_changed.notify_all();
        }
        return true;
    }

    int status = 0;
    std::string error_body;
    std::optional<Failure> failure;
    bool refused = false;
    std::uint64_t received = 0;

private:
    // The answer does not fit the ranges: every range stops (lock held).
    bool refuse(std::string reason, bool restart) {
        refused = true;
        m_e.fall_back_locked(std::move(reason), restart);
        return false;
    }

    Engine& m_e;
    std::size_t m_index;
    std::uint64_t m_offset;
    std::uint64_t m_end;
    bool m_deciding;
};

void Engine::save_locked() {
    m_dirty = false;
    if (m_d.save && !m_validator.empty()) {
        m_d.save(m_validator, m_ranges);
    }
}

void Engine::fail_locked(Failure failure) {
    if (!m_failure && !m_fallback) {
        m_failure = std::move(failure);
    }
    m_stop = true;
    save_locked();
    m_changed.notify_all();
}

void Engine::fall_back_locked(std::string reason, bool restart) {
    if (!m_fallback && !m_failure) {
        m_fallback = true;
        m_reason = std::move(reason);
    }
    m_restart = m_restart || restart;
    m_stop = true;
    m_changed.notify_all();
}

std::uint64_t Engine::done_locked() const {
    std::uint64_t sum = 0;
    for (const auto& r : m_ranges) {
        sum += r.done;
    }
    return sum;
}

void Engine::start_ranges_locked() {
    for (std::size_t i = 0; i < m_ranges.size(); ++i) {
        if (!m_started[i] && !m_ranges[i].complete()) {
            m_started[i] = true;
            ++m_running;
            m_peak_running = std::max(m_peak_running, m_running);
            m_threads.emplace_back([this, i] { run_range(i); });
        }
    }
}

void Engine::run_range(std::size_t index) {
    auto retry = m_d.make_retry();
    for (;;) {
        std::uint64_t offset = 0;
        std::uint64_t end = 0;
        std::uint64_t ask_end = 0;
        std::string validator;
        bool deciding = false;
        {
            std::lock_guard lock(m_mutex);
            const ByteRange& r = m_ranges[index];
            if (m_stop || r.complete()) {
                --m_running;
                m_changed.notify_all();
                return;
            }
            offset = r.start + r.done;
            end = r.end;
            // One stream asks to the end, like a resume has always done.
            ask_end = m_mode == Mode::single ? 0 : end;
            validator = m_mode == Mode::deciding ? std::string() : m_validator;
            deciding = m_mode == Mode::deciding;
            if (m_mode == Mode::single && offset > 0 && m_validator.empty()) {
                // Without a validator a resumed body could belong to another file.
                fall_back_locked("the server sends no validator to resume with", false);
                --m_running;
                return;
            }
        }
        Sink sink(*this, index, offset, end, deciding);
        http::SendResult result = m_d.fetch(offset, ask_end, validator, sink);
        {
            std::lock_guard lock(m_mutex);
            if (sink.failure) {
                fail_locked(*sink.failure);
            }
            if (m_stop || sink.refused || m_ranges[index].complete()) {
                if (m_ranges[index].complete()) {
                    save_locked();
                }
                --m_running;
                m_changed.notify_all();
                return;
            }
        }
        if (sink.received > 0) {
            retry->progressed();
        }
        if (result && (result->status == 200 || result->status == 206)) {
            // The body ended early without a transport error: a dropped connection.
            http::TransportError e;
            e.kind = http::TransportError::Kind::partial;
            e.message = "the connection closed before the range was complete";
            e.status = result->status;
            e.body_bytes = sink.received;
            result = util::unexpected(std::move(e));
        }
        if (auto wait = retry->after_failure(result, sink.error_body); !wait) {
            std::lock_guard lock(m_mutex);
            fail_locked(wait.error());
            --m_running;
            return;
        }
    }
}

Result<RangedResult> Engine::run() {
    RangedDownload& d = m_d;
    if (d.ranges.empty()) {
        m_ranges = split_ranges(d.size, d.connections);
        m_mode = Mode::deciding;
    } else {
        m_ranges = d.ranges;
        m_validator = d.validator;
        m_mode = Mode::parallel;
    }
    m_started.assign(m_ranges.size(), false);
    std::vector<char> buf(k_read_back);
    std::uint64_t consumed = 0;
    std::optional<Failure> read_error;
    auto last_save = std::chrono::steady_clock::now();
    std::unique_lock lock(m_mutex);
    if (m_mode == Mode::deciding) {
        m_started[0] = true;
        m_running = m_peak_running = 1;
        m_threads.emplace_back([this] { run_range(0); });
    }
    // Reads the file back as its prefix grows: the hash and the tap see each
    // byte once, in order.
    for (;;) {
        if (m_mode == Mode::parallel && !m_stop) {
            start_ranges_locked();
        }
        const std::uint64_t available = contiguous_prefix(m_ranges);
        if (available > consumed) {
            const std::uint64_t done = done_locked();
            lock.unlock();
            auto want =
                static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), available - consumed));
            ssize_t n = ::pread(d.fd, buf.data(), want, static_cast<off_t>(consumed));
            if (n <= 0) {
                if (n < 0 && errno == EINTR) {
                    lock.lock();
                    continue;
                }
                read_error = Failure{ErrorKind::filesystem, "cannot read '" + d.path.string() +
                                                                "' back: " + std::strerror(errno)};
                lock.lock();
                fail_locked(*read_error);
                break;
            }
            d.hash->update(buf.data(), static_cast<std::size_t>(n));
            if (d.tap != nullptr) {
                d.tap->bytes(buf.data(), static_cast<std::size_t>(n));
            }
            consumed += static_cast<std::uint64_t>(n);
            if (d.progress != nullptr) {
                d.progress->update(done);
            }
            lock.lock();
            continue;
        }
        if (m_stop || consumed == d.size) {
            break;
        }
        auto now = std::chrono::steady_clock::now();
        if (m_dirty && now - last_save >= d.save_interval) {
            save_locked();
            last_save = now;
        }
        m_changed.wait_for(lock, d.save_interval);
    }
    m_stop = true;
    m_changed.notify_all();
    lock.unlock();
    for (auto& t : m_threads) {
        t.join();
    }
    lock.lock();
    RangedResult out;
    out.received = m_received;
    out.peak_connections = m_peak_running;
    if (m_failure) {
        save_locked();
        return util::unexpected(*m_failure);
    }
    if (!m_fallback) {
        out.kind = RangedResult::Kind::complete;
        out.prefix = consumed;
        out.validator = m_validator;
        save_locked();
        return out;
    }
    // Every thread has stopped: what is contiguous now is final.
    const std::uint64_t available = contiguous_prefix(m_ranges);
    lock.unlock();
    while (!m_restart && consumed < available) {
        auto want =
            static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), available - consumed));
        ssize_t n = ::pread(d.fd, buf.data(), want, static_cast<off_t>(consumed));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;  // the single stream continues from what was read
        }
        d.hash->update(buf.data(), static_cast<std::size_t>(n));
        if (d.tap != nullptr) {
            d.tap->bytes(buf.data(), static_cast<std::size_t>(n));
        }
        consumed += static_cast<std::uint64_t>(n);
    }
    out.kind = RangedResult::Kind::fallback;
    out.reason = m_reason;
    if (m_restart) {
        d.hash->reset();
        if (d.tap != nullptr) {
            d.tap->restart();
        }
        out.restarted = true;
        out.prefix = 0;
    } else {
        out.prefix = consumed;
        out.validator = m_validator;
    }
    return out;
}

}  // namespace

std::vector<ByteRange> split_ranges(std::uint64_t size, unsigned connections) {
    std::uint64_t n = std::clamp<unsigned>(connections, 1, k_max_connections);
    n = std::max<std::uint64_t>(1, std::min(n, size / k_min_range_size));
    std::uint64_t part = (size + n - 1) / n;
    part = (part + k_align - 1) / k_align * k_align;
    std::vector<ByteRange> out;
    for (std::uint64_t start = 0; start < size || out.empty(); start += part) {
        out.push_back(ByteRange{start, std::min(size, start + part), 0});
        if (part == 0) {
            break;
        }
    }
    return out;
}

std::uint64_t contiguous_prefix(const std::vector<ByteRange>& ranges) {
    std::uint64_t prefix = 0;
    for (const auto& r : ranges) {
        prefix = r.start + r.done;
        if (!r.complete()) {
            break;
        }
    }
    return prefix;
}

bool ranges_valid(const std::vector<ByteRange>& ranges, std::uint64_t size) {
    std::uint64_t at = 0;
    for (const auto& r : ranges) {
        if (r.start != at || r.end <= r.start || r.done > r.end - r.start) {
            return false;
        }
        at = r.end;
    }
    return !ranges.empty() && at == size;
}

std::string strong_validator(const http::Headers& headers) {
    std::string v;
    if (auto etag = headers.get("etag");
        etag && !etag->empty() && !util::starts_with(*etag, "W/")) {
        v = *etag;
    } else if (auto lm = headers.get("last-modified")) {
        v = *lm;
    }
    if (util::has_control_chars(v)) {
        // Sent back in If-Range it would inject headers.
        v.clear();
    }
    return v;
}

Result<RangedResult> download_ranges(RangedDownload& d) {
    Engine engine(d);
    return engine.run();
}

}  // namespace tl::install
