#include "tl/install/downloader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "tl/archive/budget.hpp"
#include "tl/http/endpoint.hpp"
#include "tl/http/url.hpp"
#include "tl/install/ranges.hpp"
#include "tl/util/escape.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/json.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/safe_fs.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::install {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path meta_path(const fs::path& partial) {
    return partial.string() + ".json";
}

struct PartialMeta {
    std::string locator;
    std::uint64_t size = 0;
    std::string validator;
    // Format 2: the byte ranges of a parallel download and how far each got.
    std::vector<ByteRange> ranges;
};

std::optional<PartialMeta> read_meta(const fs::path& partial) {
    auto text = util::read_file(meta_path(partial), 1 << 16);
    if (!text) {
        return std::nullopt;
    }
    json j = util::parse_json_or_discarded(*text);
    if (j.is_discarded() || !j.is_object() || !j.contains("format") ||
        (j["format"] != 1 && j["format"] != 2) || !j.contains("locator") ||
        !j["locator"].is_string() || !j.contains("size") || !j["size"].is_number_unsigned() ||
        !j.contains("validator") || !j["validator"].is_string()) {
        return std::nullopt;
    }
    PartialMeta m;
    m.locator = j.value("locator", "");
    m.size = j.value("size", std::uint64_t{0});
    m.validator = j.value("validator", "");
    if (util::has_control_chars(m.validator)) {
        return std::nullopt;
    }
    if (j["format"] == 2) {
        const json& ranges = j.contains("ranges") ? j["ranges"] : json();
        if (!ranges.is_array() || ranges.size() > k_max_connections) {
            return std::nullopt;
        }
        for (const json& r : ranges) {
            if (!r.is_array() || r.size() != 3 || !r[0].is_number_unsigned() ||
                !r[1].is_number_unsigned() || !r[2].is_number_unsigned()) {
                return std::nullopt;
            }
            m.ranges.push_back(ByteRange{r[0].get<std::uint64_t>(), r[1].get<std::uint64_t>(),
                                         r[2].get<std::uint64_t>()});
        }
        if (!ranges_valid(m.ranges, m.size)) {
            return std::nullopt;
        }
    }
    return m;
}

// One stream's metadata is written in format 1, which every version reads;
// ranges need format 2.
Result<void> write_meta(
    const fs::path& partial, const PartialMeta& m,
    util::AtomicFile::Durability durability = util::AtomicFile::Durability::fsync) {
    json j = {{"format", m.ranges.empty() ? 1 : 2},
              {"locator", m.locator},
              {"size", m.size},
              {"validator", m.validator}};
    if (!m.ranges.empty()) {
        json ranges = json::array();
        for (const auto& r : m.ranges) {
            ranges.push_back({r.start, r.end, r.done});
        }
        j["ranges"] = std::move(ranges);
    }
    return util::write_file_atomic(meta_path(partial), j.dump() + "\n", durability);
}

// Hashes the first `size` bytes of an open file (the kept prefix of a resume)
// and hands them to `tap`.
Result<void> hash_prefix(int fd, std::uint64_t size, util::Sha256& hash, const fs::path& path,
                         ByteTap* tap) {
    std::vector<char> buf(1 << 20);
    std::uint64_t done = 0;
    while (done < size) {
        std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - done));
        ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(done));
        if (n <= 0) {
            return fail(ErrorKind::filesystem, "cannot read '" + path.string() + "'");
        }
        hash.update(buf.data(), static_cast<std::size_t>(n));
        if (tap != nullptr) {
            tap->bytes(buf.data(), static_cast<std::size_t>(n));
        }
        done += static_cast<std::uint64_t>(n);
    }
    return {};
}

// Parses "bytes A-B/T" into A; empty when malformed.
std::optional<std::uint64_t> content_range_start(const std::string& value) {
    std::string_view v = util::trim(value);
    if (!util::starts_with(v, "bytes ")) {
        return std::nullopt;
    }
    v.remove_prefix(6);
    return util::parse_u64(v.substr(0, v.find('-')));
}

