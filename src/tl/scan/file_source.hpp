#pragma once

// Where the scanner's files come from and how they are read: `git ls-files`
// in a work tree (git runs as a subprocess; a missing git falls back to a
// walk), otherwise a walk that skips dependency, build and cache folders; and
// a careful read that turns binary, huge, unreadable and non-UTF-8 files into
// skip reasons instead of errors.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tl/scan/scanner.hpp"
#include "tl/util/error.hpp"

namespace tl::scan {

// Folder names a walk never enters.
const std::vector<std::string>& skipped_directories();

// The files below a directory.
struct Listing {
    ListingSource source = ListingSource::walk;
    std::vector<std::string> paths;    // relative, '/'-separated, sorted
    std::vector<SkippedFile> skipped;  // folders that could not be read
    std::vector<std::string> notes;    // why git was not used, when it was wanted
};

// Lists `root` (a directory): with git when allowed and `root` is inside a work
// tree, by walking otherwise. Fails only when `root` cannot be listed at all.
Result<Listing> list_files(const std::filesystem::path& root, UseGit use_git);

// A file's text, or why it was not read.
struct FileText {
    bool ok = false;
    std::string text;    // without a UTF-8 byte order mark
    std::string reason;  // when !ok: "binary file (NUL bytes)", "UTF-16 text", ...
};

// Reads a file for scanning: symlinks, special files, files over `max_size`,
// unreadable files, binary files and text that is not UTF-8 come back with a
// reason instead of text.
FileText read_text(const std::filesystem::path& path, std::uint64_t max_size);

// Reads at most the first `limit` bytes of a regular file (empty on any error);
// enough to look at a shebang without reading a large binary.
std::string read_prefix(const std::filesystem::path& path, std::size_t limit);

}  // namespace tl::scan
