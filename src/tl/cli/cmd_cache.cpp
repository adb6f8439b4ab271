#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

#include "tl/cli/commands.hpp"
#include "tl/cli/session.hpp"
#include "tl/release/contract.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

namespace {

using nlohmann::json;

std::string state_name(cache::Lookup::State s) {
    switch (s) {
        case cache::Lookup::State::absent:
            return "absent";
        case cache::Lookup::State::ok:
            return "ok";
        case cache::Lookup::State::damaged:
            return "damaged";
        case cache::Lookup::State::foreign:
            return "unverified";
    }
    return "absent";
}

std::string format_time(std::int64_t t) {
    if (t <= 0) {
        return "-";
    }
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

// Parses "30d", "12h", "45m", "90s", "2w" or plain seconds.
std::optional<std::int64_t> parse_duration(std::string text) {
    static const std::map<char, std::int64_t> units = {
        {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
    std::int64_t unit = 1;
    if (auto it = text.empty() ? units.end() : units.find(text.back()); it != units.end()) {
        unit = it->second;
        text.pop_back();
    }
    auto n = util::parse_u64(text);
    if (!n) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*n) * unit;
}

struct EntryRow {
    std::string tag;
    std::string platform;
    cache::Lookup lookup;
    std::uint64_t size = 0;
    std::int64_t installed_at = 0;
    std::int64_t last_used = 0;
    bool latest = false;
    bool in_use = false;
};

std::vector<EntryRow> collect(const cache::Cache& c, cache::Verify verify) {
    std::vector<EntryRow> rows;
    auto stats = c.stats();
    auto latest = c.latest_tag();
    for (const auto& [tag, plat] : c.entries()) {
        EntryRow r;
        r.tag = tag;
        r.platform = plat;
        r.lookup = c.lookup(tag, plat, verify);
        if (r.lookup.record) {
            for (const auto& f : r.lookup.record->files) {
                r.size += f.size;
            }
            r.installed_at = r.lookup.record->installed_at;
        }
        if (auto it = stats.last_used.find(tag + "@" + plat); it != stats.last_used.end()) {
            r.last_used = it->second;
        }
        r.latest = latest && *latest == tag;
        r.in_use = util::is_locked(c.lock_path(tag, plat));
        rows.push_back(std::move(r));
    }
    return rows;
}

json row_json(const EntryRow& r) {
    return {{"tag", r.tag},
            {"platform", r.platform},
            {"state", state_name(r.lookup.state)},
            {"problem", r.lookup.problem},
            {"size", r.size},
            {"installed_at", r.installed_at},
            {"last_used", r.last_used},
            {"latest", r.latest},
            {"in_use", r.in_use},
            {"source", r.lookup.record ? r.lookup.record->source : ""}};
}

cache::Cache open_cache(Context& ctx, const CommonFlags& flags) {
    Session s = open_session(ctx, flags);
    return *s.cache;
}

// What `cache clear` and `cache prune` removed (or would remove, with
// --dry-run) and what they kept.
struct Removal {
    bool dry_run = false;
    bool json_out = false;
    json removed = json::array();
    json kept = json::array();

    void remove(const std::string& tag, const std::string& platform) {
        if (!json_out) {
            std::printf("%s %s %s\n", dry_run ? "would remove" : "removed", tag.c_str(),
                        platform.c_str());
        }
        removed.push_back({{"tag", tag}, {"platform", platform}});
    }
    void keep(const std::string& tag, const std::string& platform, const char* why) {
        kept.push_back({{"tag", tag}, {"platform", platform}, {"why", why}});
    }
    void print(Context& ctx, const cache::Cache& c) const {
        if (json_out) {
            print_json(ctx, {{"cache_dir", c.root().string()},
                             {"dry_run", dry_run},
                             {"removed", removed},
                             {"kept", kept}});
            return;
        }
        std::printf("%s %zu entr%s\n", dry_run ? "would remove" : "removed", removed.size(),
                    removed.size() == 1 ? "y" : "ies");
    }
};

struct VerifyFlags : CommonFlags {
    bool full = false;
};

struct ClearFlags : CommonFlags {
    bool all = false;
    bool dry_run = false;
};

struct PruneFlags : CommonFlags {
    // Not given: the largest value (0 is a valid answer: keep no tag but the
    // one 'latest' points at and those in use).
    static constexpr std::size_t k_not_given = static_cast<std::size_t>(-1);
    std::size_t keep = k_not_given;
    std::string older_than;
    bool dry_run = false;
};

// cache list: the entries and the hit rate.
void cache_list(Context& ctx, const CommonFlags& flags) {
    cache::Cache c = open_cache(ctx, flags);
    auto rows = collect(c, flags.verify == "full" ? cache::Verify::full : cache::Verify::fast);
    auto st = c.stats();
    double rate = st.hits + st.misses == 0
                      ? 0.0
                      : static_cast<double>(st.hits) / static_cast<double>(st.hits + st.misses);
    if (flags.json) {
        json entries = json::array();
        for (const auto& r : rows) {
            entries.push_back(row_json(r));
        }
        print_json(ctx, {{"cache_dir", c.root().string()},
                         {"entries", entries},
                         {"stats",
                          {{"hits", st.hits},
                           {"misses", st.misses},
                           {"downloads", st.downloads},
                           {"hit_rate", rate}}}});
        return;
    }
    std::printf("cache: %s\n", c.root().string().c_str());
    if (rows.empty()) {
        std::printf("no entries (run 'temporal-libs download')\n");
    }
    for (const auto& r : rows) {
        std::printf("  %-28s %-12s %10s  installed %s  used %s  %s%s%s\n", r.tag.c_str(),
                    r.platform.c_str(), util::human_bytes(r.size).c_str(),
                    format_time(r.installed_at).c_str(), format_time(r.last_used).c_str(),
                    state_name(r.lookup.state).c_str(), r.latest ? ", latest" : "",
                    r.in_use ? ", in use" : "");
    }
    std::printf("hits %llu, misses %llu, downloads %llu, hit rate %.1f%%\n",
                static_cast<unsigned long long>(st.hits),
                static_cast<unsigned long long>(st.misses),
                static_cast<unsigned long long>(st.downloads), rate * 100.0);
}

// cache verify: every entry against its record; exit 7 when one is bad.
void cache_verify(Context& ctx, const VerifyFlags& flags) {
    cache::Cache c = open_cache(ctx, flags);
    auto rows = collect(
        c, flags.full || flags.verify == "full" ? cache::Verify::full : cache::Verify::fast);
    std::size_t bad = 0;
    json entries = json::array();
    for (const auto& r : rows) {
        bool ok = r.lookup.state == cache::Lookup::State::ok;
        bad += ok ? 0 : 1;
        entries.push_back(row_json(r));
        if (!flags.json) {
            std::printf("%s %s %s%s%s\n", ok ? "ok     " : "BROKEN ", r.tag.c_str(),
                        r.platform.c_str(), ok ? "" : ": ", r.lookup.problem.c_str());
        }
    }
    if (flags.json) {
        // The document names the bad entries: no error object follows.
        print_json(ctx, {{"entries", entries}, {"bad", bad}});
    }
    if (bad > 0) {
        throw Error(ErrorKind::found,
                    std::to_string(bad) + " of " + std::to_string(rows.size()) +
                        " cache entries failed verification; run 'temporal-libs "
                        "download --force' for each, or 'temporal-libs cache clear'");
    }
    if (!flags.json) {
        std::printf("%zu entries verified\n", rows.size());
    }
}

// cache clear: the entries of a version, a platform, or all of them.
void cache_clear(Context& ctx, const ClearFlags& flags) {
    if (!flags.all && flags.version.empty() && flags.platform.empty()) {
        throw Error(ErrorKind::usage, "say what to clear: --version V, --platform P, or --all");
    }
    CommonFlags f = flags;
    f.platform.clear();  // any platform name is fine for clearing
    Session s = open_session(ctx, f);
    const cache::Cache& c = *s.cache;
    std::string want_tag;
    if (!flags.version.empty()) {
        want_tag = value_or_throw(release::normalize_tag(flags.version));
    }
    Removal removal{flags.dry_run, flags.json};
    for (const auto& [tag, plat] : c.entries()) {
        if ((!want_tag.empty() && tag != want_tag) ||
            (!flags.platform.empty() && plat != flags.platform)) {
            continue;
        }
        if (flags.dry_run || value_or_throw(c.remove_entry(tag, plat))) {
            removal.remove(tag, plat);
        } else {
            ctx.console.warn(tag + " " + plat + " is in use by another process; kept");
            removal.keep(tag, plat, "in use");
        }
    }
    if (flags.all) {
        for (const char* sub : {".archives", ".partial"}) {
            if (!flags.dry_run) {
                util::remove_tree(c.root() / sub);
            } else if (!flags.json) {
                std::printf("would remove %s\n", (c.root() / sub).string().c_str());
            }
        }
    }
    if (!flags.dry_run) {
        value_or_throw(c.repair_latest());
    }
    removal.print(ctx, c);
}

// cache prune: all but the newest tags, or entries unused for a while, and the
// kept archives no entry refers to.
void cache_prune(Context& ctx, const PruneFlags& flags) {
    if (flags.keep == PruneFlags::k_not_given && flags.older_than.empty()) {
        throw Error(ErrorKind::usage, "say what to prune: --keep N or --older-than DURATION");
    }
    std::optional<std::int64_t> max_age;
    if (!flags.older_than.empty()) {
        max_age = parse_duration(flags.older_than);
        if (!max_age) {
            throw Error(ErrorKind::usage,
                        "--older-than takes a duration like 30d, 12h or 45m, not " +
                            util::quoted(flags.older_than));
        }
    }
    cache::Cache c = open_cache(ctx, flags);
    auto rows = collect(c, cache::Verify::fast);
    std::vector<std::string> tags;
    for (const auto& r : rows) {
        if (std::find(tags.begin(), tags.end(), r.tag) == tags.end()) {
            tags.push_back(r.tag);  // rows are newest first
        }
    }
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    Removal removal{flags.dry_run, flags.json};
    std::vector<std::string> kept_digests;
    for (const auto& r : rows) {
        std::size_t rank =
            static_cast<std::size_t>(std::find(tags.begin(), tags.end(), r.tag) - tags.begin());
        std::int64_t used = std::max(r.last_used, r.installed_at);
        bool old = (flags.keep != PruneFlags::k_not_given && rank >= flags.keep) ||
                   (max_age && used > 0 && now - used >= *max_age);
        if (old && !r.latest && !r.in_use) {
            if (flags.dry_run || value_or_throw(c.remove_entry(r.tag, r.platform))) {
                removal.remove(r.tag, r.platform);
            }
            continue;
        }
        if (r.lookup.record) {
            kept_digests.push_back(r.lookup.record->archive_sha256);
        }
        if (old) {
            const char* why = r.latest ? "latest points at it" : "in use";
            if (!flags.json) {
                std::printf("keeping %s %s (%s)\n", r.tag.c_str(), r.platform.c_str(), why);
            }
            removal.keep(r.tag, r.platform, why);
        }
    }
    std::error_code ec;
    for (const auto& a : std::filesystem::directory_iterator(c.root() / ".archives", ec)) {
        std::string digest = a.path().filename().string().substr(0, 64);
        if (std::find(kept_digests.begin(), kept_digests.end(), digest) != kept_digests.end()) {
            continue;
        }
        if (!flags.dry_run) {
            util::remove_tree(a.path());
        } else if (!flags.json) {
            std::printf("would remove archive %s\n", a.path().filename().c_str());
        }
    }
    removal.print(ctx, c);
}

// cache path: the folder of a version's libraries, or the cache itself.
void cache_path(Context& ctx, const CommonFlags& flags) {
    Session s = open_session(ctx, flags);
    if (flags.version.empty() && flags.platform.empty() &&
        s.config.get("version").origin == config::Origin::default_value) {
        if (flags.json) {
            print_json(
                ctx, {{"path", s.cache->root().string()}, {"cache_dir", s.cache->root().string()}});
        } else {
            std::puts(s.cache->root().string().c_str());
        }
        return;
    }
    std::string tag = s.options.version;
    if (tag == "latest") {
        auto l = s.cache->latest_tag();
        if (!l) {
            throw Error(ErrorKind::not_found, "no 'latest' link in '" + s.cache->root().string() +
                                                  "'; run 'temporal-libs download'");
        }
        tag = *l;
    }
    auto found = s.cache->lookup(tag, s.platform.name(), s.options.verify);
    if (found.state != cache::Lookup::State::ok) {
        throw Error(
            ErrorKind::not_found,
            tag + " (" + s.platform.name() + ") is not installed in '" + s.cache->root().string() +
                "'" + (found.problem.empty() ? "" : ": " + found.problem) +
                "; run 'temporal-libs download --version " + release::version_label(tag) + "'");
    }
    std::string dir = s.cache->entry_dir(tag, s.platform.name()).string();
    if (flags.json) {
        print_json(ctx, {{"path", dir},
                         {"cache_dir", s.cache->root().string()},
                         {"tag", tag},
                         {"platform", s.platform.name()}});
    } else {
        std::puts(dir.c_str());
    }
}

// Adds `cache <name>` running `run` with its flags (the common ones added);
// returns the subcommand and its flags for the options of its own.
template <class Flags>
std::pair<CLI::App*, Flags*> add_subcommand(CLI::App& cache_cmd, Context& ctx,
                                            const std::string& name, const std::string& description,
                                            void (*run)(Context&, const Flags&)) {
    auto flags = std::make_shared<Flags>();
    CLI::App* cmd =
        add_command(cache_cmd, name, description, [&ctx, flags, run] { run(ctx, *flags); });
    add_common_flags(cmd, *flags, FlagSet::cache_only);
    return {cmd, flags.get()};
}

}  // namespace

void add_cache_command(CLI::App& app, Context& ctx) {
    CLI::App* cache_cmd =
        app.add_subcommand("cache", "Inspect and manage the local cache of downloaded libraries");
    cache_cmd->require_subcommand(1);
    cache_cmd->footer(
        "\nThe cache holds <tag>/<platform>/lib*.a, a v1.0.2 -> temporal-libs-v1.0.2 link\n"
        "beside each tag, a 'latest' link, the downloaded archives and statistics. Its\n"
        "default is .temporal-libs-cache in a project (a folder with temporal-libs.toml,\n"
        "temporal-libs.lock or a git work tree), else $XDG_CACHE_HOME/temporal-libs\n"
        "(~/.cache/temporal-libs; ~/Library/Caches/temporal-libs on macOS); 'config show'\n"
        "says which rule chose it. A new cache gets CACHEDIR.TAG (backup tools skip it)\n"
        "and a .gitignore of '*' (git status stays clean).\n\n"
        "The 'latest' link points at the release 'temporal-libs update' installed last\n"
        "(the highest version at that time). Only update moves it; 'download --version V'\n"
        "never does, except that a cache without the link gets one at its first install.\n"
        "'clear' and 'prune' never leave it dangling.\n\n"
        "The cache may be shared by parallel builds: every change takes the entry's lock,\n"
        "and entries in use are never removed.\n\n"
        "Examples:\n"
        "  temporal-libs cache list\n"
        "  temporal-libs cache prune --keep 2\n"
        "  LIB_DIR=$(temporal-libs cache path --version v1.0.2)\n\n" +
        exit_codes_help());

    add_subcommand<CommonFlags>(
        *cache_cmd, ctx, "list",
        "List installed entries and the cache hit rate\n\n"
        "Shows tag, platform, size, install and last-use times, state, and the hit/miss\n"
        "counters (hit rate = hits / (hits + misses)).\n\n"
        "Examples:\n"
        "  temporal-libs cache list\n"
        "  temporal-libs cache list --json | jq '.entries[] | select(.latest)'\n"
        "  temporal-libs cache list --cache-dir ~/.cache/temporal-libs",
        cache_list);

    auto [verify, verify_flags] = add_subcommand<VerifyFlags>(
        *cache_cmd, ctx, "verify",
        "Check every cached entry against its record\n\n"
        "Compares sizes, inodes and mtimes, or with --full\n"
        "every file's SHA-256. Exits 7 when an entry is damaged or unverified.\n\n"
        "Examples:\n"
        "  temporal-libs cache verify\n"
        "  temporal-libs cache verify --full --json",
        cache_verify);
    verify->add_flag("--full", verify_flags->full, "Re-hash every file (same as --verify full)");

    auto [clear, clear_flags] = add_subcommand<ClearFlags>(
        *cache_cmd, ctx, "clear",
        "Remove cached entries\n\n"
        "One version (--version), one platform (--platform), both, or\n"
        "everything (--all, including kept archives and partial downloads). Entries in\n"
        "use by another process are skipped. --dry-run only prints what would go.\n\n"
        "Examples:\n"
        "  temporal-libs cache clear --version v1.0.2\n"
        "  temporal-libs cache clear --platform macos-x64 --dry-run\n"
        "  temporal-libs cache clear --all",
        cache_clear);
    clear->add_flag("--all", clear_flags->all,
                    "Remove every entry, kept archive and partial download");
    clear->add_flag("--dry-run", clear_flags->dry_run,
                    "Print what would be removed; change nothing");

    auto [prune, prune_flags] = add_subcommand<PruneFlags>(
        *cache_cmd, ctx, "prune",
        "Remove old versions\n\n"
        "All but the newest N tags (--keep N), or entries not used\n"
        "for a while (--older-than 30d; units s, m, h, d, w). Never removes the tag\n"
        "'latest' points at or an entry in use. Kept archives no entry refers to go too.\n\n"
        "Examples:\n"
        "  temporal-libs cache prune --keep 2\n"
        "  temporal-libs cache prune --older-than 30d --dry-run",
        cache_prune);
    prune->add_option("--keep", prune_flags->keep,
                      "Keep the newest N tags (0: only what 'latest' points at and entries in "
                      "use)");
    prune->add_option("--older-than", prune_flags->older_than,
                      "Remove entries unused for this long (30d, 12h)");
    prune->add_flag("--dry-run", prune_flags->dry_run,
                    "Print what would be removed; change nothing");

    add_subcommand<CommonFlags>(
        *cache_cmd, ctx, "path",
        "Print the directory holding a version's libraries\n\n"
        "For scripts: LIB_DIR=$(temporal-libs cache path --version v1.0.2).\n"
        "Exits 3 when that version is not installed for the platform.\n"
        "Without --version and --platform, prints the cache directory itself.\n\n"
        "Examples:\n"
        "  temporal-libs cache path\n"
        "  temporal-libs cache path --version v1.0.2 --platform linux-x64\n"
        "  temporal-libs cache path --version latest --json",
        cache_path);
}

}  // namespace tl::cli
