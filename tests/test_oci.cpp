// OCI registries as release sources and mirror destinations: Debian's
// docker-registry (anonymous and with basic auth) and a small fake registry
// front for the bearer-token flow, blob redirects and paginated tag lists.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <future>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/archive_builder.hpp"
#include "support/fake_github.hpp"
#include "support/registry.hpp"
#include "support/registry_front.hpp"
#include "support/test_util.hpp"
#include "tl/cache/cache.hpp"
#include "tl/http/client.hpp"
#include "tl/install/downloader.hpp"
#include "tl/install/installer.hpp"
#include "tl/oci/oci_destination.hpp"
#include "tl/oci/oci_source.hpp"
#include "tl/oci/registry.hpp"
#include "tl/platform/platform.hpp"
#include "tl/release/contract.hpp"
#include "tl/source/source.hpp"
#include "tl/util/sha256.hpp"
#include "tl/verify/digests.hpp"

namespace tl {
namespace {

using namespace tl::testing;
using nlohmann::json;

const std::string k_tag = "temporal-libs-v1.0.2";
const std::vector<std::string> k_platforms = {"linux-x64", "linux-arm64", "macos-arm64"};

// Sets environment variables for one test and restores them afterwards.
class EnvGuard {
public:
    void set(const std::string& name, const std::string& value) {
        if (!m_saved.count(name)) {
            const char* old = std::getenv(name.c_str());
            m_saved[name] = old ? std::optional<std::string>(old) : std::nullopt;
        }
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~EnvGuard() {
        for (const auto& [name, value] : m_saved) {
            if (value) {
                ::setenv(name.c_str(), value->c_str(), 1);
            } else {
                ::unsetenv(name.c_str());
            }
        }
    }

private:
    std::map<std::string, std::optional<std::string>> m_saved;
};

// Captures what a Console prints.
struct CapturedConsole {
    std::FILE* file = std::tmpfile();
    util::Console console{file};
    ~CapturedConsole() { std::fclose(file); }
    std::string text() {
        std::fflush(file);
        std::rewind(file);
        std::string out;
        char buf[4096];
        std::size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, file)) > 0) {
            out.append(buf, n);
        }
        return out;
    }
};

http::RetryPolicy fast_retry() {
    http::RetryPolicy p;
    p.max_attempts = 2;
    p.base_delay = std::chrono::milliseconds(1);
    p.max_delay = std::chrono::milliseconds(5);
    return p;
}

http::NetSettings oci_options() {
    http::NetSettings o;
    o.retry = fast_retry();
    return o;
}

// A workflow-made release for three platforms on a fake GitHub, with a
// release-wide SHA256SUMS.
struct Origin {
    TestDir dir;
    FakeGitHub github;
    std::unique_ptr<http::Client> client = http::make_curl_client({});
    util::Console console{stderr};
    std::unique_ptr<source::Source> source;

    explicit Origin(const std::vector<std::string>& tags = {k_tag}) {
        for (const auto& tag : tags) {
            add(tag);
        }
        github::ApiConfig api;
        api.api_url = github.api_url();
        api.repo = github.repo();
        api.net.retry = fast_retry();
        source = source::make_github_source(*client, api, console);
        console.set_verbosity(util::Verbosity::quiet);
    }

    void add(const std::string& tag) {
        FakeRelease rel;
        rel.tag = tag;
        std::string sums;
        for (const auto& p : k_platforms) {
            auto platform = *platform::parse_platform(p);
            std::string name = release::archive_name(platform, tag, release::ArchiveFormat::tar_gz);
            std::map<std::string, std::string> libs;
            for (const auto& lib : release::default_libraries()) {
                // macOS archives are mirrored, never installed here.
                libs[lib] = make_static_library(p == "linux-arm64" ? p : "linux-x64",
                                                tag + "/" + p + "/" + lib);
            }
            fs::path archive = make_workflow_release(dir / ("work-" + tag + p), name, libs);
            FakeAsset a;
            a.name = name;
            a.file = archive;
            rel.assets.push_back(a);
            FakeAsset sum;
            sum.name = name + ".sha256";
            sum.content = read_file(archive.string() + ".sha256");
            rel.assets.push_back(sum);
            sums += sum.content;
        }
        FakeAsset all;
        all.name = "SHA256SUMS";
        all.content = sums;
        rel.assets.push_back(all);
        github.add_release(rel);
    }
};

