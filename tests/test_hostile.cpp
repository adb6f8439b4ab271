// A hostile server, a hostile archive, a hostile co-user of a shared cache:
// what each may cost or reach is bounded (docs/security.md).

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/archive_builder.hpp"
#include "support/registry_front.hpp"
#include "support/release_fixture.hpp"
#include "support/test_util.hpp"
#include "tl/archive/budget.hpp"
#include "tl/archive/extract.hpp"
#include "tl/github/checks.hpp"
#include "tl/http/endpoint.hpp"
#include "tl/http/url.hpp"
#include "tl/oci/layout.hpp"
#include "tl/oci/oci_source.hpp"
#include "tl/release/contract.hpp"
#include "tl/release/tags.hpp"
#include "tl/source/source.hpp"
#include "tl/trust/lockfile.hpp"
#include "tl/util/escape.hpp"
#include "tl/util/json.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

using namespace tl;
using namespace tl::testing;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Bytes under `root`, every regular file counted, links not followed.
std::uint64_t bytes_under(const fs::path& root) {
    std::uint64_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
        if (e.is_regular_file(ec) && !e.is_symlink(ec)) {
            n += e.file_size(ec);
        }
    }
    return n;
}

// Replaces the fixture's archive with `bytes` (and a matching .sha256 unless
// `checksum` is given).
void use_archive(ReleaseFixture& f, std::string bytes, std::string checksum = "") {
    f.archive_bytes = std::move(bytes);
    f.checksum_text = checksum.empty()
                          ? util::sha256_hex(f.archive_bytes) + "  " + f.archive_name + "\n"
                          : checksum;
}

std::vector<std::string> download_args(const ReleaseFixture& f, const std::string& version) {
    return {"download", "--version", version, "--platform", f.platform, "--retries", "1", "--json"};
}

// A static mirror (source/mirror_layout.hpp) on 127.0.0.1 that misbehaves on
// request: an asset body that never ends, an index that trickles.
class HostileMirror {
public:
    HostileMirror() {
        m_server.Get(R"(/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
            serve(req, res);
        });
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        while (!m_server.is_running()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    ~HostileMirror() {
        m_stopping = true;
        m_server.stop();
        m_thread.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/"; }

    // Serves `path` (no leading '/') with `body`.
    void put(const std::string& path, std::string body) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_files[path] = std::move(body);
    }
    // The release `tag` with these assets, listed in its index with their real sizes.
    void put_release(const std::string& tag,
                     const std::vector<std::pair<std::string, std::string>>& assets) {
        json list = json::array();
        for (const auto& [name, body] : assets) {
            list.push_back(
                {{"name", name}, {"size", body.size()}, {"sha256", util::sha256_hex(body)}});
            put(tag + "/" + name, body);
        }
        put(tag + "/index.json", json({{"format", 1}, {"tag", tag}, {"assets", list}}).dump());
    }
    void put_tags(const std::vector<std::string>& tags) {
        put("index.json", json({{"format", 1}, {"tags", tags}}).dump());
    }
    // This path is sent as its bytes, then zeros until the client hangs up.
    void endless(const std::string& path) { m_endless = path; }
    // This path is sent one byte every 100 ms, never ending.
    void trickle(const std::string& path) { m_trickle = path; }
    std::uint64_t bytes_sent() const { return m_sent; }

private:
    void serve(const httplib::Request& req, httplib::Response& res) {
        std::string path = req.path.substr(1);
        std::string body;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            auto it = m_files.find(path);
            if (it == m_files.end() && path != m_trickle) {
                res.status = 404;
                return;
            }
            if (it != m_files.end()) {
                body = it->second;
            }
        }
        if (path == m_endless || path == m_trickle) {
            bool slow = path == m_trickle;
            res.set_chunked_content_provider(
                "application/octet-stream",
                [this, body, slow](std::size_t offset, httplib::DataSink& sink) {
                    if (m_stopping) {
                        return false;
                    }
                    if (slow) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(100));
                        m_sent += 1;
                        return sink.write(offset == 0 ? "[" : " ", 1);
                    }
                    std::string chunk = offset < body.size() ? body.substr(offset, 65536)
                                                             : std::string(65536, '\0');
                    m_sent += chunk.size();
                    return sink.write(chunk.data(), chunk.size());
                });
            return;
        }
        m_sent += body.size();
        res.set_content(body, "application/octet-stream");
    }

    httplib::Server m_server;
    std::thread m_thread;
    int m_port = 0;
    std::mutex m_mutex;
    std::map<std::string, std::string> m_files;
    std::string m_endless;
    std::string m_trickle;
    std::atomic<std::uint64_t> m_sent{0};
    std::atomic<bool> m_stopping{false};
};

