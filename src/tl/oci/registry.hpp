#pragma once

// OCI registries (the CNCF distribution registry, Harbor, GHCR, Artifactory) as
// release sources and mirror destinations, through the Distribution API v2.
//
// Artifact layout, format version 1 (what ORAS 1.x pushes and pulls; see
// docs/oci.md for the equivalent oras commands). For a release tag T
// ("temporal-libs-v1.0.2") in repository oci://host[:port]/name:
//   - one OCI image manifest per platform P ("linux-x64"), tagged "T-P":
//       mediaType    application/vnd.oci.image.manifest.v1+json
//       artifactType application/vnd.temporal-libs.release.v1
//       config       the OCI empty descriptor (application/vnd.oci.empty.v1+json,
//                    sha256:44136fa3…, size 2, the blob "{}")
//       layers       the platform's archives (.tar.gz, .tar.zst), their checksum
//                    sidecars, and the release-wide files (SHA256SUMS,
//                    SHA256SUMS.minisig) when the release has them; each layer
//                    carries org.opencontainers.image.title = the file name and
//                    a media type from layer_media_type(); sorted by name
//   - one OCI image index tagged T listing those manifests, each with
//     platform {os, architecture} (linux/amd64, linux/arm64, darwin/arm64,
//     darwin/amd64) and the annotation org.temporal-libs.platform = P; the
//     index carries org.temporal-libs.layout = the format version.
// A release with assets of no platform at all is one manifest tagged T. A
// source also accepts a single image manifest tagged T (an `oras push` of all
// files). Pulling checks each manifest fetched by digest against that digest
// and each blob against its layer digest, on top of the release's checksums.
//
// Authentication: anonymous first; on 401 the WWW-Authenticate challenge
// decides: Basic sends the host's credentials (config::credentials_for_host)
// to the registry; Bearer asks the token realm (with the registry's
// credentials only when the realm is on the registry's host, or with the
// realm host's own credentials when configured) and sends the token to the
// registry's origin only. Tokens are cached per scope (pull, push+pull).
//
// Layout versions:
//   1: the layout above. Readers accept indexes without the layout annotation
//      (made by hand or by ORAS) and single manifests.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tl/config/credentials.hpp"
#include "tl/http/client.hpp"
#include "tl/http/redirect.hpp"
#include "tl/mirror/destination.hpp"
#include "tl/source/source.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::oci {

// The OCI image manifest media type (one per platform).
inline constexpr std::string_view k_manifest_media_type =
    "application/vnd.oci.image.manifest.v1+json";
// The OCI image index media type (one per release tag).
inline constexpr std::string_view k_index_media_type = "application/vnd.oci.image.index.v1+json";
// The artifactType of our manifests and indexes.
inline constexpr std::string_view k_artifact_type = "application/vnd.temporal-libs.release.v1";
// The OCI empty descriptor used as config: media type, digest of "{}".
inline constexpr std::string_view k_empty_media_type = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view k_empty_digest =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
// The annotation holding a layer's file name (what `oras pull` writes it as).
inline constexpr std::string_view k_title_annotation = "org.opencontainers.image.title";
// The annotation naming an index entry's platform ("linux-x64").
inline constexpr std::string_view k_platform_annotation = "org.temporal-libs.platform";
// The index annotation holding the layout's format version.
inline constexpr std::string_view k_layout_annotation = "org.temporal-libs.layout";
// Format version of the layout above.
inline constexpr int k_layout_version = 1;

// A repository parsed from "oci://host[:port]/name/space".
struct Reference {
    std::string host;        // "127.0.0.1:5000", as written: the credentials key
    std::string repository;  // "team/temporal-libs"
    std::string base_url;    // "https://host[:port]", or http:// for loopback / --allow-http
    // "oci://host/repository": for messages.
    std::string display() const { return "oci://" + host + "/" + repository; }
};

// Parses an oci:// URL; a usage failure naming what is wrong.
Result<Reference> parse_reference(std::string_view url, http::PlainHttp plain_http);

