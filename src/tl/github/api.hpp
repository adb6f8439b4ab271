#pragma once

// A client for the parts of GitHub's REST API the tool uses: releases by tag,
// the paged release list, asset downloads through the API URL (redirected to a
// storage host), with retries, rate-limit handling and a token that only ever
// goes to the API host.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tl/github/release.hpp"
#include "tl/http/client.hpp"
#include "tl/http/endpoint.hpp"
#include "tl/release/contract.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::github {

inline constexpr std::string_view k_api_version = "2022-11-28";

struct ApiConfig {
    std::string api_url = std::string(release::k_default_api_url);
    std::string repo = std::string(release::k_default_repo);  // "owner/name"
    std::string token;                                        // empty: anonymous
    http::NetSettings net;
};

// Where a token comes from: GITHUB_TOKEN, else GH_TOKEN; empty when neither is set.
std::string token_from_environment();

class Api {
public:
    // `client` must outlive the Api. The token is registered for scrubbing.
    Api(http::Client& client, ApiConfig config, util::Console& console);

    const ApiConfig& config() const { return m_config; }

    // The release with this tag; an empty optional when GitHub answers 404.
    Result<std::optional<Release>> release_by_tag(const std::string& tag);

    // Walks the release list page by page (per_page=100, following Link rel="next")
    // and returns the first release, newest first, for which `pick` is true; empty
    // when no page has one. Never uses the repository-wide /releases/latest.
    Result<std::optional<Release>> find_release(const std::function<bool(const Release&)>& pick);

    // Tags of all releases whose tag starts with `prefix`, newest first, at most `limit`.
    Result<std::vector<std::string>> list_tags(const std::string& prefix, std::size_t limit);

    // The request that streams an asset through its API URL (Accept:
    // application/octet-stream plus `extra_headers`); sent with endpoint() it
    // follows the redirect to storage without the token.
    http::Request asset_request(
        const Asset& asset,
        const std::vector<std::pair<std::string, std::string>>& extra_headers) const;

    // Streams an asset into `sink` with retries, asking the API again when a
    // signed storage URL expired; a refusal is returned as the response.
    // `document`: a small file, held to the document deadline.
    Result<http::Response> get_asset(const Asset& asset, http::BodySink& sink,
                                     const std::string& what, bool document);

    // Fetches a small asset (a checksum file) into memory, with retries.
    Result<std::string> fetch_small_asset(const Asset& asset, std::size_t limit = 1u << 20);

    // The API's endpoint: the token bound to the API origin.
    const http::Endpoint& endpoint() const { return m_endpoint; }

private:
    // GET a JSON document with retries; `not_found` true for 404 (no error).
    struct JsonResponse {
        std::string body;
        http::Headers headers;
        bool not_found = false;
    };
    Result<JsonResponse> get_json(const std::string& url);
    std::vector<std::pair<std::string, std::string>> base_headers(const char* accept) const;

    ApiConfig m_config;
    http::Endpoint m_endpoint;
};

// True when a download through `api_url` was refused (401/403) by a host other
// than the API's: a signed storage URL that expired. Asking the API again gives
// a fresh one.
bool storage_url_refused(int status, const std::string& url, const std::string& api_url);

// A retry decision for a download refused by its storage host (an expired
// signed URL): ask the API again at once, up to the third attempt; empty otherwise.
std::optional<http::RetryDecision> fresh_url_decision(const http::Response& response,
                                                      const std::string& api_url, int attempt);

}  // namespace tl::github