// What `temporal-libs mirror` does: download each asset from the origin,
// verify it against the release's claims, hand it to the destination unless it
// is there already, then finish.
void mirror_release(source::Source& from, mirror::Destination& to, const std::string& tag,
                    const fs::path& work, util::Console& console) {
    auto rel = from.release(tag);
    ASSERT_TRUE(rel && *rel) << (rel ? "no release" : rel.error().message);
    auto existing = to.existing(tag);
    ASSERT_TRUE(existing) << existing.error().message;
    fs::create_directories(work);
    std::vector<mirror::MirroredAsset> assets;
    for (const auto& asset : (*rel)->assets) {
        auto file = install::download_to_partial(from, asset, work / (asset.name + ".part"),
                                                 fast_retry(), console);
        ASSERT_TRUE(file) << file.error().message;
        std::vector<verify::ExpectedDigest> claims;
        if (auto parsed = release::parse_archive_name(asset.name, tag)) {
            auto c = install::release_claims(
                from, **rel, asset, *platform::parse_platform(parsed->platform), parsed->format);
            ASSERT_TRUE(c) << c.error().message;
            claims = *c;
        } else {
            claims.push_back({"reported digest", asset.reported_digest});
        }
        auto agreed = verify::agreed_digest(claims, asset.name);
        ASSERT_TRUE(agreed) << agreed.error().message;
        ASSERT_EQ(*agreed, file->sha256) << asset.name;
        assets.push_back({asset.name, file->size, file->sha256, file->path});
    }
    // Puts run in parallel, as the mirror command runs them.
    std::vector<std::future<Result<void>>> puts;
    for (const auto& m : assets) {
        if (existing->count(m.name) == 0 || existing->at(m.name) != m.sha256) {
            puts.push_back(
                std::async(std::launch::async, [&to, &tag, m] { return to.put(tag, m); }));
        }
    }
    for (auto& p : puts) {
        auto put = p.get();
        ASSERT_TRUE(put) << put.error().message;
    }
    auto done = to.finish(tag, assets);
    ASSERT_TRUE(done) << done.error().message;
}

// Installs one platform of `tag` from `source` into a fresh cache under `root`.
Result<install::InstallResult> install_from(source::Source& source, const fs::path& root,
                                            const std::string& platform, util::Console& console,
                                            const std::string& tag = k_tag) {
    cache::Cache cache(root);
    install::Installer installer(
        cache, [&] { return &source; }, console);
    install::InstallOptions o;
    o.version = tag;
    o.platform = *platform::parse_platform(platform);
    o.libraries = release::default_libraries();
    o.retry = fast_retry();
    return installer.install(o);
}

std::map<std::string, std::string> library_bytes(const install::InstallResult& r) {
    std::map<std::string, std::string> out;
    for (const auto& lib : r.libraries) {
        out[lib.filename().string()] = read_file(lib);
    }
    return out;
}

// Installs linux-x64 and linux-arm64 from the registry and from GitHub and
// compares the libraries byte for byte.
void expect_same_libraries(Origin& origin, source::Source& oci, const fs::path& root) {
    for (const std::string p : {"linux-x64", "linux-arm64"}) {
        auto from_oci = install_from(oci, root / ("oci-" + p), p, origin.console);
        ASSERT_TRUE(from_oci) << from_oci.error().message;
        auto from_github = install_from(*origin.source, root / ("gh-" + p), p, origin.console);
        ASSERT_TRUE(from_github) << from_github.error().message;
        EXPECT_EQ(from_oci->source, oci.name());
        auto a = library_bytes(*from_oci);
        EXPECT_EQ(a.size(), release::default_libraries().size());
        EXPECT_EQ(a, library_bytes(*from_github)) << p;
    }
}

json get_json(httplib::Client& c, const std::string& path, const std::string& accept) {
    auto res = c.Get(path, {{"Accept", accept}});
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 200) << path;
    return json::parse(res->body);
}

