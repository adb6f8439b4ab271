// OCI registries through the command line: `mirror --to oci://…` copies a
// release from the fake GitHub into Debian's docker-registry, and `download`
// with an oci:// source installs it into a fresh cache with GitHub unreachable.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/registry.hpp"
#include "support/release_fixture.hpp"

using namespace tl;
using namespace tl::testing;
using nlohmann::json;

namespace {

struct OciCli : ReleaseFixture {
    OciCli() { publish(); }

    ProcessResult mirror_to(const std::string& url, std::map<std::string, std::string> env = {}) {
        return run({"mirror", "--version", version, "--platform", platform, "--to", url, "--json",
                    "--retries", "1"},
                   std::move(env));
    }

    // Downloads from `url` only, GitHub unreachable, into dir/<cache_name>.
    ProcessResult download_from(const std::string& url, const std::string& cache_name,
                                std::map<std::string, std::string> env = {}) {
        env["TEMPORAL_LIBS_SOURCES"] = url;
        env["TEMPORAL_LIBS_CACHE_DIR"] = (dir / cache_name).string();
        env["TEMPORAL_LIBS_API_URL"] = "http://127.0.0.1:9";
        return run(
            {"download", "--version", version, "--platform", platform, "--json", "--retries", "1"},
            std::move(env));
    }

    void expect_installed_in(const std::string& cache_name) const {
        for (const auto& [name, content] : libs) {
            EXPECT_EQ(read_file(dir / cache_name / tag / platform / ("lib" + name + ".a")), content)
                << name;
        }
    }

    fs::path credentials(const std::string& host, const std::string& password) const {
        fs::path file = dir / "credentials.toml";
        std::ofstream(file) << "[\"" << host << "\"]\nusername = \"ci\"\npassword = \"" << password
                            << "\"\n";
        return file;
    }
};

}  // namespace

TEST(OciCli, MirrorToARegistryThenDownloadFromItIntoAFreshCache) {
    if (!DockerRegistry::available()) {
        GTEST_SKIP() << "docker-registry is not installed (scripts/install-deps.sh test)";
    }
    OciCli f;
    DockerRegistry registry(f.dir / "registry");
    const std::string url = registry.url("team/temporal-libs");

    auto m = f.mirror_to(url);
    ASSERT_EQ(m.exit_code, 0) << m.err << m.out;

    auto d = f.download_from(url, "cache-oci");
    ASSERT_EQ(d.exit_code, 0) << d.err << d.out;
    EXPECT_EQ(json::parse(d.out)["source"], url);
    f.expect_installed_in("cache-oci");

    // A second mirror run uploads nothing.
    int uploads = registry.count_requests("POST", "/blobs/uploads/");
    auto again = f.mirror_to(url);
    ASSERT_EQ(again.exit_code, 0) << again.err << again.out;
    EXPECT_EQ(registry.count_requests("POST", "/blobs/uploads/"), uploads);
}

TEST(OciCli, BasicAuthRegistryWithRightAndWrongPasswords) {
    if (!DockerRegistry::available()) {
        GTEST_SKIP() << "docker-registry is not installed (scripts/install-deps.sh test)";
    }
    OciCli f;
    DockerRegistry registry(f.dir / "registry", {"ci", "s3cret-pass-1"});
    const std::string url = registry.url("team/temporal-libs");

    // No credentials: the message says which host needs them.
    auto none = f.mirror_to(url, {{"TEMPORAL_LIBS_CREDENTIALS_FILE", (f.dir / "none").string()},
                                  {"DOCKER_CONFIG", (f.dir / "none").string()}});
    EXPECT_NE(none.exit_code, 0);
    EXPECT_TRUE(contains(none.err + none.out, registry.host())) << none.err << none.out;

    std::map<std::string, std::string> good = {
        {"TEMPORAL_LIBS_CREDENTIALS_FILE",
         f.credentials(registry.host(), "s3cret-pass-1").string()},
        {"DOCKER_CONFIG", (f.dir / "none").string()}};
    auto m = f.mirror_to(url, good);
    ASSERT_EQ(m.exit_code, 0) << m.err << m.out;
    auto d = f.download_from(url, "cache-good", good);
    ASSERT_EQ(d.exit_code, 0) << d.err << d.out;
    f.expect_installed_in("cache-good");
    EXPECT_FALSE(contains(m.err + m.out + d.err + d.out, "s3cret-pass-1"));

    std::map<std::string, std::string> bad = {
        {"TEMPORAL_LIBS_CREDENTIALS_FILE", f.credentials(registry.host(), "wrong-pass-2").string()},
        {"DOCKER_CONFIG", (f.dir / "none").string()}};
    auto w = f.download_from(url, "cache-bad", bad);
    EXPECT_NE(w.exit_code, 0);
    EXPECT_TRUE(contains(w.err + w.out, "refused the username and password")) << w.err << w.out;
    EXPECT_TRUE(contains(w.err + w.out, registry.host())) << w.err << w.out;
    EXPECT_FALSE(contains(w.err + w.out, "wrong-pass-2"));
    EXPECT_FALSE(fs::exists(f.dir / "cache-bad" / f.tag / f.platform));
}
