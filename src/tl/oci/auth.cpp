#include "tl/oci/auth.hpp"

#include <nlohmann/json.hpp>

#include "tl/http/url.hpp"
#include "tl/util/json.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::oci {

using nlohmann::json;

namespace {

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

std::string with_query(std::string url,
                       const std::vector<std::pair<std::string, std::string>>& params) {
    for (const auto& [key, value] : params) {
        url += url.find('?') == std::string::npos ? '?' : '&';
        url += key + "=" + http::percent_encode(value);
    }
    return url;
}

Auth::Auth(http::Client& client, Reference ref, const http::NetSettings& options,
           util::Console& console)
    : m_ref(std::move(ref)), m_endpoint(client, options, console), m_console(console) {
    auto u = http::parse_url(m_ref.base_url + "/");
    m_origin = u ? http::origin_of(*u) : m_ref.base_url;
}

std::optional<http::Credential> Auth::credential(Access access) {
    std::lock_guard lock(m_mutex);
    auto it = m_authorization.find(access);
    if (it == m_authorization.end()) {
        return std::nullopt;
    }
    return http::Credential{m_origin, it->second};
}

Result<std::optional<config::HostCredentials>> Auth::host_credentials() {
    std::lock_guard lock(m_mutex);
    if (!m_looked_up) {
        TL_TRY_ASSIGN(c, config::credentials_for_host(m_ref.host))
        m_host_credentials = *c;
        m_looked_up = true;
    }
    return m_host_credentials;
}

util::Unexpected<Failure> Auth::refused(int status, const std::string& host,
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

std::string Auth::sent_from() {
    std::lock_guard lock(m_mutex);
    return m_sent_from;
}

Result<std::string> Auth::bearer_token(const std::map<std::string, std::string>& params,
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
    std::vector<std::pair<std::string, std::string>> query;
    if (auto s = params.find("service"); s != params.end()) {
        query.emplace_back("service", s->second);
    }
    query.emplace_back("scope", scope);
    std::string token_url = with_query(realm_it->second, query);

    // The registry's credentials go to its own host only; a token service
    // elsewhere gets the credentials configured for that host, if any.
    std::string realm_host = host_key(*realm);
    auto found =
        realm_host == m_ref.host ? host_credentials() : config::credentials_for_host(realm_host);
    if (!found) {
        return util::unexpected(found.error());
    }
    const std::optional<config::HostCredentials>& creds = *found;
    if (creds && !creds->token.empty() && creds->password.empty()) {
        // A registry token configured as such is used as the bearer token.
        util::register_secret(creds->token);
        std::lock_guard lock(m_mutex);
        m_sent_from = creds->from;
        return creds->token;
    }
    http::RedirectPolicy policy = m_endpoint.redirects();
    if (creds && !creds->username.empty()) {
        std::string basic = config::basic_authorization(*creds);
        policy.credential = http::Credential{http::origin_of(*realm), basic};
        std::lock_guard lock(m_mutex);
        m_sent_from = creds->from;
    }
    http::StringSink sink(1u << 20);
    http::Exchange rs = m_endpoint.document_get(
        "token request to " + util::quoted(util::redact_url(realm_it->second)), token_url, sink);
    rs.accept = [](const http::Response& r) {
        return r.status == 200 || r.status == 401 || r.status == 403;
    };
    TL_TRY_ASSIGN(r, m_endpoint.send(rs, policy))
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

Result<void> Auth::answer(const std::string& challenge_text, Access access) {
    Challenge challenge = parse_challenge(challenge_text);
    std::string value;
    if (challenge.scheme == "bearer") {
        TL_TRY_ASSIGN(token, bearer_token(challenge.params, access))
        value = "Bearer " + *token;
    } else if (challenge.scheme == "basic") {
        TL_TRY_ASSIGN(c, host_credentials())
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
    return {};
}

util::Unexpected<Failure> Auth::refused() {
    return refused(401, m_ref.host, sent_from());
}

}  // namespace tl::oci