// Field by field, the layout ORAS pushes and pulls (registry.hpp).
void check_layout(const std::string& host_port, const std::string& repo) {
    auto colon = host_port.find(':');
    httplib::Client c(host_port.substr(0, colon), std::stoi(host_port.substr(colon + 1)));
    json index =
        get_json(c, "/v2/" + repo + "/manifests/" + k_tag, std::string(oci::k_index_media_type));
    EXPECT_EQ(index["schemaVersion"], 2);
    EXPECT_EQ(index["mediaType"], oci::k_index_media_type);
    EXPECT_EQ(index["artifactType"], oci::k_artifact_type);
    EXPECT_EQ(index["annotations"]["org.temporal-libs.layout"], "1");
    ASSERT_EQ(index["manifests"].size(), k_platforms.size());
    std::map<std::string, std::pair<std::string, std::string>> want = {
        {"linux-x64", {"linux", "amd64"}},
        {"linux-arm64", {"linux", "arm64"}},
        {"macos-arm64", {"darwin", "arm64"}}};
    for (const auto& d : index["manifests"]) {
        EXPECT_EQ(d["mediaType"], oci::k_manifest_media_type);
        std::string p = d["annotations"][std::string(oci::k_platform_annotation)];
        ASSERT_TRUE(want.count(p)) << p;
        EXPECT_EQ(d["platform"]["os"], want[p].first);
        EXPECT_EQ(d["platform"]["architecture"], want[p].second);
        // The platform tag names the same manifest.
        auto by_tag = c.Get("/v2/" + repo + "/manifests/" + k_tag + "-" + p,
                            {{"Accept", std::string(oci::k_manifest_media_type)}});
        ASSERT_TRUE(by_tag);
        EXPECT_EQ("sha256:" + util::sha256_hex(by_tag->body), d["digest"].get<std::string>());
        EXPECT_EQ(by_tag->body.size(), d["size"].get<std::size_t>());
        json m = json::parse(by_tag->body);
        EXPECT_EQ(m["schemaVersion"], 2);
        EXPECT_EQ(m["mediaType"], oci::k_manifest_media_type);
        EXPECT_EQ(m["artifactType"], oci::k_artifact_type);
        EXPECT_EQ(m["config"]["mediaType"], "application/vnd.oci.empty.v1+json");
        EXPECT_EQ(m["config"]["digest"],
                  "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
        EXPECT_EQ(m["config"]["size"], 2);
        std::string archive = release::archive_name(*platform::parse_platform(p), k_tag,
                                                    release::ArchiveFormat::tar_gz);
        std::vector<std::string> titles;
        for (const auto& l : m["layers"]) {
            std::string title = l["annotations"]["org.opencontainers.image.title"];
            titles.push_back(title);
            EXPECT_EQ(l["digest"].get<std::string>().substr(0, 7), "sha256:");
            auto blob = c.Get("/v2/" + repo + "/blobs/" + l["digest"].get<std::string>());
            ASSERT_TRUE(blob);
            EXPECT_EQ(blob->body.size(), l["size"].get<std::size_t>());
            EXPECT_EQ(l["mediaType"], title == archive
                                          ? "application/vnd.temporal-libs.archive.v1.tar+gzip"
                                          : "text/plain");
        }
        EXPECT_EQ(titles, (std::vector<std::string>{"SHA256SUMS", archive, archive + ".sha256"}));
    }
}

#define REQUIRE_REGISTRY()                                                          \
    if (!DockerRegistry::available()) {                                             \
        GTEST_SKIP() << "docker-registry is not installed (scripts/deps/test.txt)"; \
    }

TEST(OciReference, ParsesHostsAndRepositories) {
    auto r = oci::parse_reference("oci://127.0.0.1:5000/team/temporal-libs",
                                  http::PlainHttp::loopback_only);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->host, "127.0.0.1:5000");
    EXPECT_EQ(r->repository, "team/temporal-libs");
    EXPECT_EQ(r->base_url, "http://127.0.0.1:5000");
    auto remote =
        oci::parse_reference("oci://registry.example/team/tl", http::PlainHttp::loopback_only);
    ASSERT_TRUE(remote);
    EXPECT_EQ(remote->base_url, "https://registry.example");
    auto allowed = oci::parse_reference("oci://registry.example/team/tl", http::PlainHttp::allowed);
    EXPECT_EQ(allowed->base_url, "http://registry.example");
    EXPECT_FALSE(oci::parse_reference("https://registry.example/x", http::PlainHttp::allowed));
    EXPECT_FALSE(oci::parse_reference("oci://registry.example", http::PlainHttp::allowed));
    EXPECT_FALSE(oci::parse_reference("oci://u:p@registry.example/x", http::PlainHttp::allowed));
    EXPECT_FALSE(oci::parse_reference("oci://registry.example/Team", http::PlainHttp::allowed));
}

