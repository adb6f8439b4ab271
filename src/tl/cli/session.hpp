#pragma once

// What the commands that fetch or read releases share: their common flags, and
// turning configuration (defaults, files, environment, flags) into a platform,
// a cache, an HTTP client, a release source and installer options.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "tl/cache/cache.hpp"
#include "tl/cli/app.hpp"
#include "tl/config/config.hpp"
#include "tl/github/api.hpp"
#include "tl/http/client.hpp"
#include "tl/install/installer.hpp"
#include "tl/platform/platform.hpp"
#include "tl/source/source.hpp"

namespace tl::cli {

// Flags shared by download, update, cache and friends; empty means "not given".
struct CommonFlags {
    std::string version;
    std::string platform;
    std::string cache_dir;
    std::string repo;
    std::string api_url;
    std::string source;
    std::string verify;
    std::string retries;
    std::string retry_max_time;
    std::string rate_limit_max_wait;
    std::string connect_timeout;
    std::string timeout;
    std::string stall_timeout;
    std::string connections;
    bool offline = false;
    bool allow_http = false;
    bool json = false;
    // --locked (download, update): a missing lockfile entry is an error.
    bool locked = false;
};

// Which groups of flags a command takes.
enum class FlagSet { cache_only, network };

// A CLI11 check refusing an empty value (`--version ''`): exit 2, not "not given".
const CLI::Validator& non_empty();

// Adds the common flags to `cmd`.
void add_common_flags(CLI::App* cmd, CommonFlags& flags, FlagSet set);

struct Session {
    explicit Session(config::Config c) : config(std::move(c)) {}

    config::Config config;
    platform::Platform platform;
    std::unique_ptr<cache::Cache> cache;
    install::InstallOptions options;
    github::ApiConfig api;
    // Which rule chose the cache directory (a setting, the project default or
    // the user cache default), for `config show`.
    std::string cache_rule;

    // The release source, made on first call (HTTP and TLS set-up cost a few
    // milliseconds a cache hit should not pay): the configured `sources` tried
    // in order, or the one --source forces; null when offline. Throws tl::Error
    // (usage) for a source spec it does not understand.
    source::Source* source(Context& ctx);

    // The HTTP client, made on first call.
    http::Client& client();

    // The same configuration and options for platform `p`, with its own cache
    // handle and its own HTTP client and source (made on first need): a session
    // for another thread.
    Session for_platform(const platform::Platform& p) const;

private:
    std::unique_ptr<http::Client> m_client;
    std::unique_ptr<source::Source> m_source;
};

// Puts the network flags of `flags` (repo, API URL, --source, retries, timeouts,
// --allow-http) into the command-line layer of `config`.
void apply_network_flags(config::Config& config, const CommonFlags& flags);

// The lockfile (path, contents, mode from --locked / `locked`) and the trusted
// public keys into `options`; throws tl::Error for a malformed lockfile or key.
void apply_trust_settings(config::Config& config, const CommonFlags& flags,
                          install::InstallOptions& options);

// The `connections` setting (1 to 16); throws tl::Error (usage) for other values.
unsigned connections_from(const config::Config& config);

// The GitHub API settings (URL, repository, token, timeouts, retries) from
// configuration; throws tl::Error (usage) for bad values.
github::ApiConfig api_config_from(const config::Config& config);

// A libcurl client with the tool's User-Agent. Threads may share it (each send
// takes its own easy handle, as the ranges of a parallel download do).
std::unique_ptr<http::Client> make_client();

// The source list `specs` names, tried in order (see cli/remotes.hpp), with
// the GitHub API's network settings for every source; throws tl::Error
// (usage) for an empty list or a spec it does not understand.
std::unique_ptr<source::Source> make_sources(const std::vector<std::string>& specs,
                                             http::Client& client, const github::ApiConfig& api,
                                             util::Console& console);

// True when --platform says "all" (every platform the release has).
bool is_all_platforms(const std::string& text);

// The platforms of a comma-separated --platform value ("linux-x64,macos-arm64";
// names or target triples) in the order given, each once; throws tl::Error
// (usage) for an unknown one. "all" is the caller's: it needs the release.
std::vector<platform::Platform> parse_platform_list(const std::string& text);

// "Which platforms", decided once for download, lock and mirror: `wanted`
// ("all": every platform `release` has archives for; "a,b": those), else the
// `platforms` key of `config`, else `fallback` (this host). Throws tl::Error:
// usage for an unknown name, not_found when the release has no archives.
std::vector<platform::Platform> select_platforms(const std::string& wanted,
                                                 const config::Config& config,
                                                 const source::ReleaseInfo& release,
                                                 const platform::Platform& fallback);

// Builds a session from configuration and flags; throws tl::Error (usage) for
// bad values. No network request is made here.
Session open_session(Context& ctx, const CommonFlags& flags);

// When the install failed and `fallback` is cargo: a warning that the CLI does
// not build from source (only the CMake package does), and the command that does.
void warn_fallback_not_applied(Context& ctx, const config::Config& config);

// Makes sure the configured version is installed for the platform (a cache hit
// makes no request) and returns the entry; throws tl::Error on failure.
install::InstallResult ensure_installed(Context& ctx, Session& session);

// The inner object of the --json error document (printed once, in cli/app.cpp):
// {"kind": ..., "exit_code": ..., "message": ...}.
nlohmann::json error_object(const Failure& f);

}  // namespace tl::cli
