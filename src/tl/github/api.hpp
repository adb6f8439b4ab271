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
#include "tl/http/redirect.hpp"
#include "tl/http/retry.hpp"
#include "tl/http/send_retry.hpp"
#include "tl/release/contract.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::github {

inline constexpr std::string_view k_default_api_url = release::k_default_api_url;
inline constexpr std::string_view k_default_repo = release::k_default_repo;
inline constexpr std::string_view k_api_version = "2022-11-28";

struct ApiConfig {
    std::string api_url = std::string(k_default_api_url);
    std::string repo = std::string(k_default_repo);  // "owner/name"
    std::string token;                               // empty: anonymous
    http::PlainHttp plain_http = http::PlainHttp::loopback_only;
    http::Timeouts timeouts;
    http::RetryPolicy retry;
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

    // Streams an asset through its API URL with Accept: application/octet-stream,
    // following the redirect to storage without the token. `extra_headers` carry
    // Range/If-Range. One attempt: the caller owns retries of downloads because it
    // owns the partial file.
    http::SendResult download_asset(
        const Asset& asset, http::BodySink& sink,
        const std::vector<std::pair<std::string, std::string>>& extra_headers);

    // The request that streams an asset (Accept: application/octet-stream plus `extra_headers`).
    http::Request asset_request(
        const Asset& asset,
        const std::vector<std::pair<std::string, std::string>>& extra_headers) const;

    // Fetches a small asset (a checksum file) into memory, with retries.
    Result<std::string> fetch_small_asset(const Asset& asset, std::size_t limit = 1u << 20);

    // The redirect policy API requests use (the token bound to the API origin).
    const http::RedirectPolicy& redirect_policy() const { return m_redirects; }

private:
    // GET a JSON document with retries; `not_found` true for 404 (no error).
    struct JsonResponse {
        std::string body;
        http::Headers headers;
        bool not_found = false;
    };
    Result<JsonResponse> get_json(const std::string& url);
    std::vector<std::pair<std::string, std::string>> base_headers(const char* accept) const;

    http::Client& m_client;
    ApiConfig m_config;
    util::Console& m_console;
    http::RedirectPolicy m_redirects;
    std::mt19937 m_rng;
};

// True when a download through `api_url` was refused (401/403) by a host other
// than the API's: a signed storage URL that expired. Asking the API again gives
// a fresh one.
bool storage_url_refused(const http::Response& response, const std::string& api_url);

// A retry decision for a download refused by its storage host (an expired
// signed URL): ask the API again at once, up to the third attempt; empty otherwise.
std::optional<http::RetryDecision> fresh_url_decision(const http::Response& response,
                                                      const std::string& api_url, int attempt);

// The one retry wait, shared with every other client of a remote service.
using http::g_sleep_for;

}  // namespace tl::github