TEST(OciLayout, ManifestJsonRoundTrips) {
    oci::Manifest m;
    m.artifact_type = std::string(oci::k_artifact_type);
    m.config = {
        std::string(oci::k_empty_media_type), std::string(oci::k_empty_digest), 2, {}, {}, {}};
    oci::Descriptor layer{oci::layer_media_type("a.tar.zst"),
                          "sha256:" + std::string(64, 'a'),
                          7,
                          {{std::string(oci::k_title_annotation), "a.tar.zst"}},
                          {},
                          {}};
    m.layers.push_back(layer);
    std::string text = oci::manifest_json(m);
    EXPECT_EQ(text, oci::manifest_json(m));  // deterministic
    json j = json::parse(text);
    EXPECT_EQ(j["config"]["data"], "e30=");
    EXPECT_EQ(j["layers"][0]["mediaType"], "application/vnd.temporal-libs.archive.v1.tar+zstd");
    auto back = oci::parse_manifest(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->layers.at(0).annotations.at("org.opencontainers.image.title"), "a.tar.zst");
    EXPECT_EQ(back->layers.at(0).size, 7u);
    EXPECT_FALSE(oci::parse_manifest("{\"layers\": [{\"digest\": 3}]}"));
    EXPECT_FALSE(oci::parse_index("[]"));
    EXPECT_EQ(oci::sha256_hex("sha256:" + std::string(64, 'A')), std::string(64, 'a'));
    EXPECT_EQ(oci::sha256_hex("sha512:abc"), "");
}

TEST(OciRegistry, MirrorThenInstallAnonymously) {
    REQUIRE_REGISTRY();
    Origin origin({"temporal-libs-v1.0.1", k_tag});
    DockerRegistry registry(origin.dir / "registry");
    auto client = http::make_curl_client({});
    const std::string url = registry.url("team/temporal-libs");
    for (const std::string& tag : std::vector<std::string>{"temporal-libs-v1.0.1", k_tag}) {
        auto dest = oci::make_oci_destination(*client, url, oci_options(), origin.console);
        mirror_release(*origin.source, *dest, tag, origin.dir / ("mirror-" + tag), origin.console);
    }
    check_layout(registry.host(), "team/temporal-libs");

    // Running it again copies nothing new: no blob upload, no manifest pushed.
    int uploads = registry.count_requests("POST", "/blobs/uploads/");
    int manifests = registry.count_requests("PUT", "/manifests/");
    EXPECT_EQ(uploads, 2 * 7 + 1);  // 3 archives, 3 sidecars, SHA256SUMS per release; one {}
    auto again = oci::make_oci_destination(*client, url, oci_options(), origin.console);
    mirror_release(*origin.source, *again, k_tag, origin.dir / "mirror-again", origin.console);
    EXPECT_EQ(registry.count_requests("POST", "/blobs/uploads/"), uploads);
    EXPECT_EQ(registry.count_requests("PUT", "/manifests/"), manifests);

    auto oci = oci::make_oci_source(*client, url, oci_options(), origin.console);
    EXPECT_EQ(oci->name(), url);
    expect_same_libraries(origin, *oci, origin.dir / "caches");

    auto latest = oci->latest("temporal-libs-");
    ASSERT_TRUE(latest && *latest);
    EXPECT_EQ((*latest)->tag, k_tag);
    // Resuming: the registry answers Range (and If-Range with its ETag) on blobs.
    const source::AssetInfo& first = (*latest)->assets.front();
    http::StringSink part;
    auto head = oci->fetch(first, {10, 0, ""}, part);
    ASSERT_TRUE(head) << head.error().message;
    EXPECT_EQ(head->status, 206);
    auto etag = head->headers.get("etag");
    ASSERT_TRUE(etag);
    auto whole = oci->fetch_small(first, 1u << 20);
    ASSERT_TRUE(whole) << whole.error().message;
    EXPECT_EQ(part.body, whole->substr(10));
    http::StringSink resumed;
    auto same = oci->fetch(first, {10, 0, *etag}, resumed);
    ASSERT_TRUE(same);
    EXPECT_EQ(same->status, 206);
    auto tags = oci->tags("temporal-libs-", 10);
    ASSERT_TRUE(tags);
    EXPECT_EQ(*tags, (std::vector<std::string>{k_tag, "temporal-libs-v1.0.1"}));
    auto missing = oci->release("temporal-libs-v9.9.9");
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);
    auto other_repo =
        oci::make_oci_source(*client, registry.url("nobody/here"), oci_options(), origin.console);
    auto none = other_repo->release(k_tag);
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_FALSE(*none);
}

