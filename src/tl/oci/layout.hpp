#pragma once

// How a release is stored in an OCI repository, and the OCI documents that
// describe it (built and read here; sent and fetched by oci/registry.hpp).
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
// Layout versions:
//   1: the layout above. Readers accept indexes without the layout annotation
//      (made by hand or by ORAS) and single manifests.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tl/http/redirect.hpp"
#include "tl/mirror/destination.hpp"
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

// A layer's file name (its title annotation); empty when it has none.
std::string title_of(const Descriptor& layer);

// The JSON a manifest is pushed as (deterministic: same manifest, same bytes).
std::string manifest_json(const Manifest& manifest);
// The JSON an index is pushed as (deterministic).
std::string index_json(const Index& index);
// Parses an image manifest; an integrity failure for malformed JSON.
Result<Manifest> parse_manifest(std::string_view json_text);
// Parses an image index; an integrity failure for malformed JSON.
Result<Index> parse_index(std::string_view json_text);

// The layer media type for a release file: archives by compression, text otherwise.
std::string layer_media_type(std::string_view file_name);
// OCI os/architecture for a platform name ("linux-x64" -> linux/amd64).
std::pair<std::string, std::string> oci_platform(std::string_view platform_name);

// "sha256:<hex>" -> "<hex>"; empty for other algorithms or malformed digests.
std::string sha256_hex(std::string_view digest);

// A manifest or index to push under a tag.
struct Document {
    std::string tag;
    std::string media_type;
    std::string body;
};

// The documents that store release `tag` with these assets in the layout
// above, in the order to push them: the per-platform manifests, then the
// index (or the one manifest of a release without platform files). Their
// config is the empty blob, which must be pushed first.
std::vector<Document> release_documents(const std::string& tag,
                                        const std::vector<mirror::MirroredAsset>& assets);

}  // namespace tl::oci
