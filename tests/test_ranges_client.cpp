// One libcurl client shared by several threads (the ranges of a parallel
// download): each send takes its own easy handle, and sequential sends still
// reuse the connection.

#include <gtest/gtest.h>

#include <random>
#include <thread>
#include <vector>

#include "support/fake_github.hpp"
#include "tl/http/client.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;

namespace {

std::string noise(std::size_t size) {
    std::string out(size, '\0');
    std::mt19937_64 rng(42);
    for (auto& c : out) {
        c = static_cast<char>(rng());
    }
    return out;
}

}  // namespace

TEST(RangesClient, OneCurlClientServesConcurrentRangedSends) {
    FakeGitHub github;
    FakeRelease release;
    release.tag = "temporal-libs-v1.0.0";
    FakeAsset asset;
    asset.name = "blob.bin";
    asset.content = noise(8u << 20);
    const std::string content = asset.content;
    release.assets.push_back(asset);
    github.add_release(release);
    // Each download paced alone, so the sends overlap for certain.
    github.set_storage_rate(16u << 20, Pacing::per_download);
    const std::string url = github.storage_url() + "/" + github.repo() + "/releases/download/" +
                            release.tag + "/" + asset.name;

    auto client = http::make_curl_client({});
    constexpr int k_threads = 4;
    const std::size_t part = content.size() / k_threads;
    std::vector<std::string> bodies(k_threads);
    std::vector<int> statuses(k_threads);
    std::vector<std::thread> threads;
    for (int i = 0; i < k_threads; ++i) {
        threads.emplace_back([&, i] {
            http::Request req;
            req.url = url;
            const std::size_t first = i * part;
            const std::size_t last = i + 1 == k_threads ? content.size() - 1 : first + part - 1;
            req.headers.emplace_back("Range",
                                     "bytes=" + std::to_string(first) + "-" + std::to_string(last));
            http::StringSink sink(16u << 20);
            auto r = client->send(req, sink);
            statuses[i] = r ? r->status : -1;
            bodies[i] = sink.body;
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    std::string joined;
    for (int i = 0; i < k_threads; ++i) {
        EXPECT_EQ(statuses[i], 206) << i;
        joined += bodies[i];
    }
    EXPECT_TRUE(joined == content);
    EXPECT_EQ(github.peak_concurrent_downloads(), k_threads);

    // Afterwards, sequential sends go over one kept-alive connection.
    github.set_storage_rate(0);
    github.clear_requests();
    for (int i = 0; i < 3; ++i) {
        http::Request req;
        req.url = url;
        req.headers.emplace_back("Range", "bytes=0-9");
        http::StringSink sink;
        auto r = client->send(req, sink);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(sink.body, content.substr(0, 10));
    }
    auto seen = github.requests(FakeServer::storage);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].remote_port, seen[1].remote_port);
    EXPECT_EQ(seen[1].remote_port, seen[2].remote_port);
}
