#include "tl/github/api.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>

#include "tl/github/checks.hpp"
#include "tl/http/url.hpp"
#include "tl/release/contract.hpp"
#include "tl/release/tags.hpp"
#include "tl/util/escape.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::github {

bool storage_url_refused(int status, const std::string& url, const std::string& api_url) {
    auto final_url = http::parse_url(url);
    auto api = http::parse_url(api_url);
    return (status == 401 || status == 403) && final_url && api &&
           http::origin_of(*final_url) != http::origin_of(*api);
}

std::string token_from_environment() {
    for (const char* name : {"GITHUB_TOKEN", "GH_TOKEN"}) {
        const char* v = std::getenv(name);
        if (v != nullptr && *v != '\0') {
            return std::string(util::trim(v));
        }
    }
    return {};
}

Result<void> check_repo_name(std::string_view repo) {
    auto bad = [&](const std::string& why) {
        return fail(ErrorKind::usage, "repository " + util::quoted(repo) + " " + why +
                                          " (TEMPORAL_LIBS_REPO, 'repo' or --repo: OWNER/NAME)");
    };
    std::size_t slash = repo.find('/');
    if (slash == std::string_view::npos) {
        return bad("must look like owner/name");
    }
    std::string_view owner = repo.substr(0, slash);
    std::string_view name = repo.substr(slash + 1);
    // GitHub's rules: an owner is 1-39 letters, digits and inner hyphens; a
    // name is 1-100 letters, digits, '.', '-' and '_', and not "." or "..".
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (owner.empty() || owner.size() > 39 || owner.front() == '-' || owner.back() == '-' ||
        !std::all_of(owner.begin(), owner.end(), [&](char c) { return alnum(c) || c == '-'; })) {
        return bad("has an owner GitHub would not accept");
    }
    if (name.empty() || name.size() > 100 || name == "." || name == ".." ||
        !std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '.' || c == '-' || c == '_'; })) {
        return bad("has a name GitHub would not accept");
    }
    return {};
}

Result<std::string> checked_token_from_environment() {
    for (const char* name : {"GITHUB_TOKEN", "GH_TOKEN"}) {
        const char* v = std::getenv(name);
        if (v != nullptr && *v != '\0') {
            std::string token(util::trim(v));
            if (util::has_control_chars(token)) {
                // Sent as-is it would inject headers; its value is never shown.
                return fail(ErrorKind::usage,
                            std::string(name) +
                                " holds a control character (a stray newline or carriage "
                                "return?); set it to the token alone");
            }
            return token;
        }
    }
    return std::string();
}

namespace {

std::string without_trailing_slashes(std::string url) {
    while (util::ends_with(url, "/")) {
        url.pop_back();
    }
    return url;
}

}  // namespace

Api::Api(http::Client& client, ApiConfig config, util::Console& console)
    : m_config(std::move(config)), m_endpoint(client, m_config.net, console, "GitHub") {
    m_config.api_url = without_trailing_slashes(m_config.api_url);
    if (!m_config.token.empty()) {
        m_endpoint.bind_credential(m_config.api_url, "Bearer " + m_config.token);
    }
}

std::vector<std::pair<std::string, std::string>> Api::base_headers(const char* accept) const {
    return {{"Accept", accept}, {"X-GitHub-Api-Version", std::string(k_api_version)}};
}

Result<Api::JsonResponse> Api::get_json(const std::string& url) {
    const std::string what = "GitHub API request " + util::quoted(util::redact_url(url));
    http::StringSink sink(32u << 20);
    http::Exchange send =
        m_endpoint.document_get(what, url, sink, base_headers("application/vnd.github+json"));
    send.accept = [](const http::Response& r) { return r.status == 200 || r.status == 404; };
    send.keep_on_give_up = [](const http::Response& r, const http::RetryDecision&) {
        return r.status == 401 || r.status == 403;
    };
    send.advice = [this](int, const http::RetryDecision& d) -> std::string {
        if (!d.rate_limited) {
            return {};
        }
        return m_config.token.empty() ? "no token was used: set GITHUB_TOKEN to get a higher limit"
                                      : "a token was used; wait, or use another token";
    };
    TL_TRY_ASSIGN(r, m_endpoint.send(send))
    if (r->status == 401) {
        return fail(ErrorKind::network,
                    what + " failed: HTTP 401 bad credentials (check GITHUB_TOKEN/GH_TOKEN)");
    }
    if (r->status == 403) {
        return fail(ErrorKind::network,
                    what +
                        " failed: HTTP 403 forbidden (is the repository "
                        "private? set GITHUB_TOKEN to a token that can read it)");
    }
    if (r->status == 404) {
        return JsonResponse{{}, std::move(r->headers), true};
    }
    return JsonResponse{std::move(sink.body), std::move(r->headers), false};
}

