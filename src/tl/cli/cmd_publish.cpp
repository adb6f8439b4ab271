// `publish`: a directory of packed assets -> the GitHub release of a version.

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tl/cli/commands.hpp"
#include "tl/cli/session.hpp"
#include "tl/config/config.hpp"
#include "tl/github/writer.hpp"
#include "tl/publish/publisher.hpp"
#include "tl/release/contract.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

namespace {

struct PublishFlags {
    std::string version;
    std::string dir = "dist";
    std::string repo;
    std::string api_url;
    std::string title;
    std::string notes;
    std::string notes_file;
    std::string target_commitish;
    std::string retries;
    std::string retry_max_time;
    std::string rate_limit_max_wait;
    std::string connect_timeout;
    std::string stall_timeout;
    bool draft = false;
    bool dry_run = false;
    bool replace = false;
    bool allow_http = false;
    bool json = false;
};

// The API settings from configuration (TEMPORAL_LIBS_REPO, TEMPORAL_LIBS_API_URL,
// temporal-libs.toml) and flags, as for downloads.
github::ApiConfig api_config(const PublishFlags& f) {
    std::error_code ec;
    config::Config c = value_or_throw(config::Config::load(std::filesystem::current_path(ec)));
    CommonFlags network;
    network.repo = f.repo;
    network.api_url = f.api_url;
    network.retries = f.retries;
    network.retry_max_time = f.retry_max_time;
    network.rate_limit_max_wait = f.rate_limit_max_wait;
    network.connect_timeout = f.connect_timeout;
    network.stall_timeout = f.stall_timeout;
    network.allow_http = f.allow_http;
    apply_network_flags(c, network);
    return api_config_from(c);
}

nlohmann::json report_json(const publish::PublishReport& r, const std::string& repo, bool dry_run) {
    nlohmann::json assets = nlohmann::json::array();
    for (const auto& a : r.actions) {
        assets.push_back({{"name", a.local.name},
                          {"action", publish::action_name(a.kind)},
                          {"size", a.local.size},
                          {"sha256", a.local.sha256},
                          {"reason", a.why}});
    }
    nlohmann::json j = {{"repo", repo},
                        {"tag", r.tag},
                        {"version", release::version_label(r.tag)},
                        {"release_id", r.release_id},
                        {"created", r.created},
                        {"published_now", r.published_now},
                        {"draft", r.draft},
                        {"dry_run", dry_run},
                        {"uploaded", r.actions.size() - r.count(publish::AssetAction::Kind::skip)},
                        {"skipped", r.count(publish::AssetAction::Kind::skip)},
                        {"assets", assets}};
    return j;
}

void run_publish(Context& ctx, const PublishFlags& f) {
    {
        if (release::is_latest(f.version)) {
            throw Error(ErrorKind::usage, "publish needs a version such as 'v1.0.3', not 'latest'");
        }
        publish::PublishOptions o;
        // The tool's own releases (temporal-libs-cli-v..., release-cli.yml) are
        // published the same way as the libraries'.
        o.tag =
            value_or_throw(release::normalize_tag(f.version, release::TagLine::library_or_tool));
        o.dir = f.dir;
        o.replace = f.replace ? publish::Replace::yes : publish::Replace::no;
        o.draft = f.draft ? publish::Draft::keep : publish::Draft::publish;
        o.dry_run = f.dry_run ? publish::DryRun::yes : publish::DryRun::no;
        o.title = f.title;
        o.notes = f.notes;
        o.target_commitish = f.target_commitish;
        if (!f.notes_file.empty()) {
            o.notes = value_or_throw(util::read_file(f.notes_file, 1u << 20));
        }
        github::ApiConfig api = api_config(f);
        if (api.token.empty()) {
            if (!f.dry_run) {
                throw Error(ErrorKind::usage,
                            "publishing needs a GitHub token: set GITHUB_TOKEN (or GH_TOKEN) to "
                            "a token that can write releases of " +
                                util::quoted(api.repo) +
                                " (in a workflow: 'permissions: contents: write' and "
                                "GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}); '--dry-run' works "
                                "without one");
            }
            ctx.console.warn("no GITHUB_TOKEN: the dry run cannot see draft releases");
        }
        auto client = make_client();
        github::Writer writer(*client, api, ctx.console);
        auto r = value_or_throw(publish::publish_release(writer, o, ctx.console));
        std::size_t sent = r.actions.size() - r.count(publish::AssetAction::Kind::skip);
        if (f.json) {
            print_json(ctx, report_json(r, api.repo, f.dry_run));
        } else if (f.dry_run) {
            std::printf(
                "dry run: %s in %s: %zu to upload, %zu already there; nothing was "
                "changed\n",
                r.tag.c_str(), api.repo.c_str(), sent, r.count(publish::AssetAction::Kind::skip));
        } else if (sent == 0 && !r.created && !r.published_now) {
            std::printf("%s in %s is up to date: %zu assets, nothing uploaded\n", r.tag.c_str(),
                        api.repo.c_str(), r.actions.size());
        } else {
            std::printf("%s in %s: %zu uploaded, %zu already there, %s\n", r.tag.c_str(),
                        api.repo.c_str(), sent, r.count(publish::AssetAction::Kind::skip),
                        r.draft ? "left as a draft" : "published");
        }
    }
}

}  // namespace

