#pragma once

// A client for one repository of an OCI registry (the CNCF distribution
// registry, Harbor, GHCR, Artifactory) through the Distribution API v2: what
// oci_source.cpp reads releases with and oci_destination.cpp pushes them
// with (layout in oci/layout.hpp, authentication in oci/auth.hpp).

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tl/http/client.hpp"
#include "tl/http/endpoint.hpp"
#include "tl/http/redirect.hpp"
#include "tl/oci/auth.hpp"
#include "tl/oci/layout.hpp"
#include "tl/source/source.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::oci {

// A fetched manifest or index.
struct FetchedManifest {
    std::string media_type;
    std::string digest;  // sha256 of the body
    std::string body;
};

// Sends through another client one exchange at a time: the libcurl client
// reuses one handle, so threads sharing it must take turns.
class SerialClient : public http::Client {
public:
    explicit SerialClient(http::Client& inner) : m_inner(inner) {}
    http::SendResult send(const http::Request& request, http::BodySink& sink) override;

private:
    http::Client& m_inner;
    std::mutex m_mutex;
};

// A client for one repository of one registry. Thread-safe (requests are
// serialised on the one HTTP client).
class Registry {
public:
    Registry(http::Client& client, Reference ref, const http::NetSettings& options,
             util::Console& console);

    const Reference& reference() const { return m_ref; }

    // Checks that the host speaks the Distribution API (GET /v2/ answers 200,
    // after authenticating); a usage failure naming the URL otherwise.
    Result<void> ping();
    // The manifest or index a tag or digest names; empty on 404 (unknown tag or
    // repository). Fetched by digest, the body must hash to it.
    Result<std::optional<FetchedManifest>> get_manifest(const std::string& reference,
                                                        Access access = Access::pull);
    // The image manifests release `tag` is stored as: those its index lists,
    // or the one manifest the tag names; empty when the tag is unknown. To
    // pull, index entries that are not image manifests are skipped, and one
    // the registry lacks or holds with another size is an integrity failure;
    // to push, such an entry is left out (the push replaces it).
    Result<std::optional<std::vector<Manifest>>> release_manifests(const std::string& tag,
                                                                   Access access);
    // Pushes a manifest or index under a tag or digest.
    Result<void> put_manifest(const std::string& reference, const std::string& media_type,
                              const std::string& body);
    // Tags of the repository (all pages); empty when the repository is unknown.
    Result<std::vector<std::string>> tags();

    // Whether the registry holds this blob (HEAD) for pushing.
    Result<bool> has_blob(const std::string& digest);
    // Uploads a file as a blob (POST then monolithic PUT). Returns false when
    // the blob was already there and nothing was sent.
    Result<bool> upload_blob(const std::string& digest, const std::filesystem::path& file);
    // Uploads a small in-memory blob when absent.
    Result<bool> upload_small_blob(const std::string& digest, const std::string& content);
    // A small blob in memory, with retries, checked against its digest.
    Result<std::string> get_small_blob(const std::string& digest, std::size_t limit);
    // One attempt at streaming a blob (redirects followed; credentials stay on
    // the registry's origin); `extra` carries Range/If-Range.
    http::SendResult get_blob(const std::string& digest, http::BodySink& sink,
                              const source::Headers& extra);

    // Blob uploads this client made (for reports and tests).
    std::uint64_t uploads() const { return m_uploads.load(); }

private:
    struct Exchange {
        std::string what;
        http::Request request;
        std::function<bool(int status)> accept;
    };

    // Sends with retries and authentication: a 401 is answered once with the
    // credentials the challenge asks for. The sink sees only the final answer.
    Result<http::Response> send(const Exchange& exchange, http::BodySink& sink, Access access);
    // Uploads one blob unless present; `set_body` puts the bytes into the PUT.
    Result<bool> push_blob(const std::string& digest,
                           const std::function<void(http::Request&)>& set_body);
    std::string url(const std::string& path) const;
    http::RedirectPolicy redirects(Access access);

    SerialClient m_client;
    Reference m_ref;
    http::Endpoint m_endpoint;
    Auth m_auth;
    std::atomic<std::uint64_t> m_uploads{0};
};

}  // namespace tl::oci