TEST(OciRegistry, BasicAuthFromCredentialsFileAndDockerConfig) {
    REQUIRE_REGISTRY();
    Origin origin;
    DockerRegistry registry(origin.dir / "registry", {"ci", "s3cret-Passw0rd"});
    EnvGuard env;
    env.set("HOME", (origin.dir / "home").string());
    env.set("XDG_CONFIG_HOME", (origin.dir / "xdg").string());
    env.set("DOCKER_CONFIG", (origin.dir / "no-docker").string());
    env.set("REGISTRY_PASSWORD", "s3cret-Passw0rd");
    write_file(origin.dir / "credentials.toml", "[\"" + registry.host() +
                                                    "\"]\nusername = \"ci\"\n"
                                                    "password_env = \"REGISTRY_PASSWORD\"\n");
    env.set("TEMPORAL_LIBS_CREDENTIALS_FILE", (origin.dir / "credentials.toml").string());
    auto client = http::make_curl_client({});
    const std::string url = registry.url("team/temporal-libs");
    CapturedConsole out;
    {
        auto dest = oci::make_oci_destination(*client, url, oci_options(), out.console);
        mirror_release(*origin.source, *dest, k_tag, origin.dir / "mirror", out.console);
        auto oci = oci::make_oci_source(*client, url, oci_options(), out.console);
        expect_same_libraries(origin, *oci, origin.dir / "file-caches");
    }
    // Without any credentials the registry's demand is explained.
    env.set("TEMPORAL_LIBS_CREDENTIALS_FILE", (origin.dir / "absent.toml").string());
    {
        auto oci = oci::make_oci_source(*client, url, oci_options(), out.console);
        auto r = oci->release(k_tag);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find("requires credentials"), std::string::npos)
            << r.error().message;
        EXPECT_NE(r.error().message.find(registry.host()), std::string::npos);
    }
    // The same from a Docker config.json.
    std::string auth = base64_credentials("ci:s3cret-Passw0rd");
    write_file(origin.dir / "docker" / "config.json",
               "{\"auths\": {\"" + registry.host() + "\": {\"auth\": \"" + auth + "\"}}}");
    env.set("DOCKER_CONFIG", (origin.dir / "docker").string());
    {
        auto oci = oci::make_oci_source(*client, url, oci_options(), out.console);
        auto r = install_from(*oci, origin.dir / "docker-cache", "linux-x64", out.console);
        ASSERT_TRUE(r) << r.error().message;
    }
    std::string printed = out.text();
    EXPECT_EQ(printed.find("s3cret-Passw0rd"), std::string::npos);
    EXPECT_EQ(printed.find(auth), std::string::npos);
}

TEST(OciRegistry, WrongPasswordIsAClearError) {
    REQUIRE_REGISTRY();
    TestDir dir;
    DockerRegistry registry(dir / "registry", {"ci", "right-password"});
    EnvGuard env;
    env.set("HOME", (dir / "home").string());
    env.set("DOCKER_CONFIG", (dir / "no-docker").string());
    write_file(dir / "credentials.toml", "[\"" + registry.host() +
                                             "\"]\nusername = \"ci\"\n"
                                             "password = \"wrong-password\"\n");
    env.set("TEMPORAL_LIBS_CREDENTIALS_FILE", (dir / "credentials.toml").string());
    auto client = http::make_curl_client({});
    CapturedConsole out;
    auto oci = oci::make_oci_source(*client, registry.url("team/temporal-libs"), oci_options(),
                                    out.console);
    auto r = oci->release(k_tag);
    ASSERT_FALSE(r);
    const std::string& msg = r.error().message;
    EXPECT_EQ(r.error().kind, ErrorKind::usage);
    EXPECT_NE(msg.find("oci://" + registry.host() + "/team/temporal-libs"), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("refused the username and password"), std::string::npos) << msg;
    EXPECT_NE(msg.find((dir / "credentials.toml").string()), std::string::npos) << msg;
    EXPECT_EQ(msg.find("wrong-password"), std::string::npos) << msg;
    EXPECT_EQ(out.text().find("wrong-password"), std::string::npos);
    // Pushing says the same.
    auto dest = oci::make_oci_destination(*client, registry.url("team/temporal-libs"),
                                          oci_options(), out.console);
    auto e = dest->existing(k_tag);
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find("refused"), std::string::npos) << e.error().message;
}

TEST(OciRegistry, ChangedBlobIsRejected) {
    REQUIRE_REGISTRY();
    Origin origin;
    DockerRegistry registry(origin.dir / "registry");
    auto client = http::make_curl_client({});
    const std::string url = registry.url("team/temporal-libs");
    auto dest = oci::make_oci_destination(*client, url, oci_options(), origin.console);
    mirror_release(*origin.source, *dest, k_tag, origin.dir / "mirror", origin.console);

    auto oci = oci::make_oci_source(*client, url, oci_options(), origin.console);
    auto rel = oci->release(k_tag);
    ASSERT_TRUE(rel && *rel);
    std::string archive = release::archive_name(*platform::parse_platform("linux-x64"), k_tag,
                                                release::ArchiveFormat::tar_gz);
    const source::AssetInfo* a = (*rel)->find(archive);
    ASSERT_NE(a, nullptr);
    fs::path blob = registry.blob_file(a->locator);
    ASSERT_TRUE(fs::exists(blob));
    std::string bytes = read_file(blob);
    bytes[bytes.size() / 2] ^= 0x20;
    write_file(blob, bytes);

    auto r = install_from(*oci, origin.dir / "cache", "linux-x64", origin.console);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::integrity) << r.error().message;
    EXPECT_FALSE(fs::exists(origin.dir / "cache" / k_tag / "linux-x64"));
}

