#include "tl/http/send_retry.hpp"

#include <ctime>
#include <thread>

#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::http {

Result<Response> send_with_retries(Client& client, const RetryingSend& send,
                                   const RedirectPolicy& redirects, const RetryPolicy& policy,
                                   std::mt19937& rng, util::Console& console) {
    auto started = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
        Request req = send.request();
        console.debug(std::string(method_name(req.method)) + " " + util::redact_url(req.url));
        SendResult r = send_following_redirects(client, req, *send.sink, redirects);
        RetryDecision d;
        const std::string after =
            attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : std::string();
        if (!r) {
            if (r.error().kind == TransportError::Kind::insecure) {
                return fail(ErrorKind::usage, r.error().message);
            }
            d = decide_after_transport_error(r.error(), attempt, policy, rng);
            if (d.action == RetryDecision::Action::give_up) {
                std::string msg = send.transport_prefix == TransportPrefix::what
                                      ? send.what + " failed: "
                                      : std::string();
                msg += describe_transport_error(r.error(), req.url) + after;
                if (send.advice) {
                    if (std::string a = send.advice(0, d); !a.empty()) {
                        msg += " (" + a + ")";
                    }
                }
                return fail(ErrorKind::network, msg);
            }
        } else {
            if (send.accept(*r)) {
                return std::move(*r);
            }
            std::optional<RetryDecision> own =
                send.decide ? send.decide(*r, attempt) : std::nullopt;
            if (own) {
                d = std::move(*own);
            } else {
                std::string hint = send.body_hint ? send.body_hint() : std::string();
                d = decide_after_response(r->status, r->headers, hint.substr(0, 512), attempt,
                                          policy, rng, std::time(nullptr));
            }
            if (d.action == RetryDecision::Action::give_up) {
                if (!d.rate_limited && send.keep_on_give_up && send.keep_on_give_up(*r, d)) {
                    return std::move(*r);
                }
                std::string msg = send.what + " failed: " + d.reason;
                if (d.rate_limited) {
                    msg += "; the limit resets at " +
                           (d.reset_at ? format_utc_time(*d.reset_at) : std::string("later"));
                } else if (attempt > 1) {
                    msg += " after " + std::to_string(attempt) + " attempts";
                }
                if (send.advice) {
                    if (std::string a = send.advice(r->status, d); !a.empty()) {
                        msg += " (" + a + ")";
                    }
                }
                return fail(ErrorKind::network, msg);
            }
        }
        auto elapsed = std::chrono::steady_clock::now() - started;
        if (elapsed + d.wait > policy.max_total) {
            return fail(ErrorKind::network, send.what + " failed: " + d.reason +
                                                "; gave up after " + std::to_string(attempt) +
                                                " attempts");
        }
        if (send.on_retry) {
            send.on_retry(d);
        }
        if (send.before_retry) {
            auto stop = send.before_retry(d, r);
            if (!stop) {
                return util::unexpected(stop.error());
            }
            if (*stop) {
                return std::move(**stop);
            }
        }
        console.warn(send.warn_prefix + (d.rate_limited ? send.rate_limit_label : "") + d.reason +
                     "; retrying in " +
                     util::human_seconds(static_cast<double>(d.wait.count()) / 1000.0) +
                     " (attempt " + std::to_string(attempt + 1) + " of " +
                     std::to_string(policy.max_attempts) + ")");
        g_sleep_for(d.wait);
    }
}

}  // namespace tl::http
