#include "tl/github/writer.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "tl/http/url.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::github {

namespace {

using nlohmann::json;

std::string percent_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// Hashes a streamed body.
class HashSink : public http::BodySink {
public:
    bool on_head(const http::ResponseHead& head) override {
        status = head.status;
        hash.reset();
        return true;
    }
    bool on_data(const char* data, std::size_t size) override {
        hash.update(data, size);
        return true;
    }
    int status = 0;
    util::Sha256 hash;
};

// GitHub's "errors" array says why a 422 happened: "already_exists", ...
bool says_already_exists(const std::string& body) {
    return body.find("already_exists") != std::string::npos;
}

std::string wait_text(std::chrono::milliseconds wait) {
    return util::human_seconds(static_cast<double>(wait.count()) / 1000.0);
}

}  // namespace

bool upload_origin_allowed(const std::string& api_url, const std::string& upload_url) {
    auto api = http::parse_url(api_url);
    auto up = http::parse_url(upload_url);
    if (!api || !up) {
        return false;
    }
    if (api->host == "api.github.com") {
        return up->scheme == "https" && up->host == "uploads.github.com";
    }
    return up->host == api->host && up->scheme == api->scheme;
}

std::string upload_url_for(const std::string& upload_url_template, const std::string& name) {
    std::string base = upload_url_template.substr(0, upload_url_template.find('{'));
    return base + "?name=" + percent_encode(name);
}

std::string content_type_for(const std::string& name) {
    if (util::ends_with(name, ".tar.gz") || util::ends_with(name, ".tgz")) {
        return "application/gzip";
    }
    if (util::ends_with(name, ".tar.zst")) {
        return "application/zstd";
    }
    if (util::ends_with(name, ".json")) {
        return "application/json";
    }
    if (util::ends_with(name, ".sha256") || util::ends_with(name, ".txt") ||
        util::ends_with(name, ".md")) {
        return "text/plain";
    }
    return "application/octet-stream";
}

Writer::Writer(http::Client& client, ApiConfig config, util::Console& console)
    : m_client(client),
      m_config(std::move(config)),
      m_console(console),
      m_api(client, m_config, console),
      m_rng(std::random_device{}()) {
    while (util::ends_with(m_config.api_url, "/")) {
        m_config.api_url.pop_back();
    }
    // The same token, bound to the API's origin only (uploads get their own policy).
    m_api_policy = m_api.redirect_policy();
}

std::string Writer::repo_url() const {
    return m_config.api_url + "/repos/" + m_config.repo;
}

http::Request Writer::api_request(http::Method method, const std::string& url,
                                  const std::string& body) const {
    http::Request req;
    req.method = method;
    req.url = url;
    req.headers = {{"Accept", "application/vnd.github+json"},
                   {"X-GitHub-Api-Version", std::string(k_api_version)}};
    if (!body.empty()) {
        req.headers.emplace_back("Content-Type", "application/json");
    }
    req.body = body;
    req.timeouts = m_config.timeouts;
    return req;
}

Failure Writer::refused(const Reply& reply, const std::string& what) const {
    std::string head = what + " failed: HTTP " + std::to_string(reply.status);
    switch (reply.status) {
        case 401:
            return {ErrorKind::network,
                    head + " bad credentials (check GITHUB_TOKEN/GH_TOKEN: it may be expired)"};
        case 403:
            return {
                ErrorKind::network,
                head + " forbidden (the token cannot write releases of " +
                    util::quoted(m_config.repo) +
                    ": it needs contents: write, in a workflow 'permissions: contents: write')"};
        case 404:
            return {ErrorKind::not_found, head + " not found (is " + util::quoted(m_config.repo) +
                                              " the right repository, and can the token see it?)"};
        default:
            break;
    }
    std::string message;
    json j = json::parse(reply.body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("message") && j["message"].is_string()) {
        message = j["message"].get<std::string>();
    }
    return {ErrorKind::network, head + (message.empty() ? "" : ": " + message)};
}

