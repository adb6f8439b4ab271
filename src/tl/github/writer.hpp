#pragma once

// The write side of GitHub's releases API, for publishing: create a release,
// find it again (drafts included), upload assets to the release's upload_url,
// delete assets, publish a draft. Requests are retried like the read side's
// (backoff for transient failures, GitHub's rate-limit rules), and the token
// goes to two origins only: the API's and the uploads host's. The uploads host
// is taken from the release's upload_url only when it is the one the API URL
// implies (uploads.github.com for api.github.com, else the API's own host), so
// a forged upload_url cannot collect the token.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>

#include "tl/github/api.hpp"
#include "tl/github/release.hpp"
#include "tl/http/client.hpp"
#include "tl/http/redirect.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::github {

// How many of the newest releases find_release looks through for a draft.
inline constexpr std::size_t k_draft_search = 1000;

// A release to create.
struct NewRelease {
    std::string tag;
    std::string name;              // empty: the tag
    std::string body;              // release notes
    std::string target_commitish;  // empty: the repository's default branch
    bool draft = true;
    bool prerelease = false;
};

// True when the token may go to `upload_url`: the same host as the API URL (any
// port: GitHub Enterprise and local fakes), or uploads.github.com when the API
// is api.github.com. Both must be http(s) URLs.
bool upload_origin_allowed(const std::string& api_url, const std::string& upload_url);

// The URL to upload `name` to, from a release's upload_url template
// ("https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}").
std::string upload_url_for(const std::string& upload_url_template, const std::string& name);

// The Content-Type GitHub should serve an asset with, from its name.
std::string content_type_for(const std::string& asset_name);

// Writes releases of one repository; reads go through an Api with the same settings.
class Writer {
public:
    // `client` must outlive the Writer; `config.token` must not be empty.
    Writer(http::Client& client, const ApiConfig& config, util::Console& console);

    // The settings in use (API URL without a trailing slash).
    const ApiConfig& config() const { return m_api.config(); }

    // The release with this tag, drafts included (GitHub's by-tag lookup skips
    // drafts, so they are found among the k_draft_search newest releases of the
    // authenticated list); empty when there is none.
    Result<std::optional<Release>> find_release(const std::string& tag);

    // The release with this id, as it is now; not_found when it is gone.
    Result<Release> get_release(std::uint64_t id);

    // Creates a release. A tag that already has a release is a usage failure
    // (find it instead).
    Result<Release> create_release(const NewRelease& nr);

    // Turns a draft into a published release (PATCH draft=false).
    Result<Release> publish_release(std::uint64_t id);

    // Uploads a file as an asset, streaming it with its Content-Type and
    // Content-Length. A failed attempt may leave a half-uploaded asset behind:
    // before trying again, the release is read back, and an asset of that name
    // is kept when it is complete with `sha256` as its digest, else deleted.
    Result<Asset> upload_asset(const Release& release, const std::filesystem::path& file,
                               const std::string& name, const std::string& sha256);

    // Deletes an asset.
    Result<void> delete_asset(const Asset& asset);

    // Downloads an asset and returns its SHA-256 (for assets GitHub reports no
    // digest for).
    Result<std::string> asset_sha256(const Asset& asset);

private:
    // One API answer after retries: the status (2xx, or a client error the caller
    // interprets) with its body.
    struct Reply {
        int status = 0;
        std::string body;
    };
    Result<Reply> exchange(http::Request request, const http::RedirectPolicy& policy,
                           const std::string& what);
    // A request answered with a release (200), else the refusal worded.
    Result<Release> release_reply(http::Request request, const std::string& what);
    http::Request api_request(http::Method method, const std::string& url,
                              const std::string& body = {}) const;
    Failure refused(const Reply& reply, const std::string& what) const;
    std::string repo_url() const;

    Api m_api;
    util::Console& m_console;
};

}  // namespace tl::github
