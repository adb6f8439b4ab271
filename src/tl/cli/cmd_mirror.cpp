#include <cstdio>
#include <nlohmann/json.hpp>

#include "tl/cli/commands.hpp"
#include "tl/cli/remotes.hpp"
#include "tl/cli/session.hpp"
#include "tl/mirror/copy.hpp"
#include "tl/release/contract.hpp"
#include "tl/source/resolve.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

namespace {

struct MirrorFlags {
    CommonFlags common;
    std::string to;
};

// The release-wide assets when the release has none: not worth a line.
bool nothing_to_say(const mirror::PlatformOutcome& o) {
    return o.platform == mirror::k_release_wide_label && o.copied + o.skipped == 0 && !o.error;
}

nlohmann::json summary_json(const mirror::CopyResult& r, const std::string& destination) {
    nlohmann::json platforms = nlohmann::json::array();
    for (const auto& o : r.outcomes) {
        if (nothing_to_say(o)) {
            continue;
        }
        nlohmann::json p = {{"platform", o.platform}, {"copied", o.copied}, {"skipped", o.skipped},
                            {"bytes", o.bytes},       {"source", o.source}, {"ok", !o.error}};
        if (o.error) {
            p["error"] = {{"kind", kind_name(o.error->kind)}, {"message", o.error->message}};
        }
        platforms.push_back(p);
    }
    return nlohmann::json{{"tag", r.tag},
                          {"destination", destination},
                          {"seconds", r.seconds},
                          {"platforms", platforms}};
}

void run_mirror(Context& ctx, const MirrorFlags& flags) {
    const CommonFlags& f = flags.common;
    std::error_code ec;
    config::Config c = value_or_throw(config::Config::load(std::filesystem::current_path(ec)));
    c.set_from_flag("version", f.version, "--version");
    apply_network_flags(c, f);
    github::ApiConfig api = api_config_from(c);
    // The destination's own client: the workers below each use theirs.
    auto destination_client = make_client();
    std::unique_ptr<mirror::Destination> destination =
        make_destination(flags.to, *destination_client, api.net, ctx.console);
    std::vector<std::string> specs = c.list("sources");

    // Resolve the release once, so every worker copies the same tag.
    auto client = make_client();
    auto source = make_sources(specs, *client, api, ctx.console);
    std::string version = c.text("version");
    std::optional<source::ReleaseInfo> release = value_or_throw(source::resolve_release(
        *source,
        release::is_latest(version) ? version : value_or_throw(release::normalize_tag(version)),
        ctx.console));

    mirror::CopyOptions options;
    options.tag = release->tag;
    options.retry = api.net.retry;
    options.connections = connections_from(c);
    options.platforms =
        select_platforms(f.platform, c, *release,
                         value_or_throw(platform::resolve_platform(
                             std::nullopt, std::nullopt, std::nullopt, platform::read_host())));
    std::vector<std::string> names;
    for (const auto& p : options.platforms) {
        names.push_back(p.name());
    }
    ctx.console.info("mirroring " + util::quoted(release->tag) + " (" + util::join(names, ", ") +
                     ") from " + source->name() + " to " + destination->name());

    // Each worker its own HTTP connection and source list, asked for the release again.
    mirror::SourceFactory factory = [&]() -> Result<mirror::WorkerSource> {
        try {
            mirror::WorkerSource w;
            w.client = make_client();
            w.source = make_sources(specs, *w.client, api, ctx.console);
            return w;
        } catch (const Error& e) {
            return fail(e.kind(), e.what());
        }
    };
    auto result = value_or_throw(mirror::copy_release(factory, *destination, options, ctx.console));

    std::optional<Failure> first_error;
    std::size_t copied = 0;
    for (const auto& o : result.outcomes) {
        copied += o.copied;
        if (o.error && !first_error) {
            first_error = o.error;
        }
    }
    if (flags.common.json) {
        print_json(ctx, summary_json(result, destination->name()));
    } else {
        for (const auto& o : result.outcomes) {
            if (nothing_to_say(o)) {
                continue;
            }
            std::printf("%s: %s\n", o.platform.c_str(),
                        o.error
                            ? ("failed: " + o.error->message).c_str()
                            : (std::to_string(o.copied) + " copied (" + util::human_bytes(o.bytes) +
                               "), " + std::to_string(o.skipped) + " already there")
                                  .c_str());
        }
        if (!first_error && copied == 0) {
            std::printf("%s is up to date in %s: nothing new to copy\n", result.tag.c_str(),
                        destination->name().c_str());
        }
    }
    if (first_error) {
        std::vector<std::string> failed;
        for (const auto& o : result.outcomes) {
            if (o.error) {
                failed.push_back(o.platform);
            }
        }
        throw Error(first_error->kind, "mirror of " + util::quoted(result.tag) +
                                           " incomplete: " + util::join(failed, ", ") +
                                           " failed (" + first_error->message +
                                           "); run it again once the source is fixed: what "
                                           "was copied stays");
    }
}

}  // namespace

void add_mirror_command(CLI::App& app, Context& ctx) {
    auto flags = std::make_shared<MirrorFlags>();
    CLI::App* cmd = add_command(
        app, "mirror",
        "Copy a release to a directory mirror or an OCI registry (oci://), verified\n\n"
        "Resolves the release from the configured sources (or --source), downloads the\n"
        "archives of each platform in both formats with their checksum files and any\n"
        "SHA256SUMS files, verifies every archive exactly as 'download' does, and stores\n"
        "them under DEST as <tag>/<asset> with a JSON index per tag and a top-level index\n"
        "of tags (docs/mirrors.md). Platforms are copied in parallel. Files already in the\n"
        "mirror with the same SHA-256 are not copied again. Serve DEST with any web server\n"
        "or object store, then point 'sources' at it. With --to oci://HOST/REPO the\n"
        "release goes to an OCI registry instead, one artifact per tag (docs/oci.md).\n\n"
        "Examples:\n"
        "  temporal-libs mirror --version v1.0.2 --platform all --to /srv/temporal-libs\n"
        "  temporal-libs mirror --version latest --platform linux-x64 --to file:///srv/tl\n"
        "  temporal-libs mirror --version v1.0.2 --platform all --to oci://registry.example/tl\n"
        "  temporal-libs mirror --version v1.0.2 --platform all --to /srv/tl \\\n"
        "      --source https://artifacts.example/temporal-libs/\n"
        "  TEMPORAL_LIBS_SOURCES=https://artifacts.example/temporal-libs/,github \\\n"
        "      temporal-libs download   # then fetch from the mirror, GitHub as fallback",
        [&ctx, flags] { run_mirror(ctx, *flags); });
    add_common_flags(cmd, flags->common, FlagSet::network);
    cmd->remove_option(cmd->get_option("--offline"));
    cmd->remove_option(cmd->get_option("--cache-dir"));
    cmd->remove_option(cmd->get_option("--verify"));
    cmd->get_option("--platform")
        ->description(
            "A platform, a comma-separated list, or all (default: the 'platforms' "
            "setting, else this host)");
    cmd->get_option("--source")
        ->description(std::string("Copy from this source only (") + k_source_forms +
                      "); default: the 'sources' list");
    cmd->add_option("--to", flags->to, "Where to copy: a directory, file:///DIR or oci://HOST/REPO")
        ->required();
}

}  // namespace tl::cli
