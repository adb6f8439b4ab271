#include "support/release_fixture.hpp"

#include <gtest/gtest.h>

#include "tl/util/sha256.hpp"

namespace tl::testing {

ReleaseFixture::ReleaseFixture() {
    archive_name = "temporal-static-libs-" + platform + "-" + version + ".tar.gz";
    fs::path archive = make_workflow_release(dir / "work", archive_name, libs);
    archive_bytes = read_file(archive);
    checksum_text = read_file(archive.string() + ".sha256");
}

void ReleaseFixture::publish_incompressible(std::size_t lib_size, std::uint64_t seed) {
    std::string noise;
    noise.reserve(lib_size);
    std::uint64_t x = seed;
    while (noise.size() < lib_size) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.append(reinterpret_cast<const char*>(&x), sizeof x);
    }
    libs["temporalio_sdk_core"] = make_static_library(platform, noise);
    fs::remove_all(dir / "work");
    fs::path archive = make_workflow_release(dir / "work", archive_name, libs);
    archive_bytes = read_file(archive);
    checksum_text = read_file(archive.string() + ".sha256");
    publish();
}

std::vector<std::string> ReleaseFixture::download_command(std::vector<std::string> extra) const {
    std::vector<std::string> a = {"download", "--version", version, "--platform", platform};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

void ReleaseFixture::expect_libraries_in(const fs::path& entry_dir) const {
    for (const auto& [name, content] : libs) {
        EXPECT_EQ(util::sha256_file(entry_dir / ("lib" + name + ".a")).value(),
                  util::sha256_hex(content))
            << name;
    }
}

void ReleaseFixture::publish() {
    FakeRelease r;
    r.tag = tag;
    r.name = tag;
    FakeAsset a;
    a.name = archive_name;
    a.content = archive_bytes;
    a.content_type = "application/gzip";
    a.digest_override = archive_digest_override;
    r.assets.push_back(a);
    FakeAsset s;
    s.name = archive_name + ".sha256";
    s.content = checksum_text;
    s.content_type = "text/plain";
    r.assets.push_back(s);
    github.add_release(r);
}

namespace {

std::map<std::string, std::string> tool_env(const ReleaseFixture& f,
                                            const std::map<std::string, std::string>& env) {
    std::map<std::string, std::string> e = tool_env_reset(f.dir / "xdg");
    e["TEMPORAL_LIBS_API_URL"] = f.github.api_url();
    e["TEMPORAL_LIBS_CACHE_DIR"] = f.cache().string();
    for (const auto& [k, v] : env) {
        e[k] = v;
    }
    return e;
}

}  // namespace

ProcessResult ReleaseFixture::run(std::vector<std::string> args,
                                  std::map<std::string, std::string> env) const {
    std::vector<std::string> argv = {tool_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, tool_env(*this, env), dir.path());
}

int ReleaseFixture::spawn(std::vector<std::string> args, const fs::path& log,
                          std::map<std::string, std::string> env) const {
    std::vector<std::string> argv = {tool_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return spawn_process(argv, tool_env(*this, env), dir.path(), log);
}

void ReleaseFixture::publish_version(const std::string& release_version, bool prerelease) {
    std::string name = "temporal-static-libs-" + platform + "-" + release_version + ".tar.gz";
    fs::path archive = make_workflow_release(dir / ("work-" + release_version), name,
                                             contract_libraries(release_version));
    FakeRelease r;
    r.tag = "temporal-libs-" + release_version;
    r.prerelease = prerelease;
    FakeAsset a;
    a.name = name;
    a.content = read_file(archive);
    FakeAsset sum;
    sum.name = name + ".sha256";
    sum.content = read_file(archive.string() + ".sha256");
    r.assets = {a, sum};
    github.add_release(r);
}

std::size_t ReleaseFixture::archive_downloads() const {
    std::size_t n = 0;
    // After a first range a connection found fast, one stream goes on from
    // where it stopped ("bytes=K-"): the same download.
    bool continuing = false;
    for (const auto& r : github.requests(FakeServer::storage)) {
        auto range = r.headers.find("range");
        const std::string asked = range != r.headers.end() ? range->second : std::string();
        // A parallel download starts with its first range, "bytes=0-N".
        const bool first_range = asked.rfind("bytes=0-", 0) == 0 && asked != "bytes=0-";
        const bool open_ended = !asked.empty() && asked.back() == '-';
        if (r.method != "GET" || r.body_bytes_sent == 0) {
            continue;
        }
        if (continuing && open_ended) {
            continuing = false;
            continue;
        }
        continuing = first_range;
        if (first_range || r.body_bytes_sent >= archive_bytes.size() / 2) {
            ++n;
        }
    }
    return n;
}

}  // namespace tl::testing
