#pragma once

// The local cache of installed libraries.
//
// Layout (the first two lines are the contract existing Zig builds read):
//   <root>/<tag>/<platform>/lib<name>.a           installed libraries
//   <root>/latest -> <tag>                        symlink moved by `update` (below)
//   <root>/<version> -> <tag>                     alias: v1.0.2 -> temporal-libs-v1.0.2
//   <root>/CACHEDIR.TAG, <root>/.gitignore        "not a backup", "not in git" markers
//   <root>/<tag>/<platform>/.temporal-libs-entry.json   what was installed (below)
//   <root>/<tag>/.staging-<platform>-<pid>-<rand>/     an extraction in progress
//   <root>/<tag>/.old-<platform>-<pid>-<rand>/         an entry being replaced
//   <root>/.archives/<sha256><ext>                downloaded archives, by digest
//   <root>/.partial/<asset>.part(.json)           interrupted downloads and their validator
//   <root>/.locks/<tag>@<platform>.lock           per-entry lock (flock)
//   <root>/.locks/lockfile.lock                   guards rewrites of temporal-libs.lock
//   <root>/.stats.json                            hit/miss counters, last use per entry
//
// An entry appears complete or not at all: it is extracted into a staging
// directory beside its final place and renamed (exchanged, when replacing) in
// one step, with its record already inside. Staging directories are only made
// while holding the entry lock, so any found by a lock holder are left over from
// a killed process and are removed.
//
// Entry record (.temporal-libs-entry.json), format version 1:
//   {"format":1, "tag", "platform", "source", "source_url",
//    "archive": {"name", "sha256", "size"}, "installed_at" (epoch seconds),
//    "files": [{"path", "sha256", "size", "inode", "mtime_ns"}]}
// A record of another format version, or none at all, is a cache miss.
//
// The latest link: `update` points it at the release it resolved (LatestLink::move);
// every other install only creates it when the cache has none, or none that
// resolves (LatestLink::create). `clear` and `prune` never leave it dangling
// (repair_latest). The alias <version> -> <tag> lets a lookup by the version
// as a user writes it (the original Zig build's TEMPORAL_LIBS_VERSION=v1.0.2)
// find the entry; it comes and goes with the tag's directory.
//
// Statistics (.stats.json), format version 1, changed under .locks/stats.lock
// by atomic rewrite:
//   {"format":1, "hits", "misses", "downloads",
//    "entries": {"<tag>@<platform>": {"last_used" (epoch seconds), "hits"}}}

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tl/archive/extract.hpp"
#include "tl/util/error.hpp"
#include "tl/util/fs.hpp"

namespace tl::cache {

namespace fs = std::filesystem;

inline constexpr int k_entry_format = 1;
inline constexpr const char* k_entry_file = ".temporal-libs-entry.json";
inline constexpr const char* k_default_dir = ".temporal-libs-cache";
// https://bford.ca/cachedir/: backup and sync tools skip a directory holding it.
inline constexpr const char* k_cachedir_tag_signature =
    "Signature: 8a477f597d28d172789f06886806bc55";

// Whether an install moves the latest link (update) or only creates a missing one.
enum class LatestLink { create, move };

// How thoroughly an entry is checked before use.
enum class Verify { fast, full };

struct FileRecord {
    std::string path;
    std::string sha256;
    std::uint64_t size = 0;
    std::uint64_t inode = 0;
    std::int64_t mtime_ns = 0;
};

struct EntryRecord {
    std::string tag;
    std::string platform;
    std::string source;
    std::string source_url;
    std::string archive_name;
    std::string archive_sha256;
    std::uint64_t archive_size = 0;
    std::int64_t installed_at = 0;
    std::vector<FileRecord> files;
};

// Serialises a record as JSON.
std::string to_json(const EntryRecord& record);
// Parses a record; an empty optional for another format version or damaged JSON.
std::optional<EntryRecord> parse_entry(std::string_view json_text);

// The state of one entry, as found.
struct Lookup {
    enum class State {
        absent,   // no directory
        ok,       // record present, every file matches it
        damaged,  // a file is missing, changed or the record is unreadable
        foreign,  // a directory without a record (e.g. made by an older tool)
    };
    State state = State::absent;
    std::optional<EntryRecord> record;
    std::string problem;  // for damaged/foreign: which file and what is wrong
};

class Cache {
public:
    explicit Cache(fs::path root);
    const fs::path& root() const { return m_root; }

