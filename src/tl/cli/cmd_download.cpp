#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "tl/cli/commands.hpp"
#include "tl/cli/session.hpp"
#include "tl/release/contract.hpp"
#include "tl/source/resolve.hpp"
#include "tl/util/parallel.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

namespace {

nlohmann::json result_object(const install::InstallResult& r) {
    nlohmann::json libs = nlohmann::json::array();
    for (const auto& p : r.libraries) {
        libs.push_back(p.string());
    }
    return {{"tag", r.tag},
            {"version", release::version_label(r.tag)},
            {"platform", r.platform},
            {"directory", r.dir.string()},
            {"libraries", libs},
            {"archive", r.archive_name},
            {"archive_sha256", r.archive_sha256},
            {"source", r.source},
            {"from_cache", r.from_cache}};
}

// "temporal-libs-v1.0.2 linux-x64: 5 libraries in DIR (cache hit, no download)"
std::string result_line(const install::InstallResult& r) {
    return r.tag + " " + r.platform + ": " + std::to_string(r.libraries.size()) + " libraries in " +
           r.dir.string() + " (" +
           (r.from_cache ? std::string("cache hit, no download") : "downloaded from " + r.source) +
           ")";
}

void print_result(Context& ctx, const install::InstallResult& r, bool json) {
    if (json) {
        print_json(ctx, result_object(r));
        return;
    }
    std::puts(util::scrub(result_line(r)).c_str());
}

// --libraries a,b: the libraries the archive must hold, in place of the
// configured 'libraries' (a build that links fewer than all of them).
void apply_libraries(Session& s, const std::string& libraries) {
    s.config.set_from_flag("libraries", libraries, "--libraries");
    s.options.libraries = s.config.list("libraries");
}

// Runs the installer for the flags; `version` overrides the configured one.
void run_install(Context& ctx, const CommonFlags& flags, bool force, const std::string& version,
                 const std::string& libraries = {}) {
    {
        CommonFlags f = flags;
        if (!version.empty()) {
            f.version = version;
        }
        Session s = open_session(ctx, f);
        apply_libraries(s, libraries);
        if (force) {
            s.options.force = install::Force::yes;
        }
        // `update` (version "latest" given here) is the one command that moves
        // <cache>/latest; download only creates a missing link.
        const bool is_update = version == "latest";
        std::optional<std::string> before = s.cache->latest_tag();
        install::Installer installer(
            *s.cache, [&] { return s.source(ctx); }, ctx.console);
        auto r = installer.install(s.options);
        if (!r) {
            warn_fallback_not_applied(ctx, s.config);
            throw Error(r.error());
        }
        if (is_update) {
            // The installer only creates a missing link; update moves it.
            value_or_throw(s.cache->update_latest(r->tag, cache::LatestLink::move));
        } else if (release::is_latest(s.options.version)) {
            auto now = s.cache->latest_tag();
            if (now && *now != r->tag) {
                ctx.console.info("note: " + util::quoted((s.cache->root() / "latest").string()) +
                                 " still points at " + util::quoted(*now) +
                                 "; 'temporal-libs update' moves it");
            }
        }
        if (is_update && !flags.json) {
            if (before && *before == r->tag) {
                ctx.console.info("already at the newest release " + util::quoted(r->tag));
            } else {
                ctx.console.info("updated " +
                                 (before ? util::quoted(*before) : std::string("cache")) + " to " +
                                 util::quoted(r->tag));
            }
        }
        print_result(ctx, *r, flags.json);
    }
}

// --platform names several platforms: "all" or a comma-separated list (a
// single name keeps the single-platform output).
bool several_platforms(const std::string& wanted) {
    return is_all_platforms(wanted) || wanted.find(',') != std::string::npos;
}

// The tag every platform installs, so that they agree: the configured one, or
// the newest release (asked once, or read from <cache>/latest offline). With
// `all`, fills `platforms` with every platform the release has (offline: every
// platform cached for the tag), in the contract's order.
std::string common_tag(Context& ctx, Session& s, bool all,
                       std::vector<platform::Platform>& platforms) {
    const std::string& version = s.options.version;
    const bool latest = release::is_latest(version);
    if (s.options.network == install::Network::offline) {
        std::string tag = version;
        if (latest) {
            auto cached = s.cache->latest_tag();
            if (!cached) {
                throw Error(ErrorKind::not_found,
                            "--offline with version 'latest' needs '" +
                                (s.cache->root() / "latest").string() +
                                "', which does not exist; run once online or give a version");
            }
            tag = *cached;
        }
        if (all) {
            auto entries = s.cache->entries();
            for (const auto& p : platform::all_platforms()) {
                if (std::find(entries.begin(), entries.end(), std::make_pair(tag, p.name())) !=
                    entries.end()) {
                    platforms.push_back(p);
                }
            }
            if (platforms.empty()) {
                throw Error(ErrorKind::not_found,
                            "no platform of " + util::quoted(tag) + " is cached in '" +
                                s.cache->root().string() +
                                "' and --offline forbids downloading; run once without --offline");
            }
        }
        return tag;
    }
    if (!latest && !all) {
        return version;  // nothing to ask: cached platforms make no request
    }
    source::ReleaseInfo found =
        value_or_throw(source::resolve_release(*s.source(ctx), version, ctx.console));
    if (all) {
        platforms = select_platforms("all", s.config, found, s.platform);
    }
    return found.tag;
}

// What happened to one platform.
struct PlatformRun {
    platform::Platform platform;
    std::optional<install::InstallResult> result;
    std::optional<Failure> error;
};

// One tag for several platforms, in the order they are reported.
struct PlatformRuns {
    std::string tag;
    std::vector<PlatformRun> runs;
    std::optional<config::Config> config;
};

// Installs one tag for several platforms, each on its own thread with its own
// session (cache handle, HTTP client, source). Throws only for what stops all
// of them (flags, resolving the release); a platform's failure is in its run.
PlatformRuns install_platforms(Context& ctx, const CommonFlags& flags, bool force,
                               const std::string& libraries) {
    const bool all = is_all_platforms(flags.platform);
    std::vector<platform::Platform> platforms;
    if (!all) {
        platforms = parse_platform_list(flags.platform);
    }
    CommonFlags f = flags;
    // The session's platform is replaced per platform below: any valid one will do.
    f.platform = all ? platform::all_platforms().front().name() : platforms.front().name();
    Session base = open_session(ctx, f);
    apply_libraries(base, libraries);
    if (force) {
        base.options.force = install::Force::yes;
    }
    PlatformRuns out;
    out.config = base.config;
    out.tag = common_tag(ctx, base, all, platforms);
    base.options.version = out.tag;

    std::vector<Session> sessions;
    for (const auto& p : platforms) {
        out.runs.push_back({p, std::nullopt, std::nullopt});
        sessions.push_back(base.for_platform(p));
    }
    util::run_parallel(out.runs.size(), util::k_default_parallel, [&](std::size_t i) {
        PlatformRun& run = out.runs[i];
        Session& s = sessions[i];
        // Every line this platform's work prints starts with its name.
        util::Console::ThreadLabel label(run.platform.name());
        try {
            install::Installer installer(
                *s.cache, [&] { return s.source(ctx); }, ctx.console);
            auto r = installer.install(s.options);
            if (r) {
                run.result = std::move(*r);
            } else {
                run.error = r.error();
            }
        } catch (const Error& e) {
            run.error = Failure{e.kind(), e.what()};
        } catch (const std::exception& e) {
            run.error = Failure{ErrorKind::internal, std::string("internal error: ") + e.what()};
        }
        if (run.error) {
            ctx.console.warn(run.error->message);
        }
    });
    return out;
}

// `download --platform A,B` / `--platform all`: every platform installed (in
// parallel), then one result per platform in order; the exit code is that of
// the first platform that failed.
void run_install_many(Context& ctx, const CommonFlags& flags, bool force,
                      const std::string& libraries) {
    PlatformRuns done = install_platforms(ctx, flags, force, libraries);
    const std::string& tag = done.tag;
    const std::vector<PlatformRun>& runs = done.runs;

    const PlatformRun* first_failed = nullptr;
    std::vector<std::string> failed;
    std::vector<std::string> installed;
    for (const auto& run : runs) {
        if (run.error) {
            failed.push_back(run.platform.name());
            first_failed = first_failed != nullptr ? first_failed : &run;
        } else {
            installed.push_back(run.platform.name());
        }
    }
    if (flags.json) {
        nlohmann::json results = nlohmann::json::array();
        nlohmann::json errors = nlohmann::json::array();
        for (const auto& run : runs) {
            if (run.result) {
                results.push_back(result_object(*run.result));
            } else {
                errors.push_back(
                    {{"platform", run.platform.name()}, {"error", error_object(*run.error)}});
            }
        }
        // The document carries the failures: run() adds no error object.
        print_json(ctx, {{"results", results}, {"errors", errors}});
    } else {
        for (const auto& run : runs) {
            std::string line =
                run.result ? result_line(*run.result)
                           : tag + " " + run.platform.name() + ": failed: " + run.error->message;
            std::puts(util::scrub(line).c_str());
        }
    }
    if (first_failed != nullptr) {
        warn_fallback_not_applied(ctx, *done.config);
        throw Error(first_failed->error->kind,
                    "download of " + util::quoted(tag) +
                        " incomplete: " + util::join(failed, ", ") + " failed (" +
                        first_failed->platform.name() + ": " + first_failed->error->message + ")" +
                        (installed.empty() ? std::string()
                                           : "; installed: " + util::join(installed, ", ")));
    }
}

void add_locked_flag(CLI::App* cmd, CommonFlags& flags) {
    cmd->add_flag("--locked", flags.locked,
                  "Fail when temporal-libs.lock has no entry for the release instead of "
                  "recording one (CI) [env TEMPORAL_LIBS_LOCKED=1]");
}

}  // namespace