Result<Writer::Reply> Writer::exchange(http::Request request, const http::RedirectPolicy& policy,
                                       const std::string& what) {
    auto started = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
        m_console.debug(std::string(http::method_name(request.method)) + " " +
                        util::redact_url(request.url));
        http::StringSink sink(32u << 20);
        http::SendResult r = http::send_following_redirects(m_client, request, sink, policy);
        http::RetryDecision d;
        if (!r) {
            if (r.error().kind == http::TransportError::Kind::insecure) {
                return fail(ErrorKind::usage, r.error().message);
            }
            d = http::decide_after_transport_error(r.error(), attempt, m_config.retry, m_rng);
            if (d.action == http::RetryDecision::Action::give_up) {
                return fail(
                    ErrorKind::network,
                    what + " failed: " + http::describe_transport_error(r.error(), request.url) +
                        (attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : ""));
            }
        } else {
            if (r->status >= 200 && r->status < 300) {
                return Reply{r->status, std::move(sink.body)};
            }
            d = http::decide_after_response(r->status, r->headers, sink.body.substr(0, 512),
                                            attempt, m_config.retry, m_rng, std::time(nullptr));
            if (d.action == http::RetryDecision::Action::give_up) {
                if (d.rate_limited) {
                    std::string when = d.reset_at ? http::format_utc_time(*d.reset_at) : "later";
                    return fail(ErrorKind::network, what + " failed: " + d.reason +
                                                        "; the limit resets at " + when +
                                                        " (wait, or raise --max-wait)");
                }
                if (r->status < 500) {
                    return Reply{r->status, std::move(sink.body)};
                }
                return fail(ErrorKind::network,
                            what + " failed: " + d.reason + " after " + std::to_string(attempt) +
                                " attempts (GitHub may be having trouble; run again later: "
                                "publishing resumes where it stopped)");
            }
        }
        auto elapsed = std::chrono::steady_clock::now() - started;
        if (elapsed + d.wait > m_config.retry.max_total) {
            return fail(ErrorKind::network, what + " failed: " + d.reason + "; gave up after " +
                                                std::to_string(attempt) + " attempts");
        }
        m_console.warn(what + ": " + (d.rate_limited ? "GitHub rate limit: " : "") + d.reason +
                       "; retrying in " + wait_text(d.wait) + " (attempt " +
                       std::to_string(attempt + 1) + " of " +
                       std::to_string(m_config.retry.max_attempts) + ")");
        g_sleep_for(d.wait);
    }
}

Result<std::optional<Release>> Writer::find_release(const std::string& tag) {
    auto published = m_api.release_by_tag(tag);
    if (!published) {
        return util::unexpected(published.error());
    }
    if (*published) {
        return published;
    }
    // Drafts have no tag yet, as far as the by-tag lookup is concerned.
    return m_api.find_release([&](const Release& r) { return r.tag == tag; });
}

Result<Release> Writer::get_release(std::uint64_t id) {
    std::string what = "reading release " + std::to_string(id);
    auto reply =
        exchange(api_request(http::Method::get, repo_url() + "/releases/" + std::to_string(id)),
                 m_api_policy, what);
    if (!reply) {
        return util::unexpected(reply.error());
    }
    if (reply->status != 200) {
        return util::unexpected(refused(*reply, what));
    }
    return parse_release(reply->body);
}

