#pragma once

// Copying one release from a source to a destination (`temporal-libs mirror`):
// for each platform the archives in every format the release has, their
// checksum sidecars, and the release-wide SHA256SUMS files. Every archive is
// verified exactly as `download` verifies it (all claims must agree with the
// bytes) before anything of its platform is stored; platforms run in parallel,
// each with its own source (its own HTTP connection).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tl/http/retry.hpp"
#include "tl/mirror/destination.hpp"
#include "tl/platform/platform.hpp"
#include "tl/source/source.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"
#include "tl/util/parallel.hpp"

namespace tl::mirror {

// Release-wide assets copied along with any platform, when the release has them.
inline constexpr const char* k_release_wide_assets[] = {"SHA256SUMS", "SHA256SUMS.minisig"};

// A source with the HTTP client it talks through, owned by one worker thread.
struct WorkerSource {
    std::unique_ptr<http::Client> client;
    std::unique_ptr<source::Source> source;
};

// The outcome label of the release-wide assets (platform outcomes carry the platform name).
inline constexpr std::string_view k_release_wide_label = "release";

// Makes a fresh source for one worker thread; sources are not shared between threads.
using SourceFactory = std::function<Result<WorkerSource>()>;

struct CopyOptions {
    std::string tag;
    std::vector<platform::Platform> platforms;
    http::RetryPolicy retry;
    // Connections each large archive is downloaded over (install/ranges.hpp).
    unsigned connections = 1;
    // At most this many platforms at once.
    std::size_t parallel = util::k_default_parallel;
};

// What happened to one platform (or to the release-wide assets, platform "release").
struct PlatformOutcome {
    std::string platform;
    std::size_t copied = 0;
    std::size_t skipped = 0;  // already in the destination with the same SHA-256
    std::uint64_t bytes = 0;  // bytes stored by this run
    std::string source;       // the source that served it
    std::optional<Failure> error;
};

struct CopyResult {
    std::string tag;
    std::vector<PlatformOutcome> outcomes;
    double seconds = 0;
};

// Copies `options.tag` to `destination`: one worker per platform (bounded by
// options.parallel), then Destination::finish() with every asset that is there.
// A platform that fails (download, verification, storing) stores nothing and
// is reported in its outcome; the result is an error only when finishing fails.
Result<CopyResult> copy_release(const SourceFactory& make_source, Destination& destination,
                                const CopyOptions& options, util::Console& console);

}  // namespace tl::mirror
