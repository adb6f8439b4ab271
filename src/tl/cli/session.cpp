#include "tl/cli/session.hpp"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tl/archive/budget.hpp"
#include "tl/cli/remotes.hpp"
#include "tl/github/api.hpp"
#include "tl/github/checks.hpp"
#include "tl/install/ranges.hpp"
#include "tl/release/contract.hpp"
#include "tl/trust/signed_sums.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

const CLI::Validator& non_empty() {
    // An empty value would read as "not given" and silently fall back to the
    // default: refuse it (exit 2) instead.
    static const CLI::Validator v(
        [](std::string& value) {
            return value.empty() ? std::string(
                                       "an empty value is not allowed; leave the flag out to use "
                                       "the configured or default value")
                                 : std::string();
        },
        "", "NONEMPTY");
    return v;
}

void add_common_flags(CLI::App* cmd, CommonFlags& f, FlagSet set) {
    cmd->add_option("--version", f.version,
                    "Release: v1.0.2, temporal-libs-v1.0.2 or latest [env TEMPORAL_LIBS_VERSION]")
        ->check(non_empty());
    cmd->add_option("--platform", f.platform,
                    "linux-x64, linux-arm64, macos-arm64 or macos-x64 (default: this host)")
        ->check(non_empty());
    cmd->add_option("--cache-dir", f.cache_dir,
                    "Cache directory [env TEMPORAL_LIBS_CACHE_DIR; default .temporal-libs-cache "
                    "in a project, else the user cache]")
        ->check(non_empty());
    cmd->add_option("--verify", f.verify,
                    "Check of cached files: fast (size, inode, mtime) or full (SHA-256)")
        ->check(CLI::IsMember({"fast", "full"}));
    cmd->add_flag("--json", f.json, "Print one JSON object on stdout");
    if (set == FlagSet::cache_only) {
        return;
    }
    cmd->add_flag("--offline", f.offline, "Use only the cache; never touch the network");
    cmd->add_option("--repo", f.repo, "GitHub repository owner/name [env TEMPORAL_LIBS_REPO]")
        ->check(non_empty());
    cmd->add_option("--api-url", f.api_url, "GitHub API base URL [env TEMPORAL_LIBS_API_URL]")
        ->check(non_empty());
    cmd->add_option("--source", f.source,
                    std::string("Use only this source: ") + k_source_forms +
                        " (default: the 'sources' list, env TEMPORAL_LIBS_SOURCES)")
        ->check(non_empty());
    cmd->add_flag("--allow-http", f.allow_http,
                  "Allow plain http:// to hosts other than loopback (trusted networks only)");
    cmd->add_option("--retries", f.retries, "Attempts per request (default 5)")->check(non_empty());
    cmd->add_option("--retry-max-time", f.retry_max_time,
                    "Seconds after which no new attempt starts (default 300)")
        ->check(non_empty());
    cmd->add_option("--max-wait", f.rate_limit_max_wait,
                    "Longest rate-limit wait in seconds; longer fails at once (default 60)")
        ->check(non_empty());
    cmd->add_option("--connect-timeout", f.connect_timeout,
                    "Connect timeout in seconds (default 15)")
        ->check(non_empty());
    cmd->add_option("--stall-timeout", f.stall_timeout,
                    "Drop a transfer slower than 1 kB/s for this many seconds (default 30)")
        ->check(non_empty());
    cmd->add_option("--connections", f.connections,
                    "Connections one archive of 16 MiB or more is downloaded over, each a range "
                    "of it, when the server serves ranges; 1 turns it off [env "
                    "TEMPORAL_LIBS_CONNECTIONS; default 4]")
        ->check(non_empty());
}

namespace {

std::optional<std::string> env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr) {
        return std::nullopt;
    }
    return std::string(v);
}

std::uint64_t number(const config::Config& c, const std::string& key) {
    const config::Value& v = c.get(key);
    auto n = util::parse_u64(util::trim(v.text));
    if (!n) {
        throw Error(ErrorKind::usage, "'" + key + "' must be a whole number, not " +
                                          util::quoted(v.text) +
                                          (v.where.empty() ? "" : " (from " + v.where + ")"));
    }
    return *n;
}

}  // namespace

