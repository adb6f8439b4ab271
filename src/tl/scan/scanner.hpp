#pragma once

// The migration scanner: lists the files of a tree (what git tracks, or a walk
// that skips node_modules, target, vendor, .git and the cache), picks the
// build files it understands by name (or shebang), finds every command that
// installs a Rust toolchain or compiles Rust, and marks those meant to stay
// (an allow comment, or a path on the allow list) as allowed.
//
// Allow comments: `temporal-libs: allow-rust` in a comment on the command's
// line, or directly above it, or directly above an enclosing YAML key, job or
// step, Makefile rule or justfile recipe; `temporal-libs: allow-rust-file`
// anywhere in a comment allows the whole file. Text after the marker is kept
// as the reason.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tl/scan/finding.hpp"
#include "tl/util/error.hpp"

namespace tl::scan {

// Whether scan_tree may ask git for the list of files.
enum class UseGit { yes, no };

// How the list of files was made.
enum class ListingSource {
    git,   // git ls-files in a work tree
    walk,  // a directory walk with the skip list
    file,  // one file given on the command line
};

// What to scan and how.
struct ScanOptions {
    std::filesystem::path root = ".";
    // Paths (globs matched against the path relative to root; `*` also matches
    // `/`, a trailing `/` matches everything below) whose findings are allowed.
    // Fed by --allow and, later, by scan.allow in temporal-libs.toml.
    std::vector<std::string> allow_globs;
    // Files larger than this (at most 1 GiB) are skipped with a note.
    std::uint64_t max_file_size = 1u << 20;
    UseGit use_git = UseGit::yes;
};

// A build file that was read and analysed.
struct ScannedFile {
    std::string path;
    FileType type = FileType::shell;
    std::size_t findings = 0;  // allowed ones included
};

// A build file that was not analysed, and why ("binary", "larger than ...").
struct SkippedFile {
    std::string path;
    std::string reason;
};

// Everything one scan learned; the formatters turn it into text, JSON, SARIF or Markdown.
struct ScanReport {
    std::string root;  // as given
    ListingSource source = ListingSource::walk;
    std::size_t files_listed = 0;  // every file in the listing, build file or not
    std::vector<ScannedFile> scanned;
    std::vector<Finding> findings;  // sorted by path, line, column
    std::vector<SkippedFile> skipped;
    std::vector<std::string> notes;  // e.g. "git not found: walked the tree instead"
    double seconds = 0;

    // Findings still to migrate (not allowed).
    std::size_t remaining() const;
    // Findings allowed to stay.
    std::size_t allowed() const;
    // Remaining findings of one severity.
    std::size_t remaining_with(Severity severity) const;
};

// The type of a build file judged by its path alone; empty when the scanner
// does not read such files (an extensionless file may still be a script: see
// may_be_script).
std::optional<FileType> classify_path(std::string_view rel_path);

// True for an extensionless file whose shebang decides whether it is a script.
bool may_be_script(std::string_view rel_path);

// The type a shebang line gives (sh/bash/zsh → shell, node/bun/deno → JS);
// empty when `content` has no shebang the scanner understands.
std::optional<FileType> classify_shebang(std::string_view content);

// The findings in one file's text, sorted, with allow comments and the allow
// list applied. Strings naming one of `installers` (by file name) are findings
// too: the file runs a script that installs Rust. A JSON file that does not parse gives a failure
// (the caller records it as skipped), never a crash.
Result<std::vector<Finding>> scan_text(std::string_view rel_path, FileType type,
                                       std::string_view content,
                                       const std::vector<std::string>& allow_globs = {},
                                       const std::vector<ScriptReference>& installers = {});

// Scans a tree (or one file). Fails with not_found when the root does not
// exist and filesystem when it cannot be listed; unreadable, binary, huge or
// oddly encoded files become notes in the report, never failures.
Result<ScanReport> scan_tree(const ScanOptions& options);

// True when `rel_path` matches an allow-list glob.
bool matches_glob(std::string_view glob, std::string_view rel_path);

}  // namespace tl::scan
