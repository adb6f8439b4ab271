// fake-github: the test fake of the GitHub REST API as a standalone server, for
// the README's end-to-end run and the benchmarks. It serves a directory of
// releases (one subdirectory per tag, its files the assets, streamed from disk)
// until SIGINT or SIGTERM.

#include <signal.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "support/fake_github.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/strings.hpp"

namespace {

namespace fs = std::filesystem;
using tl::testing::FakeAsset;
using tl::testing::FakeGitHub;
using tl::testing::FakeRelease;

constexpr std::string_view k_product_prefix = "temporal-libs-";

bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// The version inside a tag: "temporal-libs-v1.0.2" and "v1.0.2" give "1.0.2";
// other products' tags ("worker-v3.1.0") give what follows their last "-v".
std::string_view version_of(std::string_view tag) {
    if (tl::util::starts_with(tag, k_product_prefix)) {
        tag.remove_prefix(k_product_prefix.size());
    } else if (auto pos = tag.rfind("-v");
               pos != std::string_view::npos && pos + 2 < tag.size() && is_digit(tag[pos + 2])) {
        tag.remove_prefix(pos + 1);
    }
    if (tag.size() > 1 && (tag[0] == 'v' || tag[0] == 'V') && is_digit(tag[1])) {
        tag.remove_prefix(1);
    }
    return tag;
}

// Compares one dot-separated field: its leading number first, then the rest,
// where nothing sorts above something ("0" > "0-rc1", as in semver).
int compare_field(std::string_view a, std::string_view b) {
    auto digits = [](std::string_view s) {
        std::size_t n = 0;
        while (n < s.size() && is_digit(s[n])) {
            ++n;
        }
        return n;
    };
    std::size_t da = digits(a);
    std::size_t db = digits(b);
    if (da > 0 && db > 0) {
        std::string_view na = a.substr(0, da);
        std::string_view nb = b.substr(0, db);
        while (na.size() > 1 && na[0] == '0') {
            na.remove_prefix(1);
        }
        while (nb.size() > 1 && nb[0] == '0') {
            nb.remove_prefix(1);
        }
        if (na.size() != nb.size()) {
            return na.size() < nb.size() ? -1 : 1;
        }
        if (int c = na.compare(nb); c != 0) {
            return c < 0 ? -1 : 1;
        }
        a.remove_prefix(da);
        b.remove_prefix(db);
        if (a.empty() != b.empty()) {
            return a.empty() ? 1 : -1;
        }
    } else if ((da > 0) != (db > 0)) {
        return da > 0 ? 1 : -1;
    }
    int c = a.compare(b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// True when tag `a` is an older release than `b`: versions compared field by
// field, ties broken by name.
bool older(const std::string& a, const std::string& b) {
    auto fa = tl::util::split(version_of(a), '.');
    auto fb = tl::util::split(version_of(b), '.');
    for (std::size_t i = 0; i < std::min(fa.size(), fb.size()); ++i) {
        if (int c = compare_field(fa[i], fb[i]); c != 0) {
            return c < 0;
        }
    }
    if (fa.size() != fb.size()) {
        return fa.size() < fb.size();
    }
    return a < b;
}

std::string content_type_for(const std::string& name) {
    using tl::util::ends_with;
    if (ends_with(name, ".tar.gz") || ends_with(name, ".tgz")) {
        return "application/gzip";
    }
    if (ends_with(name, ".tar.xz") || ends_with(name, ".txz")) {
        return "application/x-xz";
    }
    if (ends_with(name, ".tar.zst")) {
        return "application/zstd";
    }
    if (ends_with(name, ".zip")) {
        return "application/zip";
    }
    if (ends_with(name, ".json")) {
        return "application/json";
    }
    if (ends_with(name, ".sha256") || ends_with(name, ".txt") || ends_with(name, ".md")) {
        return "text/plain";
    }
    return "application/octet-stream";
}

// One release per subdirectory of `dir`, oldest first; its regular files are the
// assets, in name order.
std::vector<FakeRelease> load_releases(const fs::path& dir) {
    std::vector<FakeRelease> releases;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_directory()) {
            continue;
        }
        FakeRelease release;
        release.tag = entry.path().filename().string();
        release.name = release.tag;
        std::vector<fs::path> files;
        for (const auto& file : fs::directory_iterator(entry.path())) {
            if (file.is_regular_file()) {
                files.push_back(file.path());
            }
        }
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            FakeAsset asset;
            asset.name = file.filename().string();
            asset.file = file;
            asset.content_type = content_type_for(asset.name);
            release.assets.push_back(std::move(asset));
        }
        releases.push_back(std::move(release));
    }
    std::sort(releases.begin(), releases.end(),
              [](const FakeRelease& a, const FakeRelease& b) { return older(a.tag, b.tag); });
    return releases;
}

}  // namespace

