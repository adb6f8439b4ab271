// Static mirrors end to end: `temporal-libs mirror` writes a directory mirror
// from the fake GitHub, Debian's nginx serves it on 127.0.0.1, and the real
// binary downloads from it with the same verification as from GitHub.

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "support/nginx.hpp"
#include "support/release_fixture.hpp"
#include "tl/source/mirror_layout.hpp"
#include "tl/source/source.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;
using nlohmann::json;

namespace {

// Connection refused at once: GitHub "unreachable".
const std::string k_dead_api = "http://127.0.0.1:9";

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A published release and a directory for its mirror.
struct Mirrored : ReleaseFixture {
    fs::path mirror = dir / "mirror";

    Mirrored() { publish(); }

    ProcessResult mirror_run(std::vector<std::string> extra = {}) const {
        std::vector<std::string> args = {"mirror",        "--version", version,
                                         "--platform",    platform,    "--to",
                                         mirror.string(), "--retries", "2"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(args);
    }

    // Downloads with `sources` into a fresh cache named `cache_name`.
    ProcessResult download(const std::string& sources, const std::string& cache_name,
                           std::vector<std::string> extra = {},
                           std::map<std::string, std::string> env = {}) const {
        std::vector<std::string> args = {"download", "--platform", platform,
                                         "--json",   "--retries",  "1"};
        if (std::find(extra.begin(), extra.end(), "--version") == extra.end()) {
            args.insert(args.end(), {"--version", version});
        }
        args.insert(args.end(), extra.begin(), extra.end());
        env["TEMPORAL_LIBS_SOURCES"] = sources;
        env["TEMPORAL_LIBS_CACHE_DIR"] = (dir / cache_name).string();
        if (!env.count("TEMPORAL_LIBS_API_URL")) {
            env["TEMPORAL_LIBS_API_URL"] = k_dead_api;
        }
        return run(args, env);
    }

    void expect_installed_in(const std::string& cache_name) const {
        for (const auto& [name, content] : libs) {
            EXPECT_EQ(read_file(dir / cache_name / tag / platform / ("lib" + name + ".a")), content)
                << name;
        }
    }
};

std::string source_of(const ProcessResult& r) {
    json j = json::parse(r.out, nullptr, false);
    return j.is_object() && j.contains("source") ? j["source"].get<std::string>() : "";
}

}  // namespace

TEST(Mirror, NginxServesTheDirectoryMirrorWhileGitHubIsUnreachable) {
    Mirrored f;
    auto m = f.mirror_run();
    ASSERT_EQ(m.exit_code, 0) << m.err << m.out;
    // The layout: assets byte for byte, a release index with digests, a tags index.
    EXPECT_EQ(read_file(f.mirror / f.tag / f.archive_name), f.archive_bytes);
    EXPECT_EQ(read_file(f.mirror / f.tag / (f.archive_name + ".sha256")), f.checksum_text);
    json index = json::parse(read_file(f.mirror / f.tag / "index.json"));
    EXPECT_EQ(index["format"], 1);
    EXPECT_EQ(index["tag"], f.tag);
    ASSERT_EQ(index["assets"].size(), 2u);
    EXPECT_EQ(index["assets"][0]["name"], f.archive_name);
    EXPECT_EQ(index["assets"][0]["size"], f.archive_bytes.size());
    EXPECT_EQ(index["assets"][0]["sha256"], util::sha256_hex(f.archive_bytes));
    json tags = json::parse(read_file(f.mirror / "index.json"));
    EXPECT_EQ(tags["tags"], json::array({f.tag}));

    Nginx nginx(f.mirror, f.dir / "nginx");
    ASSERT_TRUE(nginx.running()) << nginx.error();

    // Only the mirror: GitHub is never needed.
    auto only = f.download(nginx.url(), "cache-a");
    ASSERT_EQ(only.exit_code, 0) << only.err << only.out;
    EXPECT_EQ(source_of(only), "mirror:" + nginx.url());
    f.expect_installed_in("cache-a");
    EXPECT_TRUE(contains(nginx.access_log(), "GET /" + f.tag + "/" + f.archive_name))
        << nginx.access_log();

    // GitHub first but down: reported, and the mirror serves; the cache records it.
    auto order = f.download("github," + nginx.url(), "cache-b");
    ASSERT_EQ(order.exit_code, 0) << order.err << order.out;
    EXPECT_EQ(source_of(order), "mirror:" + nginx.url());
    EXPECT_TRUE(contains(order.err, "source github:proompteng/lab: cannot connect to"))
        << order.err;
    EXPECT_TRUE(contains(order.err, "trying mirror:" + nginx.url())) << order.err;
    f.expect_installed_in("cache-b");
    auto listed = f.run({"cache", "list", "--json"},
                        {{"TEMPORAL_LIBS_CACHE_DIR", (f.dir / "cache-b").string()}});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_TRUE(contains(listed.out, "\"source\": \"mirror:" + nginx.url() + "\"")) << listed.out;

    // latest through the tags index.
    auto latest = f.download(nginx.url(), "cache-c", {"--version", "latest"});
    ASSERT_EQ(latest.exit_code, 0) << latest.err << latest.out;
    EXPECT_EQ(json::parse(latest.out)["tag"], f.tag);
    EXPECT_TRUE(contains(nginx.access_log(), "GET /index.json")) << nginx.access_log();
}

TEST(Mirror, ATamperedArchiveInTheMirrorIsRejectedAndNothingInstalled) {
    Mirrored f;
    ASSERT_EQ(f.mirror_run().exit_code, 0);
    // Different bytes, same size: only the digest can tell.
    std::string bytes = f.archive_bytes;
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
    write_file(f.mirror / f.tag / f.archive_name, bytes);
    Nginx nginx(f.mirror, f.dir / "nginx");
    ASSERT_TRUE(nginx.running()) << nginx.error();
    auto r = f.download(nginx.url(), "cache");
    EXPECT_EQ(r.exit_code, 5) << r.err << r.out;
    EXPECT_TRUE(contains(r.err, "mismatch")) << r.err;
    EXPECT_FALSE(fs::exists(f.dir / "cache" / f.tag / f.platform));
}

TEST(Mirror, FileSourceAndSourceFlagAndFallbackToGitHub) {
    Mirrored f;
    ASSERT_EQ(f.mirror_run().exit_code, 0);
    const std::string file_source = "file://" + f.mirror.string();
    auto local = f.download(file_source, "cache-a");
    ASSERT_EQ(local.exit_code, 0) << local.err;
    EXPECT_EQ(source_of(local), "mirror:" + file_source);
    f.expect_installed_in("cache-a");

    // A plain absolute path is a directory mirror too.
    auto path = f.download(f.mirror.string(), "cache-p");
    ASSERT_EQ(path.exit_code, 0) << path.err;

    // --source forces one source over the configured list.
    auto forced = f.download(file_source, "cache-b", {"--source", "github"},
                             {{"TEMPORAL_LIBS_API_URL", f.github.api_url()}});
    ASSERT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_EQ(source_of(forced), "github:proompteng/lab");

    // First source down, the second (GitHub) serves.
    auto second = f.download("http://127.0.0.1:9/tl/,github", "cache-c", {},
                             {{"TEMPORAL_LIBS_API_URL", f.github.api_url()}});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(source_of(second), "github:proompteng/lab");
    EXPECT_TRUE(contains(second.err, "trying github:proompteng/lab")) << second.err;

    // A mirror without the release: reported, the next asked.
    auto missing = f.download("file://" + (f.dir / "empty").string() + ",github", "cache-d", {},
                              {{"TEMPORAL_LIBS_API_URL", f.github.api_url()}});
    EXPECT_EQ(missing.exit_code, 0) << missing.err;

    // Where the setting came from, for 'config show'.
    auto shown = f.run({"config", "show", "--json"}, {{"TEMPORAL_LIBS_SOURCES", file_source}});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    json settings = json::parse(shown.out)["settings"];
    EXPECT_EQ(settings["sources"]["value"], file_source);
    EXPECT_EQ(settings["sources"]["origin"], "environment");
    auto flag = f.run({"config", "show", "--json", "--source", "github"});
    EXPECT_EQ(json::parse(flag.out)["settings"]["sources"]["origin"], "command line");

    // An unknown scheme is a usage error naming the accepted forms.
    auto bad = f.download("ftp://example/tl", "cache-e");
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
    EXPECT_TRUE(contains(bad.err, "file:///DIR")) << bad.err;
}

TEST(Mirror, AllSourcesDownListsWhatEachSaid) {
    Mirrored f;
    auto r = f.download("http://127.0.0.1:9/tl/,github", "cache");
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_TRUE(contains(r.err, "mirror:http://127.0.0.1:9/tl/: ")) << r.err;
    EXPECT_TRUE(contains(r.err, "github:proompteng/lab: ")) << r.err;
    EXPECT_TRUE(contains(r.err, "cannot connect to '127.0.0.1:9'")) << r.err;
    EXPECT_FALSE(fs::exists(f.dir / "cache" / f.tag / f.platform));
}

namespace {

// A mirror host on 127.0.0.1 that wants a bearer token and redirects archives
// to a second host ("localhost", another origin) that records what it got.
struct TokenMirror {
    httplib::Server guarded;
    httplib::Server storage;
    int guarded_port = 0;
    int storage_port = 0;
    std::thread t1, t2;
    std::mutex mutex;
    std::vector<std::string> storage_auth;  // Authorization headers storage saw
    int guarded_with_token = 0;

