#include "tl/http/endpoint.hpp"

#include <ctime>
#include <random>
#include <thread>

#include "tl/http/url.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::http {

std::function<void(std::chrono::milliseconds)> g_sleep_for = [](std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);
};

namespace {

// The jitter of every wait: one generator per thread, seeded once.
std::mt19937& jitter() {
    thread_local std::mt19937 rng(std::random_device{}());
    return rng;
}

}  // namespace

Timeouts NetSettings::document_timeouts() const {
    Timeouts t = timeouts;
    if (document_deadline.count() > 0 && (t.total.count() == 0 || t.total > document_deadline)) {
        t.total = document_deadline;
    }
    return t;
}

RetryLoop::RetryLoop(const RetryPolicy& policy, util::Console& console)
    : m_policy(policy), m_console(console), m_started(std::chrono::steady_clock::now()) {}

int RetryLoop::next() {
    return ++m_attempt;
}

RetryDecision RetryLoop::classify(const SendResult& result, const std::string& body_hint) {
    const int n = std::max(m_attempt, 1);
    RetryDecision d =
        result ? decide_after_response(result->status, result->headers, body_hint.substr(0, 512), n,
                                       m_policy, jitter(), std::time(nullptr))
               : decide_after_transport_error(result.error(), n, m_policy, jitter());
    record(d);
    return d;
}

void RetryLoop::record(const RetryDecision& decision) {
    m_reasons.push_back(decision.reason);
}

bool RetryLoop::out_of_time(const RetryDecision& d) const {
    return elapsed() + d.wait > m_policy.max_total;
}

std::chrono::steady_clock::duration RetryLoop::elapsed() const {
    return std::chrono::steady_clock::now() - m_started;
}

void RetryLoop::wait(const RetryDecision& d, const std::string& head, const std::string& tail) {
    m_console.warn(head + " in " +
                   util::human_seconds(static_cast<double>(d.wait.count()) / 1000.0) + tail);
    g_sleep_for(d.wait);
}

Endpoint::Endpoint(Client& client, NetSettings settings, util::Console& console,
                   std::string service)
    : m_client(client),
      m_settings(std::move(settings)),
      m_console(console),
      m_rate_limit_label(service.empty() ? "rate limit: " : service + " rate limit: ") {
    m_redirects.plain_http = m_settings.plain_http;
    m_redirects.on_redirect = [&console](const std::string& from, const std::string& to) {
        console.debug("redirect " + util::redact_url(from) + " -> " + util::redact_url(to));
    };
}

void Endpoint::bind_credential(const std::string& url, const std::string& authorization) {
    util::register_secret(authorization.substr(authorization.find(' ') + 1));
    if (auto u = parse_url(url)) {
        m_redirects.credential = Credential{origin_of(*u), authorization};
    }
}

Exchange Endpoint::document_get(std::string what, std::string url, StringSink& sink,
                                std::vector<std::pair<std::string, std::string>> headers) const {
    Exchange ex;
    ex.what = std::move(what);
    ex.request = [url = std::move(url), headers = std::move(headers),
                  timeouts = m_settings.document_timeouts()] {
        Request r;
        r.url = url;
        r.headers = headers;
        r.timeouts = timeouts;
        return r;
    };
    ex.sink = &sink;
    return ex;
}

SendResult Endpoint::send_once(const Request& request, BodySink& sink) const {
    return send_following_redirects(m_client, request, sink, m_redirects);
}

Result<Response> Endpoint::send(const Exchange& exchange) const {
    return send(exchange, m_redirects);
}

Result<Response> Endpoint::send(const Exchange& ex, const RedirectPolicy& redirects) const {
    RetryLoop loop(m_settings.retry, m_console);
    auto* strings = dynamic_cast<StringSink*>(ex.sink);
    auto advised = [&](std::string msg, int status, const RetryDecision& d) {
        if (ex.advice) {
            if (std::string a = ex.advice(status, d); !a.empty()) {
                msg += " (" + a + ")";
            }
        }
        return fail(ErrorKind::network, msg);
    };
    for (;;) {
        const int attempt = loop.next();
        Request req = ex.request();
        m_console.debug(std::string(method_name(req.method)) + " " + util::redact_url(req.url));
        SendResult r = send_following_redirects(m_client, req, *ex.sink, redirects);
        const std::string after =
            attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : std::string();
        RetryDecision d;
        if (!r) {
            if (r.error().kind == TransportError::Kind::insecure) {
                return fail(ErrorKind::usage, r.error().message);
            }
            d = loop.classify(r);
            if (d.action == RetryDecision::Action::give_up) {
                return advised((ex.transport_with_what ? ex.what + " failed: " : std::string()) +
                                   describe_transport_error(r.error(), req.url) + after,
                               0, d);
            }
        } else {
            if (ex.accept(*r)) {
                return std::move(*r);
            }
            std::optional<RetryDecision> own = ex.decide ? ex.decide(*r, attempt) : std::nullopt;
            if (own) {
                d = std::move(*own);
                loop.record(d);
            } else {
                d = loop.classify(r, strings != nullptr ? strings->body : std::string());
            }
            if (d.action == RetryDecision::Action::give_up) {
                if (!d.rate_limited && ex.keep_on_give_up && ex.keep_on_give_up(*r, d)) {
                    return std::move(*r);
                }
                std::string msg = ex.what + " failed: " + d.reason;
                if (d.rate_limited) {
                    msg += "; the limit resets at " +
                           (d.reset_at ? format_utc_time(*d.reset_at) : std::string("later"));
                } else if (attempt > 1) {
                    msg += " after " + std::to_string(attempt) + " attempts";
                }
                return advised(msg, r->status, d);
            }
        }
        if (loop.out_of_time(d)) {
            return fail(ErrorKind::network, ex.what + " failed: " + d.reason + "; gave up after " +
                                                std::to_string(attempt) + " attempts");
        }
        if (ex.before_retry) {
            TL_TRY_ASSIGN(stop, ex.before_retry(d, r))
            if (*stop) {
                return std::move(**stop);
            }
        }
        loop.wait(d,
                  (ex.warn_with_what ? ex.what + ": " : std::string()) +
                      (d.rate_limited ? m_rate_limit_label : std::string()) + d.reason +
                      "; retrying",
                  " (attempt " + std::to_string(attempt + 1) + " of " +
                      std::to_string(m_settings.retry.max_attempts) + ")");
    }
}

}  // namespace tl::http