    // <root>/<tag>/<platform>
    fs::path entry_dir(const std::string& tag, const std::string& platform) const;
    // <root>/.partial/<asset>.part
    fs::path partial_path(const std::string& asset_name) const;
    // <root>/.archives/<sha256><extension>
    fs::path archive_path(const std::string& sha256, const std::string& extension) const;

    // Creates the cache's directories, and CACHEDIR.TAG and a .gitignore of "*"
    // in its root when absent (a user's own files are never replaced); a
    // filesystem failure names the one that failed.
    Result<void> ensure_layout() const;

    // The lock guarding rewrites of a project's temporal-libs.lock (inside
    // the cache, so the project's root gets no helper file).
    fs::path lockfile_guard_path() const;

    // <root>/v1.0.2 -> temporal-libs-v1.0.2 for an installed tag (nothing for
    // a tag without the prefix); replaced atomically, never over a real
    // directory or file of that name.
    Result<void> add_alias(const std::string& tag) const;
    // The alias of `tag`, when one points at it, goes; for a removed tag.
    void remove_alias(const std::string& tag) const;
    // The alias name of `tag` ("v1.0.2"), empty when it has none.
    static std::string alias_name(const std::string& tag);

    // Finds and checks an entry: sizes, inodes and mtimes (fast) or every
    // file's SHA-256 (full) against its record.
    Lookup lookup(const std::string& tag, const std::string& platform, Verify verify) const;

    // Takes the entry's lock, calling `on_wait` once if another process holds it.
    Result<util::FileLock> lock_entry(const std::string& tag, const std::string& platform,
                                      const std::function<void()>& on_wait) const;

    // Removes staging and moved-aside directories of an entry left by killed
    // processes. Call only while holding the entry lock.
    void remove_leftovers(const std::string& tag, const std::string& platform) const;

    // A new, empty staging directory beside the entry's final place.
    Result<fs::path> make_staging(const std::string& tag, const std::string& platform) const;

    // Writes the record into `staging` and moves it into place atomically,
    // replacing (and then removing) any previous entry. Returns the entry dir.
    Result<fs::path> install(const fs::path& staging, const EntryRecord& record) const;

    // Moves a damaged entry aside so it can be fetched again; the old files are removed.
    Result<void> discard_entry(const std::string& tag, const std::string& platform) const;

    // LatestLink::move points <root>/latest at `tag`; LatestLink::create only
    // when there is no link or it points at nothing installed.
    Result<void> update_latest(const std::string& tag, LatestLink mode = LatestLink::create) const;

    // The tag <root>/latest points at, if any.
    std::optional<std::string> latest_tag() const;

    // Counts a use of an entry in .stats.json; failures are ignored (statistics
    // must never break a build).
    enum class Use { hit, miss, download };
    void record_use(const std::string& tag, const std::string& platform, Use use) const;

    // The statistics as stored (an empty object when there are none yet).
    struct Stats {
        std::uint64_t hits = 0;
        std::uint64_t misses = 0;
        std::uint64_t downloads = 0;
        std::map<std::string, std::int64_t> last_used;  // "<tag>@<platform>" -> epoch seconds
    };
    Stats stats() const;

    // Every installed entry (tag, platform), sorted newest tag first.
    std::vector<std::pair<std::string, std::string>> entries() const;

    // Removes an entry if no process holds its lock; false when it is in use.
    Result<bool> remove_entry(const std::string& tag, const std::string& platform) const;

    // Points `latest` at the newest installed tag, or removes it when none is left.
    Result<void> repair_latest() const;

    // The lock file of an entry (for "in use" checks).
    fs::path lock_path(const std::string& tag, const std::string& platform) const;

private:
    fs::path m_root;
};

// Builds a record's file list from what an extraction wrote.
std::vector<FileRecord> file_records(const std::vector<archive::ExtractedFile>& files);

}  // namespace tl::cache
