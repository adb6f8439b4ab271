#include <cstdio>
#include <nlohmann/json.hpp>

#include "tl/cli/commands.hpp"
#include "tl/cli/session.hpp"
#include "tl/release/contract.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

namespace {

std::string result_json(const install::InstallResult& r) {
    nlohmann::json libs = nlohmann::json::array();
    for (const auto& p : r.libraries) {
        libs.push_back(p.string());
    }
    nlohmann::json j = {{"tag", r.tag},
                        {"version", release::version_label(r.tag)},
                        {"platform", r.platform},
                        {"directory", r.dir.string()},
                        {"libraries", libs},
                        {"archive", r.archive_name},
                        {"archive_sha256", r.archive_sha256},
                        {"source", r.source},
                        {"from_cache", r.from_cache}};
    return j.dump(2);
}

void print_result(Context& ctx, const install::InstallResult& r, bool json) {
    if (json) {
        std::puts(util::scrub(result_json(r)).c_str());
        return;
    }
    std::printf("%s %s: %zu libraries in %s (%s)\n", r.tag.c_str(), r.platform.c_str(),
                r.libraries.size(), r.dir.string().c_str(),
                r.from_cache ? "cache hit, no download" : ("downloaded from " + r.source).c_str());
    (void)ctx;
}

// Runs the installer for the flags; `version` overrides the configured one.
void run_install(Context& ctx, const CommonFlags& flags, bool force, const std::string& version) {
    try {
        CommonFlags f = flags;
        if (!version.empty()) {
            f.version = version;
        }
        Session s = open_session(ctx, f);
        if (force) {
            s.options.force = install::Force::yes;
        }
        std::optional<std::string> before = s.cache->latest_tag();
        install::Installer installer(
            *s.cache, [&] { return s.source(ctx); }, ctx.console);
        auto r = installer.install(s.options);
        if (!r) {
            throw Error(r.error());
        }
        if (version == "latest" && !flags.json) {
            if (before && *before == r->tag) {
                ctx.console.info("already at the newest release " + util::quoted(r->tag));
            } else {
                ctx.console.info("updated " +
                                 (before ? util::quoted(*before) : std::string("cache")) + " to " +
                                 util::quoted(r->tag));
            }
        }
        print_result(ctx, *r, flags.json);
    } catch (const Error& e) {
        if (flags.json) {
            std::puts(util::scrub(error_json(e)).c_str());
        }
        throw;
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
        "Move to the newest release\n\n"
        "Downloads 'latest' for this platform (if it is not\n"
        "cached already) and point <cache>/latest at it. Older versions stay in the cache\n"
        "until 'temporal-libs cache prune'.",
        [&ctx, flags] { run_install(ctx, *flags, false, "latest"); });
    add_common_flags(cmd, *flags, FlagSet::network);
    cmd->remove_option(cmd->get_option("--version"));
    add_locked_flag(cmd, *flags);
}

void add_download_command(CLI::App& app, Context& ctx) {
    auto flags = std::make_shared<CommonFlags>();
    auto force = std::make_shared<bool>(false);
    CLI::App* cmd = add_command(
        app, "download",
        "Fetch the prebuilt libraries for one platform into the cache\n\n"
        "Resolves the release (a tag, or 'latest': the newest published release whose tag\n"
        "starts with temporal-libs-), downloads the platform's archive through the GitHub\n"
        "API, checks its SHA-256 against the release's .sha256 file and GitHub's digest,\n"
        "extracts it safely and installs it as <cache>/<tag>/<platform>/lib*.a. A valid\n"
        "cached entry is used without any network request.\n\n"
        "Examples:\n"
        "  temporal-libs download\n"
        "  temporal-libs download --version v1.0.2 --platform linux-arm64\n"
        "  temporal-libs download --version latest --json\n"
        "  temporal-libs download --offline          # cache only, for air-gapped builds",
        [&ctx, flags, force] { run_install(ctx, *flags, *force, ""); });
    add_common_flags(cmd, *flags, FlagSet::network);
    add_locked_flag(cmd, *flags);
    cmd->add_flag("--force", *force, "Download and install again even when the cache is valid");
}

}  // namespace tl::cli