Result<std::optional<Release>> Api::release_by_tag(const std::string& tag) {
    std::string url = m_config.api_url + "/repos/" + m_config.repo + "/releases/tags/" + tag;
    TL_TRY_ASSIGN(r, get_json(url))
    if (r->not_found) {
        return std::optional<Release>{};
    }
    TL_TRY_ASSIGN(rel, parse_release(r->body))
    return std::optional<Release>(std::move(*rel));
}

Result<std::optional<Release>> Api::find_release(const std::function<bool(const Release&)>& pick) {
    std::string url = m_config.api_url + "/repos/" + m_config.repo + "/releases?per_page=100";
    // A monorepo can hold thousands of releases; stop well before looping forever.
    for (int page = 0; page < 200 && !url.empty(); ++page) {
        TL_TRY_ASSIGN(r, get_json(url))
        if (r->not_found) {
            return fail(ErrorKind::not_found,
                        "repository " + util::quoted(m_config.repo) + " not found at " +
                            util::quoted(m_config.api_url) +
                            " (check TEMPORAL_LIBS_REPO; a private repository needs GITHUB_TOKEN)");
        }
        TL_TRY_ASSIGN(list, parse_release_list(r->body))
        for (auto& rel : *list) {
            if (pick(rel)) {
                return std::optional<Release>(std::move(rel));
            }
        }
        url.clear();
        if (auto link = r->headers.get("link")) {
            auto rels = parse_link_header(*link);
            if (auto it = rels.find("next"); it != rels.end()) {
                url = it->second;
            }
        }
    }
    return std::optional<Release>{};
}

Result<std::vector<std::string>> Api::list_tags(const std::string& prefix, std::size_t limit) {
    std::vector<std::string> tags;
    auto r = find_release([&](const Release& rel) {
        if (!rel.draft && util::starts_with(rel.tag, prefix) && release::is_library_tag(rel.tag)) {
            tags.push_back(rel.tag);
        }
        return tags.size() >= limit;
    });
    if (!r) {
        return util::unexpected(r.error());
    }
    return tags;
}

http::Request Api::asset_request(
    const Asset& asset,
    const std::vector<std::pair<std::string, std::string>>& extra_headers) const {
    http::Request req;
    req.url = asset.api_url;
    req.headers = base_headers("application/octet-stream");
    for (const auto& h : extra_headers) {
        req.headers.push_back(h);
    }
    req.timeouts = m_config.net.timeouts;
    return req;
}

std::optional<http::RetryDecision> fresh_url_decision(const http::Response& response,
                                                      const std::string& api_url, int attempt) {
    if (!storage_url_refused(response.status, response.url, api_url) || attempt >= 3) {
        return std::nullopt;
    }
    http::RetryDecision d;
    d.action = http::RetryDecision::Action::retry;
    d.reason = "the download URL was refused (HTTP " + std::to_string(response.status) +
               ", likely expired); asking for a fresh one";
    return d;
}

Result<http::Response> Api::get_asset(const Asset& asset, http::BodySink& sink,
                                      const std::string& what, bool document) {
    http::Exchange send;
    send.what = what;
    send.request = [&] {
        http::Request req = asset_request(asset, {});
        if (document) {
            req.timeouts = m_config.net.document_timeouts();
        }
        return req;
    };
    send.sink = &sink;
    send.accept = [](const http::Response& r) { return r.status == 200; };
    send.decide = [&](const http::Response& r, int attempt) {
        return fresh_url_decision(r, asset.api_url, attempt);
    };
    send.keep_on_give_up = [](const http::Response&, const http::RetryDecision&) { return true; };
    send.warn_with_what = true;
    return m_endpoint.send(send);
}

Result<std::string> Api::fetch_small_asset(const Asset& asset, std::size_t limit) {
    http::StringSink sink(limit);
    auto r = get_asset(asset, sink, "downloading " + util::quoted(asset.name), true);
    if (!r) {
        if (sink.overflowed) {
            return fail(ErrorKind::integrity, "asset " + util::quoted(asset.name) +
                                                  " is larger than " + util::human_bytes(limit) +
                                                  "; a checksum file should be tiny");
        }
        return fail(r.error().kind,
                    "cannot download " + util::quoted(asset.name) + ": " + r.error().message);
    }
    if (r->status != 200) {
        return fail(ErrorKind::network, "cannot download " + util::quoted(asset.name) + ": HTTP " +
                                            std::to_string(r->status) + " from " +
                                            util::quoted(util::redact_url(r->url)));
    }
    return std::move(sink.body);
}

}  // namespace tl::github
