#pragma once

// Where releases come from. The installer talks to this interface only, so a
// GitHub repository, a static mirror or an OCI registry can serve the same
// release with the same verification.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tl/github/api.hpp"
#include "tl/http/client.hpp"
#include "tl/http/endpoint.hpp"
#include "tl/platform/platform.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::source {

// One downloadable file of a release.
struct AssetInfo {
    std::string name;
    std::uint64_t size = 0;
    // The SHA-256 the source itself reports (GitHub's "digest"), empty if none.
    std::string reported_digest;
    // How the source finds the bytes again (for GitHub, the asset's API URL).
    std::string locator;
    // A URL fit for messages (already free of credentials).
    std::string display_url;
    // The asset is fully uploaded and may be downloaded.
    bool complete = true;
};

struct ReleaseInfo {
    std::string tag;
    std::vector<AssetInfo> assets;

    // The asset with this exact name, or nullptr.
    const AssetInfo* find(const std::string& name) const;
    // The platforms it has archives for (either format), in the contract's order.
    std::vector<platform::Platform> platforms() const;
};

// Where a fetch starts and stops, and what the bytes already held came with.
struct Resume {
    std::uint64_t offset = 0;  // the first byte wanted
    std::uint64_t end = 0;     // one past the last byte wanted; 0: to the end of the asset
    // The ETag or Last-Modified the bytes before `offset` came with; empty for
    // none. A source whose file no longer has it answers with the whole file.
    std::string validator;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// `from` as HTTP asks for it: Range (when anything but the whole file is
// wanted) and If-Range (when a validator is known).
Headers range_headers(const Resume& from);

class Source {
public:
    virtual ~Source() = default;
    // "github:proompteng/lab": recorded in cache entries and shown in messages.
    virtual std::string name() const = 0;
    // The release with this tag; an empty optional when the source has none.
    virtual Result<std::optional<ReleaseInfo>> release(const std::string& tag) = 0;
    // The newest non-draft, non-prerelease release whose tag starts with `prefix`.
    virtual Result<std::optional<ReleaseInfo>> latest(const std::string& prefix) = 0;
    // Tags starting with `prefix`, newest first, at most `limit` (for messages).
    virtual Result<std::vector<std::string>> tags(const std::string& prefix, std::size_t limit) = 0;
    // A small asset (a checksum file) in memory, with retries.
    virtual Result<std::string> fetch_small(const AssetInfo& asset, std::size_t limit) = 0;
    // One attempt at streaming an asset from `from` into `sink`; each source
    // maps Resume to its own protocol (HTTP Range and If-Range, a seek in a
    // file). A source refreshes what it owns itself (GitHub's signed storage
    // URLs, asked for once and asked again when storage refuses them).
    virtual http::SendResult fetch(const AssetInfo& asset, const Resume& from,
                                   http::BodySink& sink) = 0;
    // What to do about a rate limit of the source's own service ("set
    // GITHUB_TOKEN" when no token was used); empty when it has no advice.
    virtual std::string rate_limit_advice() const { return {}; }
};

// A static mirror rooted at `root`: "https://host/path/", "http://127.0.0.1:8080/tl/"
// or "file:///srv/tl" (the layout: mirror_layout.hpp).
std::unique_ptr<Source> make_mirror_source(http::Client& client, const std::string& root,
                                           const http::NetSettings& options,
                                           util::Console& console);

// Tries each source in order: one that fails or lacks the release is reported
// and the next one asked; name() then names the one that answered.
std::unique_ptr<Source> make_source_list(std::vector<std::unique_ptr<Source>> sources,
                                         util::Console& console);

// A GitHub repository's releases through the REST API.
std::unique_ptr<Source> make_github_source(http::Client& client, github::ApiConfig config,
                                           util::Console& console);

}  // namespace tl::source