// The fixture's release served by a HostileMirror.
struct MirrorFixture : ReleaseFixture {
    HostileMirror mirror;
    MirrorFixture() { serve(); }
    void serve() {
        mirror.put_release(
            tag, {{archive_name, archive_bytes}, {archive_name + ".sha256", checksum_text}});
        mirror.put_tags({tag});
    }
    ProcessResult download(const std::string& which = "",
                           std::map<std::string, std::string> env = {}) const {
        std::vector<std::string> args = download_args(*this, which.empty() ? version : which);
        env["TEMPORAL_LIBS_SOURCES"] = mirror.url();
        return run(args, env);
    }
};

TarEntry file_entry(const std::string& path, const std::string& content,
                    std::uint64_t declared_size = 0) {
    TarEntry e;
    e.path = path;
    e.content = content;
    e.declared_size = declared_size;
    return e;
}

FakeAsset fake_asset(const std::string& name, const std::string& content) {
    FakeAsset a;
    a.name = name;
    a.content = content;
    return a;
}

std::string tag_of(const ProcessResult& r) {
    json j = json::parse(r.out, nullptr, false);
    return j.is_object() && j.contains("tag") ? j["tag"].get<std::string>() : "";
}

}  // namespace

// --- 1: a body longer than its declared size ---------------------------------

TEST(HostileServer, BodyLongerThanTheDeclaredSizeIsCutOffAndDiscarded) {
    MirrorFixture f;
    f.mirror.endless(f.tag + "/" + f.archive_name);
    auto r = f.download();
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "sent more of")) << r.err;
    EXPECT_TRUE(contains(r.err, std::to_string(f.archive_bytes.size()) + " bytes")) << r.err;
    // Stopped at the declared size: what went beyond is what socket buffers
    // held, not an endless stream.
    EXPECT_LT(f.mirror.bytes_sent(), 64ull << 20);
    EXPECT_FALSE(fs::exists(f.entry()));
    EXPECT_LT(bytes_under(f.cache()), 64u << 10) << "a partial download was left behind";
}

// --- 2: bombs bounded before the digest is known -------------------------------

TEST(HostileArchive, BombIsRefusedAtTheExpansionRatioBeforeTheDigest) {
    ReleaseFixture f;
    TestDir work;
    // 200 MiB of zeros in a small gzip: extraction runs while downloading, so
    // the ratio to the declared size stops it at the floor, 64 MiB.
    fs::path bomb = work / "bomb.tar.gz";
    write_tar(bomb, {file_entry("libtemporalio_sdk_core.a", "!<arch>\n", 200ull << 20)});
    std::string bytes = read_file(bomb);
    ASSERT_LT(bytes.size(), 1u << 20);
    use_archive(f, bytes);
    f.publish();
    auto r = f.run(download_args(f, f.version));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "expands to more than 67.1 MB")) << r.err;
    EXPECT_TRUE(contains(r.err, "max_expansion_ratio")) << r.err;
    EXPECT_FALSE(fs::exists(f.entry()));
}

TEST(HostileArchive, BombWithAWrongChecksumAndDigestIsBoundedToo) {
    ReleaseFixture f;
    TestDir work;
    // The same bomb, but its .sha256 and the API's digest both name other
    // bytes: the digest is only known to be wrong at the end, so the bound
    // must hold on this path as well.
    fs::path bomb = work / "bomb.tar.gz";
    write_tar(bomb, {file_entry("libtemporalio_sdk_core.a", "!<arch>\n", 200ull << 20)});
    const std::string wrong(64, 'a');
    use_archive(f, read_file(bomb), wrong + "  " + f.archive_name + "\n");
    f.archive_digest_override = "sha256:" + wrong;
    f.publish();
    auto r = f.run(download_args(f, f.version));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "expands to more than 67.1 MB") || contains(r.err, "mismatch"))
        << r.err;
    EXPECT_FALSE(contains(r.err, "No space left")) << r.err;
    EXPECT_FALSE(fs::exists(f.entry()));
    EXPECT_LT(bytes_under(f.cache()), 64u << 10) << "staging or a partial download was left behind";
}

TEST(HostileArchive, AbsoluteExtractionLimitIsASetting) {
    ReleaseFixture f;
    f.publish();
    auto r = f.run(download_args(f, f.version), {{"TEMPORAL_LIBS_MAX_EXTRACTED_MIB", "0"}});
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "max_extracted_mib")) << r.err;
    auto ok = f.run(download_args(f, f.version));
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(HostileArchive, DeclaredSizeOverTheArchiveLimitIsRefusedBeforeDownloading) {
    ReleaseFixture f;
    f.publish();
    auto r = f.run(download_args(f, f.version), {{"TEMPORAL_LIBS_MAX_ARCHIVE_MIB", "0"}});
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, "max_archive_mib")) << r.err;
    EXPECT_EQ(f.archive_downloads(), 0u);
}