void add_publish_command(CLI::App& app, Context& ctx) {
    auto f = std::make_shared<PublishFlags>();
    CLI::App* cmd = add_command(
        app, "publish",
        "Publish packed archives as the GitHub release of a version\n\n"
        "Uploads every file in the directory (the archives and .sha256 files 'pack'\n"
        "wrote for each platform) to the release temporal-libs-<version>, creating it as\n"
        "a draft first when it does not exist. Every archive must agree with its .sha256\n"
        "file before anything is sent. After uploading, the release is read back and each\n"
        "asset's state, size and sha256 checked; then the draft is published.\n\n"
        "Safe to run again: an asset already there with the same sha256 is skipped, a\n"
        "half-uploaded one is deleted and uploaded again, and one with other content is\n"
        "an error that changes nothing, unless --replace. Needs GITHUB_TOKEN (or\n"
        "GH_TOKEN) with permission to write releases; the token goes only to the API\n"
        "host and its uploads host, and is never printed.\n\n"
        "Examples:\n"
        "  GITHUB_TOKEN=... temporal-libs publish --version v1.0.3 --dir dist\n"
        "  temporal-libs publish --version v1.0.3 --dir dist --dry-run\n"
        "  temporal-libs publish --version v1.0.3 --repo my-org/temporal-libs --draft --json\n"
        "  temporal-libs publish --version v1.0.3 --replace    # overwrite changed assets\n"
        "  temporal-libs publish --version temporal-libs-cli-v0.2.0 --dir dist/cli   # the tool's "
        "own",
        [&ctx, f] { run_publish(ctx, *f); });
    cmd->add_option("--version", f->version, "Release version: v1.0.3 or temporal-libs-v1.0.3")
        ->required();
    cmd->add_option("--dir", f->dir, "Directory of assets to upload")->capture_default_str();
    cmd->add_option("--repo", f->repo, "GitHub repository owner/name [env TEMPORAL_LIBS_REPO]");
    cmd->add_option("--api-url", f->api_url, "GitHub API base URL [env TEMPORAL_LIBS_API_URL]");
    cmd->add_flag("--draft", f->draft, "Leave the release a draft instead of publishing it");
    cmd->add_flag("--dry-run", f->dry_run, "Say what would be done; change nothing");
    cmd->add_flag("--replace", f->replace,
                  "Overwrite assets whose content differs from the local files");
    cmd->add_option("--title", f->title, "Release title for a new release (default: the tag)");
    cmd->add_option("--notes", f->notes, "Release notes for a new release");
    cmd->add_option("--notes-file", f->notes_file, "Read the release notes from this file");
    cmd->add_option("--target-commitish", f->target_commitish,
                    "Branch or commit the new tag points at (default: the default branch)");
    cmd->add_flag("--allow-http", f->allow_http,
                  "Allow plain http:// to hosts other than loopback (trusted networks only)");
    cmd->add_option("--retries", f->retries, "Attempts per request (default 5)");
    cmd->add_option("--retry-max-time", f->retry_max_time,
                    "Seconds after which no new attempt starts (default 300)");
    cmd->add_option("--max-wait", f->rate_limit_max_wait,
                    "Longest rate-limit wait in seconds; longer fails at once (default 60)");
    cmd->add_option("--connect-timeout", f->connect_timeout,
                    "Connect timeout in seconds (default 15)");
    cmd->add_option("--stall-timeout", f->stall_timeout,
                    "Drop a transfer slower than 1 kB/s for this many seconds (default 30)");
    cmd->add_flag("--json", f->json, "Print one JSON object on stdout");
}

}  // namespace tl::cli
