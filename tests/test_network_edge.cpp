// The network edge without sockets: the retry loop, credentials bound to one
// origin, the downloader's resume rules, the GitHub source's signed storage
// URLs and source fallback, all over a scripted http::Client.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "support/scripted_client.hpp"
#include "support/test_util.hpp"
#include "tl/http/endpoint.hpp"
#include "tl/install/downloader.hpp"
#include "tl/source/source.hpp"
#include "tl/util/sha256.hpp"

namespace tl {
namespace {

namespace fs = std::filesystem;
using http::TransportError;
using test::ScriptedClient;
using test::Step;

// A console whose messages the test can read.
struct CapturedConsole {
    std::FILE* file = std::tmpfile();
    util::Console console{file};
    ~CapturedConsole() { std::fclose(file); }
    std::string text() const {
        std::fflush(file);
        std::rewind(file);
        std::string out;
        char buf[4096];
        while (std::size_t n = std::fread(buf, 1, sizeof buf, file)) {
            out.append(buf, n);
        }
        return out;
    }
};

// Waits are recorded, not slept.
struct NoSleep {
    std::vector<std::chrono::milliseconds> waits;
    std::function<void(std::chrono::milliseconds)> saved = http::g_sleep_for;
    NoSleep() {
        http::g_sleep_for = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    }
    ~NoSleep() { http::g_sleep_for = saved; }
};

http::NetSettings fast_net() {
    http::NetSettings net;
    net.retry.max_attempts = 4;
    net.retry.base_delay = std::chrono::milliseconds(1);
    net.retry.max_delay = std::chrono::milliseconds(2);
    return net;
}

http::Exchange get(const std::string& url, http::StringSink& sink) {
    http::Exchange ex;
    ex.what = "request " + url;
    ex.request = [url] {
        http::Request r;
        r.url = url;
        return r;
    };
    ex.sink = &sink;
    ex.accept = [](const http::Response& r) { return r.status == 200; };
    return ex;
}

TEST(Endpoint, RetriesOnlyTheTransientClass) {
    NoSleep no_sleep;
    CapturedConsole out;
    ScriptedClient client;
    Step unavailable;
    unavailable.status = 503;
    client.then(unavailable);
    client.then(Step::fail(TransportError::Kind::connect));
    Step ok;
    ok.body = "fine";
    client.then(ok);
    http::Endpoint endpoint(client, fast_net(), out.console);
    http::StringSink sink;
    auto r = endpoint.send(get("https://svc.test/a", sink));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(sink.body, "fine");
    EXPECT_EQ(client.requests().size(), 3u);
    EXPECT_EQ(no_sleep.waits.size(), 2u);
    EXPECT_NE(out.text().find("HTTP 503; retrying in"), std::string::npos) << out.text();

    // A client error is not transient: one attempt, then the refusal.
    Step bad;
    bad.status = 400;
    client.then(bad);
    auto refused = endpoint.send(get("https://svc.test/b", sink));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::network);
    EXPECT_EQ(client.count("/b"), 1u);
}

TEST(Endpoint, GivesUpAfterTheAttemptsItMayMake) {
    NoSleep no_sleep;
    CapturedConsole out;
    ScriptedClient client;
    client.serve([](const http::Request&) {
        Step s;
        s.status = 502;
        return s;
    });
    http::Endpoint endpoint(client, fast_net(), out.console);
    http::StringSink sink;
    auto r = endpoint.send(get("https://svc.test/a", sink));
    ASSERT_FALSE(r);
    EXPECT_EQ(client.requests().size(), 4u);
    EXPECT_NE(r.error().message.find("after 4 attempts"), std::string::npos) << r.error().message;
}

TEST(Endpoint, RateLimitBeyondTheWaitFailsAtOnceNamingTheService) {
    NoSleep no_sleep;
    CapturedConsole out;
    ScriptedClient client;
    Step limited;
    limited.status = 403;
    limited.headers = {{"x-ratelimit-remaining", "0"},
                       {"x-ratelimit-reset", std::to_string(std::time(nullptr) + 3600)}};
    client.then(limited);
    http::Endpoint endpoint(client, fast_net(), out.console, "GitHub");
    http::StringSink sink;
    auto r = endpoint.send(get("https://svc.test/a", sink));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("the limit resets at"), std::string::npos)
        << r.error().message;
    EXPECT_TRUE(no_sleep.waits.empty());
}

