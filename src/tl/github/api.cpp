#include "tl/github/api.hpp"

#include <cstdlib>
#include <ctime>
#include <thread>

#include "tl/http/url.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::github {

std::function<void(std::chrono::milliseconds)> g_sleep_for = [](std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);
};

bool storage_url_refused(const http::Response& response, const std::string& api_url) {
    auto final_url = http::parse_url(response.url);
    auto api = http::parse_url(api_url);
    return (response.status == 401 || response.status == 403) && final_url && api &&
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

Api::Api(http::Client& client, ApiConfig config, util::Console& console)
    : m_client(client),
      m_config(std::move(config)),
      m_console(console),
      m_rng(std::random_device{}()) {
    while (util::ends_with(m_config.api_url, "/")) {
        m_config.api_url.pop_back();
    }
    m_redirects.plain_http = m_config.plain_http;
    if (!m_config.token.empty()) {
        util::register_secret(m_config.token);
        if (auto u = http::parse_url(m_config.api_url)) {
            m_redirects.credential =
                http::Credential{http::origin_of(*u), "Bearer " + m_config.token};
        }
    }
    m_redirects.on_redirect = [this](const std::string& from, const std::string& to) {
        m_console.debug("redirect " + util::redact_url(from) + " -> " + util::redact_url(to));
    };
}

std::vector<std::pair<std::string, std::string>> Api::base_headers(const char* accept) const {
    return {{"Accept", accept}, {"X-GitHub-Api-Version", std::string(k_api_version)}};
}

Result<Api::JsonResponse> Api::get_json(const std::string& url) {
    auto started = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
        http::Request req;
        req.url = url;
        req.headers = base_headers("application/vnd.github+json");
        req.timeouts = m_config.timeouts;
        m_console.debug("GET " + util::redact_url(url));
        http::StringSink sink(32u << 20);
        http::SendResult r = http::send_following_redirects(m_client, req, sink, m_redirects);
        http::RetryDecision d;
        if (!r) {
            if (r.error().kind == http::TransportError::Kind::insecure) {
                return fail(ErrorKind::usage, r.error().message);
            }
            d = http::decide_after_transport_error(r.error(), attempt, m_config.retry, m_rng);
            if (d.action == http::RetryDecision::Action::give_up) {
                return fail(
                    ErrorKind::network,
                    http::describe_transport_error(r.error(), url) +
                        (attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : ""));
            }
        } else {
            int status = r->status;
            if (status == 200) {
                return JsonResponse{std::move(sink.body), std::move(r->headers), false};
            }
            if (status == 404) {
                return JsonResponse{{}, std::move(r->headers), true};
            }
            d = http::decide_after_response(status, r->headers, sink.body.substr(0, 512), attempt,
                                            m_config.retry, m_rng, std::time(nullptr));
            if (d.action == http::RetryDecision::Action::give_up) {
                std::string what =
                    "GitHub API request " + util::quoted(util::redact_url(url)) + " failed: ";
                if (d.rate_limited) {
                    std::string when = d.reset_at ? http::format_utc_time(*d.reset_at) : "later";
                    return fail(ErrorKind::network,
                                what + d.reason + "; the limit resets at " + when +
                                    (m_config.token.empty()
                                         ? " (no token was used: set GITHUB_TOKEN to get a "
                                           "higher limit)"
                                         : " (a token was used; wait, or use another token)"));
                }
                if (status == 401) {
                    return fail(ErrorKind::network,
                                what + "HTTP 401 bad credentials (check GITHUB_TOKEN/GH_TOKEN)");
                }
                if (status == 403) {
                    return fail(ErrorKind::network,
                                what +
                                    "HTTP 403 forbidden (is the repository private? set "
                                    "GITHUB_TOKEN to a token that can read it)");
                }
                return fail(
                    ErrorKind::network,
                    what + d.reason +
                        (attempt > 1 ? " after " + std::to_string(attempt) + " attempts" : ""));
            }
        }
        auto elapsed = std::chrono::steady_clock::now() - started;
        if (elapsed + d.wait > m_config.retry.max_total) {
            return fail(ErrorKind::network,
                        "GitHub API request " + util::quoted(util::redact_url(url)) + " failed: " +
                            d.reason + "; gave up after " + std::to_string(attempt) + " attempts");
        }
        m_console.warn((d.rate_limited ? "GitHub rate limit: " : "") + d.reason + "; retrying in " +
                       util::human_seconds(static_cast<double>(d.wait.count()) / 1000.0) +
                       " (attempt " + std::to_string(attempt + 1) + " of " +
                       std::to_string(m_config.retry.max_attempts) + ")");
        g_sleep_for(d.wait);
    }
}