void add_update_command(CLI::App& app, Context& ctx) {
    auto flags = std::make_shared<CommonFlags>();
    CLI::App* cmd = add_command(
        app, "update",
        "Move to the newest release and point <cache>/latest at it\n\n"
        "Downloads 'latest' for this platform (the highest version among the published,\n"
        "non-draft, non-pre-release library releases; see README, 'latest') if it is not\n"
        "cached already, and points <cache>/latest at it. update is the one command that\n"
        "moves the link: 'download --version V' installs V beside it and leaves it alone\n"
        "(only a cache with no link yet gets one). Older versions stay in the cache until\n"
        "'temporal-libs cache prune'.\n\n"
        "Examples:\n"
        "  temporal-libs update\n"
        "  temporal-libs update --json | jq -r .directory\n"
        "  temporal-libs update --source https://artifacts.example/temporal-libs/",
        [&ctx, flags] { run_install(ctx, *flags, false, "latest"); });
    add_common_flags(cmd, *flags, FlagSet::network);
    cmd->remove_option(cmd->get_option("--version"));
    add_locked_flag(cmd, *flags);
}

void add_download_command(CLI::App& app, Context& ctx) {
    auto flags = std::make_shared<CommonFlags>();
    auto force = std::make_shared<bool>(false);
    auto libraries = std::make_shared<std::string>();
    CLI::App* cmd = add_command(
        app, "download",
        "Fetch the prebuilt libraries for one or more platforms into the cache\n\n"
        "Resolves the release (a tag, or 'latest': the highest version among the\n"
        "published, non-draft, non-pre-release temporal-libs-v* releases, the same through\n"
        "every source), downloads the platform's archive, checks its SHA-256 against the\n"
        "release's .sha256 file and the source's digest, extracts it safely and installs\n"
        "it as <cache>/<tag>/<platform>/lib*.a beside a <version> alias link. A valid\n"
        "cached entry is used without any network request. The first install into a\n"
        "cache creates <cache>/latest; only 'temporal-libs update' moves it.\n\n"
        "Several platforms (--platform A,B, or all: every platform the release has; with\n"
        "--offline, every platform cached for it) are installed in parallel, up to 4 at\n"
        "once, each with its own connection; their lines on stderr start with the\n"
        "platform. One result line per platform follows, in the order given (all:\n"
        "linux-arm64, linux-x64, macos-arm64, macos-x64); --json prints one document\n"
        "{\"results\": [...], \"errors\": [{\"platform\": ..., \"error\": {...}}]}. A failing\n"
        "platform does not stop the others, which stay installed; the exit code is the\n"
        "first failing platform's.\n"
        "--locked, --force, --offline and --source apply to every platform.\n\n"
        "Examples:\n"
        "  temporal-libs download\n"
        "  temporal-libs download --version v1.0.2 --platform linux-arm64\n"
        "  temporal-libs download --version latest --json\n"
        "  temporal-libs download --version v1.0.2 --platform linux-x64,macos-arm64\n"
        "  temporal-libs download --version v1.0.2 --platform all --json   # every platform\n"
        "  temporal-libs download --offline          # cache only, for air-gapped builds\n"
        "  temporal-libs download --libraries temporalio_sdk_core_c_bridge   # only what you link",
        [&ctx, flags, force, libraries] {
            if (several_platforms(flags->platform)) {
                run_install_many(ctx, *flags, *force, *libraries);
            } else {
                run_install(ctx, *flags, *force, "", *libraries);
            }
        });
    add_common_flags(cmd, *flags, FlagSet::network);
    add_locked_flag(cmd, *flags);
    cmd->add_flag("--force", *force, "Download and install again even when the cache is valid");
    cmd->add_option("--libraries", *libraries,
                    "Comma-separated libraries (names without lib and .a) the archive must "
                    "hold; default: 'libraries' from the configuration (all five)");
    cmd->get_option("--platform")
        ->description(
            "A platform (linux-x64, linux-arm64, macos-arm64, macos-x64), a comma-separated "
            "list, or all (every platform the release has); default: this host");
}

}  // namespace tl::cli
