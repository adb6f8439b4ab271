#include <gtest/gtest.h>

#include <deque>

#include "tl/http/redirect.hpp"
#include "tl/http/retry.hpp"
#include "tl/http/url.hpp"
#include "tl/util/redact.hpp"

using namespace tl;
using namespace tl::http;

namespace {

// A scripted Client: answers from a queue and records what it was sent.
class ScriptedClient : public Client {
public:
    struct Answer {
        int status;
        std::vector<std::pair<std::string, std::string>> headers;
        std::string body;
    };
    std::deque<Answer> answers;
    std::vector<Request> seen;

    SendResult send(const Request& request, BodySink& sink) override {
        seen.push_back(request);
        Answer a = answers.front();
        answers.pop_front();
        ResponseHead head;
        head.status = a.status;
        head.url = request.url;
        for (const auto& [k, v] : a.headers) {
            head.headers.add(k, v);
        }
        sink.on_head(head);
        sink.on_data(a.body.data(), a.body.size());
        Response r;
        r.status = a.status;
        r.headers = head.headers;
        r.url = request.url;
        return r;
    }
};

bool has_auth(const Request& r) {
    for (const auto& [k, v] : r.headers) {
        if (k == "Authorization") {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST(Url, ParsesAndResolves) {
    auto u = parse_url("https://user:pw@API.github.com/repos/a/b?x=1");
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->host, "api.github.com");
    EXPECT_EQ(u->port, 443);
    EXPECT_EQ(origin_of(*u), "https://api.github.com:443");
    EXPECT_EQ(parse_url("http://127.0.0.1:8080/x")->port, 8080);
    EXPECT_EQ(parse_url("http://[::1]:9/x")->host, "::1");
    EXPECT_FALSE(parse_url("ftp://x/y").has_value());
    EXPECT_EQ(resolve_location("http://a:1/x/y", "/z"), "http://a:1/z");
    EXPECT_EQ(resolve_location("http://a:1/x/y", "https://b/c"), "https://b/c");
    EXPECT_TRUE(is_loopback_host("127.0.0.5"));
    EXPECT_TRUE(is_loopback_host("localhost"));
    EXPECT_FALSE(is_loopback_host("example.com"));
}

TEST(Redirect, TokenGoesOnlyToItsOrigin) {
    ScriptedClient c;
    c.answers.push_back({302, {{"Location", "http://localhost:9001/blob?sig=abc"}}, "moved"});
    c.answers.push_back({200, {}, "payload"});
    RedirectPolicy p;
    p.credential = Credential{"http://127.0.0.1:9000", "Bearer secret-token"};
    Request req;
    req.url = "http://127.0.0.1:9000/repos/o/r/releases/assets/1";
    StringSink sink;
    auto r = send_following_redirects(c, req, sink, p);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(sink.body, "payload");  // the redirect's own body is not delivered
    ASSERT_EQ(c.seen.size(), 2u);
    EXPECT_TRUE(has_auth(c.seen[0]));
    EXPECT_FALSE(has_auth(c.seen[1]));
}

TEST(Redirect, SameHostOtherPortOrSchemeLosesToken) {
    for (std::string target : {"http://127.0.0.1:9002/x", "https://127.0.0.1:9000/x"}) {
        ScriptedClient c;
        c.answers.push_back({307, {{"Location", target}}, ""});
        c.answers.push_back({200, {}, "ok"});
        RedirectPolicy p;
        p.credential = Credential{"http://127.0.0.1:9000", "Bearer t0ken"};
        Request req;
        req.url = "http://127.0.0.1:9000/a";
        StringSink sink;
        ASSERT_TRUE(send_following_redirects(c, req, sink, p).has_value());
        EXPECT_FALSE(has_auth(c.seen[1])) << target;
    }
}

TEST(Redirect, PlainHttpOnlyToLoopback) {
    ScriptedClient c;
    c.answers.push_back({302, {{"Location", "http://storage.example.com/blob"}}, ""});
    RedirectPolicy p;
    Request req;
    req.url = "http://127.0.0.1:9000/a";
    StringSink sink;
    auto r = send_following_redirects(c, req, sink, p);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, TransportError::Kind::insecure);
    EXPECT_NE(r.error().message.find("refusing plain HTTP to 'storage.example.com'"),
              std::string::npos);
    p.plain_http = PlainHttp::allowed;
    c.answers.push_back({302, {{"Location", "http://storage.example.com/blob"}}, ""});
    c.answers.push_back({200, {}, "ok"});
    EXPECT_TRUE(send_following_redirects(c, req, sink, p).has_value());
}

TEST(Redirect, LoopsAreBounded) {
    ScriptedClient c;
    for (int i = 0; i < 20; ++i) {
        c.answers.push_back({302, {{"Location", "/again"}}, ""});
    }
    RedirectPolicy p;
    p.max_redirects = 3;
    Request req;
    req.url = "http://127.0.0.1:1/a";
    StringSink sink;
    auto r = send_following_redirects(c, req, sink, p);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("more than 3 redirects"), std::string::npos);
}

TEST(Retry, TransientStatusesBackOffWithJitter) {
    RetryPolicy p;
    std::mt19937 rng(1);
    Headers h;
    for (int status : {408, 500, 502, 503, 504}) {
        auto d = decide_after_response(status, h, "", 1, p, rng, 1000);
        EXPECT_EQ(d.action, RetryDecision::Action::retry) << status;
        EXPECT_LE(d.wait, p.base_delay);
    }
    for (int status : {400, 401, 404, 410, 422}) {
        EXPECT_EQ(decide_after_response(status, h, "", 1, p, rng, 1000).action,
                  RetryDecision::Action::give_up)
            << status;
    }
    EXPECT_EQ(decide_after_response(503, h, "", p.max_attempts, p, rng, 1000).action,
              RetryDecision::Action::give_up);
    // The cap grows exponentially and stops at max_delay.
    for (int i = 0; i < 50; ++i) {
        EXPECT_LE(backoff_delay(3, p, rng), p.base_delay * 4);
        EXPECT_LE(backoff_delay(30, p, rng), p.max_delay);
    }
}

TEST(Retry, PrimaryRateLimitWaitsUntilReset) {
    RetryPolicy p;
    std::mt19937 rng(1);
    Headers h;
    h.add("x-ratelimit-remaining", "0");
    h.add("x-ratelimit-reset", "1010");
    auto d = decide_after_response(403, h, "", 1, p, rng, 1000);
    EXPECT_TRUE(d.rate_limited);
    EXPECT_EQ(d.action, RetryDecision::Action::retry);
    EXPECT_EQ(d.wait, std::chrono::seconds(11));
    ASSERT_TRUE(d.reset_at.has_value());
    EXPECT_EQ(*d.reset_at, 1010);
    // Beyond the maximum wait: give up at once.
    Headers far;
    far.add("x-ratelimit-remaining", "0");
    far.add("x-ratelimit-reset", "5000");
    EXPECT_EQ(decide_after_response(429, far, "", 1, p, rng, 1000).action,
              RetryDecision::Action::give_up);
}

TEST(Retry, SecondaryRateLimitHonoursRetryAfter) {
    RetryPolicy p;
    std::mt19937 rng(1);
    Headers h;
    h.add("retry-after", "3");
    auto d =
        decide_after_response(403, h, "You have exceeded a secondary rate limit", 1, p, rng, 0);
    EXPECT_TRUE(d.rate_limited);
    EXPECT_EQ(d.wait, std::chrono::seconds(3));
    // Neither header: at least a minute.
    Headers none;
    auto e = decide_after_response(429, none, "", 1, p, rng, 0);
    EXPECT_GE(e.wait, std::chrono::seconds(60));
    EXPECT_EQ(parse_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", 40)->count(), 60);
    // A 403 that is not about rate limits is not retried.
    EXPECT_EQ(decide_after_response(403, none, "Resource not accessible", 1, p, rng, 0).action,
              RetryDecision::Action::give_up);
}

TEST(Retry, TransportErrors) {
    RetryPolicy p;
    std::mt19937 rng(1);
    TransportError e;
    e.kind = TransportError::Kind::partial;
    EXPECT_EQ(decide_after_transport_error(e, 1, p, rng).action, RetryDecision::Action::retry);
    e.kind = TransportError::Kind::tls;
    EXPECT_EQ(decide_after_transport_error(e, 1, p, rng).action, RetryDecision::Action::give_up);
    e.kind = TransportError::Kind::connect;
    e.message = "Connection refused";
    std::string msg = describe_transport_error(e, "https://api.github.com/x");
    EXPECT_NE(msg.find("cannot connect to 'api.github.com:443'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("HTTPS_PROXY"), std::string::npos);
}

TEST(Redact, UrlsAndSecrets) {
    EXPECT_EQ(util::redact_url("https://u:p@host/x?X-Amz-Signature=abc&page=2"),
              "https://host/x?X-Amz-Signature=REDACTED&page=2");
    util::register_secret("ghp_supersecretvalue");
    EXPECT_EQ(util::scrub("token ghp_supersecretvalue here"), "token *** here");
}
