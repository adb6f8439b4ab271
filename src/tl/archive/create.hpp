#pragma once

// Deterministic tar archives: the same files give the same bytes, whoever packs
// them, wherever, whenever. Entries come in the order given (callers sort
// them), each with a fixed mtime, uid/gid 0 and no owner names, mode 0644 for
// files and 0755 for directories, and no extended attributes, ACLs or file
// flags. The tar format is POSIX ustar (pax headers only for what ustar cannot
// hold, such as very long names); gzip output has no name and a zero time in
// its header; zstd output carries no time at all.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::archive {

// Compression of the tar stream.
enum class Compression { gzip, zstd };

// One entry: a directory, a file copied from disk, or bytes given here.
struct Entry {
    enum class Type { directory, file };
    Type type = Type::file;
    std::string name;              // as stored, e.g. "./libtemporalio_sdk.a" or "./"
    std::filesystem::path source;  // files: read from here when set...
    std::string content;           // ...else these bytes are the file
};

struct CreateOptions {
    Compression compression = Compression::gzip;
    // The mtime of every entry (seconds since the epoch): SOURCE_DATE_EPOCH or 0.
    std::int64_t mtime = 0;
};

// What was written.
struct Created {
    std::uint64_t size = 0;
    std::string sha256;  // of the compressed archive
    // The SHA-256 of each entry's content as it was read, by entry name (files only).
    std::vector<std::pair<std::string, std::string>> entry_sha256;
};

// Writes the archive to `out` atomically (a temporary renamed into place). A
// filesystem failure names a source file that cannot be read or the output
// that cannot be written; a source that changes size while read is an
// integrity failure.
Result<Created> create_archive(const std::filesystem::path& out, const std::vector<Entry>& entries,
                               const CreateOptions& options);

// The mtime SOURCE_DATE_EPOCH asks for (0 when unset); a usage failure when
// it is set to something other than a non-negative whole number.
Result<std::int64_t> source_date_epoch();

}  // namespace tl::archive