    TokenMirror(const fs::path& root, const std::string& token) {
        guarded.Get(".*", [this, root, token](const httplib::Request& req, httplib::Response& res) {
            if (req.get_header_value("Authorization") != "Bearer " + token) {
                res.status = 401;
                return;
            }
            {
                std::lock_guard<std::mutex> lock(mutex);
                ++guarded_with_token;
            }
            if (req.path.find(".tar.") != std::string::npos &&
                req.path.find(".sha256") == std::string::npos) {
                res.status = 302;
                res.set_header("Location",
                               "http://localhost:" + std::to_string(storage_port) + req.path);
                return;
            }
            fs::path file = root / req.path.substr(1);
            if (!fs::is_regular_file(file)) {
                res.status = 404;
                return;
            }
            res.set_content(read_file(file), "application/octet-stream");
        });
        storage.Get(".*", [this, root](const httplib::Request& req, httplib::Response& res) {
            {
                std::lock_guard<std::mutex> lock(mutex);
                storage_auth.push_back(req.get_header_value("Authorization"));
            }
            res.set_content(read_file(root / req.path.substr(1)), "application/octet-stream");
        });
        guarded_port = guarded.bind_to_any_port("127.0.0.1");
        storage_port = storage.bind_to_any_port("127.0.0.1");
        t1 = std::thread([this] { guarded.listen_after_bind(); });
        t2 = std::thread([this] { storage.listen_after_bind(); });
        while (!guarded.is_running() || !storage.is_running()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    ~TokenMirror() {
        guarded.stop();
        storage.stop();
        t1.join();
        t2.join();
    }
};

}  // namespace

TEST(Mirror, CredentialsGoOnlyToTheMirrorHostAndAreNeverPrinted) {
    Mirrored f;
    ASSERT_EQ(f.mirror_run().exit_code, 0);
    const std::string token = "mirrorTokenForTests0123456789abcdef";
    TokenMirror server(f.mirror, token);
    const std::string url = "http://127.0.0.1:" + std::to_string(server.guarded_port) + "/";

    // Without credentials: refused, with advice.
    auto anonymous = f.download(url, "cache-a");
    EXPECT_EQ(anonymous.exit_code, 4) << anonymous.err;
    EXPECT_TRUE(contains(anonymous.err, "HTTP 401")) << anonymous.err;
    EXPECT_TRUE(contains(anonymous.err, "credentials file")) << anonymous.err;

    fs::path creds = f.dir / "credentials.toml";
    write_file(creds, "[\"127.0.0.1:" + std::to_string(server.guarded_port) + "\"]\ntoken = \"" +
                          token + "\"\n");
    ::chmod(creds.c_str(), 0600);
    auto r = f.download(url, "cache-b", {"--verbose"},
                        {{"TEMPORAL_LIBS_CREDENTIALS_FILE", creds.string()}});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    f.expect_installed_in("cache-b");
    EXPECT_GT(server.guarded_with_token, 0);
    ASSERT_FALSE(server.storage_auth.empty());
    for (const auto& a : server.storage_auth) {
        EXPECT_EQ(a, "") << "the token followed the redirect";
    }
    EXPECT_FALSE(contains(r.out + r.err, token));
}

namespace {

// A release with `n` platforms whose archives are `size` random bytes each
// (the mirror verifies digests; it never unpacks).
std::vector<std::string> publish_platforms(FakeGitHub& github, const std::string& tag,
                                           const std::vector<std::string>& platforms,
                                           std::size_t size, const std::string& damaged = "") {
    FakeRelease r;
    r.tag = tag;
    std::mt19937 rng(7);
    std::vector<std::string> names;
    for (const auto& p : platforms) {
        std::string bytes(size, '\0');
        for (auto& c : bytes) {
            c = static_cast<char>(rng());
        }
        std::string name = "temporal-static-libs-" + p + "-v2.0.0.tar.gz";
        FakeAsset a;
        a.name = name;
        a.content = bytes;
        FakeAsset s;
        s.name = name + ".sha256";
        s.content = util::sha256_hex(bytes) + "  " + name + "\n";
        if (p == damaged) {
            // The blob changed behind its checksum file: the digest reported for
            // it is still the old one.
            a.digest_override = "sha256:" + util::sha256_hex(bytes);
            a.content[0] = static_cast<char>(a.content[0] ^ 1);
        }
        r.assets.push_back(a);
        r.assets.push_back(s);
        names.push_back(name);
    }
    github.add_release(r);
    return names;
}

}  // namespace

TEST(Mirror, AllPlatformsInParallelBeatOneByOneAndARerunCopiesNothing) {
    ReleaseFixture f;
    const std::vector<std::string> platforms = {"linux-x64", "linux-arm64", "macos-arm64"};
    const std::size_t size = 1u << 20;
    auto names = publish_platforms(f.github, "temporal-libs-v2.0.0", platforms, size);
    // About a second per archive on each connection, as a per-connection limit.
    f.github.set_storage_rate(size, Pacing::per_download);

    auto t0 = std::chrono::steady_clock::now();
    for (const auto& p : platforms) {
        auto one = f.run({"mirror", "--version", "v2.0.0", "--platform", p, "--to",
                          (f.dir / "one-by-one").string()});
        ASSERT_EQ(one.exit_code, 0) << one.err;
    }
    double sequential = seconds_since(t0);

    auto t1 = std::chrono::steady_clock::now();
    auto all = f.run({"mirror", "--version", "v2.0.0", "--platform", "all", "--to",
                      (f.dir / "parallel").string(), "--json"});
    double parallel = seconds_since(t1);
    ASSERT_EQ(all.exit_code, 0) << all.err;
    EXPECT_LT(parallel, sequential * 0.7)
        << "parallel " << parallel << " s, one by one " << sequential << " s";
    json j = json::parse(all.out);
    std::size_t copied = 0;
    for (const auto& p : j["platforms"]) {
        copied += p["copied"].get<std::size_t>();
    }
    EXPECT_EQ(copied, 6u) << all.out;
    for (const auto& name : names) {
        EXPECT_EQ(fs::file_size(f.dir / "parallel" / "temporal-libs-v2.0.0" / name), size);
    }
    // Each console line names its platform.
    EXPECT_TRUE(contains(all.err, "linux-arm64: stored")) << all.err;

    // Again: nothing new, and no archive crosses the network.
    f.github.set_storage_rate(0);
    f.github.clear_requests();
    auto again = f.run({"mirror", "--version", "v2.0.0", "--platform", "all", "--to",
                        (f.dir / "parallel").string()});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(contains(again.out, "nothing new to copy")) << again.out;
    for (const auto& req : f.github.requests(FakeServer::storage)) {
        EXPECT_LT(req.body_bytes_sent, 4096u) << req.target;
    }
}

TEST(Mirror, ADamagedAssetOnGitHubCopiesNothingOfThatPlatform) {
    ReleaseFixture f;
    auto names = publish_platforms(f.github, "temporal-libs-v2.0.0", {"linux-x64", "linux-arm64"},
                                   64 * 1024, "linux-arm64");
    fs::path dest = f.dir / "mirror";
    auto r = f.run({"mirror", "--version", "v2.0.0", "--platform", "all", "--to", dest.string()});
    EXPECT_EQ(r.exit_code, 5) << r.err << r.out;
    EXPECT_TRUE(contains(r.err, "linux-arm64")) << r.err;
    EXPECT_TRUE(contains(r.err, "mismatch")) << r.err;
    fs::path tag_dir = dest / "temporal-libs-v2.0.0";
    EXPECT_TRUE(fs::exists(tag_dir / names[0]));
    EXPECT_TRUE(fs::exists(tag_dir / (names[0] + ".sha256")));
    EXPECT_FALSE(fs::exists(tag_dir / names[1]));
    EXPECT_FALSE(fs::exists(tag_dir / (names[1] + ".sha256")));
    std::string index = read_file(tag_dir / "index.json");
    EXPECT_TRUE(contains(index, names[0]));
    EXPECT_FALSE(contains(index, names[1]));
}

// --- Unit tests: the index formats and the source list ---

TEST(MirrorLayout, IndexesRoundTripAndRefuseUnsafeOrNewer) {
    source::ReleaseIndex index{
        "temporal-libs-v1.0.2",
        {{"b.tar.gz", 3, std::string(64, 'a')}, {"a.tar.gz.sha256", 1, std::string(64, 'B')}}};
    auto text = source::write_release_index(index);
    auto back = source::parse_release_index(text, "temporal-libs-v1.0.2", "x");
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->assets.size(), 2u);
    EXPECT_EQ(back->assets[0].name, "a.tar.gz.sha256");  // sorted by name
    EXPECT_EQ(back->assets[0].sha256, std::string(64, 'b'));
    // Another tag's index, a path in a name, a bad digest, a newer format.
    EXPECT_FALSE(source::parse_release_index(text, "temporal-libs-v1.0.3", "x"));
    json evil = json::parse(text);
    evil["assets"][0]["name"] = "../../etc/passwd";
    EXPECT_FALSE(source::parse_release_index(evil.dump(), "temporal-libs-v1.0.2", "x"));
    evil = json::parse(text);
    evil["assets"][0]["sha256"] = "abc";
    EXPECT_FALSE(source::parse_release_index(evil.dump(), "temporal-libs-v1.0.2", "x"));
    evil = json::parse(text);
    evil["format"] = 2;
    auto newer = source::parse_release_index(evil.dump(), "temporal-libs-v1.0.2", "x");
    ASSERT_FALSE(newer);
    EXPECT_TRUE(contains(newer.error().message, "upgrade temporal-libs"));