TEST(Endpoint, CredentialGoesOnlyToItsOrigin) {
    CapturedConsole out;
    ScriptedClient client;
    client.then(Step::redirect("https://storage.test/blob"), "api.test");
    Step ok;
    ok.body = "x";
    client.then(ok, "storage.test");
    http::Endpoint endpoint(client, fast_net(), out.console);
    endpoint.bind_credential("https://api.test/v3", "Bearer s3cr3t-token");
    http::StringSink sink;
    auto r = endpoint.send(get("https://api.test/thing", sink));
    ASSERT_TRUE(r) << r.error().message;
    auto reqs = client.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(test::header_of(reqs[0], "authorization"), "Bearer s3cr3t-token");
    EXPECT_EQ(test::header_of(reqs[1], "authorization"), "");
}

TEST(NetSettings, DocumentDeadlineCapsOnlyDocuments) {
    http::NetSettings net;
    net.timeouts.total = std::chrono::seconds(0);
    net.document_deadline = std::chrono::seconds(7);
    EXPECT_EQ(net.document_timeouts().total, std::chrono::seconds(7));
    EXPECT_EQ(net.timeouts.total, std::chrono::seconds(0));
}

// --- the downloader's resume rules over a mirror source ----------------------

struct Download {
    testing::TestDir dir;
    CapturedConsole out;
    ScriptedClient client;
    std::string content = std::string(300000, 'x') + std::string(300000, 'y');
    std::string etag = "\"v1\"";
    std::unique_ptr<source::Source> source =
        source::make_mirror_source(client, "https://mirror.test/tl/", fast_net(), out.console);
    source::AssetInfo asset;
    fs::path partial = dir.path() / ".partial" / "a.tar.gz.part";
    NoSleep no_sleep;

    Download() {
        asset.name = "a.tar.gz";
        asset.size = content.size();
        asset.locator = "https://mirror.test/tl/temporal-libs-v1.0.0/a.tar.gz";
        asset.display_url = asset.locator;
        client.serve([this](const http::Request& r) { return test::serve_file(r, content, etag); });
    }
    Result<install::DownloadedFile> run() {
        return install::download_to_partial(*source, asset, partial, fast_net().retry, out.console);
    }
};

TEST(DownloadResume, ADropResumesWithRangeAndTheValidator) {
    Download d;
    Step cut = test::serve_file({}, d.content, d.etag);
    cut.cut_after = 250000;
    d.client.then(cut);
    auto r = d.run();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->sha256, util::sha256_hex(d.content));
    EXPECT_EQ(r->bytes_transferred, d.content.size());
    auto reqs = d.client.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(test::header_of(reqs[1], "range"), "bytes=250000-");
    EXPECT_EQ(test::header_of(reqs[1], "if-range"), d.etag);
    EXPECT_NE(d.out.text().find("resuming at"), std::string::npos) << d.out.text();
}

TEST(DownloadResume, AChangedFileStartsOverWithNothingCountedTwice) {
    Download d;
    Step cut = test::serve_file({}, d.content, d.etag);
    cut.cut_after = 250000;
    d.client.then(cut);
    // The file changed between the attempts: If-Range no longer matches.
    d.content = std::string(600000, 'z');
    d.etag = "\"v2\"";
    auto r = d.run();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->sha256, util::sha256_hex(d.content));
    EXPECT_EQ(r->size, d.content.size());
}

TEST(DownloadResume, AKeptPartialResumesAcrossRuns) {
    Download d;
    Step cut = test::serve_file({}, d.content, d.etag);
    cut.cut_after = 100000;
    d.client.then(cut);
    d.client.then(Step::fail(TransportError::Kind::connect));
    d.client.then(Step::fail(TransportError::Kind::connect));
    d.client.then(Step::fail(TransportError::Kind::connect));
    d.client.then(Step::fail(TransportError::Kind::connect));
    auto first = d.run();
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().kind, ErrorKind::network);
    ASSERT_EQ(fs::file_size(d.partial), 100000u);
    auto second = d.run();
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->resumed_from, 100000u);
    EXPECT_EQ(second->sha256, util::sha256_hex(d.content));
}

TEST(DownloadResume, TooManyBytesAreStoppedAndDiscarded) {
    Download d;
    d.asset.size = 1000;
    auto r = d.run();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::integrity);
    EXPECT_FALSE(fs::exists(d.partial));
}

// --- the GitHub source's signed storage URLs ----------------------------------

struct GitHub {
    CapturedConsole out;
    ScriptedClient client;
    std::string content = std::string(50000, 'g');
    std::unique_ptr<source::Source> source;
    source::AssetInfo asset;
    int signed_urls = 0;