TEST(HostileArchive, SparseEntryIsRefused) {
    TestDir dir;
    fs::path tar = dir / "sparse.tar";
    {
        // One data byte, then a 3 GiB hole: GNU sparse in pax headers.
        struct archive* a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        ASSERT_EQ(archive_write_open_filename(a, tar.c_str()), ARCHIVE_OK);
        struct archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, "libx.a");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, 3ll << 30);
        archive_entry_sparse_add_entry(e, 0, 1);
        archive_write_header(a, e);
        archive_write_data(a, "!", 1);
        archive_entry_free(e);
        archive_write_close(a);
        archive_write_free(a);
    }
    fs::path dest = dir / "out";
    fs::create_directories(dest);
    auto r = archive::extract_file(tar, dest);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, ErrorKind::integrity);
    EXPECT_TRUE(contains(r.error().message, "sparse")) << r.error().message;
    EXPECT_LT(bytes_under(dest), 1u << 20);
}

TEST(HostileArchive, BudgetIsTheRatioOfTheCompressedSizeWithAFloor) {
    archive::Limits l;
    EXPECT_EQ(archive::extraction_budget(l, 0, 20), l.max_total_size);
    EXPECT_EQ(archive::extraction_budget(l, 100ull << 20, 20), 2000ull << 20);
    EXPECT_EQ(archive::extraction_budget(l, 1000, 20), archive::k_min_expansion_allowance);
    EXPECT_EQ(archive::extraction_budget(l, 100ull << 20, 0), l.max_total_size);
    l.max_total_size = 1 << 20;
    EXPECT_EQ(archive::extraction_budget(l, 1000, 20), 1u << 20);
    l.max_total_size = ~std::uint64_t{0};
    EXPECT_EQ(archive::extraction_budget(l, ~std::uint64_t{0} / 2, 20), l.max_total_size);
}

// --- nit: a 300-character name is a bad archive; 6: non-UTF-8; 11: reserved ----

namespace {

Failure extract_failure(const std::vector<TarEntry>& entries) {
    TestDir dir;
    fs::path tar = dir / "x.tar.gz";
    write_tar(tar, entries);
    fs::path dest = dir / "out";
    fs::create_directories(dest);
    auto r = archive::extract_file(tar, dest);
    EXPECT_FALSE(r.has_value());
    return r ? Failure{} : r.error();
}

}  // namespace

TEST(HostileArchive, OverlongEntryNameIsABadArchiveNotADiskError) {
    Failure f = extract_failure({file_entry(std::string(300, 'a') + ".a", "x")});
    EXPECT_EQ(f.kind, ErrorKind::integrity) << f.message;
    EXPECT_TRUE(contains(f.message, "longer than 255")) << f.message;
}

TEST(HostileArchive, NamesThatAreNotUtf8AreUnsafeAndShownEscaped) {
    Failure f = extract_failure({file_entry("lib\xff\xfe.a", "x")});
    EXPECT_EQ(f.kind, ErrorKind::integrity) << f.message;
    EXPECT_TRUE(contains(f.message, "lib\\xff\\xfe.a")) << f.message;
    EXPECT_TRUE(util::is_valid_utf8(f.message));
    Failure esc = extract_failure({file_entry("lib\x1b]0;PWNED\a.a", "x")});
    EXPECT_EQ(esc.kind, ErrorKind::integrity);
    EXPECT_FALSE(util::has_control_chars(esc.message)) << esc.message;
}

TEST(HostileArchive, NamesTheCacheUsesForItselfAreRefused) {
    for (const std::string name :
         {".temporal-libs-entry.json", "./.temporal-libs-entry.json", ".staging-linux-x64-1/x"}) {
        Failure f = extract_failure({file_entry(name, "{}")});
        EXPECT_EQ(f.kind, ErrorKind::integrity) << name;
        EXPECT_TRUE(contains(f.message, "for itself")) << f.message;
    }
}

TEST(HostileArchive, AnArchiveShippingAnEntryRecordIsNotInstalled) {
    ReleaseFixture f;
    TestDir work;
    fs::path tar = work / "x.tar.gz";
    std::vector<TarEntry> entries;
    for (const auto& [name, content] : f.libs) {
        entries.push_back(file_entry("lib" + name + ".a", content));
    }
    entries.push_back(file_entry(".temporal-libs-entry.json", "{}"));
    write_tar(tar, entries);
    use_archive(f, read_file(tar));
    f.publish();
    auto r = f.run(download_args(f, f.version));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(contains(r.err, ".temporal-libs-entry.json")) << r.err;
}

// --- 4, 10: tags and asset names checked where they enter ----------------------

