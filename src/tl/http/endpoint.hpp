#pragma once

// One remote service as the code above sees it: an Endpoint holds the client,
// the settings every backend shares (NetSettings), the credential bound to the
// service's origin (in its redirect policy) and sends every request through
// one retry loop. The GitHub API and its uploads, static mirrors, OCI
// registries and their token services, and the downloader all use it.
//
// RetryLoop is that loop as an object, for callers that own more than one
// request per attempt (the downloader resumes a partial file between
// attempts): it classifies each attempt once, retries only the transient
// class (transport failures, 408, 5xx, rate limits it may wait out), keeps
// every attempt's reason, and waits with full-jitter backoff.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tl/http/client.hpp"
#include "tl/http/redirect.hpp"
#include "tl/http/retry.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::http {

// The network settings of every backend.
struct NetSettings {
    PlainHttp plain_http = PlainHttp::loopback_only;
    Timeouts timeouts;
    RetryPolicy retry;
    // The total deadline of a small document held in memory whole (an API
    // answer, a checksum file, an index, a manifest), so a server trickling an
    // endless answer cannot keep a build waiting for hours
    // ('document_timeout', docs/security.md); zero for none.
    std::chrono::seconds document_deadline{60};

    // `timeouts` for a small document: its total no longer than the deadline.
    Timeouts document_timeouts() const;
};

// One attempt after another, until one is worth returning or retrying stops
// making sense. Not thread-safe: one loop per request or per download.
class RetryLoop {
public:
    RetryLoop(const RetryPolicy& policy, util::Console& console);

    // Starts an attempt; returns its number (from 1, or from 1 again after progressed()).
    int next();
    // The current attempt's number.
    int attempt() const { return m_attempt; }

    // What follows this attempt's failure: a response the caller did not take
    // (`body_hint`: the start of its body) or a transport failure. Recorded.
    RetryDecision classify(const SendResult& result, const std::string& body_hint = {});
    // Records a decision the caller made itself (an expired signed URL).
    void record(const RetryDecision& decision);

    // The attempt moved forward (a download kept bytes): counting starts again.
    void progressed() { m_attempt = 0; }

    // True when waiting `d` would pass the policy's total time.
    bool out_of_time(const RetryDecision& d) const;
    // Time since the loop started, for messages.
    std::chrono::steady_clock::duration elapsed() const;
    // Warns "<head> in <wait><tail>", then sleeps for the wait (g_sleep_for).
    void wait(const RetryDecision& d, const std::string& head, const std::string& tail = {});

    // Every attempt's reason, oldest first ("HTTP 503", "connection reset").
    const std::vector<std::string>& reasons() const { return m_reasons; }
    const RetryPolicy& policy() const { return m_policy; }

private:
    const RetryPolicy& m_policy;
    util::Console& m_console;
    std::chrono::steady_clock::time_point m_started;
    int m_attempt = 0;
    std::vector<std::string> m_reasons;
};

// One request to an endpoint: how to make it, what to accept, and the few
// things a caller knows better than the loop.
struct Exchange {
    // Starts messages: "GitHub API request 'https://…'", "registry request '…'".
    std::string what;
    // Makes the request for one attempt (called again for every attempt).
    std::function<Request()> request;
    // The sink for one attempt; reset by its on_head(). A StringSink's body is
    // the hint the retry decision reads ("secondary rate limit").
    BodySink* sink = nullptr;
    // Statuses returned to the caller as they are (200, 404, …); any other
    // status goes through the retry decision.
    std::function<bool(const Response&)> accept;
    // Optional: advice appended when giving up ("check REGISTRY credentials");
    // status 0 for a transport failure.
    std::function<std::string(int status, const RetryDecision& decision)> advice;
    // Optional: a decision the caller knows better than the policy for this
    // response (an expired signed URL: ask again at once).
    std::function<std::optional<RetryDecision>(const Response&, int attempt)> decide;
    // Optional: when the policy gives up on a response (not a rate limit),
    // true returns it to the caller, who words the refusal (401, 404, 422).
    std::function<bool(const Response&, const RetryDecision&)> keep_on_give_up;
    // Optional: runs before each retry wait; an error stops and is returned, a
    // response stops and is returned as if accepted (an upload that finds its
    // earlier attempt completed).
    std::function<Result<std::optional<Response>>(const RetryDecision&, const SendResult& last)>
        before_retry;
    // Whether retry warnings start with "<what>: ".
    bool warn_with_what = false;
    // Whether a transport failure's message starts with "<what> failed: ".
    bool transport_with_what = false;
};

class Endpoint {
public:
    // `service` names the rate limit in warnings ("GitHub" → "GitHub rate
    // limit: "); empty for a plain "rate limit: ". `client` and `console`
    // must outlive the endpoint.
    Endpoint(Client& client, NetSettings settings, util::Console& console,
             std::string service = {});

    // Binds `authorization` to the origin of `url`: it is sent only while a
    // request (or a redirect hop) stays on that origin. Registered as a secret.
    void bind_credential(const std::string& url, const std::string& authorization);

    // Sends until `accept` takes a response (returned) or the loop gives up
    // (a network failure naming what, why and how many attempts; a usage
    // failure when the URL is refused as insecure).
    Result<Response> send(const Exchange& exchange) const;
    // The same with another redirect policy (an upload host's own credential).
    Result<Response> send(const Exchange& exchange, const RedirectPolicy& redirects) const;
    // A GET of a small document held in memory (`sink`), with the document
    // deadline; the caller says which statuses to accept.
    Exchange document_get(std::string what, std::string url, StringSink& sink,
                          std::vector<std::pair<std::string, std::string>> headers = {}) const;
    // One attempt, redirects followed with this endpoint's policy (downloads,
    // whose caller owns the retries because it owns the partial file).
    SendResult send_once(const Request& request, BodySink& sink) const;

    Client& client() const { return m_client; }
    const NetSettings& settings() const { return m_settings; }
    const RedirectPolicy& redirects() const { return m_redirects; }
    util::Console& console() const { return m_console; }

private:
    Client& m_client;
    NetSettings m_settings;
    util::Console& m_console;
    std::string m_rate_limit_label;
    RedirectPolicy m_redirects;
};

// Sleeps for a wait the retry logic chose; replaceable in tests.
extern std::function<void(std::chrono::milliseconds)> g_sleep_for;

}  // namespace tl::http