Result<Release> Writer::create_release(const NewRelease& nr) {
    json body = {{"tag_name", nr.tag},
                 {"name", nr.name.empty() ? nr.tag : nr.name},
                 {"body", nr.body},
                 {"draft", nr.draft},
                 {"prerelease", nr.prerelease}};
    if (!nr.target_commitish.empty()) {
        body["target_commitish"] = nr.target_commitish;
    }
    std::string what = "creating release " + util::quoted(nr.tag);
    auto reply = exchange(api_request(http::Method::post, repo_url() + "/releases", body.dump()),
                          m_api_policy, what);
    if (!reply) {
        return util::unexpected(reply.error());
    }
    if (reply->status == 422 && says_already_exists(reply->body)) {
        return fail(ErrorKind::usage, what + " failed: a release with that tag already exists");
    }
    if (reply->status != 201 && reply->status != 200) {
        return util::unexpected(refused(*reply, what));
    }
    return parse_release(reply->body);
}

Result<Release> Writer::publish_release(std::uint64_t id) {
    std::string what = "publishing release " + std::to_string(id);
    auto reply =
        exchange(api_request(http::Method::patch, repo_url() + "/releases/" + std::to_string(id),
                             json{{"draft", false}}.dump()),
                 m_api_policy, what);
    if (!reply) {
        return util::unexpected(reply.error());
    }
    if (reply->status != 200) {
        return util::unexpected(refused(*reply, what));
    }
    return parse_release(reply->body);
}

Result<void> Writer::delete_asset(const Asset& asset) {
    std::string what = "deleting asset " + util::quoted(asset.name);
    std::string url = asset.api_url.empty()
                          ? repo_url() + "/releases/assets/" + std::to_string(asset.id)
                          : asset.api_url;
    auto reply = exchange(api_request(http::Method::del, url), m_api_policy, what);
    if (!reply) {
        return util::unexpected(reply.error());
    }
    // Gone already is what we wanted.
    if (reply->status != 204 && reply->status != 200 && reply->status != 404) {
        return util::unexpected(refused(*reply, what));
    }
    return {};
}

Result<std::string> Writer::asset_sha256(const Asset& asset) {
    for (int attempt = 1;; ++attempt) {
        HashSink sink;
        auto r = m_api.download_asset(asset, sink, {});
        http::RetryDecision d;
        if (!r) {
            d = http::decide_after_transport_error(r.error(), attempt, m_config.retry, m_rng);
            if (d.action == http::RetryDecision::Action::give_up) {
                return fail(ErrorKind::network,
                            "cannot download " + util::quoted(asset.name) + " to compare it: " +
                                http::describe_transport_error(r.error(), asset.api_url));
            }
        } else if (r->status == 200) {
            return sink.hash.hex_digest();
        } else if (storage_url_refused(*r, asset.api_url) && attempt < 3) {
            d.action = http::RetryDecision::Action::retry;
            d.reason = "the download URL was refused; asking for a fresh one";
        } else {
            d = http::decide_after_response(r->status, r->headers, "", attempt, m_config.retry,
                                            m_rng, std::time(nullptr));
            if (d.action == http::RetryDecision::Action::give_up) {
                return fail(ErrorKind::network, "cannot download " + util::quoted(asset.name) +
                                                    " to compare it: HTTP " +
                                                    std::to_string(r->status));
            }
        }
        m_console.warn("downloading " + util::quoted(asset.name) + ": " + d.reason +
                       "; retrying in " + wait_text(d.wait));
        g_sleep_for(d.wait);
    }
}

