#include "tl/github/writer.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "tl/http/endpoint.hpp"
#include "tl/http/url.hpp"
#include "tl/util/json.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::github {

namespace {

using nlohmann::json;

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
    return base + "?name=" + http::percent_encode(name);
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

Writer::Writer(http::Client& client, const ApiConfig& config, util::Console& console)
    : m_api(client, config, console), m_console(console) {}

std::string Writer::repo_url() const {
    return m_api.config().api_url + "/repos/" + m_api.config().repo;
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
    req.timeouts = m_api.config().net.timeouts;
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
                    util::quoted(m_api.config().repo) +
                    ": it needs contents: write, in a workflow 'permissions: contents: write')"};
        case 404:
            return {ErrorKind::not_found, head + " not found (is " +
                                              util::quoted(m_api.config().repo) +
                                              " the right repository, and can the token see it?)"};
        default:
            break;
    }
    std::string message;
    json j = util::parse_json_or_discarded(reply.body);
    if (!j.is_discarded() && j.is_object() && j.contains("message") && j["message"].is_string()) {
        message = j["message"].get<std::string>();
    }
    return {ErrorKind::network, head + (message.empty() ? "" : ": " + message)};
}

Result<Writer::Reply> Writer::exchange(http::Request request, const http::RedirectPolicy& policy,
                                       const std::string& what) {
    http::StringSink sink(32u << 20);
    http::Exchange send;
    send.what = what;
    send.request = [&] { return request; };
    send.sink = &sink;
    send.accept = [](const http::Response& r) { return r.status >= 200 && r.status < 300; };
    // The caller words refusals (refused()); only server trouble fails here.
    send.keep_on_give_up = [](const http::Response& r, const http::RetryDecision&) {
        return r.status < 500;
    };
    send.advice = [](int status, const http::RetryDecision& d) -> std::string {
        if (d.rate_limited) {
            return "wait, or raise --max-wait";
        }
        if (status >= 500) {
            return "GitHub may be having trouble; run again later: publishing resumes where it "
                   "stopped";
        }
        return {};
    };
    send.warn_with_what = true;
    send.transport_with_what = true;
    TL_TRY_ASSIGN(r, m_api.endpoint().send(send, policy))
    return Reply{r->status, std::move(sink.body)};
}

Result<std::optional<Release>> Writer::find_release(const std::string& tag) {
    TL_TRY_ASSIGN(published, m_api.release_by_tag(tag))
    if (*published) {
        return published;
    }
    // Drafts have no tag yet, as far as the by-tag lookup is concerned, so they
    // are looked for in the list. It is newest first and a draft of ours is
    // recent: the newest k_draft_search releases are enough, and a monorepo
    // with thousands of releases does not cost a request per hundred of them.
    std::size_t seen = 0;
    auto found = m_api.find_release(
        [&](const Release& r) { return r.tag == tag || ++seen >= k_draft_search; });
    if (!found) {
        return util::unexpected(found.error());
    }
    if (*found && (*found)->tag != tag) {
        return std::optional<Release>{};
    }
    return found;
}

Result<Release> Writer::release_reply(http::Request request, const std::string& what) {
    TL_TRY_ASSIGN(reply, exchange(std::move(request), m_api.endpoint().redirects(), what));
    if (reply->status != 200) {
        return util::unexpected(refused(*reply, what));
    }
    return parse_release(reply->body);
}

Result<Release> Writer::get_release(std::uint64_t id) {
    std::string what = "reading release " + std::to_string(id);
    return release_reply(
        api_request(http::Method::get, repo_url() + "/releases/" + std::to_string(id)), what);
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
    TL_TRY_ASSIGN(reply,
                  exchange(api_request(http::Method::post, repo_url() + "/releases", body.dump()),
                           m_api.endpoint().redirects(), what))
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
    return release_reply(
        api_request(http::Method::patch, repo_url() + "/releases/" + std::to_string(id),
                    json{{"draft", false}}.dump()),
        what);
}

Result<void> Writer::delete_asset(const Asset& asset) {
    std::string what = "deleting asset " + util::quoted(asset.name);
    std::string url = asset.api_url.empty()
                          ? repo_url() + "/releases/assets/" + std::to_string(asset.id)
                          : asset.api_url;
    TL_TRY_ASSIGN(reply,
                  exchange(api_request(http::Method::del, url), m_api.endpoint().redirects(), what))
    // Gone already is what we wanted.
    if (reply->status != 204 && reply->status != 200 && reply->status != 404) {
        return util::unexpected(refused(*reply, what));
    }
    return {};
}

