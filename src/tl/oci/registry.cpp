#include "tl/oci/registry.hpp"

#include <nlohmann/json.hpp>

#include "tl/github/release.hpp"
#include "tl/http/document.hpp"
#include "tl/http/send_retry.hpp"
#include "tl/http/url.hpp"
#include "tl/platform/platform.hpp"
#include "tl/util/json.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::oci {

using nlohmann::json;

namespace {

constexpr std::size_t k_manifest_limit = 4u << 20;
constexpr int k_max_tag_pages = 1000;

std::string url_encode(std::string_view s) {
    static const char* k_hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 15];
        }
    }
    return out;
}

// "host" or "host:port" the way a credentials file names it.
std::string host_key(const http::Url& u) {
    int default_port = u.scheme == "https" ? 443 : 80;
    std::string host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
    return u.port == default_port ? host : host + ":" + std::to_string(u.port);
}

}  // namespace

Challenge parse_challenge(std::string_view value) {
    Challenge c;
    value = util::trim(value);
    std::size_t sp = value.find(' ');
    c.scheme = util::to_lower(value.substr(0, sp));
    if (sp == std::string_view::npos) {
        return c;
    }
    std::string_view rest = value.substr(sp + 1);
    std::size_t i = 0;
    while (i < rest.size()) {
        while (i < rest.size() && (rest[i] == ' ' || rest[i] == ',')) {
            ++i;
        }
        std::size_t eq = rest.find('=', i);
        if (eq == std::string_view::npos) {
            break;
        }
        std::string key = util::to_lower(util::trim(rest.substr(i, eq - i)));
        i = eq + 1;
        std::string val;
        if (i < rest.size() && rest[i] == '"') {
            ++i;
            while (i < rest.size() && rest[i] != '"') {
                if (rest[i] == '\\' && i + 1 < rest.size()) {
                    ++i;
                }
                val += rest[i++];
            }
            ++i;
        } else {
            std::size_t end = rest.find(',', i);
            val = std::string(util::trim(rest.substr(i, end - i)));
            i = end == std::string_view::npos ? rest.size() : end;
        }
        c.params[key] = val;
    }
    return c;
}

