#pragma once

// Following redirects by hand, so that credentials go only where they belong:
// an Authorization header is attached only while the request's URL has the
// origin (scheme, host and port) the credential was issued for. GitHub's asset
// downloads redirect from the API host to a storage host; the token must never
// follow.

#include <functional>
#include <optional>
#include <string>

#include "tl/http/client.hpp"

namespace tl::http {

// A secret header value ("Bearer ...") and the one origin it may be sent to.
struct Credential {
    std::string origin;  // "https://api.github.com:443", see origin_of()
    std::string authorization;
};

// Whether plain http:// is acceptable for hosts other than loopback.
enum class PlainHttp { loopback_only, allowed };

struct RedirectPolicy {
    int max_redirects = 10;
    std::optional<Credential> credential;
    PlainHttp plain_http = PlainHttp::loopback_only;
    // Told about each hop (URLs redacted by the caller before printing).
    std::function<void(const std::string& from, const std::string& to)> on_redirect;
};

// Checks a URL against the plain-HTTP policy; an error message when refused.
std::optional<std::string> check_url_allowed(const std::string& url, PlainHttp plain_http);

// Sends `request`, following 301/302/303/307/308 responses; the sink sees only
// the final response. Credentials follow RedirectPolicy::credential.
SendResult send_following_redirects(Client& client, Request request, BodySink& sink,
                                    const RedirectPolicy& policy);

}  // namespace tl::http
