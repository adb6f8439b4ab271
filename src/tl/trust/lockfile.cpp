#include "tl/trust/lockfile.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "tl/platform/platform.hpp"
#include "tl/release/tags.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/json.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::trust {

namespace {

using nlohmann::json;

Result<std::string> text_field(const json& obj, const char* key, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string()) {
        return fail(ErrorKind::integrity, where + ": missing or non-text " + util::quoted(key));
    }
    return it->get<std::string>();
}

Result<std::string> digest_field(const json& obj, const char* key, const std::string& where) {
    auto text = text_field(obj, key, where);
    if (!text) {
        return text;
    }
    if (!util::is_sha256_hex(*text)) {
        return fail(ErrorKind::integrity,
                    where + ": " + util::quoted(key) + " is not a lower-case SHA-256 hex digest");
    }
    return text;
}

Result<LockEntry> parse_entry(const json& e, const std::string& tag, const std::string& platform,
                              const std::string& file) {
    const std::string where = file + ", entry " + tag + " " + platform;
    if (!e.is_object()) {
        return fail(ErrorKind::integrity, where + ": not an object");
    }
    // Tags and names from the lockfile become cache paths: checked here, where
    // they enter.
    if (std::string why = release::library_tag_problem(tag); !why.empty()) {
        return fail(ErrorKind::integrity, where + ": not a library release tag: " + why);
    }
    if (!platform::parse_platform(platform)) {
        return fail(ErrorKind::integrity, where + ": unknown platform");
    }
    LockEntry out;
    out.tag = tag;
    out.platform = platform;
    auto archive = text_field(e, "archive", where);
    auto digest = digest_field(e, "archive_sha256", where);
    auto source = text_field(e, "source", where);
    auto seen = text_field(e, "first_seen", where);
    for (auto* r : {&archive, &digest, &source, &seen}) {
        if (!*r) {
            return util::unexpected(r->error());
        }
    }
    if (std::string why = release::asset_name_problem(*archive); !why.empty()) {
        return fail(ErrorKind::integrity, where + ": archive name " + util::quoted(*archive) +
                                              " is not a plain file name: " + why);
    }
    out.archive = *archive;
    out.archive_sha256 = *digest;
    out.source = *source;
    out.first_seen = *seen;
    auto libs = e.find("libraries");
    if (libs == e.end() || !libs->is_object()) {
        return fail(ErrorKind::integrity, where + ": missing \"libraries\" object");
    }
    for (const auto& [name, value] : libs->items()) {
        if (!value.is_string() || !util::is_sha256_hex(value.get<std::string>())) {
            return fail(ErrorKind::integrity,
                        where + ": library " + util::quoted(name) + " has no SHA-256 hex digest");
        }
        out.libraries[name] = value.get<std::string>();
    }
    return out;
}

}  // namespace

Result<Lockfile> Lockfile::parse(std::string_view text, const std::string& where) {
    auto parsed = util::parse_json(text, where);
    if (!parsed) {
        return fail(parsed.error().kind, parsed.error().message +
                                             "; fix it or delete it and run 'temporal-libs lock' "
                                             "again");
    }
    json& j = *parsed;
    if (!j.is_object()) {
        return fail(ErrorKind::integrity, where +
                                              " is not a JSON object; fix it or delete it and run "
                                              "'temporal-libs lock' again");
    }
    auto format = j.find("format");
    if (format == j.end() || !format->is_number_integer()) {
        return fail(ErrorKind::integrity, where + ": missing integer \"format\"");
    }
    if (format->get<std::int64_t>() > k_lockfile_format) {
        return fail(ErrorKind::usage, where + " has format " + format->dump() +
                                          ", newer than this temporal-libs reads (" +
                                          std::to_string(k_lockfile_format) +
                                          "); upgrade temporal-libs");
    }
    if (format->get<std::int64_t>() < 1) {
        return fail(ErrorKind::integrity, where + ": unknown format " + format->dump());
    }
    Lockfile lock;
    auto entries = j.find("entries");
    if (entries == j.end()) {
        return lock;
    }
    if (!entries->is_object()) {
        return fail(ErrorKind::integrity, where + ": \"entries\" is not an object");
    }
    for (const auto& [tag, platforms] : entries->items()) {
        if (!platforms.is_object()) {
            return fail(ErrorKind::integrity, where + ": entry " + tag + " is not an object");
        }
        for (const auto& [platform, e] : platforms.items()) {
            TL_TRY_ASSIGN(entry, parse_entry(e, tag, platform, where))
            lock.put(std::move(*entry));
        }
    }
    return lock;
}

