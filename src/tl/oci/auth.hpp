#pragma once

// How the registry client authenticates. Anonymous first; on 401 the
// WWW-Authenticate challenge decides: Basic sends the host's credentials
// (config::credentials_for_host) to the registry; Bearer asks the token realm
// (with the registry's credentials only when the realm is on the registry's
// host, or with the realm host's own credentials when configured) and sends
// the token to the registry's origin only. Tokens are cached per scope (pull,
// push+pull).

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tl/config/credentials.hpp"
#include "tl/http/client.hpp"
#include "tl/http/endpoint.hpp"
#include "tl/http/redirect.hpp"
#include "tl/oci/layout.hpp"
#include "tl/source/source.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::oci {

// A WWW-Authenticate challenge: its scheme (lower case) and parameters.
struct Challenge {
    std::string scheme;
    std::map<std::string, std::string> params;
};

// Parses `Bearer realm="…",service="…",scope="a,b"` (quoted values may hold
// commas, backslash escapes honoured); never fails, unknown text gives an
// empty or partial challenge.
Challenge parse_challenge(std::string_view value);

// `url` with these query parameters added, their values percent-encoded.
std::string with_query(std::string url,
                       const std::vector<std::pair<std::string, std::string>>& params);

// What a request needs permission for (the bearer token scope).
enum class Access { pull, push };

// The Authorization values for one repository: found from the challenges
// the registry answers with, then sent with every request. Thread-safe.
class Auth {
public:
    // Token requests go through `client`, with `options`' retries.
    Auth(http::Client& client, Reference ref, const http::NetSettings& options,
         util::Console& console);

    // What to send to the registry's origin for `access`; none until a
    // challenge asked for it.
    std::optional<http::Credential> credential(Access access);
    // Answers a 401's WWW-Authenticate challenge: finds the credentials or
    // token it asks for, which credential() then returns.
    Result<void> answer(const std::string& challenge, Access access);
    // The failure for a 401 that follows an answer: what was sent was refused.
    util::Unexpected<Failure> refused();

private:
    Result<std::string> bearer_token(const std::map<std::string, std::string>& params,
                                     Access access);
    // The error for credentials the registry (or its token service) refused.
    // `host` is the one whose credentials are missing or wrong; `from` where the
    // refused ones came from (empty: none were sent).
    util::Unexpected<Failure> refused(int status, const std::string& host,
                                      const std::string& from) const;
    std::string sent_from();
    // Credentials for the registry host, looked up once.
    Result<std::optional<config::HostCredentials>> host_credentials();

    Reference m_ref;
    http::Endpoint m_endpoint;
    util::Console& m_console;
    std::string m_origin;
    std::mutex m_mutex;  // guards the members below
    std::map<Access, std::string> m_authorization;
    std::optional<config::HostCredentials> m_host_credentials;
    bool m_looked_up = false;
    // Where the credentials last sent came from, for messages; empty: none sent.
    std::string m_sent_from;
};

}  // namespace tl::oci