Result<std::optional<Release>> Api::release_by_tag(const std::string& tag) {
    std::string url = m_config.api_url + "/repos/" + m_config.repo + "/releases/tags/" + tag;
    auto r = get_json(url);
    if (!r) {
        return util::unexpected(r.error());
    }
    if (r->not_found) {
        return std::optional<Release>{};
    }
    auto rel = parse_release(r->body);
    if (!rel) {
        return util::unexpected(rel.error());
    }
    return std::optional<Release>(std::move(*rel));
}

Result<std::optional<Release>> Api::find_release(const std::function<bool(const Release&)>& pick) {
    std::string url = m_config.api_url + "/repos/" + m_config.repo + "/releases?per_page=100";
    // A monorepo can hold thousands of releases; stop well before looping forever.
    for (int page = 0; page < 200 && !url.empty(); ++page) {
        auto r = get_json(url);
        if (!r) {
            return util::unexpected(r.error());
        }
        if (r->not_found) {
            return fail(ErrorKind::not_found,
                        "repository " + util::quoted(m_config.repo) + " not found at " +
                            util::quoted(m_config.api_url) +
                            " (check TEMPORAL_LIBS_REPO; a private repository needs GITHUB_TOKEN)");
        }
        auto list = parse_release_list(r->body);
        if (!list) {
            return util::unexpected(list.error());
        }
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
        if (!rel.draft && util::starts_with(rel.tag, prefix)) {
            tags.push_back(rel.tag);
        }
        return tags.size() >= limit;
    });
    if (!r) {
        return util::unexpected(r.error());
    }
    return tags;
}

http::SendResult Api::download_asset(
    const Asset& asset, http::BodySink& sink,
    const std::vector<std::pair<std::string, std::string>>& extra_headers) {
    http::Request req;
    req.url = asset.api_url;
    req.headers = base_headers("application/octet-stream");
    for (const auto& h : extra_headers) {
        req.headers.push_back(h);
    }
    req.timeouts = m_config.timeouts;
    return http::send_following_redirects(m_client, req, sink, m_redirects);
}

Result<std::string> Api::fetch_small_asset(const Asset& asset, std::size_t limit) {
    for (int attempt = 1;; ++attempt) {
        http::StringSink sink(limit);
        auto r = download_asset(asset, sink, {});
        http::RetryDecision d;
        if (!r) {
            if (sink.overflowed) {
                return fail(ErrorKind::integrity,
                            "asset " + util::quoted(asset.name) + " is larger than " +
                                util::human_bytes(limit) + "; a checksum file should be tiny");
            }
            d = http::decide_after_transport_error(r.error(), attempt, m_config.retry, m_rng);
            if (d.action == http::RetryDecision::Action::give_up) {
                return fail(ErrorKind::network,
                            "cannot download " + util::quoted(asset.name) + ": " +
                                http::describe_transport_error(r.error(), asset.api_url));
            }
        } else if (r->status == 200) {
            return std::move(sink.body);
        } else if (storage_url_refused(*r, asset.api_url) && attempt < 3) {
            d.action = http::RetryDecision::Action::retry;
            d.reason = "the download URL was refused (HTTP " + std::to_string(r->status) +
                       ", likely expired); asking for a fresh one";
        } else {
            d = http::decide_after_response(r->status, r->headers, sink.body.substr(0, 512),
                                            attempt, m_config.retry, m_rng, std::time(nullptr));
            if (d.action == http::RetryDecision::Action::give_up) {
                return fail(ErrorKind::network, "cannot download " + util::quoted(asset.name) +
                                                    ": HTTP " + std::to_string(r->status) +
                                                    " from " +
                                                    util::quoted(util::redact_url(r->url)));
            }
        }
        m_console.warn("downloading " + util::quoted(asset.name) + ": " + d.reason +
                       "; retrying in " +
                       util::human_seconds(static_cast<double>(d.wait.count()) / 1000.0));
        g_sleep_for(d.wait);
    }
}

}  // namespace tl::github