namespace {

// Forwards a response to `inner` unless it is a 401 (answered by
// authenticating and sending again); keeps the start of any error body.
class AuthSink : public http::BodySink {
public:
    explicit AuthSink(http::BodySink& inner) : m_inner(inner) {}
    bool on_head(const http::ResponseHead& head) override {
        m_status = head.status;
        hint.clear();
        if (m_status == 401) {
            return true;
        }
        return m_inner.on_head(head);
    }
    bool on_data(const char* data, std::size_t size) override {
        if (m_status >= 300 && hint.size() < 2048) {
            hint.append(data, std::min<std::size_t>(size, 2048 - hint.size()));
        }
        if (m_status == 401) {
            return true;
        }
        return m_inner.on_data(data, size);
    }
    std::string hint;

private:
    http::BodySink& m_inner;
    int m_status = 0;
};

// Discards a body.
class NullSink : public http::BodySink {
public:
    bool on_head(const http::ResponseHead&) override { return true; }
    bool on_data(const char*, std::size_t) override { return true; }
};

// The registry's own words from an error body ({"errors":[{"code","message"}]}).
std::string registry_errors(const std::string& body) {
    json j = util::parse_json_or_discarded(body);
    if (!j.is_object() || !j.contains("errors") || !j["errors"].is_array()) {
        return {};
    }
    std::vector<std::string> parts;
    for (const auto& e : j["errors"]) {
        if (e.is_object()) {
            std::string code = e.value("code", "");
            std::string message = e.value("message", "");
            parts.push_back(code.empty() ? message : code + ": " + message);
        }
    }
    return util::join(parts, "; ");
}

json descriptor_json(const Descriptor& d) {
    json j = {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
    if (!d.os.empty()) {
        j["platform"] = {{"os", d.os}, {"architecture", d.architecture}};
    }
    if (!d.annotations.empty()) {
        j["annotations"] = d.annotations;
    }
    return j;
}

Result<Descriptor> parse_descriptor(const json& j, const char* what) {
    if (!j.is_object() || !j.contains("digest") || !j["digest"].is_string() ||
        !j.contains("size") || !j["size"].is_number_unsigned()) {
        return fail(ErrorKind::integrity,
                    std::string("malformed ") + what + " descriptor in an OCI manifest");
    }
    Descriptor d;
    d.media_type = j.value("mediaType", "");
    d.digest = j["digest"].get<std::string>();
    d.size = j["size"].get<std::uint64_t>();
    if (j.contains("annotations") && j["annotations"].is_object()) {
        for (const auto& [k, v] : j["annotations"].items()) {
            if (v.is_string()) {
                d.annotations[k] = v.get<std::string>();
            }
        }
    }
    if (j.contains("platform") && j["platform"].is_object()) {
        d.os = j["platform"].value("os", "");
        d.architecture = j["platform"].value("architecture", "");
    }
    return d;
}

}  // namespace

Result<Reference> parse_reference(std::string_view url, http::PlainHttp plain_http) {
    const std::string shown = util::quoted(util::redact_url(url));
    if (!util::starts_with(url, "oci://")) {
        return fail(ErrorKind::usage, "not an OCI repository URL: " + shown +
                                          " (expected oci://host[:port]/name/space)");
    }
    std::string_view rest = url.substr(6);
    std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= rest.size()) {
        return fail(ErrorKind::usage, "OCI repository URL " + shown +
                                          " needs a host and a repository path, e.g. "
                                          "oci://registry.example/team/temporal-libs");
    }
    Reference ref;
    ref.host = util::to_lower(rest.substr(0, slash));
    ref.repository = std::string(rest.substr(slash + 1));
    while (util::ends_with(ref.repository, "/")) {
        ref.repository.pop_back();
    }
    if (ref.host.find('@') != std::string::npos) {
        return fail(ErrorKind::usage, "OCI repository URL " + shown +
                                          " must not carry credentials: put them in the "
                                          "credentials file (see docs/oci.md)");
    }
    for (char c : ref.repository) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-' || c == '/';
        if (!ok) {
            return fail(ErrorKind::usage,
                        "OCI repository name " + util::quoted(ref.repository) +
                            " may hold only lower-case letters, digits and . _ - / (OCI naming)");
        }
    }
    auto https = http::parse_url("https://" + ref.host + "/");
    if (!https) {
        return fail(ErrorKind::usage, "cannot read the registry host in " + shown);
    }
    bool plain = http::is_loopback_host(https->host) || plain_http == http::PlainHttp::allowed;
    ref.base_url = (plain ? "http://" : "https://") + ref.host;
    return ref;
}

std::string manifest_json(const Manifest& m) {
    json layers = json::array();
    for (const auto& l : m.layers) {
        layers.push_back(descriptor_json(l));
    }
    json config = descriptor_json(m.config);
    if (m.config.digest == k_empty_digest) {
        config["data"] = "e30=";
    }
    json j = {{"schemaVersion", 2},
              {"mediaType", k_manifest_media_type},
              {"config", config},
              {"layers", layers}};
    if (!m.artifact_type.empty()) {
        j["artifactType"] = m.artifact_type;
    }
    return j.dump();
}

std::string index_json(const Index& index) {
    json manifests = json::array();
    for (const auto& d : index.manifests) {
        manifests.push_back(descriptor_json(d));
    }
    json j = {{"schemaVersion", 2}, {"mediaType", k_index_media_type}, {"manifests", manifests}};
    if (!index.artifact_type.empty()) {
        j["artifactType"] = index.artifact_type;
    }
    if (!index.annotations.empty()) {
        j["annotations"] = index.annotations;
    }
    return j.dump();
}

Result<Manifest> parse_manifest(std::string_view text) {
    json j = util::parse_json_or_discarded(text);
    if (!j.is_object() || !j.contains("layers") || !j["layers"].is_array()) {
        return fail(ErrorKind::integrity, "malformed OCI image manifest (no layers array)");
    }
    Manifest m;
    m.artifact_type = j.value("artifactType", "");
    if (j.contains("config")) {
        auto c = parse_descriptor(j["config"], "config");
        if (!c) {
            return util::unexpected(c.error());
        }
        m.config = std::move(*c);
    }
    for (const auto& l : j["layers"]) {
        auto d = parse_descriptor(l, "layer");
        if (!d) {
            return util::unexpected(d.error());
        }
        m.layers.push_back(std::move(*d));
    }
    return m;
}