    auto tags = source::write_tag_index(
        {"temporal-libs-v1.9.0", "temporal-libs-v1.10.0", "temporal-libs-v1.9.0"});
    auto parsed = source::parse_tag_index(tags, "x");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, (std::vector<std::string>{"temporal-libs-v1.10.0", "temporal-libs-v1.9.0"}));
    EXPECT_FALSE(source::parse_tag_index(R"({"format":1,"tags":["a/b"]})", "x"));
    EXPECT_FALSE(source::parse_tag_index("<html>", "x"));
}

namespace {

// A source answering from a script: a release, nothing, or an error.
class ScriptedSource : public source::Source {
public:
    enum class Answer { release, nothing, network_error };
    ScriptedSource(std::string name, Answer answer) : m_name(std::move(name)), m_answer(answer) {}
    std::string name() const override { return m_name; }
    Result<std::optional<source::ReleaseInfo>> release(const std::string& tag) override {
        ++asked;
        if (m_answer == Answer::network_error) {
            return fail(ErrorKind::network, "cannot connect to " + m_name);
        }
        if (m_answer == Answer::nothing) {
            return std::optional<source::ReleaseInfo>{};
        }
        return std::optional<source::ReleaseInfo>(source::ReleaseInfo{tag, {}});
    }
    Result<std::optional<source::ReleaseInfo>> latest(const std::string& prefix) override {
        return release(prefix + "v1");
    }
    Result<std::vector<std::string>> tags(const std::string&, std::size_t) override {
        return std::vector<std::string>{};
    }
    Result<std::string> fetch_small(const source::AssetInfo&, std::size_t) override {
        ++fetched;
        return std::string();
    }
    http::SendResult fetch(const source::AssetInfo&, const source::Resume&,
                           http::BodySink&) override {
        ++fetched;
        return http::Response{};
    }
    int asked = 0;
    int fetched = 0;

private:
    std::string m_name;
    Answer m_answer;
};

}  // namespace

TEST(SourceList, TriesInOrderServesFromTheOneThatAnsweredAndListsEveryFailure) {
    using A = ScriptedSource::Answer;
    util::Console console;
    console.set_verbosity(util::Verbosity::quiet);
    std::vector<std::unique_ptr<source::Source>> list;
    list.push_back(std::make_unique<ScriptedSource>("down", A::network_error));
    list.push_back(std::make_unique<ScriptedSource>("empty", A::nothing));
    list.push_back(std::make_unique<ScriptedSource>("good", A::release));
    auto* good = static_cast<ScriptedSource*>(list[2].get());
    auto* down = static_cast<ScriptedSource*>(list[0].get());
    auto sources = source::make_source_list(std::move(list), console);
    auto r = sources->release("temporal-libs-v1.0.2");
    ASSERT_TRUE(r && *r);
    EXPECT_EQ(sources->name(), "good");
    (void)sources->fetch_small(source::AssetInfo{}, 10);
    EXPECT_EQ(good->fetched, 1);
    EXPECT_EQ(down->fetched, 0);

    std::vector<std::unique_ptr<source::Source>> bad;
    bad.push_back(std::make_unique<ScriptedSource>("first", A::nothing));
    bad.push_back(std::make_unique<ScriptedSource>("second", A::nothing));
    auto none = source::make_source_list(std::move(bad), console)->release("temporal-libs-v9");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().kind, ErrorKind::not_found);
    EXPECT_TRUE(contains(none.error().message, "first: has no release 'temporal-libs-v9'"))
        << none.error().message;
    EXPECT_TRUE(contains(none.error().message, "second: has no release")) << none.error().message;