TEST(OciFront, BearerTokenFlowKeepsCredentialsOnTheirHosts) {
    FrontOptions options;
    options.bearer = true;
    options.redirect_blobs = true;
    RegistryFront front(options);
    Origin origin;
    EnvGuard env;
    env.set("HOME", (origin.dir / "home").string());
    env.set("DOCKER_CONFIG", (origin.dir / "no-docker").string());
    // Credentials for the registry only: the token service on another port must
    // not receive them.
    write_file(origin.dir / "credentials.toml", "[\"" + front.host() +
                                                    "\"]\nusername = \"ci\"\n"
                                                    "password = \"registry-only-secret\"\n");
    env.set("TEMPORAL_LIBS_CREDENTIALS_FILE", (origin.dir / "credentials.toml").string());
    auto client = http::make_curl_client({});
    const std::string url = front.url("team/temporal-libs");
    CapturedConsole out;
    auto dest = oci::make_oci_destination(*client, url, oci_options(), out.console);
    mirror_release(*origin.source, *dest, k_tag, origin.dir / "mirror", out.console);
    auto oci = oci::make_oci_source(*client, url, oci_options(), out.console);
    expect_same_libraries(origin, *oci, origin.dir / "caches");

    auto tokens = front.tokens();
    ASSERT_FALSE(tokens.empty());
    int token_requests = 0, storage_requests = 0, bearer_requests = 0;
    for (const auto& r : front.requests()) {
        switch (r.server) {
            case FrontServer::token:
                ++token_requests;
                EXPECT_EQ(r.authorization, "") << "credentials sent to the token service";
                break;
            case FrontServer::storage:
                ++storage_requests;
                EXPECT_EQ(r.authorization, "") << "Authorization followed a redirect";
                break;
            case FrontServer::registry:
                if (r.authorization.rfind("Bearer front-token-", 0) == 0) {
                    ++bearer_requests;
                }
                EXPECT_EQ(r.authorization.rfind("Basic", 0), std::string::npos);
                break;
        }
    }
    // One token per scope and client: push for the mirror, pull for the source.
    EXPECT_EQ(token_requests, 2);
    EXPECT_GT(storage_requests, 0);
    EXPECT_GT(bearer_requests, 0);
    std::string printed = out.text();
    for (const auto& t : tokens) {
        EXPECT_EQ(printed.find(t), std::string::npos);
    }
}

TEST(OciFront, ExpiredTokenIsRenewedOnce) {
    FrontOptions options;
    options.bearer = true;
    RegistryFront front(options);
    Origin origin;
    auto client = http::make_curl_client({});
    const std::string url = front.url("team/temporal-libs");
    auto dest = oci::make_oci_destination(*client, url, oci_options(), origin.console);
    mirror_release(*origin.source, *dest, k_tag, origin.dir / "mirror", origin.console);
    std::size_t before = front.tokens().size();
    // Tokens now expire after two requests: the install (index, three
    // manifests, checksum file, archive) renews its token along the way.
    front.set_token_uses(2);
    auto oci = oci::make_oci_source(*client, url, oci_options(), origin.console);
    auto r = install_from(*oci, origin.dir / "cache", "linux-x64", origin.console);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_GE(front.tokens().size(), before + 3);
}

