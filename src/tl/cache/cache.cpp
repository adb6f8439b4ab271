#include "tl/cache/cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <algorithm>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

#include "tl/cache/notes.hpp"
#include "tl/release/contract.hpp"
#include "tl/util/json.hpp"
#include "tl/util/safe_fs.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::cache {

using nlohmann::json;

std::string to_json(const EntryRecord& r) {
    json files = json::array();
    for (const auto& f : r.files) {
        files.push_back({{"path", f.path},
                         {"sha256", f.sha256},
                         {"size", f.size},
                         {"inode", f.inode},
                         {"mtime_ns", f.mtime_ns}});
    }
    json j = {{"format", k_entry_format},
              {"tag", r.tag},
              {"platform", r.platform},
              {"source", r.source},
              {"source_url", r.source_url},
              {"archive",
               {{"name", r.archive_name}, {"sha256", r.archive_sha256}, {"size", r.archive_size}}},
              {"installed_at", r.installed_at},
              {"files", files}};
    return j.dump(2) + "\n";
}

std::optional<EntryRecord> parse_entry(std::string_view json_text) {
    json j = util::parse_json_or_discarded(json_text);
    if (j.is_discarded() || !j.is_object()) {
        return std::nullopt;
    }
    try {
        // value() throws for a "format" of another type (found by fuzz_release_text).
        if (j.value("format", 0) != k_entry_format) {
            return std::nullopt;
        }
        EntryRecord r;
        r.tag = j.at("tag").get<std::string>();
        r.platform = j.at("platform").get<std::string>();
        r.source = j.value("source", "");
        r.source_url = j.value("source_url", "");
        const json& a = j.at("archive");
        r.archive_name = a.value("name", "");
        r.archive_sha256 = a.value("sha256", "");
        r.archive_size = a.value("size", std::uint64_t{0});
        r.installed_at = j.value("installed_at", std::int64_t{0});
        for (const auto& f : j.at("files")) {
            FileRecord fr;
            fr.path = f.at("path").get<std::string>();
            fr.sha256 = f.at("sha256").get<std::string>();
            fr.size = f.at("size").get<std::uint64_t>();
            fr.inode = f.value("inode", std::uint64_t{0});
            fr.mtime_ns = f.value("mtime_ns", std::int64_t{0});
            // A record naming a path outside its entry is not ours to trust.
            if (fr.path.empty() || fr.path.front() == '/' ||
                fr.path.find("..") != std::string::npos) {
                return std::nullopt;
            }
            r.files.push_back(std::move(fr));
        }
        return r;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

std::vector<FileRecord> file_records(const std::vector<archive::ExtractedFile>& files) {
    std::vector<FileRecord> out;
    for (const auto& f : files) {
        out.push_back({f.path, f.sha256, f.size, f.inode, f.mtime_ns});
    }
    return out;
}

namespace {

std::mutex g_notes_mutex;
std::vector<std::string> g_notes;

void note(std::vector<std::string> moved) {
    for (auto& m : moved) {
        add_note(std::move(m));
    }
}

}  // namespace

void add_note(std::string n) {
    std::lock_guard<std::mutex> lock(g_notes_mutex);
    g_notes.push_back(std::move(n));
}

std::vector<std::string> take_notes() {
    std::lock_guard<std::mutex> lock(g_notes_mutex);
    return std::exchange(g_notes, {});
}

Cache::Cache(fs::path root) : m_root(std::move(root)) {}

fs::path Cache::entry_dir(const std::string& tag, const std::string& platform) const {
    return m_root / tag / platform;
}

fs::path Cache::partial_path(const std::string& asset_name) const {
    return m_root / ".partial" / (asset_name + ".part");
}

fs::path Cache::archive_path(const std::string& sha256, const std::string& extension) const {
    return m_root / ".archives" / (sha256 + extension);
}

namespace {

// Writes `text` to `path` only when nothing is there (O_EXCL, no link
// followed): a user's own file of that name is left as it is.
Result<void> write_if_absent(const fs::path& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST || errno == ELOOP) {
            return {};
        }
        return fail(ErrorKind::filesystem,
                    "cannot create '" + path.string() + "': " + std::strerror(errno));
    }
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) {
        return fail(ErrorKind::filesystem, "cannot write '" + path.string() + "'");
    }
    return {};
}

}  // namespace

