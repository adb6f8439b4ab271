// `lock`: pins the archive and library digests of a release in the project's
// temporal-libs.lock, after cross-checking every checksum the release offers.

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "tl/cli/commands.hpp"
#include "tl/cli/session.hpp"
#include "tl/release/contract.hpp"
#include "tl/source/resolve.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

namespace {

// What `lock` did to one entry.
enum class LockChange { added, unchanged, repinned };

const char* change_name(LockChange c) {
    switch (c) {
        case LockChange::added:
            return "added";
        case LockChange::unchanged:
            return "unchanged";
        case LockChange::repinned:
            return "re-pinned";
    }
    return "added";
}

// The release to lock: the configured tag, or the newest for "latest".
source::ReleaseInfo release_to_lock(Context& ctx, Session& s) {
    source::Source* src = s.source(ctx);
    if (src == nullptr) {
        throw Error(ErrorKind::usage,
                    "lock cross-checks the release's checksums and needs the network; drop "
                    "--offline");
    }
    return value_or_throw(source::resolve_release(*src, s.options.version, ctx.console));
}

void run_lock(Context& ctx, const CommonFlags& flags) {
    CommonFlags f = flags;
    const std::string wanted = f.platform;
    if (is_all_platforms(wanted) || wanted.find(',') != std::string::npos) {
        f.platform.clear();  // the session takes one platform: they are chosen below
    }
    Session s = open_session(ctx, f);
    source::ReleaseInfo release = release_to_lock(ctx, s);
    std::vector<platform::Platform> platforms =
        select_platforms(wanted, s.config, release, s.platform);
    std::sort(platforms.begin(), platforms.end(),
              [](const platform::Platform& a, const platform::Platform& b) {
                  return a.name() < b.name();
              });

    install::Installer installer(
        *s.cache, [&] { return s.source(ctx); }, ctx.console);
    std::vector<std::pair<trust::LockEntry, LockChange>> locked;
    for (const auto& p : platforms) {
        install::InstallOptions o = s.options;
        o.version = release.tag;
        o.platform = p;
        // Every claim of the release is checked again, never the cache alone,
        // and the lock being rewritten does not vouch for itself.
        o.force = install::Force::yes;
        o.checksums = install::Checksums::verify;
        o.lock_mode = install::LockMode::none;
        o.lockfile.reset();
        auto r = installer.install(o);
        if (!r) {
            throw Error(r.error());
        }
        trust::LockEntry entry = install::lock_entry_for(*r);
        LockChange change = LockChange::added;
        const trust::LockEntry* old =
            s.options.lockfile ? s.options.lockfile->find(entry.tag, entry.platform) : nullptr;
        if (old != nullptr && old->archive == entry.archive &&
            old->archive_sha256 == entry.archive_sha256 && old->libraries == entry.libraries) {
            change = LockChange::unchanged;
            entry = *old;
        } else if (old != nullptr) {
            change = LockChange::repinned;
            ctx.console.warn("re-pinned " + util::quoted(entry.tag) + " (" + entry.platform +
                             "): archive sha256 " + old->archive_sha256 + " (locked " +
                             old->first_seen + ") is now " + entry.archive_sha256);
        }
        locked.emplace_back(std::move(entry), change);
    }
    value_or_throw(trust::update_lockfile(
        s.options.lockfile_path,
        [&](trust::Lockfile& lock) {
            for (const auto& [entry, change] : locked) {
                lock.put(entry);
            }
        },
        s.cache->lockfile_guard_path()));

    if (f.json) {
        nlohmann::json entries = nlohmann::json::array();
        for (const auto& [e, change] : locked) {
            entries.push_back({{"tag", e.tag},
                               {"platform", e.platform},
                               {"archive", e.archive},
                               {"archive_sha256", e.archive_sha256},
                               {"libraries", e.libraries},
                               {"first_seen", e.first_seen},
                               {"change", change_name(change)}});
        }
        nlohmann::json j = {{"lockfile", s.options.lockfile_path.string()}, {"entries", entries}};
        print_json(ctx, std::move(j));
        return;
    }
    for (const auto& [e, change] : locked) {
        std::printf("%s %s: %s sha256 %s (%zu libraries, %s)\n", e.tag.c_str(), e.platform.c_str(),
                    e.archive.c_str(), e.archive_sha256.c_str(), e.libraries.size(),
                    change_name(change));
    }
    std::printf("wrote %s\n", s.options.lockfile_path.string().c_str());
}

}  // namespace

void add_lock_command(CLI::App& app, Context& ctx) {
    auto flags = std::make_shared<CommonFlags>();
    CLI::App* cmd = add_command(
        app, "lock",
        "Pin a release's archive and library digests in temporal-libs.lock\n\n"
        "Fetches the release (or reuses the kept archive), cross-checks every checksum it\n"
        "offers (.sha256 files, the API digest, SHA256SUMS and, with public_keys set, its\n"
        "signature), and writes the archive's and each library's SHA-256 into\n"
        "temporal-libs.lock beside temporal-libs.toml (else in the working directory).\n"
        "With the lockfile present, download refuses an asset that changed since.\n"
        "Running it again re-pins (review the diff).\n\n"
        "Examples:\n"
        "  temporal-libs lock --version v1.0.2\n"
        "  temporal-libs lock --version v1.0.2 --platform all\n"
        "  temporal-libs download --locked          # in CI",
        [&ctx, flags] { run_lock(ctx, *flags); });
    add_common_flags(cmd, *flags, FlagSet::network);
    cmd->get_option("--platform")
        ->description(
            "linux-x64, linux-arm64, macos-arm64, macos-x64, a comma-separated list, or all "
            "(default: the 'platforms' key, else this host)");
}

}  // namespace tl::cli