// Writes the body of a 200 or 206 into the partial file; keeps the body of
// any other status (small) for messages.
class PartialSink : public http::BodySink {
public:
    PartialSink(int fd, std::uint64_t offset, std::uint64_t limit, util::Sha256& hash, ByteTap* tap,
                util::Progress& progress, const fs::path& path,
                std::function<void(const std::string&)> on_validator)
        : m_fd(fd),
          m_offset(offset),
          m_limit(limit),
          m_hash(hash),
          m_tap(tap),
          m_progress(progress),
          m_path(path),
          m_on_validator(std::move(on_validator)) {}

    bool on_head(const http::ResponseHead& head) override {
        status = head.status;
        validator =
            head.headers.get("etag").value_or(head.headers.get("last-modified").value_or(""));
        if (util::has_control_chars(validator)) {
            // Sent back in If-Range it would inject headers: such a file is
            // downloaded whole, never resumed.
            validator.clear();
        }
        if (status == 206) {
            auto start = content_range_start(head.headers.get("content-range").value_or(""));
            if (!start || *start != m_offset) {
                range_mismatch = true;
                return false;
            }
        }
        if ((status == 200 || status == 206) && !validator.empty()) {
            // Saved before any byte is written, so a process killed mid-body
            // leaves a partial file the next run can resume.
            m_on_validator(validator);
        }
        if (status == 200) {
            if (m_offset > 0) {
                // The server sent the whole file (it ignores Range, or If-Range
                // saw a changed validator): start over.
                restarted = true;
                if (::ftruncate(m_fd, 0) != 0) {
                    write_error = "cannot truncate '" + m_path.string() + "'";
                    return false;
                }
                m_offset = 0;
                m_hash.reset();
                if (m_tap != nullptr) {
                    m_tap->restart();
                }
            }
        }
        return true;
    }

    bool on_data(const char* data, std::size_t size) override {
        if (status != 200 && status != 206) {
            if (error_body.size() < 1024) {
                error_body.append(data, std::min<std::size_t>(size, 1024 - error_body.size()));
            }
            return true;
        }
        if (size > m_limit || m_offset > m_limit - size) {
            // Stopped at the limit, not at the end: a server that sends more
            // than it declared is wrong, and an endless body must not fill the disk.
            overflow = true;
            return false;
        }
        ssize_t n = 0;
        std::size_t done = 0;
        while (done < size) {
            n = ::pwrite(m_fd, data + done, size - done, static_cast<off_t>(m_offset + done));
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                write_error = "cannot write '" + m_path.string() + "': " + std::strerror(errno);
                return false;
            }
            done += static_cast<std::size_t>(n);
        }
        m_hash.update(data, size);
        if (m_tap != nullptr) {
            m_tap->bytes(data, size);
        }
        m_offset += size;
        received += size;
        m_progress.update(m_offset);
        return true;
    }

    std::uint64_t offset() const { return m_offset; }

    int status = 0;
    std::string validator;
    std::string error_body;
    std::string write_error;
    bool range_mismatch = false;
    bool restarted = false;
    bool overflow = false;
    std::uint64_t received = 0;

private:
    int m_fd;
    std::uint64_t m_offset;
    std::uint64_t m_limit;
    util::Sha256& m_hash;
    ByteTap* m_tap;
    util::Progress& m_progress;
    fs::path m_path;
    std::function<void(const std::string&)> m_on_validator;
};

// What ends a download: the last attempt's failure in words.
Failure give_up_failure(const source::Source& source, const source::AssetInfo& asset,
                        const http::SendResult& r, const http::RetryDecision& d) {
    if (!r) {
        return Failure{ErrorKind::network,
                       "cannot download " + util::quoted(asset.name) + ": " +
                           http::describe_transport_error(r.error(), asset.display_url)};
    }
    std::string msg = "cannot download " + util::quoted(asset.name) + ": HTTP " +
                      std::to_string(r->status) + " from " + util::quoted(util::redact_url(r->url));
    if (d.rate_limited && d.reset_at) {
        std::string advice = source.rate_limit_advice();
        msg += "; rate limited until " + http::format_utc_time(*d.reset_at) +
               (advice.empty() ? "" : " (" + advice + ")");
    }
    return Failure{ErrorKind::network, msg};
}

