#pragma once

// Downloads one asset into a partial file in the cache, hashing as bytes
// arrive, resuming from what an earlier attempt or run left behind (Range and
// If-Range with the validator saved beside the partial file), and retrying
// transient failures with backoff.
//
// Partial metadata (<partial>.json):
//   {"format":1, "locator", "size", "validator"}   validator: ETag or Last-Modified
//   {"format":2, ..., "ranges":[[start,end,done],...]}   a parallel download (ranges.hpp)
// A partial without metadata, or whose locator, size or validator no longer
// matches, is discarded and downloaded again from the start.

#include <cstdint>
#include <filesystem>
#include <string>

#include "tl/http/retry.hpp"
#include "tl/source/source.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::install {

struct DownloadedFile {
    std::filesystem::path path;
    std::string sha256;
    std::uint64_t size = 0;
    // Body bytes received over the network (less than size when resumed).
    std::uint64_t bytes_transferred = 0;
    // Bytes reused from an earlier partial download.
    std::uint64_t resumed_from = 0;
};

// Sees every byte of the file in order, as it is hashed and written: the kept
// prefix of a resumed partial file first (read once from disk), then the bytes
// from the network. The install pipeline extracts while downloading this way.
class ByteTap {
public:
    virtual ~ByteTap() = default;
    // The next bytes of the file.
    virtual void bytes(const char* data, std::size_t size) = 0;
    // The file starts over from its first byte (a resume the server refused):
    // forget everything seen so far.
    virtual void restart() = 0;
};

// Downloads `asset` into `partial` (created or resumed). The file is complete
// when this returns; its digest is not yet checked against any expectation.
// `tap`, when given, sees the file's bytes as they are written. With more
// than one connection, a file of k_parallel_threshold bytes or more whose
// server answers ranges is fetched in that many ranges at once (ranges.hpp).
Result<DownloadedFile> download_to_partial(source::Source& source, const source::AssetInfo& asset,
                                           const std::filesystem::path& partial,
                                           const http::RetryPolicy& retry, util::Console& console,
                                           ByteTap* tap = nullptr, unsigned connections = 1);

// Removes a partial file and its metadata.
void discard_partial(const std::filesystem::path& partial);

}  // namespace tl::install
