#pragma once

// Parallel ranged downloads: one asset fetched over several connections, each
// a contiguous byte range, written at its offset into the partial file (a
// sparse file until every range is in). The calling thread reads the file back
// as its prefix becomes contiguous and feeds the SHA-256 and the ByteTap in
// order, so memory stays at a few buffers whatever the number of connections
// and the size of the file.
//
// The first request asks for the first range only. A 206 with a strong
// validator and the expected total starts the other ranges (If-Range: that
// validator); a 200 makes it one stream of the whole file. A later answer that
// does not fit (a 200, another validator, another range) stops every range:
// the caller continues with one stream from the contiguous prefix, or from
// the start when the file changed. Each range retries on its own; the ranges'
// progress is saved beside the partial file so a killed run resumes each of
// them where it was.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tl/http/client.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"
#include "tl/util/sha256.hpp"

namespace tl::install {

class ByteTap;

// Files smaller than this are fetched over one connection.
constexpr std::uint64_t k_parallel_threshold = 16u << 20;
// No range is made smaller than this (fewer connections are used instead).
constexpr std::uint64_t k_min_range_size = 4u << 20;
// One connection at least this fast (bytes/s over the first range's first
// k_probe_bytes) is not split: the install's decoder keeps pace with it, and
// ranges would only make the first part of the file arrive later.
constexpr std::uint64_t k_single_stream_rate = 128u << 20;
constexpr std::uint64_t k_probe_bytes = 1u << 20;
// The most connections one download uses.
constexpr unsigned k_max_connections = 16;

// One contiguous part of the file, [start, end), and how much of it is on
// disk from `start` on.
struct ByteRange {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::uint64_t done = 0;

    bool complete() const { return start + done >= end; }
    bool operator==(const ByteRange&) const = default;
};

// `size` bytes cut into at most `connections` contiguous ranges of at least
// k_min_range_size (MiB-aligned); one range when the file is small.
std::vector<ByteRange> split_ranges(std::uint64_t size, unsigned connections);

// The bytes from the file's start that are on disk without a gap.
std::uint64_t contiguous_prefix(const std::vector<ByteRange>& ranges);

// Whether `ranges` tile [0, size) in order, each with done within its length.
bool ranges_valid(const std::vector<ByteRange>& ranges, std::uint64_t size);

// One attempt at streaming bytes [offset, end) of the asset into `sink` (end 0:
// to the end of the file), sent with If-Range `validator` when it is not empty.
using RangeFetch = std::function<http::SendResult(
    std::uint64_t offset, std::uint64_t end, const std::string& validator, http::BodySink& sink)>;

// The retry rules of one range's attempts.
class RangeRetry {
public:
    virtual ~RangeRetry() = default;
    // The last attempt moved the range forward: its attempt count starts again.
    virtual void progressed() = 0;
    // After an attempt that did not finish the range: waits before the next
    // one, or returns the failure that ends the download.
    virtual Result<void> after_failure(const http::SendResult& result,
                                       const std::string& body_hint) = 0;
};

// Records the ranges' progress beside the partial file. Called with the
// engine's lock held, from any of its threads; a failure to save is not fatal
// (the next save, or a restart from scratch, covers it).
using SaveRanges =
    std::function<void(const std::string& validator, const std::vector<ByteRange>& ranges)>;

struct RangedDownload {
    // The partial file, open for reading and writing.
    int fd = -1;
    std::filesystem::path path;
    // The file's size (known from the release).
    std::uint64_t size = 0;
    std::string name;  // for messages
    unsigned connections = 4;
    // Ranges an earlier run left, with their validator; empty to start afresh.
    std::vector<ByteRange> ranges;
    std::string validator;

    RangeFetch fetch;
    std::function<std::unique_ptr<RangeRetry>()> make_retry;
    SaveRanges save;
    // A first range arriving at least this fast (bytes/s) stays the only
    // connection: the rest follows as one stream (the caller's). 0: always split.
    std::uint64_t single_stream_rate = 0;
    // How often progress is saved while ranges run.
    std::chrono::milliseconds save_interval{1000};

    util::Sha256* hash = nullptr;
    ByteTap* tap = nullptr;
    util::Progress* progress = nullptr;
    util::Console* console = nullptr;
};

struct RangedResult {
    enum class Kind {
        complete,  // the whole file is on disk, hashed and seen by the tap
        fallback,  // continue with one stream from `prefix`
    };
    Kind kind = Kind::complete;
    // Bytes at the file's start that the hash and the tap have seen (the
    // whole size when complete). On fallback the file may hold more, beyond
    // gaps: the caller truncates it to `prefix`.
    std::uint64_t prefix = 0;
    // The validator of those bytes; empty when there is none to resume with.
    std::string validator;
    // Why the download fell back to one stream (for messages); empty when
    // one connection was found fast enough, which is not worth a warning.
    std::string reason;
    // The file changed on the server: the hash and the tap were started over.
    bool restarted = false;
    // Body bytes received over the network.
    std::uint64_t received = 0;
    // Connections that were used at once at most.
    unsigned peak_connections = 0;
};

// Downloads `d.size` bytes as described above. A failure (a range out of
// retries, a disk error, a server sending more than asked) stops every range;
// their progress is saved first, so the next run resumes them.
Result<RangedResult> download_ranges(RangedDownload& d);

// The strong validator of a response: an ETag not marked weak, else
// Last-Modified; empty when neither (or when it holds control characters).
std::string strong_validator(const http::Headers& headers);

}  // namespace tl::install