TEST(OciFront, TokenServiceGetsOnlyItsOwnCredentials) {
    FrontOptions options;
    options.bearer = true;
    options.token_basic = "robot:token-host-secret";
    RegistryFront front(options);
    TestDir dir;
    EnvGuard env;
    env.set("HOME", (dir / "home").string());
    env.set("DOCKER_CONFIG", (dir / "no-docker").string());
    front.add_manifest("team/tl", k_tag, std::string(oci::k_manifest_media_type),
                       oci::manifest_json({std::string(oci::k_artifact_type), {}, {}}));
    auto client = http::make_curl_client({});
    util::Console console(stderr);
    // Registry credentials alone: not sent to the token service, which refuses.
    write_file(dir / "registry-only.toml",
               "[\"" + front.host() + "\"]\nusername = \"ci\"\npassword = \"registry-secret\"\n");
    env.set("TEMPORAL_LIBS_CREDENTIALS_FILE", (dir / "registry-only.toml").string());
    {
        auto oci = oci::make_oci_source(*client, front.url("team/tl"), oci_options(), console);
        auto r = oci->release(k_tag);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find("requires credentials for \"" + front.token_host()),
                  std::string::npos)
            << r.error().message;
    }
    // Credentials configured for the token host: sent there, and the release resolves.
    write_file(dir / "both.toml",
               "[\"" + front.host() +
                   "\"]\nusername = \"ci\"\npassword = \"registry-secret\"\n"
                   "[\"" +
                   front.token_host() +
                   "\"]\nusername = \"robot\"\npassword = \"token-host-secret\"\n");
    env.set("TEMPORAL_LIBS_CREDENTIALS_FILE", (dir / "both.toml").string());
    auto oci = oci::make_oci_source(*client, front.url("team/tl"), oci_options(), console);
    auto r = oci->release(k_tag);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(*r);
    std::string robot = "Basic " + base64_credentials("robot:token-host-secret");
    std::string ci = "Basic " + base64_credentials("ci:registry-secret");
    bool robot_sent = false;
    for (const auto& req : front.requests()) {
        EXPECT_NE(req.authorization, ci) << "registry credentials sent to " << req.path;
        if (req.server == FrontServer::token && req.authorization == robot) {
            robot_sent = true;
        }
        if (req.server == FrontServer::registry) {
            EXPECT_NE(req.authorization, robot);
        }
    }
    EXPECT_TRUE(robot_sent);
}

TEST(OciFront, ReadsOneManifestAsOrasPushesIt) {
    RegistryFront front(FrontOptions{});
    auto client = http::make_curl_client({});
    util::Console console(stderr);
    auto ref = oci::parse_reference(front.url("team/tl"), http::PlainHttp::loopback_only);
    ASSERT_TRUE(ref);
    oci::Registry registry(*client, *ref, oci_options(), console);
    const std::string archive = "temporal-static-libs-linux-x64-v1.0.2.tar.gz";
    const std::string bytes = "not really a tarball";
    const std::string sidecar = util::sha256_hex(bytes) + "  " + archive + "\n";
    std::string empty_digest(oci::k_empty_digest);
    for (const std::string* blob : {&bytes, &sidecar}) {
        auto up = registry.upload_small_blob("sha256:" + util::sha256_hex(*blob), *blob);
        ASSERT_TRUE(up && *up);
    }
    auto config = registry.upload_small_blob(empty_digest, "{}");
    ASSERT_TRUE(config && *config);
    auto again = registry.upload_small_blob(empty_digest, "{}");
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);  // already there: nothing sent
    EXPECT_EQ(registry.uploads(), 3u);
    // What `oras push --artifact-type ... file:type ...` writes, creation time included.
    json m = {{"schemaVersion", 2},
              {"mediaType", oci::k_manifest_media_type},
              {"artifactType", oci::k_artifact_type},
              {"config",
               {{"mediaType", oci::k_empty_media_type},
                {"digest", empty_digest},
                {"size", 2},
                {"data", "e30="}}},
              {"layers",
               {{{"mediaType", "application/vnd.temporal-libs.archive.v1.tar+gzip"},
                 {"digest", "sha256:" + util::sha256_hex(bytes)},
                 {"size", bytes.size()},
                 {"annotations", {{"org.opencontainers.image.title", archive}}}},
                {{"mediaType", "text/plain"},
                 {"digest", "sha256:" + util::sha256_hex(sidecar)},
                 {"size", sidecar.size()},
                 {"annotations", {{"org.opencontainers.image.title", archive + ".sha256"}}}},
                {{"mediaType", "application/octet-stream"},
                 {"digest", "sha256:" + util::sha256_hex(bytes)},
                 {"size", bytes.size()}}}},
              {"annotations", {{"org.opencontainers.image.created", "2026-01-01T00:00:00Z"}}}};
    auto put = registry.put_manifest(k_tag, std::string(oci::k_manifest_media_type), m.dump());
    ASSERT_TRUE(put) << put.error().message;

    auto oci = oci::make_oci_source(*client, front.url("team/tl"), oci_options(), console);
    auto rel = oci->release(k_tag);
    ASSERT_TRUE(rel && *rel) << (rel ? "no release" : rel.error().message);
    ASSERT_EQ((*rel)->assets.size(), 2u);  // the untitled layer is not a file
    const source::AssetInfo* a = (*rel)->find(archive);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->size, bytes.size());
    EXPECT_EQ(a->reported_digest, util::sha256_hex(bytes));
    auto text = oci->fetch_small(*(*rel)->find(archive + ".sha256"), 4096);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text, sidecar);
}