Session open_session(Context& ctx, const CommonFlags& f) {
    std::error_code ec;
    auto loaded = config::Config::load(std::filesystem::current_path(ec));
    if (!loaded) {
        throw Error(loaded.error());
    }
    Session s(std::move(*loaded));
    config::Config& c = s.config;
    c.set_from_flag("version", f.version, "--version");
    c.set_from_flag("cache_dir", f.cache_dir, "--cache-dir");
    c.set_from_flag("verify", f.verify, "--verify");
    apply_network_flags(c, f);
    if (f.offline) {
        c.set_from_flag("offline", "true", "--offline");
    }

    s.platform = value_or_throw(platform::resolve_platform(
        f.platform.empty() ? std::nullopt : std::optional<std::string>(f.platform),
        env("FORCE_PLATFORM"), env("FORCE_ARCH"), platform::read_host()));

    std::filesystem::path cache_dir = c.text("cache_dir");
    const config::Value& cache_value = c.get("cache_dir");
    if (cache_value.origin == config::Origin::default_value) {
        // No setting: the project's .temporal-libs-cache inside a project (the
        // contract), the user cache outside any.
        config::DefaultCache d =
            config::default_cache(std::filesystem::current_path(ec), c.project_dir());
        cache_dir = d.dir;
        s.cache_rule = d.rule;
    } else {
        s.cache_rule = "setting: cache_dir from " +
                       std::string(config::origin_name(cache_value.origin)) +
                       (cache_value.where.empty() ? "" : " " + cache_value.where);
    }
    if (cache_dir.is_relative()) {
        // The contract: the cache lives in the project directory, whatever the cwd.
        cache_dir = c.project_dir() / cache_dir;
    }
    s.cache = std::make_unique<cache::Cache>(cache_dir.lexically_normal());

    install::InstallOptions& o = s.options;
    std::string version = c.text("version");
    o.version =
        release::is_latest(version) ? "latest" : value_or_throw(release::normalize_tag(version));
    o.platform = s.platform;
    const std::string fallback = util::to_lower(util::trim(c.text("fallback")));
    if (fallback != "none" && fallback != "cargo") {
        const config::Value& v = c.get("fallback");
        throw Error(ErrorKind::usage, "'fallback' must be none or cargo, not " +
                                          util::quoted(v.text) +
                                          (v.where.empty() ? "" : " (from " + v.where + ")"));
    }
    const std::string& verify = c.text("verify");
    if (verify != "fast" && verify != "full") {
        throw Error(ErrorKind::usage, "'verify' must be fast or full, not " + util::quoted(verify));
    }
    o.verify = verify == "full" ? cache::Verify::full : cache::Verify::fast;
    o.network =
        value_or_throw(c.boolean("offline")) ? install::Network::offline : install::Network::online;
    o.libraries = c.list("libraries");
    if (!value_or_throw(c.boolean("verify_checksums"))) {
        o.checksums = install::Checksums::skip;
        const config::Value& v = c.get("verify_checksums");
        // Every run, so a switched-off check is never forgotten.
        ctx.console.warn("checksum verification is off (verify_checksums from " +
                         std::string(config::origin_name(v.origin)) +
                         (v.where.empty() ? "" : " " + v.where) +
                         "): downloaded archives are not compared with the release's "
                         "checksums; set it to true to verify them");
    }
    s.api = api_config_from(c);
    o.retry = s.api.net.retry;
    o.connections = connections_from(c);
    o.limits.max_total_size = number(c, "max_extracted_mib") << 20;
    archive::set_budget({number(c, "max_expansion_ratio"), number(c, "max_archive_mib") << 20});
    apply_trust_settings(c, f, o);
    return s;
}

void apply_trust_settings(config::Config& c, const CommonFlags& f, install::InstallOptions& o) {
    if (f.locked) {
        c.set_from_flag("locked", "true", "--locked");
    }
    // The lockfile sits beside the project file, else in the working directory.
    // It is used when it exists; with a project file, a first download creates it.
    o.lockfile_path = c.project_dir() / trust::k_lockfile_name;
    o.lockfile = value_or_throw(trust::Lockfile::load(o.lockfile_path));
    if (value_or_throw(c.boolean("locked"))) {
        o.lock_mode = install::LockMode::locked;
    } else if (o.lockfile || c.project_file()) {
        o.lock_mode = install::LockMode::record;
    }
    const config::Value& keys = c.get("public_keys");
    o.public_keys = value_or_throw(trust::parse_public_keys(c.list("public_keys"), keys.where));
}

void apply_network_flags(config::Config& c, const CommonFlags& f) {
    c.set_from_flag("repo", f.repo, "--repo");
    c.set_from_flag("api_url", f.api_url, "--api-url");
    c.set_from_flag("sources", f.source, "--source");
    c.set_from_flag("retries", f.retries, "--retries");
    c.set_from_flag("retry_max_time", f.retry_max_time, "--retry-max-time");
    c.set_from_flag("rate_limit_max_wait", f.rate_limit_max_wait, "--max-wait");
    c.set_from_flag("connect_timeout", f.connect_timeout, "--connect-timeout");
    c.set_from_flag("timeout", f.timeout, "--timeout");
    c.set_from_flag("stall_timeout", f.stall_timeout, "--stall-timeout");
    c.set_from_flag("connections", f.connections, "--connections");
    if (f.allow_http) {
        c.set_from_flag("allow_http", "true", "--allow-http");
    }
}

unsigned connections_from(const config::Config& c) {
    const config::Value& v = c.get("connections");
    auto n = util::parse_u64(util::trim(v.text));
    if (!n || *n < 1 || *n > install::k_max_connections) {
        throw Error(ErrorKind::usage, "'connections' must be a whole number from 1 to " +
                                          std::to_string(install::k_max_connections) + ", not " +
                                          util::quoted(v.text) +
                                          (v.where.empty() ? "" : " (from " + v.where + ")"));
    }
    return static_cast<unsigned>(*n);
}