TEST(Tags, LibraryTagsAreStrict) {
    EXPECT_TRUE(release::is_library_tag("temporal-libs-v1.0.2"));
    EXPECT_TRUE(release::is_library_tag("temporal-libs-v1.1.0-rc.1+build_7"));
    for (const std::string& bad : std::vector<std::string>{
             "temporal-libs-", "temporal-libs-v9.9.9/nightly", "temporal-libs-v9.9.9/../../x",
             "temporal-libs-v1..2", "temporal-libs-v9.9.9\x1b]0;PWNED\a", "other-v1.0.0",
             "temporal-libs-cli-v9.9.9", std::string("temporal-libs-v") + std::string(200, '1'),
             std::string("temporal-libs-v1\0", 17)}) {
        EXPECT_FALSE(release::is_library_tag(bad)) << util::escape_controls(bad);
    }
    EXPECT_TRUE(contains(release::library_tag_problem("temporal-libs-cli-v9.9.9"), "tool"));
    EXPECT_TRUE(
        release::asset_name_problem("temporal-static-libs-linux-x64-v1.0.2.tar.gz").empty());
    for (const std::string bad : {"", ".", "..", "a/b", "../x", "a\nb", "a b"}) {
        EXPECT_FALSE(release::asset_name_problem(bad).empty()) << bad;
    }
}

TEST(Tags, NamedToolReleaseOrUnsafeTagIsRefused) {
    auto cli = release::normalize_tag("cli-v9.9.9");
    ASSERT_FALSE(cli);
    EXPECT_EQ(cli.error().kind, ErrorKind::usage);
    EXPECT_TRUE(contains(cli.error().message, "temporal-libs tool itself")) << cli.error().message;
    EXPECT_FALSE(release::normalize_tag("v1..2"));
    EXPECT_FALSE(release::normalize_tag("v9.9.9/nightly"));
    ASSERT_TRUE(release::normalize_tag("v1.0.2").has_value());

    ReleaseFixture f;
    f.publish();
    auto r = f.run(download_args(f, "temporal-libs-cli-v9.9.9"));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "temporal-libs tool itself")) << r.err;
}