int main(int argc, char** argv) {
    fs::path dir;
    std::string repo = "proompteng/lab";
    fs::path port_file;
    std::string token;
    std::vector<std::uint64_t> drops;
    std::uint64_t rate = 0;
    bool per_download = false;
    std::uint64_t drop_each_range = 0;
    int ignore_range_after = -1;

    CLI::App app{
        "fake-github: a fake of the GitHub REST API (releases, asset downloads through a\n"
        "redirect to a storage server on http://localhost, uploads) serving a directory\n"
        "of releases on 127.0.0.1, for end-to-end runs and benchmarks of temporal-libs."};
    app.add_option("--dir", dir,
                   "directory with one subdirectory per release tag, holding that release's "
                   "asset files")
        ->required()
        ->check(CLI::ExistingDirectory);
    app.add_option("--repo", repo, "repository to serve, OWNER/NAME")->capture_default_str();
    app.add_option("--port-file", port_file,
                   "also write the API URL to this file (atomically, once listening)");
    app.add_option("--token", token,
                   "require 'Authorization: Bearer TOKEN' (or 'token TOKEN') on API requests");
    app.add_option("--drop-at", drops,
                   "close the connection of a download after this many body bytes (once per "
                   "value, in order; for benchmarks of resumed downloads)");
    app.add_option("--rate", rate, "pace storage downloads to this many bytes per second");
    app.add_flag("--rate-per-download", per_download,
                 "apply --rate to each download alone (a per-connection limit) instead of to "
                 "all of them together");
    app.add_option("--drop-each-range-at", drop_each_range,
                   "close the connection of the first request for each range (each distinct "
                   "range end) after this many body bytes: one drop per range of a parallel "
                   "download");
    app.add_option("--ignore-range-after", ignore_range_after,
                   "honour Range on this many requests, then answer 200 with the whole body");
    app.footer(
        "Releases are ordered by the version in their tag (a 'temporal-libs-' or 'v'\n"
        "prefix stripped, dot fields compared as numbers, ties by name): the highest\n"
        "version is the newest and is listed first. Asset digests are computed at start.\n"
        "Prints 'api_url=http://127.0.0.1:PORT' on stdout once listening, then serves\n"
        "until SIGINT or SIGTERM, then prints the storage body bytes sent. Example:\n"
        "  fake-github --dir dist &\n"
        "  curl -sSL -H 'Accept: application/octet-stream' \\\n"
        "    $API_URL/repos/proompteng/lab/releases/assets/ID -o asset");
    CLI11_PARSE(app, argc, argv);

    // Block the stop signals before any server thread exists, so every thread
    // inherits the mask and sigwait below is the only place they arrive.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    try {
        FakeGitHub github(repo);
        if (!token.empty()) {
            github.require_token(token);
        }
        for (std::uint64_t offset : drops) {
            github.drop_next_download_at(offset);
        }
        github.drop_each_range_at(drop_each_range);
        github.ignore_range_after(ignore_range_after);
        github.set_storage_rate(rate, per_download ? tl::testing::Pacing::per_download
                                                   : tl::testing::Pacing::shared_link);
        std::size_t assets = 0;
        for (auto& release : load_releases(dir)) {
            assets += release.assets.size();
            github.add_release(std::move(release));
        }
        const std::string url = github.api_url();
        if (!port_file.empty()) {
            if (auto written = tl::util::write_file_atomic(port_file, url + "\n"); !written) {
                std::cerr << "fake-github: " << written.error().message << "\n";
                return 1;
            }
        }
        std::cerr << "fake-github: serving " << github.repo() << " from " << dir.string() << " ("
                  << assets << " assets), storage " << github.storage_url() << ", uploads "
                  << github.uploads_url() << "\n";
        std::cout << "api_url=" << url << std::endl;

        int signal_number = 0;
        sigwait(&stop_signals, &signal_number);
        std::cerr << "fake-github: stopping on signal " << signal_number << "; storage sent "
                  << github.storage_bytes_sent() << " body bytes\n";
    } catch (const std::exception& e) {
        std::cerr << "fake-github: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