Result<Index> parse_index(std::string_view text) {
    json j = util::parse_json_or_discarded(text);
    if (!j.is_object() || !j.contains("manifests") || !j["manifests"].is_array()) {
        return fail(ErrorKind::integrity, "malformed OCI image index (no manifests array)");
    }
    Index index;
    index.artifact_type = j.value("artifactType", "");
    for (const auto& m : j["manifests"]) {
        auto d = parse_descriptor(m, "manifest");
        if (!d) {
            return util::unexpected(d.error());
        }
        index.manifests.push_back(std::move(*d));
    }
    return index;
}

std::string layer_media_type(std::string_view name) {
    if (util::ends_with(name, ".tar.gz")) {
        return "application/vnd.temporal-libs.archive.v1.tar+gzip";
    }
    if (util::ends_with(name, ".tar.zst")) {
        return "application/vnd.temporal-libs.archive.v1.tar+zstd";
    }
    if (util::ends_with(name, ".minisig")) {
        return "application/vnd.temporal-libs.minisign.v1";
    }
    return "text/plain";
}

std::pair<std::string, std::string> oci_platform(std::string_view name) {
    auto p = platform::parse_platform(name);
    if (!p) {
        return {};
    }
    std::string os = p->os == platform::Os::linux ? "linux" : "darwin";
    std::string arch = p->arch == platform::Arch::x64 ? "amd64" : "arm64";
    return {os, arch};
}

std::string sha256_hex(std::string_view digest) {
    if (!util::starts_with(digest, "sha256:")) {
        return {};
    }
    std::string hex(digest.substr(7));
    return util::is_sha256_hex(hex) ? util::to_lower(hex) : std::string();
}

http::SendResult SerialClient::send(const http::Request& request, http::BodySink& sink) {
    std::lock_guard lock(m_mutex);
    return m_inner.send(request, sink);
}

Registry::Registry(http::Client& client, Reference ref, const source::SourceOptions& options,
                   util::Console& console)
    : m_client(client), m_ref(std::move(ref)), m_options(options), m_console(console) {
    auto u = http::parse_url(m_ref.base_url + "/");
    m_origin = u ? http::origin_of(*u) : m_ref.base_url;
}

std::string Registry::url(const std::string& path) const {
    return m_ref.base_url + "/v2/" + m_ref.repository + path;
}

std::optional<http::Credential> Registry::credential(Access access) {
    std::lock_guard lock(m_mutex);
    auto it = m_authorization.find(access);
    if (it == m_authorization.end()) {
        return std::nullopt;
    }
    return http::Credential{m_origin, it->second};
}

http::RedirectPolicy Registry::redirects(Access access) {
    http::RedirectPolicy p;
    p.plain_http = m_options.plain_http;
    p.credential = credential(access);
    return p;
}

Result<std::optional<config::HostCredentials>> Registry::host_credentials() {
    std::lock_guard lock(m_mutex);
    if (!m_looked_up) {
        auto c = config::credentials_for_host(m_ref.host);
        if (!c) {
            return util::unexpected(c.error());
        }
        m_host_credentials = *c;
        m_looked_up = true;
    }
    return m_host_credentials;
}

util::Unexpected<Failure> Registry::refused(int status, const std::string& host,
                                            const std::string& from) const {
    const std::string where = "\"" + host + "\"";
    if (from.empty()) {
        return fail(ErrorKind::usage,
                    "registry " + util::quoted(m_ref.display()) + " requires credentials for " +
                        where + " (HTTP " + std::to_string(status) + " without them): add a [" +
                        where +
                        "] table with username and password_env to the credentials file "
                        "(TEMPORAL_LIBS_CREDENTIALS_FILE, else ~/.config/temporal-libs/"
                        "credentials.toml), or run `docker login " +
                        host + "`");
    }
    return fail(ErrorKind::usage, "registry " + util::quoted(m_ref.display()) +
                                      " refused the username and password for " + where + " from " +
                                      from + " (HTTP " + std::to_string(status) +
                                      "): correct that entry (or run `docker login " + host +
                                      "` again)");
}

