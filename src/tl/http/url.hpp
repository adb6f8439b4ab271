#pragma once

// Just enough URL handling for origins and redirects.

#include <optional>
#include <string>
#include <string_view>

namespace tl::http {

struct Url {
    std::string scheme;          // lower case
    std::string host;            // lower case, without brackets for IPv6
    int port = 0;                // explicit or the scheme's default
    std::string path_and_query;  // starts with '/'
};

// Parses an absolute http(s) URL; empty for anything else.
std::optional<Url> parse_url(std::string_view url);

// "scheme://host:port": two URLs with the same origin may share credentials.
std::string origin_of(const Url& u);

// `s` with every byte but RFC 3986's unreserved ones (letters, digits, - _ . ~)
// written as %XX: a query value.
std::string percent_encode(std::string_view s);

// Resolves a Location header against the URL it came from.
std::string resolve_location(std::string_view base, std::string_view location);

// True for 127.0.0.0/8, ::1 and "localhost": plain HTTP is allowed there.
bool is_loopback_host(std::string_view host);

}  // namespace tl::http