TEST(Tags, LatestThroughGitHubSkipsToolReleasesAndUnsafeTags) {
    ReleaseFixture f;
    f.publish();
    // Newer than the library release: the tool's own release, a tag with a
    // slash (legal on GitHub) and one with a terminal escape.
    for (const std::string tag :
         {"temporal-libs-v9.9.9/nightly", "temporal-libs-v9.9.9\x1b]0;PWNED\a",
          "temporal-libs-cli-v9.9.9"}) {
        FakeRelease r;
        r.tag = tag;
        r.name = tag;
        r.assets.push_back(fake_asset(f.archive_name, f.archive_bytes));
        f.github.add_release(r);
    }
    auto r = f.run(download_args(f, "latest"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(tag_of(r), f.tag);
    EXPECT_TRUE(contains(r.err, "skipping release 'temporal-libs-v9.9.9/nightly'")) << r.err;
    EXPECT_TRUE(contains(r.err, "temporal-libs-v9.9.9\\x1b]0;PWNED\\x07")) << r.err;
    EXPECT_FALSE(contains(r.err, "\x1b]0;")) << "printed a raw terminal escape";
    EXPECT_FALSE(contains(r.err, "cli-v9.9.9")) << "the tool's releases are skipped silently";
    EXPECT_TRUE(fs::is_directory(f.entry()));
}

TEST(Tags, LatestThroughAMirrorSkipsToolReleases) {
    MirrorFixture f;
    f.mirror.put_release("temporal-libs-cli-v9.9.9", {{"temporal-libs-linux-x64", "binary"}});
    f.mirror.put_tags({"temporal-libs-cli-v9.9.9", f.tag});
    auto r = f.download("latest");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(tag_of(r), f.tag);
}

TEST(Tags, LatestThroughAnOciRegistrySkipsToolReleases) {
    FrontOptions options;
    RegistryFront front(options);
    std::string body = oci::manifest_json({std::string(oci::k_artifact_type), {}, {}});
    for (const std::string tag : {"temporal-libs-v1.0.2", "temporal-libs-cli-v9.9.9"}) {
        front.add_manifest("team/tl", tag, std::string(oci::k_manifest_media_type), body);
    }
    auto client = http::make_curl_client({});
    util::Console console(stderr);
    http::NetSettings so;
    so.retry.max_attempts = 1;
    auto oci = oci::make_oci_source(*client, front.url("team/tl"), so, console);
    auto latest = oci->latest("temporal-libs-");
    ASSERT_TRUE(latest && *latest) << (latest ? "none" : latest.error().message);
    EXPECT_EQ((*latest)->tag, "temporal-libs-v1.0.2");
    auto tags = oci->tags("temporal-libs-", 10);
    ASSERT_TRUE(tags);
    EXPECT_EQ(*tags, std::vector<std::string>{"temporal-libs-v1.0.2"});
}

TEST(Tags, MirrorNeverWritesOutsideItsDestination) {
    ReleaseFixture f;
    f.publish();
    FakeRelease evil;
    evil.tag = "temporal-libs-v9.9.9/../../escaped";
    evil.name = evil.tag;
    evil.assets.push_back(
        fake_asset("temporal-static-libs-linux-x64-v9.9.9/../../escaped.tar.gz", "x"));
    f.github.add_release(evil);
    fs::path to = f.dir / "a" / "b" / "mirror";
    auto r = f.run({"mirror", "--version", "latest", "--platform", f.platform, "--to", to.string(),
                    "--retries", "1"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(to / f.tag / f.archive_name)) << r.err;
    EXPECT_FALSE(fs::exists(f.dir / "a" / "escaped")) << r.err;
    EXPECT_FALSE(fs::exists(f.dir / "a" / "escaped.tar.gz")) << r.err;
    for (const auto& e : fs::recursive_directory_iterator(f.dir.path())) {
        EXPECT_FALSE(contains(e.path().filename().string(), "escaped")) << e.path();
    }
}

TEST(Tags, LockfileTagsAndNamesAreCheckedWhereTheyEnter) {
    const std::string digest(64, 'a');
    auto entry = [&](const std::string& tag, const std::string& archive) {
        return json({{"format", 1},
                     {"entries",
                      {{tag,
                        {{"linux-x64",
                          {{"archive", archive},
                           {"archive_sha256", digest},
                           {"first_seen", "2026-11-27T12:00:00Z"},
                           {"source", "github:proompteng/lab"},
                           {"libraries", json::object()}}}}}}}})
            .dump();
    };
    EXPECT_TRUE(
        trust::Lockfile::parse(entry("temporal-libs-v1.0.2", "a.tar.gz"), "lock").has_value());
    EXPECT_FALSE(trust::Lockfile::parse(entry("temporal-libs-v1.0.2/../../x", "a.tar.gz"), "l"));
    EXPECT_FALSE(trust::Lockfile::parse(entry("temporal-libs-cli-v9.9.9", "a.tar.gz"), "l"));
    EXPECT_FALSE(trust::Lockfile::parse(entry("temporal-libs-v1.0.2", "../a.tar.gz"), "l"));
}

// --- 5: planted links in a shared cache ----------------------------------------

TEST(SharedCache, PlantedPartialFileLinkIsMovedAsideNotWrittenThrough) {
    ReleaseFixture f;
    f.publish();
    fs::create_directories(f.cache() / ".partial");
    fs::path victim = f.dir / "victim";
    write_file(victim, "precious");
    fs::path part = f.cache() / ".partial" / (f.archive_name + ".part");
    fs::create_symlink(victim, part);
    // Metadata that matches the asset, as a co-user can write it: without the
    // fix, the download resumes into the link's target.
    httplib::Client api(f.github.api_url());
    auto rel = api.Get("/repos/proompteng/lab/releases/tags/" + f.tag);
    ASSERT_TRUE(rel && rel->status == 200);
    std::string locator;
    json release = json::parse(rel->body);
    for (const auto& a : release["assets"]) {
        if (a["name"] == f.archive_name) {
            locator = a["url"].get<std::string>();
        }
    }
    ASSERT_FALSE(locator.empty());
    std::string etag = "\"" + util::sha256_hex(f.archive_bytes).substr(0, 32) + "\"";
    write_file(part.string() + ".json", json({{"format", 1},
                                              {"locator", locator},
                                              {"size", f.archive_bytes.size()},
                                              {"validator", etag}})
                                            .dump());
    auto r = f.run(download_args(f, f.version));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(victim), "precious");
    EXPECT_TRUE(contains(r.err, "symbolic link")) << r.err;
    for (const auto& e : fs::directory_iterator(f.cache() / ".archives")) {
        EXPECT_FALSE(fs::is_symlink(e.symlink_status())) << e.path();
    }
}

TEST(SharedCache, PlantedLockLinkDoesNotCreateItsTarget) {
    ReleaseFixture f;
    f.publish();
    fs::create_directories(f.cache() / ".locks");
    fs::path target = f.dir / "created-by-the-tool";
    fs::create_symlink(target, f.cache() / ".locks" / (f.tag + "@" + f.platform + ".lock"));
    auto r = f.run(download_args(f, f.version));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(fs::exists(target));
}

TEST(SharedCache, PlantedTagOrEntryLinkIsMovedAsideAndTheEntryStaysInside) {
    for (bool whole_tag : {true, false}) {
        ReleaseFixture f;
        f.publish();
        fs::path outside = f.dir / "outside";
        fs::create_directories(outside);
        if (whole_tag) {
            fs::create_directories(f.cache());
            fs::create_symlink(outside, f.cache() / f.tag);
        } else {
            fs::create_directories(f.cache() / f.tag);
            fs::create_symlink(outside, f.entry());
        }
        auto r = f.run(download_args(f, f.version));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_TRUE(fs::is_directory(fs::symlink_status(f.entry())));
        EXPECT_FALSE(fs::is_symlink(f.cache() / f.tag));
        EXPECT_TRUE(fs::is_empty(outside)) << "installed through a planted link";
        EXPECT_TRUE(contains(r.err, "symbolic link")) << r.err;
    }
}

TEST(SharedCache, TheCacheRootItselfMayBeALink) {
    ReleaseFixture f;
    f.publish();
    fs::path real = f.dir / "real-cache";
    fs::create_directories(real);
    fs::create_symlink(real, f.cache());
    auto r = f.run(download_args(f, f.version));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::is_directory(real / f.tag / f.platform));
    EXPECT_FALSE(contains(r.err, "symbolic link")) << r.err;
}

// --- 3: nesting and size limits for every JSON document -------------------------

TEST(Documents, DeepNestingIsRefusedBeforeParsingAndNamesTheDocument) {
    std::string deep = std::string(10000, '[') + std::string(10000, ']');
    auto r = util::parse_json(deep, "the release list answer");
    ASSERT_FALSE(r);
    EXPECT_TRUE(contains(r.error().message, "the release list answer is nested deeper than 64"))
        << r.error().message;
    EXPECT_TRUE(util::parse_json(std::string(64, '[') + std::string(64, ']'), "x").has_value());
    // Brackets inside strings do not count.
    EXPECT_TRUE(util::parse_json("[\"" + std::string(500, '[') + "\"]", "x").has_value());
    EXPECT_FALSE(util::parse_json(std::string(33u << 20, ' '), "x"));

    auto lock = trust::Lockfile::parse("{\"entries\":" + deep + "}", "'temporal-libs.lock'");
    ASSERT_FALSE(lock);
    EXPECT_TRUE(contains(lock.error().message, "'temporal-libs.lock' is nested deeper"))
        << lock.error().message;
}

TEST(Documents, ADeepReleaseAnswerIsRefusedNamingIt) {
    ReleaseFixture f;
    f.publish();
    HostileMirror mirror;
    mirror.put("index.json", std::string(100000, '[') + std::string(100000, ']'));
    auto r = f.run(download_args(f, "latest"), {{"TEMPORAL_LIBS_SOURCES", mirror.url()}});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "nested deeper than 64")) << r.err;
}