std::string Registry::sent_from() {
    std::lock_guard lock(m_mutex);
    return m_sent_from;
}

Result<std::string> Registry::bearer_token(const std::map<std::string, std::string>& params,
                                           Access access) {
    auto realm_it = params.find("realm");
    auto realm = realm_it == params.end() ? std::nullopt : http::parse_url(realm_it->second);
    if (!realm) {
        return fail(ErrorKind::network, "registry " + util::quoted(m_ref.display()) +
                                            " asked for a bearer token without a usable realm "
                                            "URL in its WWW-Authenticate challenge");
    }
    std::string scope =
        "repository:" + m_ref.repository + (access == Access::push ? ":pull,push" : ":pull");
    std::string token_url = realm_it->second;
    token_url += token_url.find('?') == std::string::npos ? '?' : '&';
    if (auto s = params.find("service"); s != params.end()) {
        token_url += "service=" + url_encode(s->second) + "&";
    }
    token_url += "scope=" + url_encode(scope);

    // The registry's credentials go to its own host only; a token service
    // elsewhere gets the credentials configured for that host, if any.
    std::optional<config::HostCredentials> creds;
    std::string realm_host = host_key(*realm);
    if (realm_host == m_ref.host) {
        auto c = host_credentials();
        if (!c) {
            return util::unexpected(c.error());
        }
        creds = *c;
    } else {
        auto c = config::credentials_for_host(realm_host);
        if (!c) {
            return util::unexpected(c.error());
        }
        creds = *c;
    }
    if (creds && !creds->token.empty() && creds->password.empty()) {
        // A registry token configured as such is used as the bearer token.
        util::register_secret(creds->token);
        std::lock_guard lock(m_mutex);
        m_sent_from = creds->from;
        return creds->token;
    }
    http::RedirectPolicy policy;
    policy.plain_http = m_options.plain_http;
    if (creds && !creds->username.empty()) {
        std::string basic = config::basic_authorization(*creds);
        policy.credential = http::Credential{http::origin_of(*realm), basic};
        std::lock_guard lock(m_mutex);
        m_sent_from = creds->from;
    }
    http::StringSink sink(1u << 20);
    http::RetryingSend rs;
    rs.what = "token request to " + util::quoted(util::redact_url(realm_it->second));
    rs.request = [&] {
        http::Request r;
        r.url = token_url;
        r.timeouts = http::document_timeouts(m_options.timeouts);
        return r;
    };
    rs.sink = &sink;
    rs.accept = [](const http::Response& r) {
        return r.status == 200 || r.status == 401 || r.status == 403;
    };
    rs.body_hint = [&] { return sink.body; };
    std::mt19937 rng;
    {
        std::lock_guard lock(m_mutex);
        rng.seed(m_rng());
    }
    auto r = http::send_with_retries(m_client, rs, policy, m_options.retry, rng, m_console);
    if (!r) {
        return util::unexpected(r.error());
    }
    if (r->status != 200) {
        return refused(r->status, realm_host, creds && !creds->username.empty() ? creds->from : "");
    }
    json j = util::parse_json_or_discarded(sink.body);
    std::string token;
    if (j.is_object()) {
        if (j.contains("token") && j["token"].is_string()) {
            token = j["token"].get<std::string>();
        } else if (j.contains("access_token") && j["access_token"].is_string()) {
            token = j["access_token"].get<std::string>();
        }
    }
    if (token.empty()) {
        return fail(ErrorKind::network, "the token service " +
                                            util::quoted(util::redact_url(realm_it->second)) +
                                            " of registry " + util::quoted(m_ref.display()) +
                                            " answered without a token");
    }
    util::register_secret(token);
    return token;
}

