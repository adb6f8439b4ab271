// `download` of several platforms in one run (--platform A,B and --platform
// all): the real binary against the fake GitHub, each platform installed on its
// own thread with its own connection.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "support/objfile_fixtures.hpp"
#include "support/release_fixture.hpp"
#include "tl/cli/session.hpp"
#include "tl/util/console.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

using namespace tl;
using namespace tl::testing;
using nlohmann::json;

namespace {

const std::string k_tag = "temporal-libs-v2.0.0";
const std::string k_version = "v2.0.0";

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string asset_name(const std::string& platform) {
    return "temporal-static-libs-" + platform + "-" + k_version + ".tar.gz";
}

// The five contract libraries built for `platform`: small ELF archives for
// Linux, the Mach-O fixture for macOS.
std::map<std::string, std::string> libraries_for(const std::string& platform) {
    std::map<std::string, std::string> libs;
    for (const auto& [name, ignored] : contract_libraries()) {
        if (platform == "macos-arm64" || platform == "macos-x64") {
            libs[name] =
                read_file(fixture(platform == "macos-arm64" ? "libmac_arm64.a" : "libmac_x64.a"));
        } else {
            libs[name] = make_static_library(platform, name + " for " + platform);
        }
    }
    return libs;
}

// A release whose archives hold each platform's libraries and, when `padding`
// is not zero, a file of that many random bytes (so that a paced download takes
// a while). `damaged` names a platform whose stored blob no longer matches its
// checksum file and reported digest.
struct MultiRelease : ReleaseFixture {
    std::map<std::string, std::map<std::string, std::string>> platform_libs;
    std::map<std::string, std::string> archives;  // platform -> archive bytes

    MultiRelease(const std::vector<std::string>& platforms, std::size_t padding = 0,
                 const std::string& damaged = "") {
        FakeRelease r;
        r.tag = k_tag;
        r.name = k_tag;
        std::mt19937 rng(11);
        for (const auto& p : platforms) {
            platform_libs[p] = libraries_for(p);
            std::vector<TarEntry> entries;
            for (const auto& [name, content] : platform_libs[p]) {
                entries.push_back({TarEntry::Type::file, "./lib" + name + ".a", content, "", 0});
            }
            if (padding > 0) {
                std::string bytes(padding, '\0');
                for (auto& c : bytes) {
                    c = static_cast<char>(rng());
                }
                entries.push_back({TarEntry::Type::file, "./padding.bin", bytes, "", 0});
            }
            fs::path file = dir / "work" / asset_name(p);
            fs::create_directories(file.parent_path());
            write_tar(file, entries);
            archives[p] = read_file(file);
            FakeAsset a;
            a.name = asset_name(p);
            a.content = archives[p];
            a.content_type = "application/gzip";
            FakeAsset s;
            s.name = a.name + ".sha256";
            s.content = util::sha256_hex(a.content) + "  " + a.name + "\n";
            if (p == damaged) {
                a.digest_override = "sha256:" + util::sha256_hex(a.content);
                a.content[a.content.size() / 3] ^= 0x01;
            }
            r.assets.push_back(a);
            r.assets.push_back(s);
        }
        github.add_release(r);
    }

    ProcessResult download(const std::string& platforms, const std::string& cache_name,
                           std::vector<std::string> extra = {},
                           std::map<std::string, std::string> env = {}) const {
        std::vector<std::string> args = {"download", "--version", k_version, "--platform",
                                         platforms};
        args.insert(args.end(), extra.begin(), extra.end());
        env["TEMPORAL_LIBS_CACHE_DIR"] = (dir / cache_name).string();
        return run(args, env);
    }

    fs::path entry_in(const std::string& cache_name, const std::string& plat) const {
        return dir / cache_name / k_tag / plat;
    }

    // The platform's libraries are installed in `cache_name`, byte for byte.
    void expect_installed(const std::string& cache_name, const std::string& plat) const {
        for (const auto& [name, content] : platform_libs.at(plat)) {
            EXPECT_EQ(read_file(entry_in(cache_name, plat) / ("lib" + name + ".a")), content)
                << plat << " " << name;
        }
    }