    std::vector<std::unique_ptr<source::Source>> mixed;
    mixed.push_back(std::make_unique<ScriptedSource>("first", A::nothing));
    mixed.push_back(std::make_unique<ScriptedSource>("second", A::network_error));
    auto net = source::make_source_list(std::move(mixed), console)->latest("temporal-libs-");
    ASSERT_FALSE(net);
    EXPECT_EQ(net.error().kind, ErrorKind::network);
    EXPECT_TRUE(contains(net.error().message, "second: cannot connect to second"));
}

namespace {

// An HTTP client for sources that must not use the network.
class NoNetwork : public http::Client {
public:
    http::SendResult send(const http::Request& request, http::BodySink&) override {
        ADD_FAILURE() << "unexpected request to " << request.url;
        return util::unexpected(http::TransportError{});
    }
};

// Collects a response like an HTTP client would hand it over.
struct Collect : http::BodySink {
    bool on_head(const http::ResponseHead& h) override {
        head = h;
        body.clear();
        return true;
    }
    bool on_data(const char* data, std::size_t size) override {
        body.append(data, size);
        return true;
    }
    http::ResponseHead head;
    std::string body;
};

}  // namespace

TEST(MirrorSource, DirectoryMirrorHonoursRangeAndIfRangeLikeAWebServer) {
    TestDir d;
    const std::string tag = "temporal-libs-v1.0.2";
    const std::string content = "0123456789abcdef";
    write_file(d / tag / "a.tar.gz", content);
    write_file(d / tag / "index.json",
               source::write_release_index(
                   {tag, {{"a.tar.gz", content.size(), util::sha256_hex(content)}}}));
    NoNetwork client;
    util::Console console;
    auto src = source::make_mirror_source(client, "file://" + d.path().string(), {}, console);
    auto rel = src->release(tag);
    ASSERT_TRUE(rel && *rel);
    const source::AssetInfo* a = (*rel)->find("a.tar.gz");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->reported_digest, util::sha256_hex(content));
    EXPECT_FALSE(*src->release("temporal-libs-v9.9.9"));  // absent, not an error

    Collect whole;
    auto r = src->fetch(*a, {}, whole);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(whole.body, content);
    std::string etag = whole.head.headers.get("etag").value_or("");
    ASSERT_FALSE(etag.empty());

    Collect rest;
    r = src->fetch(*a, {10, 0, etag}, rest);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 206);
    EXPECT_EQ(rest.body, "abcdef");
    EXPECT_EQ(rest.head.headers.get("content-range").value_or(""), "bytes 10-15/16");

    // The file changed since: the whole body again, as If-Range demands.
    Collect changed;
    r = src->fetch(*a, {10, 0, "\"other\""}, changed);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(changed.body, content);

    Collect beyond;
    r = src->fetch(*a, {16, 0, etag}, beyond);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 416);
}

TEST(Mirror, AMirrorCanBeCopiedFromAnotherMirror) {
    Mirrored f;
    ASSERT_EQ(f.mirror_run().exit_code, 0);
    fs::path second = f.dir / "second";
    auto r = f.run({"mirror", "--version", f.version, "--platform", f.platform, "--to",
                    second.string(), "--source", "file://" + f.mirror.string()},
                   {{"TEMPORAL_LIBS_API_URL", k_dead_api}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(second / f.tag / "index.json"), read_file(f.mirror / f.tag / "index.json"));
    EXPECT_EQ(read_file(second / f.tag / f.archive_name), f.archive_bytes);
    EXPECT_EQ(read_file(second / "index.json"), read_file(f.mirror / "index.json"));
}