// After a failed attempt at `asset` (one stream or one range): classifies it,
// then fails (given up, or out of time) or warns "<reason><note>" and waits.
Result<void> wait_or_fail(http::RetryLoop& loop, const source::Source& source,
                          const source::AssetInfo& asset, const http::SendResult& r,
                          const std::string& body_hint, const std::string& note) {
    http::RetryDecision d = loop.classify(r, body_hint);
    if (d.action == http::RetryDecision::Action::give_up) {
        return util::unexpected(give_up_failure(source, asset, r, d));
    }
    if (loop.out_of_time(d)) {
        return fail(ErrorKind::network,
                    "cannot download " + util::quoted(asset.name) + ": " + d.reason +
                        "; gave up after " +
                        util::human_seconds(std::chrono::duration<double>(loop.elapsed()).count()));
    }
    loop.wait(d, "downloading " + util::quoted(asset.name) + ": " + d.reason + note);
    return {};
}

// One range's retry loop: its own attempt count and time budget.
class RangeRetryLoop : public RangeRetry {
public:
    RangeRetryLoop(source::Source& source, const source::AssetInfo& asset,
                   const http::RetryPolicy& policy, util::Console& console)
        : m_source(source), m_asset(asset), m_loop(policy, console) {}

    void progressed() override { m_loop.progressed(); }

    Result<void> after_failure(const http::SendResult& r, const std::string& body_hint) override {
        m_loop.next();
        return wait_or_fail(m_loop, m_source, m_asset, r, body_hint, "; resuming that range");
    }

private:
    source::Source& m_source;
    const source::AssetInfo& m_asset;
    http::RetryLoop m_loop;
};

}  // namespace

void discard_partial(const fs::path& partial) {
    ::unlink(partial.c_str());
    ::unlink(meta_path(partial).c_str());
}

