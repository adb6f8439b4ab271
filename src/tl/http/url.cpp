#include "tl/http/url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <vector>

#include "tl/util/strings.hpp"

namespace tl::http {

namespace {

// The length of a reference's RFC 3986 scheme ("https" in "https://..."), or
// 0 when it has none (a relative reference, whatever its query holds).
std::size_t scheme_length(std::string_view ref) {
    std::size_t colon = ref.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        return 0;
    }
    for (std::size_t i = 0; i < colon; ++i) {
        char c = ref[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool ok = alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
        if (!ok) {
            return 0;
        }
    }
    return colon;
}

// RFC 3986 5.2.4: removes "." and ".." segments from a path.
std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string> out;
    bool trailing = false;
    for (const std::string& seg : util::split(path, '/')) {
        trailing = false;
        if (seg == ".") {
            trailing = true;
        } else if (seg == "..") {
            if (out.size() > 1) {
                out.pop_back();
            }
            trailing = true;
        } else {
            out.push_back(seg);
        }
    }
    std::string joined = util::join(out, "/");
    if (joined.empty() || joined.front() != '/') {
        joined.insert(0, "/");
    }
    if (trailing && joined.back() != '/') {
        joined.push_back('/');
    }
    return joined;
}

}  // namespace

std::optional<Url> parse_url(std::string_view url) {
    std::size_t sep = scheme_length(url);
    if (sep == 0 || url.substr(sep, 3) != "://") {
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
    // RFC 3986 5.2: a reference with a scheme is absolute; anything else
    // (a query may hold "://") is resolved against the base.
    if (scheme_length(location) != 0) {
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
    std::string base_path = b->path_and_query.substr(0, b->path_and_query.find_first_of("?#"));
    std::string_view rest = location.substr(0, location.find_first_of("?#"));
    std::string_view tail = location.substr(rest.size());
    if (rest.empty()) {
        // "?q" or "#f": the base path with this query.
        if (!tail.empty() && tail.front() == '#') {
            std::string q = b->path_and_query.substr(base_path.size());
            return prefix + base_path + q.substr(0, q.find('#')) + std::string(tail);
        }
        return prefix + base_path + std::string(tail);
    }
    if (rest.front() == '/') {
        return prefix + remove_dot_segments(rest) + std::string(tail);
    }
    std::string dir = base_path.substr(0, base_path.rfind('/') + 1);
    return prefix + remove_dot_segments(dir + std::string(rest)) + std::string(tail);
}

bool is_loopback_host(std::string_view host) {
    std::string h = util::to_lower(host);
    if (!h.empty() && h.front() == '[' && h.back() == ']') {
        h = h.substr(1, h.size() - 2);
    }
    if (h == "localhost" || h == "localhost.") {
        return true;
    }
    // Decided from the address, never from how a name begins
    // ("127.attacker.example" is a name like any other).
    in_addr v4{};
    if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24) == 127;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&v6)) {
            return true;
        }
        return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
    }
    return false;
}

std::string percent_encode(std::string_view s) {
    static const char* k_hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 15];
        }
    }
    return out;
}

}  // namespace tl::http
