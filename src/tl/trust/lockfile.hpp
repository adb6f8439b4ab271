#pragma once

// The project's lockfile, temporal-libs.lock: the archive and library digests a
// team reviewed, per release tag and platform. With it present, the pinned
// digest is authoritative: a release whose asset changed is refused.
//
// On-disk format, version 1 (JSON, keys sorted, two-space indent, one trailing
// newline, so that it diffs well in review):
//   {
//     "format": 1,
//     "generated_by": "temporal-libs",
//     "entries": {
//       "<tag>": {
//         "<platform>": {
//           "archive": "temporal-static-libs-linux-x64-v1.0.2.tar.gz",
//           "archive_sha256": "<64 hex>",
//           "libraries": {"libtemporalio_sdk_core.a": "<64 hex>", ...},
//           "source": "<where it was first seen: source name and asset URL>",
//           "first_seen": "2026-11-27T12:00:00Z"
//         }
//       }
//     }
//   }
// A file with a higher "format" is refused (upgrade temporal-libs); unknown keys
// inside an entry are kept out of the model and dropped on rewrite.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tl/util/error.hpp"

namespace tl::trust {

namespace fs = std::filesystem;

inline constexpr const char* k_lockfile_name = "temporal-libs.lock";
inline constexpr int k_lockfile_format = 1;

// One pinned archive: a tag for a platform.
struct LockEntry {
    std::string tag;
    std::string platform;
    std::string archive;
    std::string archive_sha256;
    // Library file name (as in the archive, e.g. "libtemporalio_sdk.a") to SHA-256.
    std::map<std::string, std::string> libraries;
    std::string source;
    std::string first_seen;  // UTC, ISO 8601
    bool operator==(const LockEntry&) const = default;
};

// The whole lockfile, entries keyed by tag then platform.
class Lockfile {
public:
    // Parses the text of a lockfile; an integrity failure naming `where` for
    // malformed JSON, missing fields or digests that are not SHA-256 hex, a
    // usage failure for a newer format.
    static Result<Lockfile> parse(std::string_view text, const std::string& where);
    // Reads `file`; an empty optional when it does not exist.
    static Result<std::optional<Lockfile>> load(const fs::path& file);

    // The deterministic text form described above.
    std::string serialize() const;

    // The entry for a tag and platform, or null.
    const LockEntry* find(const std::string& tag, const std::string& platform) const;
    // Adds or replaces the entry for its tag and platform.
    void put(LockEntry entry);
    bool empty() const { return m_entries.empty(); }
    std::size_t size() const;

private:
    std::map<std::string, std::map<std::string, LockEntry>> m_entries;
};

// Reads `file` (empty if absent), lets `change` edit it and writes it back
// atomically, all under an exclusive lock on `guard` (the cache's
// .locks/lockfile.lock for the tool; empty: ".<name>.lk" beside the file), so
// concurrent processes never lose each other's entries. Returns the written
// lockfile.
Result<Lockfile> update_lockfile(const fs::path& file, const std::function<void(Lockfile&)>& change,
                                 const fs::path& guard = {});

// The current time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now();

}  // namespace tl::trust
