#pragma once

// When to try a request again and how long to wait: exponential backoff with
// full jitter for transient failures, and GitHub's documented rate-limit rules
// (x-ratelimit-remaining/x-ratelimit-reset for primary limits, retry-after for
// secondary ones, at least a minute when neither is given).

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <random>
#include <string>

#include "tl/http/client.hpp"

namespace tl::http {

struct RetryPolicy {
    int max_attempts = 5;
    std::chrono::milliseconds base_delay{500};
    std::chrono::milliseconds max_delay{std::chrono::seconds(30)};
    // No new attempt starts after this much time has passed since the first.
    std::chrono::seconds max_total{std::chrono::minutes(5)};
    // A rate-limit wait longer than this fails at once instead of waiting.
    std::chrono::seconds max_rate_limit_wait{60};
};

// What to do after one attempt.
struct RetryDecision {
    enum class Action { done, retry, give_up };
    Action action = Action::done;
    std::chrono::milliseconds wait{0};
    // Why we retry or give up, for the user ("HTTP 503", "connection reset").
    std::string reason;
    bool rate_limited = false;
    // When the rate limit resets (epoch seconds), if the server said.
    std::optional<std::int64_t> reset_at;
};

// Parses a retry-after value: delta seconds or an HTTP date; empty if neither.
std::optional<std::chrono::seconds> parse_retry_after(const std::string& value, std::time_t now);

// Whether a status is worth retrying as a transient server problem (408, 5xx).
bool is_transient_status(int status);

// Decides what follows an HTTP response. `attempt` counts from 1; `body_hint`
// is the start of the response body (for "secondary rate limit" texts).
RetryDecision decide_after_response(int status, const Headers& headers,
                                    const std::string& body_hint, int attempt,
                                    const RetryPolicy& policy, std::mt19937& rng, std::time_t now);

// Decides what follows a transport failure.
RetryDecision decide_after_transport_error(const TransportError& error, int attempt,
                                           const RetryPolicy& policy, std::mt19937& rng);

// Backoff for attempt `attempt` (from 1): a uniform draw from
// [0, min(max_delay, base_delay * 2^(attempt-1))].
std::chrono::milliseconds backoff_delay(int attempt, const RetryPolicy& policy, std::mt19937& rng);

// "14:05:09 UTC": a reset time for messages.
std::string format_utc_time(std::int64_t epoch_seconds);

}  // namespace tl::http

namespace tl::http {

// A message for a transport failure: what failed (host), curl's reason, and
// what to try next, e.g. "cannot connect to 'api.github.com': ... (behind a
// proxy? set HTTPS_PROXY)".
std::string describe_transport_error(const TransportError& error, const std::string& url);

}  // namespace tl::http
