#include "tl/util/redact.hpp"

#include <mutex>
#include <set>
#include <vector>

#include "tl/util/escape.hpp"
#include "tl/util/strings.hpp"

namespace tl::util {

namespace {

std::mutex g_mutex;
std::vector<std::string>& secrets() {
    static std::vector<std::string> s;
    return s;
}

bool harmless_param(std::string_view key) {
    static const std::set<std::string, std::less<>> keys = {"page", "per_page", "name", "label"};
    return keys.count(key) > 0;
}

}  // namespace

std::string redact_url(std::string_view url) {
    std::string out;
    std::size_t scheme_end = url.find("://");
    std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    std::size_t path_start = url.find_first_of("/?#", authority_start);
    std::string_view authority = url.substr(authority_start, path_start == std::string_view::npos
                                                                 ? std::string_view::npos
                                                                 : path_start - authority_start);
    std::size_t at = authority.rfind('@');
    out.append(url.substr(0, authority_start));
    out.append(at == std::string_view::npos ? authority : authority.substr(at + 1));
    if (path_start == std::string_view::npos) {
        return scrub(out);
    }
    std::string_view rest = url.substr(path_start);
    std::size_t hash = rest.find('#');
    if (hash != std::string_view::npos) {
        rest = rest.substr(0, hash);
    }
    std::size_t q = rest.find('?');
    out.append(rest.substr(0, q));
    if (q != std::string_view::npos) {
        out.push_back('?');
        std::vector<std::string> params = split(rest.substr(q + 1), '&');
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (i > 0) {
                out.push_back('&');
            }
            std::size_t eq = params[i].find('=');
            std::string key = params[i].substr(0, eq);
            out += key;
            if (eq != std::string::npos) {
                out += "=";
                out += harmless_param(key) ? params[i].substr(eq + 1) : "REDACTED";
            }
        }
    }
    return scrub(out);
}

void register_secret(std::string_view secret) {
    if (secret.size() < 4) {
        return;
    }
    std::lock_guard<std::mutex> lock(g_mutex);
    for (const auto& s : secrets()) {
        if (s == secret) {
            return;
        }
    }
    secrets().emplace_back(secret);
}

std::string scrub(std::string_view text) {
    std::string out(text);
    std::lock_guard<std::mutex> lock(g_mutex);
    for (const auto& s : secrets()) {
        std::size_t pos = 0;
        while ((pos = out.find(s, pos)) != std::string::npos) {
            out.replace(pos, s.size(), "***");
            pos += 3;
        }
    }
    // Everything printed passes here: control characters (a terminal escape in
    // a tag, an entry name, an error body) are escaped, lines and tabs kept;
    // secrets are hidden first, so an escape cannot split one.
    return escape_controls(out, /*keep_layout=*/true);
}

}  // namespace tl::util