// One content descriptor.
struct Descriptor {
    std::string media_type;
    std::string digest;  // "sha256:<hex>"
    std::uint64_t size = 0;
    std::map<std::string, std::string> annotations;
    // Index entries only: OCI os/architecture, empty when absent.
    std::string os;
    std::string architecture;
};

// An OCI image manifest.
struct Manifest {
    std::string artifact_type;
    Descriptor config;
    std::vector<Descriptor> layers;
};

// An OCI image index.
struct Index {
    std::string artifact_type;
    std::vector<Descriptor> manifests;
    std::map<std::string, std::string> annotations;
};

// The JSON a manifest is pushed as (deterministic: same manifest, same bytes).
std::string manifest_json(const Manifest& manifest);
// The JSON an index is pushed as (deterministic).
std::string index_json(const Index& index);
// Parses an image manifest; an integrity failure for malformed JSON.
Result<Manifest> parse_manifest(std::string_view json_text);

// A WWW-Authenticate challenge: its scheme (lower case) and parameters.
struct Challenge {
    std::string scheme;
    std::map<std::string, std::string> params;
};

// Parses `Bearer realm="…",service="…",scope="a,b"` (quoted values may hold
// commas, backslash escapes honoured); never fails, unknown text gives an
// empty or partial challenge.
Challenge parse_challenge(std::string_view value);
// Parses an image index; an integrity failure for malformed JSON.
Result<Index> parse_index(std::string_view json_text);

// The layer media type for a release file: archives by compression, text otherwise.
std::string layer_media_type(std::string_view file_name);
// OCI os/architecture for a platform name ("linux-x64" -> linux/amd64).
std::pair<std::string, std::string> oci_platform(std::string_view platform_name);

// "sha256:<hex>" -> "<hex>"; empty for other algorithms or malformed digests.
std::string sha256_hex(std::string_view digest);

// What a request needs permission for (the bearer token scope).
enum class Access { pull, push };

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
    Registry(http::Client& client, Reference ref, const source::SourceOptions& options,
             util::Console& console);

    const Reference& reference() const { return m_ref; }

    // Checks that the host speaks the Distribution API (GET /v2/ answers 200,
    // after authenticating); a usage failure naming the URL otherwise.
    Result<void> ping();
    // The manifest or index a tag or digest names; empty on 404 (unknown tag or
    // repository). Fetched by digest, the body must hash to it.
    Result<std::optional<FetchedManifest>> get_manifest(const std::string& reference,
                                                        Access access = Access::pull);
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
    // Gets (and caches) the Authorization value for a challenge.
    Result<std::string> authorize(const std::string& challenge, Access access);
    Result<std::string> bearer_token(const std::map<std::string, std::string>& params,
                                     Access access);
    // Uploads one blob unless present; `set_body` puts the bytes into the PUT.
    Result<bool> push_blob(const std::string& digest,
                           const std::function<void(http::Request&)>& set_body);
    std::optional<http::Credential> credential(Access access);
    std::string url(const std::string& path) const;
    http::RedirectPolicy redirects(Access access);
    // The error for credentials the registry (or its token service) refused.
    // `host` is the one whose credentials are missing or wrong; `from` where the
    // refused ones came from (empty: none were sent).
    util::Unexpected<Failure> refused(int status, const std::string& host,
                                      const std::string& from) const;
    std::string sent_from();
    // Credentials for the registry host, looked up once.
    Result<std::optional<config::HostCredentials>> host_credentials();

    SerialClient m_client;
    Reference m_ref;
    source::SourceOptions m_options;
    util::Console& m_console;
    std::string m_origin;
    std::mutex m_mutex;  // guards the members below
    std::map<Access, std::string> m_authorization;
    std::optional<config::HostCredentials> m_host_credentials;
    bool m_looked_up = false;
    // Where the credentials last sent came from, for messages; empty: none sent.
    std::string m_sent_from;
    std::mt19937 m_rng{std::random_device{}()};
    std::atomic<std::uint64_t> m_uploads{0};
};

// An OCI repository as a mirror destination (the layout above).
std::unique_ptr<mirror::Destination> make_oci_destination(http::Client& client,
                                                          const std::string& url,
                                                          const source::SourceOptions& options,
                                                          util::Console& console);

}  // namespace tl::oci