TEST(Documents, ConfigValuesAreTypeChecked) {
    ReleaseFixture f;
    f.publish();
    write_file(f.dir / "temporal-libs.toml", "version = 5\n");
    auto r = f.run(download_args(f, f.version));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "'version'")) << r.err;
    EXPECT_TRUE(contains(r.err, "must be a string")) << r.err;
}

// --- 12: a total deadline for small documents -----------------------------------

TEST(Documents, ATricklingIndexHitsTheDocumentDeadline) {
    ReleaseFixture f;
    HostileMirror mirror;
    mirror.trickle("index.json");
    auto start = std::chrono::steady_clock::now();
    auto r = f.run(download_args(f, "latest"), {{"TEMPORAL_LIBS_SOURCES", mirror.url()},
                                                {"TEMPORAL_LIBS_DOCUMENT_TIMEOUT", "2"}});
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_NE(r.exit_code, 0) << r.err;
    EXPECT_LT(took, 30.0) << r.err;
}

TEST(Documents, DocumentTimeoutsCapTheTotal) {
    http::NetSettings net;
    net.timeouts.total = std::chrono::milliseconds(0);
    EXPECT_EQ(net.document_timeouts().total, std::chrono::milliseconds(60000));
    net.timeouts.total = std::chrono::milliseconds(5000);
    EXPECT_EQ(net.document_timeouts().total, std::chrono::milliseconds(5000));
    net.document_deadline = std::chrono::seconds(0);
    net.timeouts.total = std::chrono::milliseconds(0);
    EXPECT_EQ(net.document_timeouts().total, std::chrono::milliseconds(0));
}

// --- 7, 14: loopback and relative redirects -------------------------------------

TEST(Urls, LoopbackIsDecidedFromTheAddress) {
    for (const char* yes :
         {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "::ffff:127.0.0.1"}) {
        EXPECT_TRUE(http::is_loopback_host(yes)) << yes;
    }
    for (const char* no : {"127.attacker.invalid", "127.0.0.1.nip.io", "128.0.0.1", "::2",
                           "localhost.attacker.invalid", "example.com"}) {
        EXPECT_FALSE(http::is_loopback_host(no)) << no;
    }
    EXPECT_TRUE(
        http::check_url_allowed("http://127.attacker.invalid/x", http::PlainHttp::loopback_only)
            .has_value());
    EXPECT_FALSE(http::check_url_allowed("http://127.0.0.1:1/x", http::PlainHttp::loopback_only)
                     .has_value());
}

