#pragma once

// Puts a verified release entry into the cache: resolve the release, pick the
// platform's archive, gather the expected digests, download (or reuse the kept
// archive), verify, extract into staging, check the contents and install with
// one rename. A valid cached entry short-cuts all of it without any request.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tl/archive/extract.hpp"
#include "tl/cache/cache.hpp"
#include "tl/http/retry.hpp"
#include "tl/install/pipeline.hpp"
#include "tl/platform/platform.hpp"
#include "tl/release/contract.hpp"
#include "tl/source/source.hpp"
#include "tl/trust/lockfile.hpp"
#include "tl/trust/minisign.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"
#include "tl/verify/digests.hpp"

namespace tl::install {

enum class Network { online, offline };
enum class Force { no, yes };
// Whether a downloaded archive's SHA-256 is compared with the release's checksum
// files and reported digest. Only the comparison is skipped: safe extraction and
// the format and architecture checks always run.
enum class Checksums { verify, skip };
// How the project's lockfile is used: not at all (no lockfile, or `lock`
// re-pinning), pins checked and a missing entry recorded (trust on first use),
// or pins checked and a missing entry an error (--locked, for CI).
enum class LockMode { none, record, locked };

struct InstallOptions {
    // "latest" or a normalised tag ("temporal-libs-v1.0.2").
    std::string version;
    platform::Platform platform;
    cache::Verify verify = cache::Verify::fast;
    Network network = Network::online;
    Force force = Force::no;
    Checksums checksums = Checksums::verify;
    // Library names (without "lib" and ".a") the archive must hold.
    std::vector<std::string> libraries;
    archive::Limits limits;
    http::RetryPolicy retry;
    // Connections one large archive is downloaded over (ranges.hpp); 1: one stream.
    unsigned connections = 1;
    // The project's lockfile (its path and contents when it exists) and how
    // its pins are used.
    LockMode lock_mode = LockMode::none;
    std::filesystem::path lockfile_path;
    std::optional<trust::Lockfile> lockfile;
    // Trusted minisign keys; when not empty, a release must carry a SHA256SUMS
    // signed by one of them.
    std::vector<trust::minisign::PublicKey> public_keys;
};

struct InstallResult {
    std::string tag;
    std::string platform;
    std::filesystem::path dir;
    std::vector<std::filesystem::path> libraries;
    std::string archive_sha256;
    std::string archive_name;
    std::string source;
    std::string source_url;
    // Library file name ("libtemporalio_sdk.a") to SHA-256.
    std::map<std::string, std::string> library_sha256;
    bool from_cache = false;
};

// The lockfile entry pinning an installed result, first seen now.
trust::LockEntry lock_entry_for(const InstallResult& result);

// Every claim a release makes about `archive`'s SHA-256: its checksum files
// (both names the contract allows) and the digest the source reports. Empty when
// the release offers none; a checksum file that cannot be read or parsed fails.
Result<std::vector<verify::ExpectedDigest>> release_claims(source::Source& source,
                                                           const source::ReleaseInfo& release,
                                                           const source::AssetInfo& archive,
                                                           const platform::Platform& platform,
                                                           release::ArchiveFormat format);

class Installer {
public:
    // Makes the release source on first need, so a cache hit never pays for
    // setting up TLS and HTTP; it may return null when offline.
    using SourceFactory = std::function<source::Source*()>;

    Installer(const cache::Cache& cache, SourceFactory source, util::Console& console);

    // Returns the installed entry, downloading only when the cache cannot serve it.
    Result<InstallResult> install(const InstallOptions& options);

private:
    Result<InstallResult> from_cache_hit(const std::string& tag, const InstallOptions& options,
                                         const cache::EntryRecord& record);
    // `pinned` is the lockfile's entry for the tag and platform, or null.
    Result<InstallResult> fetch_and_install(const std::string& tag,
                                            std::optional<source::ReleaseInfo> release,
                                            const InstallOptions& options,
                                            const trust::LockEntry* pinned);
    // Records a new entry in the lockfile (trust on first use) and says so.
    Result<void> record_first_use(const InstallResult& result, const InstallOptions& options);

    // An archive extracted into a staging directory, its digest verified.
    struct Unpacked {
        std::string sha256;
        std::filesystem::path staging;
        Extracted contents;
    };
    // Gets the archive's bytes (the kept archive, or a download) and extracts
    // them into a fresh staging directory. `want` is the agreed digest, empty
    // when checksums are off. Nothing is left behind on failure.
    Result<Unpacked> obtain(const std::string& tag, const source::AssetInfo& archive,
                            release::ArchiveFormat format,
                            const std::vector<verify::ExpectedDigest>& expected, std::string want,
                            const InstallOptions& options);
    // The libraries the project needs are there and each is a static archive
    // for the platform's CPU (as read while it was extracted: nothing is read back).
    Result<void> check_contents(const std::string& tag, const std::string& archive_name,
                                const Extracted& contents, const InstallOptions& options);

    const cache::Cache& m_cache;
    // The source, made on first use.
    source::Source& source();

    SourceFactory m_make_source;
    source::Source* m_source = nullptr;
    util::Console& m_console;
};

}  // namespace tl::install