    // Nothing of `plat` anywhere in the cache: no entry, no staging or
    // moved-aside directory, no partial download, no kept archive.
    void expect_nothing_of(const std::string& cache_name, const std::string& plat) const {
        fs::path root = dir / cache_name;
        EXPECT_FALSE(fs::exists(entry_in(cache_name, plat)));
        std::string archive_sha = util::sha256_hex(archives.at(plat));
        for (const auto& e : fs::recursive_directory_iterator(root)) {
            std::string name = e.path().filename().string();
            if (e.path().parent_path().filename() == ".locks") {
                continue;  // lock files stay by design
            }
            EXPECT_FALSE(contains(name, plat)) << e.path();
            EXPECT_FALSE(contains(name, archive_sha)) << e.path();
        }
    }
};

std::vector<std::string> platforms_of(const json& results) {
    std::vector<std::string> out;
    for (const auto& r : results) {
        out.push_back(r["platform"].get<std::string>());
    }
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

}  // namespace

TEST(DownloadMulti, TwoPlatformsInstallLikeTwoSingleRunsWithOneJsonDocument) {
    MultiRelease f({"linux-x64", "linux-arm64"});
    const std::string token = "ghp_multiPlatformSecret0123456789abcdef";
    std::map<std::string, std::string> env = {{"GITHUB_TOKEN", token}};
    auto both = f.download("linux-x64,linux-arm64", "together", {"--json"}, env);
    ASSERT_EQ(both.exit_code, 0) << both.err << both.out;
    json j = json::parse(both.out);
    ASSERT_TRUE(j.contains("results")) << both.out;
    EXPECT_EQ(platforms_of(j["results"]), (std::vector<std::string>{"linux-x64", "linux-arm64"}));
    EXPECT_TRUE(j["errors"].empty()) << both.out;
    EXPECT_FALSE(contains(both.out + both.err, token));

    // The same two platforms one run at a time, into another cache.
    std::map<std::string, json> single;
    for (const std::string p : {"linux-x64", "linux-arm64"}) {
        auto one = f.download(p, "one-by-one", {"--json"}, env);
        ASSERT_EQ(one.exit_code, 0) << one.err;
        single[p] = json::parse(one.out);
    }
    for (const auto& r : j["results"]) {
        std::string p = r["platform"];
        const json& s = single[p];
        for (const char* key : {"tag", "version", "archive", "archive_sha256", "source"}) {
            EXPECT_EQ(r[key], s[key]) << p << " " << key;
        }
        EXPECT_EQ(r["from_cache"], false);
        EXPECT_EQ(r["directory"], f.entry_in("together", p).string());
        ASSERT_EQ(r["libraries"].size(), s["libraries"].size());
        for (std::size_t i = 0; i < r["libraries"].size(); ++i) {
            fs::path a = r["libraries"][i].get<std::string>();
            fs::path b = s["libraries"][i].get<std::string>();
            EXPECT_EQ(a.filename(), b.filename());
            EXPECT_EQ(read_file(a), read_file(b)) << a;
        }
        f.expect_installed("together", p);
        f.expect_installed("one-by-one", p);
    }
    EXPECT_EQ(fs::read_symlink(f.dir / "together" / "latest"), k_tag);

    // Again: both from the cache, no request at all, one line each in the order given.
    f.github.clear_requests();
    auto again = f.download("linux-arm64,linux-x64", "together");
    ASSERT_EQ(again.exit_code, 0) << again.err;
    auto lines = lines_of(again.out);
    ASSERT_EQ(lines.size(), 2u) << again.out;
    EXPECT_TRUE(contains(lines[0], k_tag + " linux-arm64: 5 libraries in ")) << lines[0];
    EXPECT_TRUE(contains(lines[1], k_tag + " linux-x64: 5 libraries in ")) << lines[1];
    EXPECT_TRUE(contains(again.out, "(cache hit, no download)")) << again.out;
    EXPECT_TRUE(f.github.requests().empty()) << "cache hits must make no request";
}

TEST(DownloadMulti, AllInstallsEveryPlatformTheReleaseHasInContractOrder) {
    const std::vector<std::string> contract = {"linux-arm64", "linux-x64", "macos-arm64",
                                               "macos-x64"};
    // Listed in another order: `all` reports in the contract's.
    MultiRelease f({"macos-x64", "linux-x64", "macos-arm64", "linux-arm64"});
    auto r = f.download("all", "cache", {"--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    json j = json::parse(r.out);
    EXPECT_EQ(platforms_of(j["results"]), contract) << r.out;
    EXPECT_TRUE(j["errors"].empty());
    for (const auto& p : contract) {
        f.expect_installed("cache", p);
    }
    // Progress and messages name their platform (CI logs are not a terminal).
    EXPECT_TRUE(contains(r.err, "macos-arm64: downloading")) << r.err;
    EXPECT_TRUE(contains(r.err, "linux-x64: verified")) << r.err;

    // Offline, `all` is every platform cached for the tag.
    auto offline = f.download("all", "cache", {"--offline"});
    ASSERT_EQ(offline.exit_code, 0) << offline.err;
    auto lines = lines_of(offline.out);
    ASSERT_EQ(lines.size(), 4u) << offline.out;
    for (std::size_t i = 0; i < contract.size(); ++i) {
        EXPECT_TRUE(contains(lines[i], k_tag + " " + contract[i] + ": 5 libraries in "))
            << lines[i];
    }
    auto empty = f.download("all", "empty-cache", {"--offline"});
    EXPECT_EQ(empty.exit_code, 3) << empty.err;
    EXPECT_TRUE(contains(empty.err, "--offline forbids downloading")) << empty.err;
}

TEST(DownloadMulti, PlatformsDownloadInParallel) {
    const std::vector<std::string> platforms = {"linux-arm64", "linux-x64", "macos-arm64",
                                                "macos-x64"};
    const std::size_t padding = 256 * 1024;
    MultiRelease f(platforms, padding);
    // About half a second per archive on each connection, as a per-connection limit.
    f.github.set_storage_rate(2 * padding, Pacing::per_download);

    auto t0 = std::chrono::steady_clock::now();
    for (const auto& p : platforms) {
        auto one = f.download(p, "one-by-one");
        ASSERT_EQ(one.exit_code, 0) << one.err;
    }
    double sequential = seconds_since(t0);

    auto t1 = std::chrono::steady_clock::now();
    auto all = f.download("all", "parallel", {"--json"});
    double parallel = seconds_since(t1);
    ASSERT_EQ(all.exit_code, 0) << all.err;
    EXPECT_LT(parallel, sequential * 0.75)
        << "parallel " << parallel << " s, one by one " << sequential << " s";
    EXPECT_EQ(json::parse(all.out)["results"].size(), platforms.size());
    for (const auto& p : platforms) {
        f.expect_installed("parallel", p);
        EXPECT_EQ(read_file(f.entry_in("parallel", p) / "padding.bin").size(), padding);
    }
}

TEST(DownloadMulti, AMissingPlatformFailsAloneWithItsExitCode) {
    MultiRelease f({"linux-x64", "linux-arm64"});
    auto r = f.download("macos-arm64,linux-x64", "cache", {"--json"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    json j = json::parse(r.out);
    EXPECT_EQ(platforms_of(j["results"]), std::vector<std::string>{"linux-x64"});
    ASSERT_EQ(j["errors"].size(), 1u) << r.out;
    EXPECT_EQ(j["errors"][0]["platform"], "macos-arm64");
    EXPECT_EQ(j["errors"][0]["error"]["kind"], "not_found");
    EXPECT_EQ(j["errors"][0]["error"]["exit_code"], 3);
    EXPECT_TRUE(contains(j["errors"][0]["error"]["message"], "has no archive for macos-arm64"));
    f.expect_installed("cache", "linux-x64");
    EXPECT_FALSE(fs::exists(f.entry_in("cache", "macos-arm64")));
    EXPECT_TRUE(contains(
        r.err, "warning: macos-arm64: release '" + k_tag + "' has no archive for macos-arm64"))
        << r.err;
    EXPECT_TRUE(
        contains(r.err, "error: download of '" + k_tag + "' incomplete: macos-arm64 failed"))
        << r.err;

    // Without --json: a line for each, the failure on its platform's line.
    auto human = f.download("linux-x64,macos-arm64", "cache");
    EXPECT_EQ(human.exit_code, 3) << human.err;
    auto lines = lines_of(human.out);
    ASSERT_EQ(lines.size(), 2u) << human.out;
    EXPECT_TRUE(contains(lines[0], k_tag + " linux-x64: 5 libraries in ")) << lines[0];
    EXPECT_TRUE(contains(lines[1], k_tag + " macos-arm64: failed: ")) << lines[1];
}

TEST(DownloadMulti, ACorruptedPlatformLeavesNothingBehindAndTheOthersInstall) {
    MultiRelease f({"linux-x64", "linux-arm64"}, 0, "linux-arm64");
    auto r = f.download("linux-x64,linux-arm64", "cache");
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_TRUE(
        contains(r.err, "linux-arm64: checksum mismatch for '" + asset_name("linux-arm64") + "'"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "incomplete: linux-arm64 failed (linux-arm64: checksum mismatch"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "installed: linux-x64")) << r.err;
    f.expect_installed("cache", "linux-x64");
    f.expect_nothing_of("cache", "linux-arm64");

    // The exit code is the first failing platform's, in the order given.
    auto missing_first = f.download("macos-arm64,linux-arm64", "cache");
    EXPECT_EQ(missing_first.exit_code, 3) << missing_first.err;
    auto corrupt_first = f.download("linux-arm64,macos-arm64", "cache");
    EXPECT_EQ(corrupt_first.exit_code, 5) << corrupt_first.err;
    f.expect_nothing_of("cache", "linux-arm64");
    f.expect_installed("cache", "linux-x64");
}

TEST(DownloadMulti, EveryPlatformIsRecordedInTheLockfileAndLockedAppliesToEach) {
    MultiRelease f({"linux-x64", "linux-arm64", "macos-arm64"});
    write_file(f.dir / "temporal-libs.toml", "# project\n");
    // Both platforms record their first use at about the same time: both land.
    auto r = f.download("linux-x64,linux-arm64", "cache");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json lock = json::parse(read_file(f.dir / "temporal-libs.lock"));
    EXPECT_EQ(lock["entries"][k_tag].size(), 2u) << lock.dump(2);
    EXPECT_TRUE(lock["entries"][k_tag].contains("linux-x64"));
    EXPECT_TRUE(lock["entries"][k_tag].contains("linux-arm64"));

    // --locked, into another cache: the pinned platforms install, the unpinned one fails alone.
    auto locked = f.download("linux-arm64,macos-arm64,linux-x64", "other", {"--locked", "--json"});
    EXPECT_EQ(locked.exit_code, 3) << locked.err;
    json j = json::parse(locked.out);
    EXPECT_EQ(platforms_of(j["results"]), (std::vector<std::string>{"linux-arm64", "linux-x64"}));
    ASSERT_EQ(j["errors"].size(), 1u) << locked.out;
    EXPECT_EQ(j["errors"][0]["platform"], "macos-arm64");
    EXPECT_TRUE(contains(j["errors"][0]["error"]["message"], "--locked")) << locked.out;
    EXPECT_FALSE(fs::exists(f.entry_in("other", "macos-arm64")));
}

TEST(DownloadMulti, OnePlatformKeepsTheSingleObjectAndPlainLines) {
    MultiRelease f({"linux-x64", "linux-arm64"});
    auto r = f.download("linux-arm64", "cache", {"--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out);
    ASSERT_TRUE(j.is_object());
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) {
        keys.push_back(k);
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"archive", "archive_sha256", "directory",
                                              "format_version", "from_cache", "libraries",
                                              "platform", "source", "tag", "version"}));
    EXPECT_EQ(j["platform"], "linux-arm64");
    // No platform prefix on a single platform's lines.
    EXPECT_FALSE(contains(r.err, "linux-arm64: ")) << r.err;

    auto human = f.download("linux-x64", "cache");
    ASSERT_EQ(human.exit_code, 0) << human.err;
    EXPECT_EQ(human.out, k_tag + " linux-x64: 5 libraries in " +
                             f.entry_in("cache", "linux-x64").string() +
                             " (downloaded from github:" + f.github.repo() + ")\n");

    auto failed = f.download("macos-x64", "cache", {"--json"});
    EXPECT_EQ(failed.exit_code, 3);
    json e = json::parse(failed.out);
    EXPECT_EQ(e["error"]["kind"], "not_found");
    EXPECT_FALSE(e.contains("errors"));
}

TEST(DownloadMulti, UnknownPlatformInTheListIsAUsageErrorAndHelpShowsTheForms) {
    MultiRelease f({"linux-x64"});
    auto r = f.download("linux-x64,windows-x64", "cache", {"--json"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(json::parse(r.out)["error"]["kind"], "usage");
    EXPECT_TRUE(contains(r.err, "unknown platform 'windows-x64'")) << r.err;
    EXPECT_FALSE(fs::exists(f.dir / "cache" / k_tag));

    auto help = f.run({"download", "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_TRUE(contains(help.out, "--platform linux-x64,macos-arm64")) << help.out;
    EXPECT_TRUE(contains(help.out, "--platform all")) << help.out;
}

// --- Unit tests: the platform list and the thread label ---

TEST(DownloadMulti, PlatformListKeepsOrderDropsRepeatsAndRefusesUnknownNames) {
    auto list = cli::parse_platform_list("macos-arm64, linux-x64,macos-arm64,aarch64-apple-darwin");
    std::vector<std::string> names;
    for (const auto& p : list) {
        names.push_back(p.name());
    }
    EXPECT_EQ(names, (std::vector<std::string>{"macos-arm64", "linux-x64"}));
    EXPECT_TRUE(cli::is_all_platforms(" ALL "));
    EXPECT_FALSE(cli::is_all_platforms("linux-x64"));
    try {
        cli::parse_platform_list("linux-x64,");
        FAIL() << "an empty name was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
    }
}

TEST(DownloadMulti, ThreadLabelPrefixesOnlyItsThreadsLines) {
    std::FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    {
        util::Console console(out);
        console.info("before");
        {
            util::Console::ThreadLabel label("linux-x64");
            console.info("downloading");
            console.warn("slow");
            console.progress_line("downloading x 1 MiB", true);
        }
        console.info("after");
    }
    std::fflush(out);
    std::rewind(out);
    std::string text;
    char buf[256];
    while (std::fgets(buf, sizeof buf, out) != nullptr) {
        text += buf;
    }
    std::fclose(out);
    EXPECT_EQ(text,
              "before\nlinux-x64: downloading\ntemporal-libs: warning: linux-x64: slow\n"
              "linux-x64: downloading x 1 MiB\nafter\n");
}

TEST(DownloadMulti, ProgressLineTooWideKeepsItsStartAndItsFigures) {
    const std::string line =
        "linux-x64: downloading temporal-static-libs-linux-x64-v1.2.3.tar.gz "
        "[############............] 50.2 MB / 106 MB (47%), 48.1 MB/s, 1.2s left";
    EXPECT_EQ(util::Console::fit_line(line, line.size() + 1), line);  // fits: unchanged
    std::string fitted = util::Console::fit_line(line, 80);
    EXPECT_EQ(fitted.size(), 79u) << fitted;
    EXPECT_TRUE(util::starts_with(fitted, "linux-x64: ")) << fitted;
    EXPECT_TRUE(util::ends_with(fitted, "(47%), 48.1 MB/s, 1.2s left")) << fitted;
    EXPECT_TRUE(contains(fitted, "...")) << fitted;
    // Multi-byte characters are never cut in half, at either end.
    std::string utf8;
    for (int i = 0; i < 60; ++i) {
        utf8 += "\xc3\xa9";  // é
    }
    for (std::size_t width = 1; width < utf8.size() + 2; ++width) {
        std::string f = util::Console::fit_line(utf8, width);
        if (f != utf8) {
            EXPECT_LT(f.size(), width);
        }
        std::size_t i = 0;
        while (i < f.size()) {
            auto c = static_cast<unsigned char>(f[i]);
            if (c == 0xc3) {
                ASSERT_LT(i + 1, f.size()) << "width " << width;
                EXPECT_EQ(static_cast<unsigned char>(f[i + 1]), 0xa9) << "width " << width;
                i += 2;
            } else {
                EXPECT_EQ(c, '.') << "width " << width;
                ++i;
            }
        }
    }
}

TEST(DownloadMulti, LockTakesTheSamePlatformListsAsDownload) {
    // lock shares download's --platform forms: a list pins exactly those, all
    // pins every platform the release has.
    MultiRelease f({"linux-x64", "linux-arm64", "macos-arm64"});
    write_file(f.dir / "temporal-libs.toml", "# project\n");
    std::map<std::string, std::string> env = {
        {"TEMPORAL_LIBS_CACHE_DIR", (f.dir / "cache").string()}};
    auto some = f.run({"lock", "--version", k_version, "--platform", "macos-arm64,linux-x64"}, env);
    ASSERT_EQ(some.exit_code, 0) << some.err;
    json lock = json::parse(read_file(f.dir / "temporal-libs.lock"));
    EXPECT_EQ(lock["entries"][k_tag].size(), 2u) << lock.dump(2);
    EXPECT_TRUE(lock["entries"][k_tag].contains("macos-arm64"));
    EXPECT_TRUE(lock["entries"][k_tag].contains("linux-x64"));

    auto all = f.run({"lock", "--version", k_version, "--platform", "all"}, env);
    ASSERT_EQ(all.exit_code, 0) << all.err;
    lock = json::parse(read_file(f.dir / "temporal-libs.lock"));
    EXPECT_EQ(lock["entries"][k_tag].size(), 3u) << lock.dump(2);

    auto unknown = f.run({"lock", "--version", k_version, "--platform", "linux-x64,solaris"}, env);
    EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
}