github::ApiConfig api_config_from(const config::Config& c) {
    github::ApiConfig api;
    api.api_url = c.text("api_url");
    api.repo = c.text("repo");
    value_or_throw(github::check_repo_name(api.repo));
    api.token = value_or_throw(github::checked_token_from_environment());
    http::NetSettings& net = api.net;
    net.plain_http = value_or_throw(c.boolean("allow_http")) ? http::PlainHttp::allowed
                                                             : http::PlainHttp::loopback_only;
    net.timeouts.connect = std::chrono::seconds(number(c, "connect_timeout"));
    net.timeouts.total = std::chrono::seconds(number(c, "timeout"));
    net.timeouts.low_speed_time = std::chrono::seconds(number(c, "stall_timeout"));
    net.retry.max_attempts = static_cast<int>(std::max<std::uint64_t>(1, number(c, "retries")));
    net.retry.max_total = std::chrono::seconds(number(c, "retry_max_time"));
    net.retry.max_rate_limit_wait = std::chrono::seconds(number(c, "rate_limit_max_wait"));
    net.document_deadline = std::chrono::seconds(number(c, "document_timeout"));
    return api;
}

source::Source* Session::source(Context& ctx) {
    if (options.network == install::Network::offline) {
        return nullptr;
    }
    if (!m_source) {
        m_source = make_sources(config.list("sources"), client(), api, ctx.console);
    }
    return m_source.get();
}

Session Session::for_platform(const platform::Platform& p) const {
    Session s(config);
    s.platform = p;
    s.cache = std::make_unique<cache::Cache>(cache->root());
    s.options = options;
    s.options.platform = p;
    s.api = api;
    s.cache_rule = cache_rule;
    return s;
}

bool is_all_platforms(const std::string& text) {
    return util::to_lower(util::trim(text)) == "all";
}

std::vector<platform::Platform> parse_platform_list(const std::string& text) {
    std::vector<platform::Platform> out;
    for (const auto& name : util::split(text, ',')) {
        auto p = platform::parse_platform(util::trim(name));
        if (!p) {
            throw Error(ErrorKind::usage, "unknown platform " + util::quoted(name) +
                                              "; use all or one of: " + platform::supported_list());
        }
        if (std::find(out.begin(), out.end(), *p) == out.end()) {
            out.push_back(*p);
        }
    }
    return out;
}

std::vector<platform::Platform> select_platforms(const std::string& wanted,
                                                 const config::Config& config,
                                                 const source::ReleaseInfo& release,
                                                 const platform::Platform& fallback) {
    const std::string named = wanted.empty() ? util::join(config.list("platforms"), ",") : wanted;
    if (named.empty()) {
        return {fallback};
    }
    if (!is_all_platforms(named)) {
        return parse_platform_list(named);
    }
    std::vector<platform::Platform> out = release.platforms();
    if (out.empty()) {
        throw Error(ErrorKind::not_found,
                    "release " + util::quoted(release.tag) + " has no platform archives");
    }
    return out;
}

http::Client& Session::client() {
    if (!m_client) {
        m_client = make_client();
    }
    return *m_client;
}

std::unique_ptr<http::Client> make_client() {
    http::ClientOptions co;
    co.user_agent = std::string("temporal-libs/") + TL_VERSION;
    return http::make_curl_client(co);
}

std::unique_ptr<source::Source> make_sources(const std::vector<std::string>& specs,
                                             http::Client& client, const github::ApiConfig& api,
                                             util::Console& console) {
    if (specs.empty()) {
        throw Error(ErrorKind::usage,
                    std::string("'sources' is empty; list at least one of: ") + k_source_forms);
    }
    http::NetSettings options = api.net;
    std::vector<std::unique_ptr<source::Source>> sources;
    for (const auto& spec : specs) {
        sources.push_back(make_source(spec, client, api, options, console));
    }
    return source::make_source_list(std::move(sources), console);
}

void warn_fallback_not_applied(Context& ctx, const config::Config& c) {
    const config::Value& v = c.get("fallback");
    if (util::to_lower(util::trim(v.text)) != "cargo") {
        return;
    }
    std::string from = v.origin == config::Origin::environment
                           ? "TEMPORAL_LIBS_FALLBACK=cargo"
                           : "fallback = \"cargo\" (" + std::string(config::origin_name(v.origin)) +
                                 (v.where.empty() ? "" : " " + v.where) + ")";
    ctx.console.warn(from +
                     " applies to build-system integration only (the CMake package builds from "
                     "source_dir); the command line does not build from source. Build with "
                     "'temporal-libs build --source DIR --target TRIPLE', or fix the download");
}

install::InstallResult ensure_installed(Context& ctx, Session& session) {
    install::Installer installer(
        *session.cache, [&] { return session.source(ctx); }, ctx.console);
    auto r = installer.install(session.options);
    if (!r) {
        warn_fallback_not_applied(ctx, session.config);
        throw Error(r.error());
    }
    return std::move(*r);
}

nlohmann::json error_object(const Failure& f) {
    return {{"kind", kind_name(f.kind)}, {"exit_code", exit_code(f.kind)}, {"message", f.message}};
}

}  // namespace tl::cli