Result<std::string> Writer::asset_sha256(const Asset& asset) {
    HashSink sink;
    auto r = m_api.get_asset(asset, sink,
                             "downloading " + util::quoted(asset.name) + " to compare it", false);
    if (!r) {
        return fail(r.error().kind, "cannot download " + util::quoted(asset.name) +
                                        " to compare it: " + r.error().message);
    }
    if (r->status != 200) {
        return fail(ErrorKind::network, "cannot download " + util::quoted(asset.name) +
                                            " to compare it: HTTP " + std::to_string(r->status));
    }
    return sink.hash.hex_digest();
}

Result<Asset> Writer::upload_asset(const Release& release, const std::filesystem::path& file,
                                   const std::string& name, const std::string& sha256) {
    std::string url = upload_url_for(release.upload_url, name);
    if (release.upload_url.empty() || !upload_origin_allowed(m_api.config().api_url, url)) {
        return fail(ErrorKind::usage, "refusing to send the token to the upload URL " +
                                          util::quoted(util::redact_url(url)) + " of release " +
                                          util::quoted(release.tag) +
                                          ": it is not the uploads host of " +
                                          util::quoted(m_api.config().api_url));
    }
    // The token is bound to the uploads origin for this request alone; a
    // redirect elsewhere would go without it.
    http::RedirectPolicy policy = m_api.endpoint().redirects();
    if (auto u = http::parse_url(url)) {
        policy.credential = http::Credential{http::origin_of(*u), "Bearer " + m_api.config().token};
    }
    std::error_code ec;
    std::uint64_t size = std::filesystem::file_size(file, ec);
    if (ec) {
        return fail(ErrorKind::filesystem,
                    "cannot read " + util::quoted(file.string()) + ": " + ec.message());
    }
    const std::string what = "uploading " + util::quoted(name);
    http::StringSink sink(1u << 20);
    std::optional<Asset> completed_earlier;
    http::Exchange send;
    send.what = what;
    send.request = [&] {
        http::Request req;
        req.method = http::Method::post;
        req.url = url;
        req.headers = {{"Accept", "application/vnd.github+json"},
                       {"X-GitHub-Api-Version", std::string(k_api_version)},
                       {"Content-Type", content_type_for(name)}};
        req.body_file = file;
        req.timeouts = m_api.config().net.timeouts;
        m_console.debug("uploading " + util::human_bytes(size));
        return req;
    };
    send.sink = &sink;
    send.accept = [](const http::Response& r) { return r.status == 201 || r.status == 200; };
    // An earlier attempt got through after all, or left a half upload: look
    // (before_retry) and try again.
    send.decide = [&](const http::Response& r, int attempt) -> std::optional<http::RetryDecision> {
        if (r.status != 422 || !says_already_exists(sink.body)) {
            return std::nullopt;
        }
        http::RetryDecision d;
        d.reason = "an asset named " + util::quoted(name) + " exists already";
        d.action = http::RetryDecision::Action::retry;
        if (attempt >= m_api.config().net.retry.max_attempts) {
            d.action = http::RetryDecision::Action::give_up;
            d.reason += " and could not be replaced";
        }
        return d;
    };
    send.keep_on_give_up = [&](const http::Response& r, const http::RetryDecision&) {
        return !(r.status == 422 && says_already_exists(sink.body));
    };
    send.advice = [](int status, const http::RetryDecision&) -> std::string {
        return status == 0 ? "run publish again: it keeps what was uploaded" : std::string();
    };
    send.transport_with_what = true;
    send.warn_with_what = true;
    send.before_retry = [&](const http::RetryDecision&,
                            const http::SendResult& last) -> Result<std::optional<http::Response>> {
        bool check_leftover =
            !last || last->status >= 500 || (last->status == 422 && says_already_exists(sink.body));
        if (!check_leftover) {
            return std::optional<http::Response>{};
        }
        TL_TRY_ASSIGN(now, get_release(release.id))
        if (const Asset* left = now->find_asset(name)) {
            if (left->state == "uploaded" && left->size == size && left->digest == sha256) {
                m_console.info(what + ": the earlier attempt completed");
                completed_earlier = *left;
                http::Response done;
                done.status = 200;
                return std::optional<http::Response>(done);
            }
            m_console.warn(what + ": removing the incomplete asset an earlier attempt left");
            TL_TRY(delete_asset(*left));
        }
        return std::optional<http::Response>{};
    };
    TL_TRY_ASSIGN(r, m_api.endpoint().send(send, policy))
    if (completed_earlier) {
        return *completed_earlier;
    }
    if (r->status != 201 && r->status != 200) {
        return util::unexpected(refused(Reply{r->status, sink.body}, what));
    }
    return parse_asset(sink.body);
}

}  // namespace tl::github
