#pragma once

// A fake GitHub with a workflow-made release on it, and a way to run the real
// temporal-libs binary against it with a private cache.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/archive_builder.hpp"
#include "support/fake_github.hpp"
#include "support/test_util.hpp"

namespace tl::testing {

struct ReleaseFixture {
    TestDir dir;
    FakeGitHub github;
    std::string version = "v1.0.2";
    std::string tag = "temporal-libs-v1.0.2";
    std::string platform = "linux-x64";
    std::map<std::string, std::string> libs = contract_libraries();
    std::string archive_name;
    std::string archive_bytes;
    std::string checksum_text;
    // When set, the API reports this "sha256:<hex>" digest for the archive instead
    // of one computed from its bytes (a corrupted blob behind a correct record).
    std::string archive_digest_override;

    // Builds the archive with the workflow's commands; publish() puts it online.
    ReleaseFixture();
    // Adds the release with the archive and its .sha256 (the common case).
    void publish();
    // Adds another release, newest so far: `release_version` ("v1.1.0") with its own
    // libraries (contents salted by the version), archive and .sha256.
    void publish_version(const std::string& release_version, bool prerelease = false);
    // Replaces the core library with `lib_size` bytes of incompressible noise
    // (xorshift from `seed`), so offsets into the archive mean something, and
    // publishes the release.
    void publish_incompressible(std::size_t lib_size, std::uint64_t seed);
    // `download --version <version> --platform <platform>` plus `extra`.
    std::vector<std::string> download_command(std::vector<std::string> extra = {}) const;
    // Checks each installed library in `entry_dir` against the fixture's.
    void expect_libraries_in(const fs::path& entry_dir) const;
    // Runs `temporal-libs <args>` with the fake API, the fixture's cache and
    // any extra environment; GITHUB_TOKEN and friends are cleared unless given.
    ProcessResult run(std::vector<std::string> args,
                      std::map<std::string, std::string> env = {}) const;
    // Starts the tool without waiting (output appended to `log`); returns its pid.
    int spawn(std::vector<std::string> args, const fs::path& log,
              std::map<std::string, std::string> env = {}) const;
    fs::path cache() const { return dir / "cache"; }
    fs::path entry() const { return cache() / tag / platform; }
    // Number of storage downloads of the archive seen by the fake (a parallel
    // download counts once, by its first range).
    std::size_t archive_downloads() const;
};

}  // namespace tl::testing