Result<void> Cache::ensure_layout() const {
    if (auto r = util::create_directories(m_root); !r) {
        return r;
    }
    std::vector<std::string> moved;
    for (const char* sub : {".locks", ".partial", ".archives"}) {
        if (auto r = util::ensure_plain_directory(m_root / sub, moved); !r) {
            note(std::move(moved));
            return r;
        }
    }
    note(std::move(moved));
    // Backup tools skip a directory with CACHEDIR.TAG; git ignores one whose
    // .gitignore says "*" (itself included), so a cache inside a project
    // never shows in `git status`.
    if (auto r = write_if_absent(
            m_root / "CACHEDIR.TAG",
            std::string(k_cachedir_tag_signature) +
                "\n# This file is a cache directory tag created by temporal-libs.\n"
                "# For information about cache directory tags, see https://bford.ca/cachedir/\n");
        !r) {
        return r;
    }
    return write_if_absent(m_root / ".gitignore",
                           "# Created by temporal-libs: the cache is never committed.\n*\n");
}

fs::path Cache::lockfile_guard_path() const {
    return m_root / ".locks" / "lockfile.lock";
}

std::string Cache::alias_name(const std::string& tag) {
    std::string label = release::version_label(tag);
    if (label == tag || label.empty() || label[0] == '.' || label == "latest" ||
        label.find('/') != std::string::npos || label == "CACHEDIR.TAG") {
        return "";
    }
    return label;
}

Result<void> Cache::add_alias(const std::string& tag) const {
    std::string name = alias_name(tag);
    if (name.empty()) {
        return {};
    }
    fs::path link = m_root / name;
    std::error_code ec;
    fs::path current = fs::read_symlink(link, ec);
    if (!ec && current == tag) {
        return {};
    }
    auto st = fs::symlink_status(link, ec);
    if (fs::exists(st) && !fs::is_symlink(st)) {
        return {};  // a real directory or file of that name is someone's: left alone
    }
    return util::replace_symlink(link, tag);
}

void Cache::remove_alias(const std::string& tag) const {
    std::string name = alias_name(tag);
    if (name.empty()) {
        return;
    }
    std::error_code ec;
    fs::path link = m_root / name;
    if (fs::read_symlink(link, ec) == tag && !ec && !fs::exists(m_root / tag, ec)) {
        fs::remove(link, ec);
    }
}

Lookup Cache::lookup(const std::string& tag, const std::string& platform, Verify verify) const {
    Lookup out;
    fs::path dir = entry_dir(tag, platform);
    std::error_code ec;
    for (const fs::path& p : {m_root / tag, dir}) {
        struct stat st {};
        if (::lstat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
            // A link where the cache keeps its own directory: never followed,
            // and moved aside like a damaged entry.
            out.state = Lookup::State::damaged;
            out.problem = "'" + p.string() + "' is " +
                          (S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory") +
                          ", not an entry made by temporal-libs";
            return out;
        }
    }
    if (!fs::is_directory(dir, ec)) {
        return out;
    }
    auto text = util::read_file(dir / k_entry_file, 16u << 20);
    if (!text) {
        out.state = Lookup::State::foreign;
        out.problem = "'" + dir.string() + "' has no " + k_entry_file +
                      " record (not installed by temporal-libs, or installed by an older version)";
        return out;
    }
    out.record = parse_entry(*text);
    if (!out.record) {
        out.state = Lookup::State::damaged;
        out.problem = "the record '" + (dir / k_entry_file).string() + "' is unreadable";
        return out;
    }
    for (const auto& f : out.record->files) {
        fs::path p = dir / f.path;
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0) {
            out.state = Lookup::State::damaged;
            out.problem = "'" + p.string() + "' is missing";
            return out;
        }
        if (!S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) != f.size) {
            out.state = Lookup::State::damaged;
            out.problem = "'" + p.string() + "' has size " + std::to_string(st.st_size) +
                          ", expected " + std::to_string(f.size);
            return out;
        }
        std::int64_t mtime =
            static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
        if (verify == Verify::fast &&
            (static_cast<std::uint64_t>(st.st_ino) != f.inode || mtime != f.mtime_ns)) {
            out.state = Lookup::State::damaged;
            out.problem = "'" + p.string() + "' was modified after it was installed";
            return out;
        }
        if (verify == Verify::full) {
            auto digest = util::sha256_file(p);
            if (!digest || *digest != f.sha256) {
                out.state = Lookup::State::damaged;
                out.problem = "'" + p.string() + "' does not match its recorded SHA-256";
                return out;
            }
        }
    }
    out.state = Lookup::State::ok;
    return out;
}

