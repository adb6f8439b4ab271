#include "tl/http/url.hpp"

#include "tl/util/strings.hpp"

namespace tl::http {

std::optional<Url> parse_url(std::string_view url) {
    std::size_t sep = url.find("://");
    if (sep == std::string_view::npos) {
        return std::nullopt;
    }
    Url u;
    u.scheme = util::to_lower(url.substr(0, sep));
    if (u.scheme != "http" && u.scheme != "https") {
        return std::nullopt;
    }
    std::string_view rest = url.substr(sep + 3);
    std::size_t path = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path);
    std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        authority = authority.substr(at + 1);
    }
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') {
            port = authority.substr(close + 2);
        }
    } else {
        std::size_t colon = authority.rfind(':');
        if (colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
        }
    }
    if (host.empty()) {
        return std::nullopt;
    }
    u.host = util::to_lower(host);
    if (port.empty()) {
        u.port = u.scheme == "https" ? 443 : 80;
    } else {
        auto p = util::parse_u64(port);
        if (!p || *p == 0 || *p > 65535) {
            return std::nullopt;
        }
        u.port = static_cast<int>(*p);
    }
    u.path_and_query = path == std::string_view::npos ? "/" : std::string(rest.substr(path));
    if (u.path_and_query.front() != '/') {
        u.path_and_query.insert(0, "/");
    }
    return u;
}

std::string origin_of(const Url& u) {
    return u.scheme + "://" + u.host + ":" + std::to_string(u.port);
}

std::string resolve_location(std::string_view base, std::string_view location) {
    if (location.find("://") != std::string_view::npos) {
        return std::string(location);
    }
    auto b = parse_url(base);
    if (!b) {
        return std::string(location);
    }
    std::string host = b->host.find(':') != std::string::npos ? "[" + b->host + "]" : b->host;
    std::string prefix = b->scheme + "://" + host + ":" + std::to_string(b->port);
    if (util::starts_with(location, "//")) {
        return b->scheme + ":" + std::string(location);
    }
    if (!location.empty() && location.front() == '/') {
        return prefix + std::string(location);
    }
    std::string dir = b->path_and_query.substr(0, b->path_and_query.find('?'));
    dir = dir.substr(0, dir.rfind('/') + 1);
    return prefix + dir + std::string(location);
}

bool is_loopback_host(std::string_view host) {
    std::string h = util::to_lower(host);
    return h == "localhost" || h == "::1" || util::starts_with(h, "127.");
}

}  // namespace tl::http