Result<std::string> Registry::authorize(const std::string& challenge_text, Access access) {
    Challenge challenge = parse_challenge(challenge_text);
    std::string value;
    if (challenge.scheme == "bearer") {
        auto token = bearer_token(challenge.params, access);
        if (!token) {
            return util::unexpected(token.error());
        }
        value = "Bearer " + *token;
    } else if (challenge.scheme == "basic") {
        auto c = host_credentials();
        if (!c) {
            return util::unexpected(c.error());
        }
        if (!*c) {
            return refused(401, m_ref.host, "");
        }
        const config::HostCredentials& creds = **c;
        if (!creds.token.empty() && creds.password.empty()) {
            value = "Bearer " + creds.token;
            util::register_secret(creds.token);
        } else {
            value = config::basic_authorization(creds);
        }
        std::lock_guard lock(m_mutex);
        m_sent_from = creds.from;
    } else {
        return fail(ErrorKind::network, "registry " + util::quoted(m_ref.display()) +
                                            " asks for an unsupported authentication scheme " +
                                            util::quoted(challenge.scheme) +
                                            " (supported: Basic, Bearer)");
    }
    std::lock_guard lock(m_mutex);
    if (challenge.scheme == "basic") {
        m_authorization[Access::pull] = value;
        m_authorization[Access::push] = value;
    } else {
        m_authorization[access] = value;
    }
    return value;
}

Result<http::Response> Registry::send(const Exchange& ex, http::BodySink& sink, Access access) {
    for (int round = 0;; ++round) {
        AuthSink guard(sink);
        http::RetryingSend rs;
        rs.what = ex.what;
        rs.request = [&] { return ex.request; };
        rs.sink = &guard;
        rs.accept = [&](const http::Response& r) { return r.status == 401 || ex.accept(r.status); };
        rs.body_hint = [&] { return guard.hint; };
        rs.advice = [&](int status, const http::RetryDecision&) {
            std::string words = registry_errors(guard.hint);
            if (status == 403) {
                return (words.empty() ? std::string() : words + "; ") + "the credentials for \"" +
                       m_ref.host + "\" lack " + (access == Access::push ? "push" : "pull") +
                       " permission on " + util::quoted(m_ref.display());
            }
            return words;
        };
        std::mt19937 rng;
        {
            std::lock_guard lock(m_mutex);
            rng.seed(m_rng());
        }
        auto r = http::send_with_retries(m_client, rs, redirects(access), m_options.retry, rng,
                                         m_console);
        if (!r || r->status != 401) {
            return r;
        }
        // A second 401 after fresh credentials: they were refused.
        if (round > 0) {
            return refused(401, m_ref.host, sent_from());
        }
        auto challenge = r->headers.get("www-authenticate");
        if (!challenge) {
            return fail(ErrorKind::network, ex.what +
                                                " failed: HTTP 401 without a "
                                                "WWW-Authenticate challenge");
        }
        auto a = authorize(*challenge, access);
        if (!a) {
            return util::unexpected(a.error());
        }
    }
}

Result<void> Registry::ping() {
    NullSink discard;
    Exchange ex;
    ex.what = "registry check " + util::quoted(m_ref.base_url + "/v2/");
    ex.request.url = m_ref.base_url + "/v2/";
    ex.request.timeouts = m_options.timeouts;
    ex.accept = [](int s) { return s < 500 && s != 408 && s != 429; };
    auto r = send(ex, discard, Access::pull);
    if (!r) {
        return util::unexpected(r.error());
    }
    if (r->status != 200) {
        return fail(ErrorKind::usage, util::quoted(m_ref.display()) + " is not an OCI registry: " +
                                          util::quoted(m_ref.base_url + "/v2/") + " answers HTTP " +
                                          std::to_string(r->status) +
                                          " (check the host and port in the oci:// URL)");
    }
    return {};
}