Result<Asset> Writer::upload_asset(const Release& release, const std::filesystem::path& file,
                                   const std::string& name, const std::string& sha256) {
    std::string url = upload_url_for(release.upload_url, name);
    if (release.upload_url.empty() || !upload_origin_allowed(m_config.api_url, url)) {
        return fail(ErrorKind::usage, "refusing to send the token to the upload URL " +
                                          util::quoted(util::redact_url(url)) + " of release " +
                                          util::quoted(release.tag) +
                                          ": it is not the uploads host of " +
                                          util::quoted(m_config.api_url));
    }
    // The token is bound to the uploads origin for this request alone; a
    // redirect elsewhere would go without it.
    http::RedirectPolicy policy = m_api_policy;
    if (auto u = http::parse_url(url)) {
        policy.credential = http::Credential{http::origin_of(*u), "Bearer " + m_config.token};
    }
    std::error_code ec;
    std::uint64_t size = std::filesystem::file_size(file, ec);
    if (ec) {
        return fail(ErrorKind::filesystem,
                    "cannot read " + util::quoted(file.string()) + ": " + ec.message());
    }
    const std::string what = "uploading " + util::quoted(name);
    auto started = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
        http::Request req;
        req.method = http::Method::post;
        req.url = url;
        req.headers = {{"Accept", "application/vnd.github+json"},
                       {"X-GitHub-Api-Version", std::string(k_api_version)},
                       {"Content-Type", content_type_for(name)}};
        req.body_file = file;
        req.timeouts = m_config.timeouts;
        m_console.debug("POST " + util::redact_url(url) + " (" + util::human_bytes(size) + ")");
        http::StringSink sink(1u << 20);
        http::SendResult r = http::send_following_redirects(m_client, req, sink, policy);
        http::RetryDecision d;
        bool check_leftover = false;
        if (!r) {
            if (r.error().kind == http::TransportError::Kind::insecure) {
                return fail(ErrorKind::usage, r.error().message);
            }
            d = http::decide_after_transport_error(r.error(), attempt, m_config.retry, m_rng);
            check_leftover = true;
            if (d.action == http::RetryDecision::Action::give_up) {
                return fail(ErrorKind::network,
                            what + " failed: " + http::describe_transport_error(r.error(), url) +
                                " (run publish again: it keeps what was uploaded)");
            }
        } else if (r->status == 201 || r->status == 200) {
            auto asset = parse_asset(sink.body);
            if (!asset) {
                return util::unexpected(asset.error());
            }
            return asset;
        } else if (r->status == 422 && says_already_exists(sink.body)) {
            // An earlier attempt got through after all, or left a half upload.
            d.action = http::RetryDecision::Action::retry;
            d.reason = "an asset named " + util::quoted(name) + " exists already";
            check_leftover = true;
            if (attempt >= m_config.retry.max_attempts) {
                return fail(ErrorKind::network,
                            what + " failed: " + d.reason + " and could not be replaced");
            }
        } else {
            d = http::decide_after_response(r->status, r->headers, sink.body.substr(0, 512),
                                            attempt, m_config.retry, m_rng, std::time(nullptr));
            check_leftover = r->status >= 500;
            if (d.action == http::RetryDecision::Action::give_up) {
                if (d.rate_limited) {
                    std::string when = d.reset_at ? http::format_utc_time(*d.reset_at) : "later";
                    return fail(ErrorKind::network,
                                what + " failed: " + d.reason + "; the limit resets at " + when);
                }
                return util::unexpected(refused(Reply{r->status, sink.body}, what));
            }
        }
        auto elapsed = std::chrono::steady_clock::now() - started;
        if (elapsed + d.wait > m_config.retry.max_total) {
            return fail(ErrorKind::network, what + " failed: " + d.reason + "; gave up after " +
                                                std::to_string(attempt) + " attempts");
        }
        if (check_leftover) {
            auto now = get_release(release.id);
            if (!now) {
                return util::unexpected(now.error());
            }
            if (const Asset* left = now->find_asset(name)) {
                if (left->state == "uploaded" && left->size == size && left->digest == sha256) {
                    m_console.info(what + ": the earlier attempt completed");
                    return *left;
                }
                m_console.warn(what + ": removing the incomplete asset an earlier attempt left");
                if (auto del = delete_asset(*left); !del) {
                    return util::unexpected(del.error());
                }
            }
        }
        m_console.warn(what + ": " + d.reason + "; retrying in " + wait_text(d.wait) +
                       " (attempt " + std::to_string(attempt + 1) + " of " +
                       std::to_string(m_config.retry.max_attempts) + ")");
        g_sleep_for(d.wait);
    }
}

}  // namespace tl::github
