#pragma once

// Safe extraction of release archives (tar, gzip- or zstd-compressed) into a
// fresh staging directory. Only regular files and directories are accepted:
// absolute paths, "..", symlinks, hardlinks, device nodes, FIFOs and sockets
// reject the whole archive, as do archives over the entry, size and path
// limits. Files are created relative to the staging directory's descriptor
// with O_NOFOLLOW|O_EXCL, so nothing can be written outside it.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::archive {

struct Limits {
    std::uint64_t max_entries = 10000;
    std::uint64_t max_entry_size = 4ull << 30;   // 4 GiB per file
    std::uint64_t max_total_size = 16ull << 30;  // 16 GiB in all
    std::size_t max_path_length = 1024;
    int max_depth = 16;
};

// One file written by an extraction, with its identity right after writing.
struct ExtractedFile {
    std::string path;  // relative, '/'-separated, no leading "./"
    std::uint64_t size = 0;
    std::string sha256;
    std::uint64_t inode = 0;
    std::int64_t mtime_ns = 0;
};

// Sees the bytes of chosen entries as they are written, so a caller can check
// a file without reading it back (the install pipeline checks libraries this
// way). Called on the extracting thread, for regular files only.
class EntryWatcher {
public:
    virtual ~EntryWatcher() = default;
    // A regular file `path` (normalised, relative) starts: true to see its bytes.
    virtual bool wants(const std::string& path) = 0;
    // The next bytes of the file that was wanted, in order (holes as zeros).
    virtual void bytes(const void* data, std::size_t size) = 0;
    // Its last byte was written. Not called when the extraction fails inside it.
    virtual void done() = 0;
};

// Returns the next chunk of archive bytes: a size (0 at the end) and a pointer
// valid until the next call; a negative size is a read error.
using ReadChunk = std::function<ssize_t(const void** data)>;

// Extracts an archive file into `dest` (an existing, empty directory). An
// integrity failure names the offending entry for unsafe or damaged archives.
Result<std::vector<ExtractedFile>> extract_file(const std::filesystem::path& archive,
                                                const std::filesystem::path& dest,
                                                const Limits& limits = {});

// What extract_stream is given: a tar compressed any way extract_file accepts,
// or the raw tar stream (already decompressed, as the install pipeline does).
enum class StreamInput { compressed_tar, raw_tar };

// The same, reading the archive bytes from `read` (the one-pass pipeline),
// and showing the files `watcher` wants to it as they are written.
Result<std::vector<ExtractedFile>> extract_stream(const ReadChunk& read,
                                                  const std::filesystem::path& dest,
                                                  const Limits& limits = {},
                                                  StreamInput input = StreamInput::compressed_tar,
                                                  EntryWatcher* watcher = nullptr);

// Checks an entry name and returns it normalised ("./a/b" -> "a/b"); empty for
// the archive root ("." or "./"); a failure message for unsafe names.
Result<std::string> normalize_entry_path(const std::string& name, const Limits& limits);

}  // namespace tl::archive