Result<util::FileLock> Cache::lock_entry(const std::string& tag, const std::string& platform,
                                         const std::function<void()>& on_wait) const {
    TL_TRY(ensure_layout());
    fs::path path = lock_path(tag, platform);
    if (auto m = util::move_aside_unexpected(path, false); m && !m->empty()) {
        note({*m});
    }
    TL_TRY_ASSIGN(quick, util::FileLock::try_acquire(path))
    if (*quick) {
        return std::move(**quick);
    }
    if (on_wait) {
        on_wait();
    }
    return util::FileLock::acquire(path);
}

void Cache::remove_leftovers(const std::string& tag, const std::string& platform) const {
    // Never listed (let alone emptied) through a link planted at <tag>.
    std::vector<std::string> moved;
    auto plain = util::ensure_plain_directory(m_root / tag, moved);
    note(std::move(moved));
    if (!plain) {
        return;
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(m_root / tag, ec)) {
        std::string name = e.path().filename().string();
        if (util::starts_with(name, ".staging-" + platform + "-") ||
            util::starts_with(name, ".old-" + platform + "-")) {
            util::remove_tree(e.path());
        }
    }
}

Result<fs::path> Cache::make_staging(const std::string& tag, const std::string& platform) const {
    fs::path parent = m_root / tag;
    TL_TRY(util::create_directories(m_root));
    std::vector<std::string> moved;
    auto r = util::ensure_plain_directory(parent, moved);
    note(std::move(moved));
    if (!r) {
        return util::unexpected(r.error());
    }
    fs::path staging = util::unique_sibling(parent, ".staging-" + platform);
    if (::mkdir(staging.c_str(), 0777) != 0) {
        return fail(ErrorKind::filesystem,
                    "cannot create '" + staging.string() + "': " + std::strerror(errno));
    }
    return staging;
}

Result<fs::path> Cache::install(const fs::path& staging, const EntryRecord& record) const {
    TL_TRY(util::write_file_atomic(staging / k_entry_file, to_json(record)));
    fs::path final_dir = entry_dir(record.tag, record.platform);
    if (auto m = util::move_aside_unexpected(final_dir, /*want_directory=*/true); !m) {
        return util::unexpected(m.error());
    } else if (!m->empty()) {
        note({*m});
    }
    if (::rename(staging.c_str(), final_dir.c_str()) == 0) {
        return final_dir;
    }
    if (errno != EEXIST && errno != ENOTEMPTY) {
        return fail(ErrorKind::filesystem, "cannot move '" + staging.string() + "' to '" +
                                               final_dir.string() + "': " + std::strerror(errno));
    }
    // Replace an existing entry: swap it with the staging directory in one step
    // so readers see the old entry or the new one, never neither.
    if (util::rename_exchange(staging, final_dir)) {
        util::remove_tree(staging);  // now holds the old entry
        return final_dir;
    }
    fs::path aside = util::unique_sibling(final_dir.parent_path(), ".old-" + record.platform);
    if (::rename(final_dir.c_str(), aside.c_str()) != 0 ||
        ::rename(staging.c_str(), final_dir.c_str()) != 0) {
        return fail(ErrorKind::filesystem,
                    "cannot replace '" + final_dir.string() + "': " + std::strerror(errno));
    }
    util::remove_tree(aside);
    return final_dir;
}

Result<void> Cache::discard_entry(const std::string& tag, const std::string& platform) const {
    std::vector<std::string> moved;
    auto plain = util::ensure_plain_directory(m_root / tag, moved);
    note(std::move(moved));
    if (!plain) {
        return plain;
    }
    fs::path dir = entry_dir(tag, platform);
    fs::path aside = util::unique_sibling(dir.parent_path(), ".old-" + platform);
    if (::rename(dir.c_str(), aside.c_str()) != 0 && errno != ENOENT) {
        return fail(ErrorKind::filesystem, "cannot move damaged entry '" + dir.string() +
                                               "' aside: " + std::strerror(errno));
    }
    util::remove_tree(aside);
    return {};
}

std::optional<std::string> Cache::latest_tag() const {
    std::error_code ec;
    fs::path target = fs::read_symlink(m_root / "latest", ec);
    if (ec) {
        return std::nullopt;
    }
    return target.filename().string();
}

