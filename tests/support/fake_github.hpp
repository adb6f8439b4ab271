#pragma once

// A fake of the GitHub REST API for tests and local end-to-end runs, on
// 127.0.0.1. It behaves like the real one where the client depends on it:
// release JSON shapes, Link-header pagination, asset downloads that redirect to
// a storage server on another host name (http://localhost:PORT, while the API is
// http://127.0.0.1:PORT), Range/If-Range with ETag and Last-Modified, `digest`
// fields, rate-limit headers, release creation and asset uploads on a third
// "uploads" server. Faults are injected per server and recorded requests can be
// inspected (headers are stored with lower-case names).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tl/release/contract.hpp"

namespace tl::testing {

// One asset of a release. Content comes from `content`, or from `file` when set
// (for archives too large to keep in memory).
struct FakeAsset {
    std::string name;
    std::string content;
    std::filesystem::path file;
    std::string content_type = "application/octet-stream";
    // Reported as "digest": "sha256:<hex>"; computed from the content when
    // `report_digest` is true and `digest_override` is empty.
    bool report_digest = true;
    std::string digest_override;
    std::string state = "uploaded";
    std::uint64_t id = 0;  // assigned by the server
    // Reported as "label"; set by uploads that pass `label=`.
    std::string label;
};

// A release; releases added later are newer (listed first, like GitHub).
struct FakeRelease {
    std::string tag;
    std::string name;
    bool draft = false;
    bool prerelease = false;
    std::vector<FakeAsset> assets;
    std::uint64_t id = 0;  // assigned by the server
};

// One request as the server saw it.
struct RecordedRequest {
    std::string server;  // "api", "storage" or "uploads"
    std::string method;
    std::string target;                               // path with query string
    std::multimap<std::string, std::string> headers;  // lower-case names
    std::uint64_t body_bytes_sent = 0;                // response body bytes written
    int status = 0;
    int remote_port = 0;  // the client's port: one per connection
};

// How a storage rate applies: to the sum of all downloads, or to each one.
enum class Pacing { shared_link, per_download };

// Which server a fault applies to.
enum class FakeServer { api, storage, uploads };

class FakeGitHub {
public:
    // Starts the three servers on ephemeral ports; `repo` is "owner/name".
    explicit FakeGitHub(std::string repo = std::string(release::k_default_repo));
    ~FakeGitHub();
    FakeGitHub(const FakeGitHub&) = delete;
    FakeGitHub& operator=(const FakeGitHub&) = delete;

    // "http://127.0.0.1:PORT": what TEMPORAL_LIBS_API_URL is set to.
    std::string api_url() const;
    // "http://localhost:PORT": where asset downloads are redirected.
    std::string storage_url() const;
    // "http://127.0.0.1:PORT" of the uploads server (used in upload_url).
    std::string uploads_url() const;
    const std::string& repo() const;

    // Adds a release (newest so far) and returns its id; asset ids are assigned.
    std::uint64_t add_release(FakeRelease release);
    // Adds or replaces an asset of an existing release by name.
    void put_asset(const std::string& tag, FakeAsset asset);
    // Removes an asset by name; false if absent.
    bool remove_asset(const std::string& tag, const std::string& name);
    // A copy of a release as the server holds it now (after uploads, edits).
    std::optional<FakeRelease> release(const std::string& tag) const;

    // Every request seen so far, in arrival order.
    std::vector<RecordedRequest> requests() const;
    // Requests to one server.
    std::vector<RecordedRequest> requests(FakeServer server) const;
    void clear_requests();
    // Body bytes the storage server sent in total (for resume figures).
    std::uint64_t storage_bytes_sent() const;

    // --- Faults ---
    // The next `count` requests to `server` answer `status` with a small JSON body.
    void fail_next(FakeServer server, int count, int status = 503);
    // The next `count` API requests answer a primary rate limit: `status` (403 or
    // 429), x-ratelimit-remaining: 0, x-ratelimit-reset `reset_in` from now.
    void rate_limit_next(int count, int status, std::chrono::seconds reset_in);
    // The next `count` API requests answer a secondary rate limit with
    // retry-after (seconds) and no x-ratelimit-remaining: 0.
    void secondary_rate_limit_next(int count, int status, std::chrono::seconds retry_after);
    // The next download from storage whose body reaches `offset` closes the
    // connection after writing `offset` body bytes; several calls queue several
    // drops (one per download). Shorter downloads (checksum files) pass untouched.
    void drop_next_download_at(std::uint64_t offset);
    // The next download from storage whose body reaches `offset` stops sending
    // for `stall` after `offset` bytes.
    void stall_next_download_at(std::uint64_t offset, std::chrono::milliseconds stall);
    // Storage ignores Range headers (always 200 with the whole body).
    void set_ignore_range(bool ignore);
    // The next `count` ranged storage requests answer 416.
    void answer_416_next(int count);
    // Storage sends at most this many bytes per second (0: unlimited), over all
    // downloads together (a slow link) or each download alone (a per-connection
    // limit, as CDNs and object stores apply).
    void set_storage_rate(std::uint64_t bytes_per_second, Pacing pacing = Pacing::shared_link);
    // --- Faults for ranged downloads (each request asks one part of a file) ---
    // The first ranged storage request for each distinct range end (a range and
    // its resumptions share the end) closes the connection after `offset` body
    // bytes: one drop in each range of a parallel download. 0 turns it off.
    void drop_each_range_at(std::uint64_t offset);
    // Storage honours Range on the first `count` ranged requests, then answers
    // 200 with the whole body (a server that stops serving ranges midway); a
    // negative count turns it off.
    void ignore_range_after(int count);
    // After `count` storage downloads, every asset gets a new ETag and
    // Last-Modified (the same bytes, as after a re-upload); negative: never.
    void change_validators_after(int count);
    // Downloads that start at byte 0 are paced to this many bytes per second
    // each, whatever set_storage_rate says (a slow first range); 0 turns it off.
    void set_first_range_rate(std::uint64_t bytes_per_second);
    // Storage requests that carried a Range header so far.
    int ranged_requests() const;
    // The largest number of storage downloads streaming at once so far.
    int peak_concurrent_downloads() const;

    // Redirect URLs stop working (403, like an expired signed URL) this long after
    // they were issued; zero disables expiry.
    void set_redirect_lifetime(std::chrono::milliseconds lifetime);
    // Releases per page when the client does not ask (GitHub's default is 30).
    void set_default_per_page(int per_page);
    // Requires "Authorization: Bearer <token>" (or "token <token>") on API calls
    // when set; storage never requires it.
    void require_token(std::string token);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace tl::testing