Result<std::optional<FetchedManifest>> Registry::get_manifest(const std::string& reference,
                                                              Access access) {
    http::StringSink sink(k_manifest_limit);
    Exchange ex;
    ex.what = "manifest request " + util::quoted(m_ref.display() + ":" + reference);
    ex.request.url = url("/manifests/" + reference);
    ex.request.headers = {
        {"Accept", std::string(k_index_media_type) + ", " + std::string(k_manifest_media_type)}};
    ex.request.timeouts = http::document_timeouts(m_options.timeouts);
    ex.accept = [](int s) { return s == 200 || s == 404; };
    auto r = send(ex, sink, access);
    if (!r) {
        return util::unexpected(r.error());
    }
    if (r->status == 404) {
        return std::optional<FetchedManifest>{};
    }
    if (sink.overflowed) {
        return fail(ErrorKind::integrity, ex.what + ": the manifest is larger than " +
                                              util::human_bytes(k_manifest_limit));
    }
    FetchedManifest m;
    m.body = std::move(sink.body);
    m.digest = "sha256:" + util::sha256_hex(m.body);
    std::string type = r->headers.get("content-type").value_or("");
    m.media_type = std::string(util::trim(type.substr(0, type.find(';'))));
    if (util::starts_with(reference, "sha256:") && m.digest != reference) {
        return fail(ErrorKind::integrity, ex.what +
                                              ": the registry sent a manifest whose digest "
                                              "is " +
                                              m.digest + ", not the one asked for");
    }
    if (m.media_type.empty() || m.media_type == "application/json") {
        json j = util::parse_json_or_discarded(m.body);
        if (j.is_object()) {
            m.media_type = j.value("mediaType", "");
        }
    }
    return std::optional<FetchedManifest>(std::move(m));
}

Result<void> Registry::put_manifest(const std::string& reference, const std::string& media_type,
                                    const std::string& body) {
    NullSink discard;
    Exchange ex;
    ex.what = "manifest upload " + util::quoted(m_ref.display() + ":" + reference);
    ex.request.method = http::Method::put;
    ex.request.url = url("/manifests/" + reference);
    ex.request.headers = {{"Content-Type", media_type}};
    ex.request.body = body;
    ex.request.timeouts = m_options.timeouts;
    ex.accept = [](int s) { return s == 200 || s == 201 || s == 202 || s == 204; };
    auto r = send(ex, discard, Access::push);
    if (!r) {
        return util::unexpected(r.error());
    }
    // A registry that stores other bytes than those sent would break every
    // digest that refers to this manifest.
    std::string want = "sha256:" + util::sha256_hex(body);
    if (auto got = r->headers.get("docker-content-digest"); got && *got != want) {
        return fail(ErrorKind::integrity, ex.what + ": the registry stored it as " + *got +
                                              ", not as the pushed " + want);
    }
    return {};
}

Result<std::vector<std::string>> Registry::tags() {
    std::vector<std::string> out;
    std::string next = url("/tags/list?n=1000");
    for (int page = 0; page < k_max_tag_pages && !next.empty(); ++page) {
        http::StringSink sink(k_manifest_limit);
        Exchange ex;
        ex.what = "tag list request " + util::quoted(m_ref.display());
        ex.request.url = next;
        ex.request.timeouts = http::document_timeouts(m_options.timeouts);
        ex.accept = [](int s) { return s == 200 || s == 404; };
        auto r = send(ex, sink, Access::pull);
        if (!r) {
            return util::unexpected(r.error());
        }
        if (r->status == 404) {
            return out;
        }
        json j = util::parse_json_or_discarded(sink.body);
        if (!j.is_object()) {
            return fail(ErrorKind::network, ex.what + ": the answer is not JSON");
        }
        if (j.contains("tags") && j["tags"].is_array()) {
            for (const auto& t : j["tags"]) {
                if (t.is_string()) {
                    out.push_back(t.get<std::string>());
                }
            }
        }
        next.clear();
        if (auto link = r->headers.get("link")) {
            auto rels = github::parse_link_header(*link);
            if (auto it = rels.find("next"); it != rels.end()) {
                next = http::resolve_location(ex.request.url, it->second);
            }
        }
    }
    return out;
}

Result<bool> Registry::has_blob(const std::string& digest) {
    NullSink discard;
    Exchange ex;
    ex.what = "blob check " + util::quoted(m_ref.display() + "@" + digest);
    ex.request.method = http::Method::head;
    ex.request.url = url("/blobs/" + digest);
    ex.request.timeouts = m_options.timeouts;
    ex.accept = [](int s) { return s == 200 || s == 404; };
    auto r = send(ex, discard, Access::push);
    if (!r) {
        return util::unexpected(r.error());
    }
    return r->status == 200;
}