TEST(Urls, RelativeRedirectsAreResolvedByRfc3986) {
    const std::string base = "http://h.example/a/b/c?q=1";
    EXPECT_EQ(http::resolve_location(base, "d?next=https://x.example/"),
              "http://h.example:80/a/b/d?next=https://x.example/");
    EXPECT_EQ(http::resolve_location(base, "/p?u=http://x"), "http://h.example:80/p?u=http://x");
    EXPECT_EQ(http::resolve_location(base, "../d"), "http://h.example:80/a/d");
    EXPECT_EQ(http::resolve_location(base, "?z=1"), "http://h.example:80/a/b/c?z=1");
    EXPECT_EQ(http::resolve_location(base, "//o.example/x"), "http://o.example/x");
    EXPECT_EQ(http::resolve_location(base, "https://o.example/x"), "https://o.example/x");
    auto u = http::parse_url("http://h.example:80/p?u=http://x");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "h.example");
    EXPECT_FALSE(http::parse_url("/p?u=http://x"));
}

// --- 8: control characters in credentials ---------------------------------------

TEST(Credentials, ATokenWithControlCharactersIsRefusedNamingTheVariable) {
    ReleaseFixture f;
    f.publish();
    auto r =
        f.run(download_args(f, f.version), {{"GITHUB_TOKEN", "secret-value-123\r\nX-Injected: 1"}});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err + r.out, "GITHUB_TOKEN")) << r.err;
    EXPECT_FALSE(contains(r.err + r.out, "secret-value-123")) << r.err;
    for (const auto& req : f.github.requests()) {
        EXPECT_EQ(req.headers.count("x-injected"), 0u);
    }
}

TEST(Credentials, NoHeaderWithControlCharactersIsEverSent) {
    HostileMirror mirror;
    mirror.put("x", "y");
    auto client = http::make_curl_client({});
    http::Request req;
    req.url = mirror.url() + "x";
    req.headers = {{"If-Range", "\"etag\"\r\nX-Injected: 1"}};
    http::StringSink sink;
    auto r = client->send(req, sink);
    ASSERT_FALSE(r);
    EXPECT_TRUE(contains(r.error().message, "'If-Range' header holds a control character"))
        << r.error().message;
    EXPECT_EQ(mirror.bytes_sent(), 0u);
}

// --- 9: everything printed is escaped --------------------------------------------

TEST(Output, ControlCharactersAreEscapedInEverythingPrinted) {
    EXPECT_EQ(util::quoted("v\x1b]0;PWNED\a"), "'v\\x1b]0;PWNED\\x07'");
    EXPECT_EQ(util::scrub("line one\nline\ttwo\r\x1b[2J"), "line one\nline\ttwo\\x0d\\x1b[2J");
    EXPECT_EQ(util::escape_controls("caf\xc3\xa9 \xff"), "caf\xc3\xa9 \\xff");
    // C1 controls act on terminals too.
    EXPECT_EQ(util::escape_controls("a\xc2\x9b"
                                    "2J"),
              "a\\xc2\\x9b2J");
}

// --- 13: the repository name ------------------------------------------------------

TEST(Repo, RepositoryNamesFollowGitHubsRules) {
    EXPECT_TRUE(github::check_repo_name("proompteng/lab").has_value());
    EXPECT_TRUE(github::check_repo_name("a-b/c.d_e-f").has_value());
    for (const char* bad : {"owner/repo/releases/tags/x?", "../../x/y", "owner", "/repo", "owner/",
                            "-owner/x", "owner/..", "own er/x", "owner/x?y"}) {
        EXPECT_FALSE(github::check_repo_name(bad)) << bad;
    }
    ReleaseFixture f;
    f.publish();
    auto r =
        f.run(download_args(f, f.version), {{"TEMPORAL_LIBS_REPO", "owner/repo/releases/tags/x?"}});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(f.github.requests().empty());
}

// The seed corpus of tests/fuzz/fuzz_json.cpp (and any crash found since),
// replayed with the target's checks.
TEST(FuzzReplay, JsonInputs) {
    std::vector<fs::path> files;
    for (const char* kind : {"corpus", "crashes"}) {
        fs::path d = fs::path(TL_SOURCE_DIR) / "tests" / "fuzz" / kind / "json";
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(d, ec)) {
            if (e.is_regular_file()) {
                files.push_back(e.path());
            }
        }
    }
    ASSERT_FALSE(files.empty()) << "the seed corpus tests/fuzz/corpus/json is missing";
    int refused_for_depth = 0;
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        std::string text = read_file(file);
        auto j = util::parse_json(text, "fuzz", 8);
        if (j) {
            EXPECT_LE(util::json_depth(text, 8), 8);
        } else {
            EXPECT_FALSE(j.error().message.empty());
            refused_for_depth += contains(j.error().message, "nested deeper") ? 1 : 0;
        }
        EXPECT_TRUE(util::is_valid_utf8(util::dump_json(util::parse_json_or_discarded(text))));
    }
    EXPECT_GE(refused_for_depth, 2);
}

