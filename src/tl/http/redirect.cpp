#include "tl/http/redirect.hpp"

#include "tl/http/url.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::http {

namespace {

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Passes the final response through and swallows the bodies of redirects.
class RedirectAwareSink : public BodySink {
public:
    explicit RedirectAwareSink(BodySink& inner) : m_inner(inner) {}
    bool on_head(const ResponseHead& head) override {
        m_redirect = is_redirect(head.status) && head.headers.get("location").has_value();
        return m_redirect ? true : m_inner.on_head(head);
    }
    bool on_data(const char* data, std::size_t size) override {
        return m_redirect ? true : m_inner.on_data(data, size);
    }

private:
    BodySink& m_inner;
    bool m_redirect = false;
};

}  // namespace

std::optional<std::string> check_url_allowed(const std::string& url, PlainHttp plain_http) {
    auto u = parse_url(url);
    if (!u) {
        return "not an http(s) URL: " + util::quoted(util::redact_url(url));
    }
    if (u->scheme == "http" && plain_http != PlainHttp::allowed && !is_loopback_host(u->host)) {
        return "refusing plain HTTP to " + util::quoted(u->host) +
               ": use an https:// URL, or pass --allow-http if this network is trusted";
    }
    return std::nullopt;
}

SendResult send_following_redirects(Client& client, Request request, BodySink& sink,
                                    const RedirectPolicy& policy) {
    std::vector<std::pair<std::string, std::string>> base_headers = request.headers;
    for (int hop = 0;; ++hop) {
        if (auto refused = check_url_allowed(request.url, policy.plain_http)) {
            TransportError e;
            e.kind = TransportError::Kind::insecure;
            e.message = *refused;
            return util::unexpected(e);
        }
        request.headers = base_headers;
        if (policy.credential) {
            auto u = parse_url(request.url);
            if (u && origin_of(*u) == policy.credential->origin) {
                request.headers.emplace_back("Authorization", policy.credential->authorization);
            }
        }
        RedirectAwareSink wrapper(sink);
        SendResult r = client.send(request, wrapper);
        if (!r || !is_redirect(r->status)) {
            return r;
        }
        auto location = r->headers.get("location");
        if (!location) {
            return r;
        }
        if (hop >= policy.max_redirects) {
            TransportError e;
            e.kind = TransportError::Kind::insecure;
            e.message = "more than " + std::to_string(policy.max_redirects) +
                        " redirects starting at " + util::quoted(util::redact_url(request.url));
            return util::unexpected(e);
        }
        std::string next = resolve_location(request.url, *location);
        if (policy.on_redirect) {
            policy.on_redirect(request.url, next);
        }
        if (r->status == 303 ||
            ((r->status == 301 || r->status == 302) && request.method == Method::post)) {
            request.method = Method::get;
            request.body.clear();
            request.body_file.clear();
        }
        request.url = next;
    }
}

}  // namespace tl::http