TEST(OciFront, ManifestsMustMatchTheirDescriptors) {
    RegistryFront front(FrontOptions{});
    std::string manifest = oci::manifest_json({std::string(oci::k_artifact_type), {}, {}});
    std::string digest = "sha256:" + util::sha256_hex(manifest);
    front.add_manifest("team/tl", "x-linux-x64", std::string(oci::k_manifest_media_type), manifest);
    auto index_for = [&](const std::string& d, std::size_t size) {
        oci::Index index;
        index.manifests.push_back(
            {std::string(oci::k_manifest_media_type), d, size, {}, "linux", "amd64"});
        return oci::index_json(index);
    };
    // The size in the index disagrees with the manifest.
    front.add_manifest("team/tl", "temporal-libs-v1.0.0", std::string(oci::k_index_media_type),
                       index_for(digest, manifest.size() + 1));
    // The registry answers a digest with other bytes.
    std::string other = oci::manifest_json({"application/x-other", {}, {}});
    std::string other_digest = "sha256:" + util::sha256_hex(other);
    front.add_manifest("team/tl", other_digest, std::string(oci::k_manifest_media_type), manifest);
    front.add_manifest("team/tl", "temporal-libs-v2.0.0", std::string(oci::k_index_media_type),
                       index_for(other_digest, manifest.size()));
    front.add_manifest("team/tl", "temporal-libs-v3.0.0", std::string(oci::k_index_media_type),
                       index_for(digest, manifest.size()));
    auto client = http::make_curl_client({});
    util::Console console(stderr);
    auto oci = oci::make_oci_source(*client, front.url("team/tl"), oci_options(), console);
    for (const std::string& tag :
         std::vector<std::string>{"temporal-libs-v1.0.0", "temporal-libs-v2.0.0"}) {
        auto r = oci->release(tag);
        ASSERT_FALSE(r) << tag;
        EXPECT_EQ(r.error().kind, ErrorKind::integrity) << r.error().message;
    }
    auto good = oci->release("temporal-libs-v3.0.0");
    ASSERT_TRUE(good && *good) << (good ? "none" : good.error().message);
}

TEST(OciFront, AWebServerIsNotARegistry) {
    FakeGitHub github;
    auto client = http::make_curl_client({});
    util::Console console(stderr);
    std::string host = github.api_url().substr(github.api_url().find("://") + 3);
    auto oci = oci::make_oci_source(*client, "oci://" + host + "/team/tl", oci_options(), console);
    auto r = oci->release(k_tag);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("is not an OCI registry"), std::string::npos)
        << r.error().message;
}

TEST(OciFront, TagListFollowsLinkPagination) {
    FrontOptions options;
    options.tags_per_page = 2;
    RegistryFront front(options);
    std::string body = oci::manifest_json({std::string(oci::k_artifact_type), {}, {}});
    for (const std::string v : {"v1.0.2", "v1.10.0", "v1.9.1", "v0.9.0", "v1.2.0-rc1"}) {
        front.add_manifest("team/tl", "temporal-libs-" + v, std::string(oci::k_manifest_media_type),
                           body);
    }
    front.add_manifest("team/tl", "temporal-libs-v1.10.0-linux-x64",
                       std::string(oci::k_manifest_media_type), body);
    front.add_manifest("team/tl", "other-v9.0.0", std::string(oci::k_manifest_media_type), body);
    auto client = http::make_curl_client({});
    util::Console console(stderr);
    auto oci = oci::make_oci_source(*client, front.url("team/tl"), oci_options(), console);
    auto tags = oci->tags("temporal-libs-", 10);
    ASSERT_TRUE(tags) << tags.error().message;
    EXPECT_EQ(*tags, (std::vector<std::string>{"temporal-libs-v1.10.0", "temporal-libs-v1.9.1",
                                               "temporal-libs-v1.2.0-rc1", "temporal-libs-v1.0.2",
                                               "temporal-libs-v0.9.0"}));
    int pages = 0;
    for (const auto& r : front.requests()) {
        pages += r.path.find("/tags/list") != std::string::npos ? 1 : 0;
    }
    EXPECT_EQ(pages, 4);  // 7 tags, 2 per page
    auto latest = oci->latest("temporal-libs-");
    ASSERT_TRUE(latest && *latest);
    EXPECT_EQ((*latest)->tag, "temporal-libs-v1.10.0");
}

}  // namespace
}  // namespace tl