// --- nits ----------------------------------------------------------------------

TEST(Nits, CachePruneKeepZeroIsAccepted) {
    ReleaseFixture f;
    f.publish();
    ASSERT_EQ(f.run(download_args(f, f.version)).exit_code, 0);
    auto r = f.run({"cache", "prune", "--keep", "0", "--dry-run"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "keeping " + f.tag)) << r.out;
    auto none = f.run({"cache", "prune"});
    EXPECT_EQ(none.exit_code, 2) << none.err;
}

TEST(Nits, AnOversizedAnswerSaysWhichLimit) {
    HostileMirror mirror;
    mirror.put("big", std::string(2u << 20, 'x'));
    auto client = http::make_curl_client({});
    http::Request req;
    req.url = mirror.url() + "big";
    http::StringSink sink(1u << 20);
    auto r = client->send(req, sink);
    ASSERT_FALSE(r);
    EXPECT_TRUE(contains(r.error().message, "larger than the size limit")) << r.error().message;
    EXPECT_FALSE(contains(r.error().message, "Failure writing")) << r.error().message;
}

TEST(Nits, ADeadProxyIsNamed) {
    ReleaseFixture f;
    f.publish();
    const std::string proxy = "http://127.0.0.1:" + std::to_string(free_port());
    auto r =
        f.run(download_args(f, f.version),
              {{"HTTP_PROXY", proxy}, {"http_proxy", proxy}, {"NO_PROXY", ""}, {"no_proxy", ""}});
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_TRUE(contains(r.err, "cannot use proxy '" + proxy)) << r.err;
    EXPECT_TRUE(contains(r.err, "is the proxy up?")) << r.err;
}

TEST(Nits, CurlCaBundleComesBeforeSslCertFile) {
    // curl's own order: CURL_CA_BUNDLE, then SSL_CERT_FILE. Both name missing
    // files here; the TLS handshake to a plain HTTP server on 127.0.0.1 fails
    // while loading the first, and curl names the file it tried.
    ReleaseFixture f;
    f.publish();
    TestDir work;
    const std::string curl_ca = (work / "curl-ca-bundle.pem").string();
    const std::string ssl_ca = (work / "ssl-cert-file.pem").string();
    std::string https = f.github.api_url();
    https.replace(0, std::string("http").size(), "https");
    auto r = f.run({"download", "--version", f.version, "--platform", f.platform, "--retries", "1",
                    "--api-url", https},
                   {{"CURL_CA_BUNDLE", curl_ca}, {"SSL_CERT_FILE", ssl_ca}});
    EXPECT_NE(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "curl-ca-bundle.pem")) << r.err;
    EXPECT_FALSE(contains(r.err, "ssl-cert-file.pem")) << r.err;
}

TEST(Nits, AnUnreadableWorkingDirectoryIsNotCalledAnUnreadableLockfile) {
    // Root reads any directory: the tool runs as nobody (setpriv) in a
    // directory nobody may not read.
    if (run_process({"setpriv", "--version"}).exit_code != 0) {
        GTEST_SKIP() << "setpriv (util-linux) is not installed";
    }
    TestDir work;
    fs::permissions(work.path(), fs::perms::all);
    fs::path dark = work / "dark";
    fs::create_directories(dark);
    fs::path cache = work / "cache";
    fs::create_directories(cache);
    fs::permissions(cache, fs::perms::all);
    fs::path home = work / "home";
    fs::create_directories(home);
    fs::permissions(home, fs::perms::all);
    fs::permissions(dark, fs::perms::none);
    auto r = run_process(
        {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", tool_path(), "download",
         "--offline", "--version", "v9.9.9", "--cache-dir", cache.string()},
        {{"HOME", home.string()}, {"XDG_CONFIG_HOME", ""}, {"XDG_CACHE_HOME", ""}}, dark);
    fs::permissions(dark, fs::perms::owner_all);
    if (contains(r.err, "Permission denied") && contains(r.err, tool_path())) {
        GTEST_SKIP() << "nobody cannot run " << tool_path() << ": " << r.err;
    }
    EXPECT_NE(r.exit_code, 0) << r.err;
    EXPECT_FALSE(contains(r.err, "cannot read '" + (dark / "temporal-libs.lock").string()))
        << r.err;
    EXPECT_TRUE(contains(r.err, "is not readable")) << r.err;
}