    GitHub() {
        github::ApiConfig api;
        api.api_url = "https://api.test";
        api.repo = "o/n";
        api.token = "ghp_neverprinted";
        api.net = fast_net();
        source = source::make_github_source(client, api, out.console);
        asset.name = "a.tar.gz";
        asset.size = content.size();
        asset.locator = "https://api.test/repos/o/n/releases/assets/1";
        client.serve([this](const http::Request& r) {
            if (r.url.find("api.test") != std::string::npos) {
                return Step::redirect("https://storage.test/blob?sig=" +
                                      std::to_string(++signed_urls));
            }
            return test::serve_file(r, content, "\"e\"");
        });
    }
};

TEST(GitHubSource, AsksTheApiOnceAndReusesTheSignedUrl) {
    GitHub g;
    http::StringSink whole;
    auto r = g.source->fetch(g.asset, {}, whole);
    ASSERT_TRUE(r);
    EXPECT_EQ(whole.body, g.content);
    http::StringSink rest;
    r = g.source->fetch(g.asset, {100, 0, "\"e\""}, rest);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 206);
    EXPECT_EQ(rest.body, g.content.substr(100));
    EXPECT_EQ(g.client.count("api.test"), 1u);
    for (const auto& req : g.client.requests()) {
        if (req.url.find("storage.test") != std::string::npos) {
            EXPECT_EQ(test::header_of(req, "authorization"), "") << req.url;
        }
    }
}

TEST(GitHubSource, AnExpiredSignedUrlIsAskedForAgain) {
    GitHub g;
    http::StringSink first;
    ASSERT_TRUE(g.source->fetch(g.asset, {}, first));
    Step expired;
    expired.status = 403;
    expired.body = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>";
    g.client.then(expired, "storage.test");
    http::StringSink again;
    auto r = g.source->fetch(g.asset, {}, again);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    // The refusal never reached the sink; the fresh URL's body did.
    EXPECT_EQ(again.body, g.content);
    EXPECT_EQ(g.client.count("api.test"), 2u);
    EXPECT_NE(g.out.text().find("likely expired"), std::string::npos) << g.out.text();
    EXPECT_EQ(g.out.text().find("ghp_neverprinted"), std::string::npos);
}

TEST(GitHubSource, RateLimitAdviceNamesTheTokenOnlyWhenNoneWasUsed) {
    CapturedConsole out;
    ScriptedClient client;
    github::ApiConfig api;
    api.api_url = "https://api.test";
    api.repo = "o/n";
    auto anonymous = source::make_github_source(client, api, out.console);
    EXPECT_NE(anonymous->rate_limit_advice().find("GITHUB_TOKEN"), std::string::npos);
    api.token = "t";
    auto with_token = source::make_github_source(client, api, out.console);
    EXPECT_EQ(with_token->rate_limit_advice(), "");
}

// --- source fallback ----------------------------------------------------------

TEST(SourceList, AFailingSourceIsReportedAndTheNextServes) {
    NoSleep no_sleep;
    CapturedConsole out;
    ScriptedClient client;
    const std::string index =
        R"({"format":1,"tag":"temporal-libs-v1.0.0","assets":[{"name":"a.tar.gz","size":3,"sha256":")" +
        util::sha256_hex("abc") + R"("}]})";
    client.serve([&](const http::Request& r) {
        if (r.url.find("down.test") != std::string::npos) {
            return Step::fail(TransportError::Kind::connect);
        }
        Step s;
        s.body = index;
        return s;
    });
    std::vector<std::unique_ptr<source::Source>> list;
    list.push_back(
        source::make_mirror_source(client, "https://down.test/", fast_net(), out.console));
    list.push_back(source::make_mirror_source(client, "https://up.test/", fast_net(), out.console));
    auto sources = source::make_source_list(std::move(list), out.console);
    auto rel = sources->release("temporal-libs-v1.0.0");
    ASSERT_TRUE(rel) << rel.error().message;
    ASSERT_TRUE(*rel);
    EXPECT_EQ(sources->name(), "mirror:https://up.test/");
    EXPECT_NE(out.text().find("trying mirror:https://up.test/"), std::string::npos) << out.text();
    // Everything of that release now comes from the source that answered.
    http::StringSink sink;
    ASSERT_TRUE(sources->fetch(*(*rel)->find("a.tar.gz"), {}, sink));
    EXPECT_EQ(client.count("down.test"), 4u);
}

}  // namespace
}  // namespace tl