Result<DownloadedFile> download_to_partial(source::Source& source, const source::AssetInfo& asset,
                                           const fs::path& partial, const http::RetryPolicy& retry,
                                           util::Console& console, ByteTap* tap,
                                           unsigned connections) {
    const std::uint64_t max_size = archive::budget().max_archive_size;
    if (asset.size > max_size) {
        return fail(ErrorKind::integrity,
                    "the release lists " + util::quoted(asset.name) + " at " +
                        util::human_bytes(asset.size) + ", over the archive size limit of " +
                        util::human_bytes(max_size) + " (max_archive_mib); nothing was downloaded");
    }
    // A declared size is exact; without one, the archive size limit applies.
    const std::uint64_t limit = asset.size != 0 ? asset.size : max_size;
    TL_TRY(util::create_directories(partial.parent_path().parent_path()));
    // In a shared cache, another user may have planted links where partial
    // files go: they are moved aside and never followed.
    std::vector<std::string> moved;
    TL_TRY(util::ensure_plain_directory(partial.parent_path(), moved));
    for (const fs::path& p : {partial, meta_path(partial)}) {
        TL_TRY_ASSIGN(m, util::move_aside_unexpected(p, /*want_directory=*/false))
        if (!m->empty()) {
            moved.push_back(*m);
        }
    }
    for (const auto& m : moved) {
        console.warn(m);
    }
    // Decide what of an earlier partial download can be kept.
    std::uint64_t kept = 0;
    std::string validator;
    // The ranges of an earlier parallel download, resumed as they are.
    std::vector<ByteRange> ranges;
    struct stat st {};
    if (::lstat(partial.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        return fail(ErrorKind::filesystem,
                    "'" + partial.string() + "' is not a regular file; remove it and try again");
    }
    if (::lstat(partial.c_str(), &st) == 0) {
        auto meta = read_meta(partial);
        if (meta && meta->locator == asset.locator && meta->size == asset.size &&
            !meta->validator.empty() && static_cast<std::uint64_t>(st.st_size) <= asset.size) {
            validator = meta->validator;
            if (meta->ranges.empty()) {
                kept = static_cast<std::uint64_t>(st.st_size);
            } else if (connections > 1) {
                ranges = meta->ranges;
            } else {
                // One connection asked for: keep what is contiguous from the start.
                kept = std::min<std::uint64_t>(contiguous_prefix(meta->ranges),
                                               static_cast<std::uint64_t>(st.st_size));
            }
        } else {
            discard_partial(partial);
        }
    }
    util::UniqueFd fd(::open(partial.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd) {
        return fail(ErrorKind::filesystem,
                    "cannot open '" + partial.string() + "': " + std::strerror(errno));
    }
    // Truncate only when there is something to drop: on ext4, a file truncated
    // to zero and then written is flushed to disk at close (auto_da_alloc),
    // which would stall every fresh download for the time of that write-out.
    struct stat opened {};
    if (ranges.empty() &&
        (::fstat(fd.get(), &opened) != 0 || static_cast<std::uint64_t>(opened.st_size) != kept)) {
        if (::ftruncate(fd.get(), static_cast<off_t>(kept)) != 0) {
            return fail(ErrorKind::filesystem, "cannot truncate '" + partial.string() + "'");
        }
    }
    util::Sha256 hash;
    TL_TRY(hash_prefix(fd.get(), kept, hash, partial, tap));
    DownloadedFile out;
    out.path = partial;
    out.resumed_from = kept;
    if (kept > 0) {
        console.info("resuming " + util::quoted(asset.name) + " at " + util::human_bytes(kept) +
                     " of " + util::human_bytes(asset.size));
    }

    // Drops what was kept: the file (and whatever watches it) begins again.
    auto start_over = [&] {
        if (::ftruncate(fd.get(), 0) != 0) {
            // The stream is hashed as it arrives, and a kept archive is hashed
            // again before reuse, so stale bytes left here are never trusted.
            console.warn("cannot empty '" + partial.string() +
                         "' to start over: " + std::strerror(errno));
        }
        kept = 0;
        hash.reset();
        if (tap != nullptr) {
            tap->restart();
        }
    };
    util::Progress progress(console, "downloading " + asset.name, asset.size);
    if (!ranges.empty() || (kept == 0 && connections > 1 && asset.size >= k_parallel_threshold)) {
        if (!ranges.empty()) {
            std::uint64_t have = 0;
            for (const auto& r : ranges) {
                have += r.done;
            }
            console.info("resuming " + util::quoted(asset.name) + " at " + util::human_bytes(have) +
                         " of " + util::human_bytes(asset.size) + " in " +
                         std::to_string(ranges.size()) + " ranges");
            out.resumed_from = have;
        }
        RangedDownload d;
        d.fd = fd.get();
        d.path = partial;
        d.size = asset.size;
        d.name = asset.name;
        d.connections = connections;
        d.ranges = ranges;
        d.validator = validator;
        d.fetch = [&](std::uint64_t offset, std::uint64_t end, const std::string& v,
                      http::BodySink& sink) {
            return source.fetch(asset, source::Resume{offset, end, v}, sink);
        };
        d.make_retry = [&] {
            return std::make_unique<RangeRetryLoop>(source, asset, retry, console);
        };
        d.save = [&](const std::string& v, const std::vector<ByteRange>& now) {
            (void)write_meta(partial, {asset.locator, asset.size, v, now},
                             util::AtomicFile::Durability::no_fsync);
        };
        d.hash = &hash;
        d.tap = tap;
        d.progress = &progress;
        d.console = &console;
        d.single_stream_rate = k_single_stream_rate;
        TL_TRY_ASSIGN(got, download_ranges(d))
        out.bytes_transferred += got->received;
        if (got->kind == RangedResult::Kind::complete) {
            progress.finish();
            out.size = asset.size;
            out.sha256 = hash.hex_digest();
            return out;
        }
        // One stream from here: what is contiguous stays, what lies beyond a gap goes.
        if (!got->reason.empty()) {
            console.warn("downloading " + util::quoted(asset.name) +
                         " over one connection: " + got->reason +
                         (got->prefix > 0 ? "; continuing at " + util::human_bytes(got->prefix)
                                          : std::string()));
        }
        kept = got->prefix;
        validator = got->validator;
        if (::ftruncate(fd.get(), static_cast<off_t>(kept)) != 0) {
            return fail(ErrorKind::filesystem, "cannot truncate '" + partial.string() + "'");
        }
        if (kept > 0 && !validator.empty()) {
            (void)write_meta(partial, {asset.locator, asset.size, validator, {}});
        } else {
            validator.clear();
            ::unlink(meta_path(partial).c_str());
        }
    }
    http::RetryLoop loop(retry, console);
    int range_failures = 0;
    for (;;) {
        loop.next();
        if (kept > 0 && validator.empty()) {
            // Without a validator a resumed body could belong to a newer file.
            start_over();
        }
        PartialSink sink(
            fd.get(), kept, limit, hash, tap, progress, partial, [&](const std::string& v) {
                if (v != validator) {
                    validator = v;
                    (void)write_meta(partial, {asset.locator, asset.size, validator, {}});
                }
            });
        http::SendResult r = source.fetch(asset, source::Resume{kept, 0, validator}, sink);
        out.bytes_transferred += sink.received;
        if (!sink.write_error.empty()) {
            return fail(ErrorKind::filesystem, sink.write_error);
        }
        if (sink.overflow) {
            discard_partial(partial);
            progress.finish();
            std::string limit_words =
                asset.size != 0 ? "the " + std::to_string(asset.size) + " bytes the release lists"
                                : "the archive size limit of " + util::human_bytes(max_size) +
                                      " (max_archive_mib)";
            return fail(ErrorKind::integrity,
                        "the server sent more of " + util::quoted(asset.name) + " than " +
                            limit_words + "; the download was stopped there and discarded");
        }
        std::uint64_t now_have = (sink.status == 200 || sink.status == 206) ? sink.offset() : kept;
        const bool complete = r && (r->status == 200 || r->status == 206);
        if (complete || (r && r->status == 416 && kept == asset.size && asset.size != 0)) {
            if (complete && asset.size != 0 && now_have != asset.size) {
                return fail(ErrorKind::integrity, "downloaded " + std::to_string(now_have) +
                                                      " bytes of " + util::quoted(asset.name) +
                                                      " but the release lists " +
                                                      std::to_string(asset.size));
            }
            // A 416 for a file already whole: everything was there.
            progress.update(now_have);
            progress.finish();
            out.size = now_have;
            out.sha256 = hash.hex_digest();
            return out;
        }
        if ((r && r->status == 416) || sink.range_mismatch) {
            console.warn(sink.range_mismatch
                             ? "the server answered a different range than asked for " +
                                   util::quoted(asset.name) +
                                   "; downloading it again from the start"
                             : "the server refused to resume " + util::quoted(asset.name) +
                                   " (HTTP 416); downloading it again from the start");
            start_over();
            if (++range_failures > 2) {
                return fail(ErrorKind::network,
                            "cannot download " + util::quoted(asset.name) +
                                (sink.range_mismatch ? ": the server answers inconsistent ranges"
                                                     : ": the server keeps answering HTTP 416"));
            }
            continue;
        }
        // Progress made: this attempt does not count against the limit.
        if (now_have > kept) {
            loop.progressed();
        }
        kept = now_have;
        TL_TRY(wait_or_fail(loop, source, asset, r, sink.error_body,
                            kept > 0 ? "; resuming at " + util::human_bytes(kept) : ""));
    }
}

}  // namespace tl::install