Result<void> Cache::update_latest(const std::string& tag, LatestLink mode) const {
    auto current = latest_tag();
    std::error_code ec;
    if (current && *current == tag) {
        return {};
    }
    if (mode == LatestLink::create && current && fs::is_directory(m_root / *current, ec)) {
        return {};  // only `update` moves a link that resolves
    }
    return util::replace_symlink(m_root / "latest", tag);
}

fs::path Cache::lock_path(const std::string& tag, const std::string& platform) const {
    return m_root / ".locks" / (tag + "@" + platform + ".lock");
}

void Cache::record_use(const std::string& tag, const std::string& platform, Use use) const {
    if (!util::create_directories(m_root / ".locks")) {
        return;
    }
    auto lock = util::FileLock::acquire(m_root / ".locks" / "stats.lock");
    if (!lock) {
        return;
    }
    json j;
    if (auto text = util::read_file(m_root / ".stats.json", 4u << 20)) {
        j = util::parse_json_or_discarded(*text);
    }
    if (j.is_discarded() || !j.is_object() || j.value("format", 0) != 1) {
        j = {{"format", 1},
             {"hits", 0},
             {"misses", 0},
             {"downloads", 0},
             {"entries", json::object()}};
    }
    const char* counter = use == Use::hit ? "hits" : (use == Use::miss ? "misses" : "downloads");
    j[counter] = j.value(counter, std::uint64_t{0}) + 1;
    json& e = j["entries"][tag + "@" + platform];
    if (!e.is_object()) {
        e = json::object();
    }
    e["last_used"] = static_cast<std::int64_t>(std::time(nullptr));
    if (use == Use::hit) {
        e["hits"] = e.value("hits", std::uint64_t{0}) + 1;
    }
    (void)util::write_file_atomic(m_root / ".stats.json", j.dump() + "\n",
                                  util::AtomicFile::Durability::no_fsync);
}

Cache::Stats Cache::stats() const {
    Stats s;
    auto text = util::read_file(m_root / ".stats.json", 4u << 20);
    if (!text) {
        return s;
    }
    json j = util::parse_json_or_discarded(*text);
    if (j.is_discarded() || !j.is_object() || j.value("format", 0) != 1) {
        return s;
    }
    s.hits = j.value("hits", std::uint64_t{0});
    s.misses = j.value("misses", std::uint64_t{0});
    s.downloads = j.value("downloads", std::uint64_t{0});
    if (auto it = j.find("entries"); it != j.end() && it->is_object()) {
        for (const auto& [k, v] : it->items()) {
            if (v.is_object()) {
                s.last_used[k] = v.value("last_used", std::int64_t{0});
            }
        }
    }
    return s;
}

std::vector<std::pair<std::string, std::string>> Cache::entries() const {
    std::vector<std::pair<std::string, std::string>> out;
    std::error_code ec;
    for (const auto& t : fs::directory_iterator(m_root, ec)) {
        std::string tag = t.path().filename().string();
        if (tag.empty() || tag[0] == '.' || tag == "latest" || !t.is_directory() ||
            t.is_symlink()) {
            continue;
        }
        std::error_code ec2;
        for (const auto& p : fs::directory_iterator(t.path(), ec2)) {
            std::string plat = p.path().filename().string();
            if (!plat.empty() && plat[0] != '.' && p.is_directory() && !p.is_symlink()) {
                out.emplace_back(tag, plat);
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        int c = release::compare_tags(a.first, b.first);
        return c != 0 ? c > 0 : a.second < b.second;
    });
    return out;
}

Result<bool> Cache::remove_entry(const std::string& tag, const std::string& platform) const {
    TL_TRY(util::create_directories(m_root / ".locks"));
    TL_TRY_ASSIGN(lock, util::FileLock::try_acquire(lock_path(tag, platform)))
    if (!*lock) {
        return false;
    }
    TL_TRY(discard_entry(tag, platform));
    remove_leftovers(tag, platform);
    std::error_code ec;
    fs::remove(m_root / tag, ec);  // only succeeds when no other platform is left
    remove_alias(tag);             // and then the alias goes with it
    return true;
}

Result<void> Cache::repair_latest() const {
    auto current = latest_tag();
    std::error_code ec;
    if (current && fs::is_directory(m_root / *current, ec)) {
        return {};
    }
    auto all = entries();
    if (all.empty()) {
        fs::remove(m_root / "latest", ec);
        return {};
    }
    return util::replace_symlink(m_root / "latest", all.front().first);
}

}  // namespace tl::cache