Result<std::optional<Lockfile>> Lockfile::load(const fs::path& file) {
    auto text = util::read_file(file, 16u << 20);
    if (!text) {
        if (text.error().kind == ErrorKind::not_found) {
            return std::optional<Lockfile>();
        }
        struct stat st {};
        if (::stat(file.parent_path().c_str(), &st) == 0 &&
            ::access(file.parent_path().c_str(), R_OK | X_OK) != 0) {
            // Whether a lockfile exists cannot be told: say that, not that a
            // (perhaps absent) file is unreadable.
            return fail(ErrorKind::filesystem,
                        "cannot tell whether '" + file.string() + "' exists: the directory '" +
                            file.parent_path().string() +
                            "' is not readable; run from a readable directory or fix its "
                            "permissions");
        }
        return util::unexpected(text.error());
    }
    TL_TRY_ASSIGN(lock, parse(*text, "'" + file.string() + "'"))
    return std::optional<Lockfile>(std::move(*lock));
}

std::string Lockfile::serialize() const {
    // nlohmann::json objects are std::maps: keys come out sorted.
    json entries = json::object();
    for (const auto& [tag, platforms] : m_entries) {
        for (const auto& [platform, e] : platforms) {
            json libs = json::object();
            for (const auto& [name, digest] : e.libraries) {
                libs[name] = digest;
            }
            entries[tag][platform] = {{"archive", e.archive},
                                      {"archive_sha256", e.archive_sha256},
                                      {"libraries", libs},
                                      {"source", e.source},
                                      {"first_seen", e.first_seen}};
        }
    }
    json j = {
        {"format", k_lockfile_format}, {"generated_by", "temporal-libs"}, {"entries", entries}};
    return j.dump(2) + "\n";
}

const LockEntry* Lockfile::find(const std::string& tag, const std::string& platform) const {
    auto t = m_entries.find(tag);
    if (t == m_entries.end()) {
        return nullptr;
    }
    auto p = t->second.find(platform);
    return p == t->second.end() ? nullptr : &p->second;
}

void Lockfile::put(LockEntry entry) {
    std::string tag = entry.tag;
    std::string platform = entry.platform;
    m_entries[tag][platform] = std::move(entry);
}

std::size_t Lockfile::size() const {
    std::size_t n = 0;
    for (const auto& [tag, platforms] : m_entries) {
        n += platforms.size();
    }
    return n;
}

Result<Lockfile> update_lockfile(const fs::path& file, const std::function<void(Lockfile&)>& change,
                                 const fs::path& guard_path) {
    // The guard lives in the cache's lock directory when the caller names it:
    // a project's root then holds temporal-libs.lock only.
    fs::path path = guard_path.empty()
                        ? file.parent_path() / ("." + file.filename().string() + ".lk")
                        : guard_path;
    if (!guard_path.empty()) {
        TL_TRY(util::create_directories(path.parent_path()));
    }
    TL_TRY_ASSIGN(guard, util::FileLock::acquire(path))
    TL_TRY_ASSIGN(current, Lockfile::load(file))
    Lockfile lock = current->value_or(Lockfile());
    change(lock);
    TL_TRY(util::write_file_atomic(file, lock.serialize()));
    return lock;
}

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace tl::trust