Result<bool> Registry::push_blob(const std::string& digest,
                                 const std::function<void(http::Request&)>& set_body) {
    auto have = has_blob(digest);
    if (!have) {
        return util::unexpected(have.error());
    }
    if (*have) {
        return false;
    }
    NullSink discard;
    Exchange start;
    start.what = "blob upload " + util::quoted(m_ref.display() + "@" + digest);
    start.request.method = http::Method::post;
    start.request.url = url("/blobs/uploads/");
    start.request.timeouts = m_options.timeouts;
    start.accept = [](int s) { return s == 202; };
    auto r = send(start, discard, Access::push);
    if (!r) {
        return util::unexpected(r.error());
    }
    auto location = r->headers.get("location");
    if (!location) {
        return fail(ErrorKind::network,
                    start.what + " failed: the registry started an upload without a Location");
    }
    // The monolithic upload: one PUT of the whole blob to the session's URL.
    std::string put_url = http::resolve_location(start.request.url, *location);
    put_url += put_url.find('?') == std::string::npos ? '?' : '&';
    put_url += "digest=" + url_encode(digest);
    Exchange put;
    put.what = start.what;
    put.request.method = http::Method::put;
    put.request.url = put_url;
    put.request.headers = {{"Content-Type", "application/octet-stream"}};
    put.request.timeouts = m_options.timeouts;
    set_body(put.request);
    put.accept = [](int s) { return s == 201 || s == 204; };
    auto done = send(put, discard, Access::push);
    if (!done) {
        return util::unexpected(done.error());
    }
    ++m_uploads;
    return true;
}

Result<bool> Registry::upload_blob(const std::string& digest, const std::filesystem::path& file) {
    return push_blob(digest, [&](http::Request& r) { r.body_file = file; });
}

Result<bool> Registry::upload_small_blob(const std::string& digest, const std::string& content) {
    return push_blob(digest, [&](http::Request& r) { r.body = content; });
}

Result<std::string> Registry::get_small_blob(const std::string& digest, std::size_t limit) {
    http::StringSink sink(limit);
    Exchange ex;
    ex.what = "blob request " + util::quoted(m_ref.display() + "@" + digest);
    ex.request.url = url("/blobs/" + digest);
    ex.request.timeouts = http::document_timeouts(m_options.timeouts);
    ex.accept = [](int s) { return s == 200; };
    auto r = send(ex, sink, Access::pull);
    if (!r) {
        return util::unexpected(r.error());
    }
    if (sink.overflowed) {
        return fail(ErrorKind::integrity,
                    ex.what + ": larger than " + util::human_bytes(limit) + ", refused");
    }
    if ("sha256:" + util::sha256_hex(sink.body) != digest) {
        return fail(ErrorKind::integrity, ex.what +
                                              ": the bytes the registry sent do not hash "
                                              "to their digest");
    }
    return std::move(sink.body);
}

http::SendResult Registry::get_blob(const std::string& digest, http::BodySink& sink,
                                    const source::Headers& extra) {
    // One attempt, as Source::fetch promises: the downloader owns the retry
    // loop for streamed downloads (it resumes with Range between attempts).
    // Only the authentication handshake is done here.
    http::Request req;
    req.url = url("/blobs/" + digest);
    req.headers = extra;
    req.timeouts = m_options.timeouts;
    for (int round = 0;; ++round) {
        AuthSink guard(sink);
        http::SendResult r =
            http::send_following_redirects(m_client, req, guard, redirects(Access::pull));
        if (!r || r->status != 401) {
            return r;
        }
        Result<std::string> a =
            round == 0 ? authorize(r->headers.get("www-authenticate").value_or(""), Access::pull)
                       : Result<std::string>(refused(401, m_ref.host, sent_from()));
        if (!a) {
            // Refused or missing credentials are not worth another attempt.
            http::TransportError e;
            e.kind = http::TransportError::Kind::aborted;
            e.status = 401;
            e.message = a.error().message;
            return util::unexpected(e);
        }
    }
}

}  // namespace tl::oci
