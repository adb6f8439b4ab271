#include "tl/http/retry.hpp"

#include <algorithm>
#include <cstring>

#include "tl/util/strings.hpp"

namespace tl::http {

std::optional<std::chrono::seconds> parse_retry_after(const std::string& value, std::time_t now) {
    std::string_view v = util::trim(value);
    if (auto n = util::parse_u64(v)) {
        return std::chrono::seconds(
            static_cast<std::int64_t>(std::min<std::uint64_t>(*n, 1u << 30)));
    }
    std::tm tm{};
    std::string s(v);
    if (::strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) {
        return std::nullopt;
    }
    std::time_t when = ::timegm(&tm);
    return std::chrono::seconds(std::max<std::int64_t>(0, when - now));
}

bool is_transient_status(int status) {
    return status == 408 || (status >= 500 && status <= 599);
}

std::chrono::milliseconds backoff_delay(int attempt, const RetryPolicy& policy, std::mt19937& rng) {
    std::int64_t cap = policy.base_delay.count();
    for (int i = 1; i < attempt && cap < policy.max_delay.count(); ++i) {
        cap *= 2;
    }
    cap = std::min<std::int64_t>(cap, policy.max_delay.count());
    std::uniform_int_distribution<std::int64_t> dist(0, std::max<std::int64_t>(cap, 0));
    return std::chrono::milliseconds(dist(rng));
}

std::string format_utc_time(std::int64_t epoch_seconds) {
    std::time_t t = static_cast<std::time_t>(epoch_seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

RetryDecision decide_after_response(int status, const Headers& headers,
                                    const std::string& body_hint, int attempt,
                                    const RetryPolicy& policy, std::mt19937& rng, std::time_t now) {
    RetryDecision d;
    if (status < 400) {
        return d;
    }
    d.reason = "HTTP " + std::to_string(status);
    bool exhausted = attempt >= policy.max_attempts;

    auto remaining = headers.get("x-ratelimit-remaining");
    auto reset = headers.get("x-ratelimit-reset");
    auto retry_after = headers.get("retry-after");
    bool primary = (status == 403 || status == 429) && remaining && util::trim(*remaining) == "0";
    bool secondary = (status == 403 || status == 429) && retry_after.has_value();
    bool mentions_limit = util::to_lower(body_hint).find("rate limit") != std::string::npos;
    if (primary || secondary || status == 429 || (status == 403 && mentions_limit)) {
        d.rate_limited = true;
        std::chrono::seconds wait{0};
        if (primary && reset) {
            if (auto r = util::parse_u64(*reset)) {
                d.reset_at = static_cast<std::int64_t>(*r);
                wait =
                    std::chrono::seconds(std::max<std::int64_t>(0, d.reset_at.value() - now) + 1);
            }
        }
        if (retry_after) {
            if (auto ra = parse_retry_after(*retry_after, now)) {
                wait = std::max(wait, *ra);
                if (!d.reset_at) {
                    d.reset_at = static_cast<std::int64_t>(now) + ra->count();
                }
            }
        }
        if (!primary && !retry_after) {
            // GitHub: with neither header, wait at least a minute, growing each time.
            wait = std::chrono::seconds(60) * (1 << std::min(attempt - 1, 4));
            d.reset_at = static_cast<std::int64_t>(now) + wait.count();
        }
        d.reason = primary ? "rate limit exhausted (HTTP " + std::to_string(status) + ")"
                           : "secondary rate limit (HTTP " + std::to_string(status) + ")";
        d.wait = std::chrono::duration_cast<std::chrono::milliseconds>(wait);
        d.action = (wait > policy.max_rate_limit_wait || exhausted) ? RetryDecision::Action::give_up
                                                                    : RetryDecision::Action::retry;
        return d;
    }
    if (is_transient_status(status) && !exhausted) {
        d.action = RetryDecision::Action::retry;
        d.wait = backoff_delay(attempt, policy, rng);
        return d;
    }
    d.action = RetryDecision::Action::give_up;
    return d;
}

RetryDecision decide_after_transport_error(const TransportError& error, int attempt,
                                           const RetryPolicy& policy, std::mt19937& rng) {
    RetryDecision d;
    d.reason = error.message;
    bool transient = false;
    switch (error.kind) {
        case TransportError::Kind::resolve:
        case TransportError::Kind::connect:
        case TransportError::Kind::timeout:
        case TransportError::Kind::stalled:
        case TransportError::Kind::partial:
        case TransportError::Kind::other:
            transient = true;
            break;
        case TransportError::Kind::tls:
        case TransportError::Kind::proxy:
        case TransportError::Kind::aborted:
        case TransportError::Kind::insecure:
            transient = false;
            break;
    }
    if (transient && attempt < policy.max_attempts) {
        d.action = RetryDecision::Action::retry;
        d.wait = backoff_delay(attempt, policy, rng);
    } else {
        d.action = RetryDecision::Action::give_up;
    }
    return d;
}

}  // namespace tl::http

#include "tl/http/url.hpp"
#include "tl/util/redact.hpp"

namespace tl::http {

std::string describe_transport_error(const TransportError& error, const std::string& url) {
    auto u = parse_url(url);
    std::string host = u ? util::quoted(u->host + ":" + std::to_string(u->port))
                         : util::quoted(util::redact_url(url));
    switch (error.kind) {
        case TransportError::Kind::resolve:
            return "cannot resolve " + host + ": " + error.message +
                   " (check the host name, DNS, or set HTTPS_PROXY if a proxy is required)";
        case TransportError::Kind::connect:
            return "cannot connect to " + host + ": " + error.message +
                   " (is the server up? behind a proxy, set HTTPS_PROXY)";
        case TransportError::Kind::timeout:
            return "timed out talking to " + host + ": " + error.message +
                   " (raise --connect-timeout or check the network)";
        case TransportError::Kind::stalled:
            return "transfer from " + host + " stalled: " + error.message +
                   " (the connection delivered too little data for too long)";
        case TransportError::Kind::tls:
            return "TLS failure with " + host + ": " + error.message +
                   " (behind a TLS-inspecting proxy? point SSL_CERT_FILE or CURL_CA_BUNDLE at "
                   "its CA bundle)";
        case TransportError::Kind::proxy:
            return "proxy failure reaching " + host + ": " + error.message +
                   " (is the proxy up? check HTTPS_PROXY, HTTP_PROXY and NO_PROXY)";
        case TransportError::Kind::partial:
            return "connection to " + host + " closed early: " + error.message;
        case TransportError::Kind::aborted:
        case TransportError::Kind::insecure:
        case TransportError::Kind::other:
            break;
    }
    return "request to " + host + " failed: " + error.message;
}

}  // namespace tl::http
