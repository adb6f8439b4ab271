#pragma once

// One request sent until it gets an answer worth returning, or until retrying
// stops making sense: transient transport failures and statuses (408, 5xx) and
// rate limits are waited out by the policy in retry.hpp, redirects are followed
// by send_following_redirects() with its credential rules. Every client of a
// remote service (GitHub API, release writer, static mirrors, OCI registries)
// sends through this one loop.

#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "tl/http/client.hpp"
#include "tl/http/endpoint.hpp"
#include "tl/http/redirect.hpp"
#include "tl/http/retry.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::http {

// Whether transport failures name the request first.
enum class TransportPrefix { none, what };

struct RetryingSend {
    // "GitHub API request 'https://…'" / "registry request '…'": starts messages.
    std::string what;
    // Makes the request for one attempt (called again for every attempt).
    std::function<Request()> request;
    // The sink for one attempt; reset by its on_head().
    BodySink* sink = nullptr;
    // Statuses returned to the caller as they are (e.g. 200, 201, 404); any
    // other status goes through the retry decision.
    std::function<bool(const Response&)> accept;
    // Optional: the start of an error body for the retry decision and messages
    // (a StringSink's body); empty when not known.
    std::function<std::string()> body_hint;
    // Optional: advice appended when giving up on a status, e.g. for 401
    // "check REGISTRY credentials"; receives the status and the decision.
    std::function<std::string(int status, const RetryDecision& decision)> advice;
    // Optional: called before each retry wait with the reason (in addition to
    // the warning printed on the console).
    std::function<void(const RetryDecision& decision)> on_retry;
    // Optional: a decision the caller knows better than the policy for this
    // response (an expired signed URL: ask again at once); empty lets the policy decide.
    std::function<std::optional<RetryDecision>(const Response&, int attempt)> decide;
    // Optional: when the policy gives up on a response (not a rate limit), true
    // returns it to the caller, who words the refusal (401, 404, 422).
    std::function<bool(const Response&, const RetryDecision&)> keep_on_give_up;
    // Optional: runs before each retry wait, after on_retry; an error stops and
    // is returned, a response stops and is returned as if accepted (an upload
    // that finds its earlier attempt completed).
    std::function<Result<std::optional<Response>>(const RetryDecision&, const SendResult& last)>
        before_retry;
    // Starts each retry warning ("uploading 'x': "); empty for none.
    std::string warn_prefix;
    // Names the rate limit in warnings ("GitHub rate limit: ").
    std::string rate_limit_label = "rate limit: ";
    // Whether a transport failure's message starts with "<what> failed: ".
    TransportPrefix transport_prefix = TransportPrefix::none;
};

// Sends until `accept` takes a response (returned) or the policy gives up (a
// network failure naming what, why, how many attempts; a usage failure when
// the URL is refused as insecure). Waits go through `sleep` (replaceable in tests).
Result<Response> send_with_retries(Client& client, const RetryingSend& send,
                                   const RedirectPolicy& redirects, const RetryPolicy& policy,
                                   std::mt19937& rng, util::Console& console);

}  // namespace tl::http
