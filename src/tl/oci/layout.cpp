#include "tl/oci/layout.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tl/http/url.hpp"
#include "tl/platform/platform.hpp"
#include "tl/release/contract.hpp"
#include "tl/util/json.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::oci {

using nlohmann::json;

namespace {

json descriptor_json(const Descriptor& d) {
    json j = {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
    if (!d.os.empty()) {
        j["platform"] = {{"os", d.os}, {"architecture", d.architecture}};
    }
    if (!d.annotations.empty()) {
        j["annotations"] = d.annotations;
    }
    return j;
}

Result<Descriptor> parse_descriptor(const json& j, const char* what) {
    if (!j.is_object() || !j.contains("digest") || !j["digest"].is_string() ||
        !j.contains("size") || !j["size"].is_number_unsigned()) {
        return fail(ErrorKind::integrity,
                    std::string("malformed ") + what + " descriptor in an OCI manifest");
    }
    Descriptor d;
    d.media_type = j.value("mediaType", "");
    d.digest = j["digest"].get<std::string>();
    d.size = j["size"].get<std::uint64_t>();
    if (j.contains("annotations") && j["annotations"].is_object()) {
        for (const auto& [k, v] : j["annotations"].items()) {
            if (v.is_string()) {
                d.annotations[k] = v.get<std::string>();
            }
        }
    }
    if (j.contains("platform") && j["platform"].is_object()) {
        d.os = j["platform"].value("os", "");
        d.architecture = j["platform"].value("architecture", "");
    }
    return d;
}

// The platform an asset belongs to (its archive or checksum sidecar), empty
// for release-wide files.
std::string platform_of(const std::string& asset, const std::string& tag) {
    if (auto a = release::parse_archive_name(asset, tag)) {
        return a->platform;
    }
    for (const auto& p : platform::all_platforms()) {
        for (auto f : {release::ArchiveFormat::tar_gz, release::ArchiveFormat::tar_zst}) {
            for (const auto& n : release::checksum_names(p, tag, f)) {
                if (n == asset) {
                    return p.name();
                }
            }
        }
    }
    return {};
}

Descriptor layer_for(const mirror::MirroredAsset& a) {
    Descriptor d;
    d.media_type = layer_media_type(a.name);
    d.digest = "sha256:" + a.sha256;
    d.size = a.size;
    d.annotations[std::string(k_title_annotation)] = a.name;
    return d;
}

Descriptor empty_config() {
    Descriptor d;
    d.media_type = std::string(k_empty_media_type);
    d.digest = std::string(k_empty_digest);
    d.size = 2;
    return d;
}

}  // namespace

Result<Reference> parse_reference(std::string_view url, http::PlainHttp plain_http) {
    const std::string shown = util::quoted(util::redact_url(url));
    if (!util::starts_with(url, "oci://")) {
        return fail(ErrorKind::usage, "not an OCI repository URL: " + shown +
                                          " (expected oci://host[:port]/name/space)");
    }
    std::string_view rest = url.substr(6);
    std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= rest.size()) {
        return fail(ErrorKind::usage, "OCI repository URL " + shown +
                                          " needs a host and a repository path, e.g. "
                                          "oci://registry.example/team/temporal-libs");
    }
    Reference ref;
    ref.host = util::to_lower(rest.substr(0, slash));
    ref.repository = std::string(rest.substr(slash + 1));
    while (util::ends_with(ref.repository, "/")) {
        ref.repository.pop_back();
    }
    if (ref.host.find('@') != std::string::npos) {
        return fail(ErrorKind::usage, "OCI repository URL " + shown +
                                          " must not carry credentials: put them in the "
                                          "credentials file (see docs/oci.md)");
    }
    for (char c : ref.repository) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-' || c == '/';
        if (!ok) {
            return fail(ErrorKind::usage,
                        "OCI repository name " + util::quoted(ref.repository) +
                            " may hold only lower-case letters, digits and . _ - / (OCI naming)");
        }
    }
    auto https = http::parse_url("https://" + ref.host + "/");
    if (!https) {
        return fail(ErrorKind::usage, "cannot read the registry host in " + shown);
    }
    bool plain = http::is_loopback_host(https->host) || plain_http == http::PlainHttp::allowed;
    ref.base_url = (plain ? "http://" : "https://") + ref.host;
    return ref;
}

std::string title_of(const Descriptor& layer) {
    auto it = layer.annotations.find(std::string(k_title_annotation));
    return it == layer.annotations.end() ? std::string() : it->second;
}

std::string manifest_json(const Manifest& m) {
    json layers = json::array();
    for (const auto& l : m.layers) {
        layers.push_back(descriptor_json(l));
    }
    json config = descriptor_json(m.config);
    if (m.config.digest == k_empty_digest) {
        config["data"] = "e30=";
    }
    json j = {{"schemaVersion", 2},
              {"mediaType", k_manifest_media_type},
              {"config", config},
              {"layers", layers}};
    if (!m.artifact_type.empty()) {
        j["artifactType"] = m.artifact_type;
    }
    return j.dump();
}

std::string index_json(const Index& index) {
    json manifests = json::array();
    for (const auto& d : index.manifests) {
        manifests.push_back(descriptor_json(d));
    }
    json j = {{"schemaVersion", 2}, {"mediaType", k_index_media_type}, {"manifests", manifests}};
    if (!index.artifact_type.empty()) {
        j["artifactType"] = index.artifact_type;
    }
    if (!index.annotations.empty()) {
        j["annotations"] = index.annotations;
    }
    return j.dump();
}

Result<Manifest> parse_manifest(std::string_view text) {
    json j = util::parse_json_or_discarded(text);
    if (!j.is_object() || !j.contains("layers") || !j["layers"].is_array()) {
        return fail(ErrorKind::integrity, "malformed OCI image manifest (no layers array)");
    }
    Manifest m;
    m.artifact_type = j.value("artifactType", "");
    if (j.contains("config")) {
        TL_TRY_ASSIGN(c, parse_descriptor(j["config"], "config"))
        m.config = std::move(*c);
    }
    for (const auto& l : j["layers"]) {
        TL_TRY_ASSIGN(d, parse_descriptor(l, "layer"))
        m.layers.push_back(std::move(*d));
    }
    return m;
}

Result<Index> parse_index(std::string_view text) {
    json j = util::parse_json_or_discarded(text);
    if (!j.is_object() || !j.contains("manifests") || !j["manifests"].is_array()) {
        return fail(ErrorKind::integrity, "malformed OCI image index (no manifests array)");
    }
    Index index;
    index.artifact_type = j.value("artifactType", "");
    for (const auto& m : j["manifests"]) {
        TL_TRY_ASSIGN(d, parse_descriptor(m, "manifest"))
        index.manifests.push_back(std::move(*d));
    }
    return index;
}

std::string layer_media_type(std::string_view name) {
    if (util::ends_with(name, ".tar.gz")) {
        return "application/vnd.temporal-libs.archive.v1.tar+gzip";
    }
    if (util::ends_with(name, ".tar.zst")) {
        return "application/vnd.temporal-libs.archive.v1.tar+zstd";
    }
    if (util::ends_with(name, ".minisig")) {
        return "application/vnd.temporal-libs.minisign.v1";
    }
    return "text/plain";
}

std::pair<std::string, std::string> oci_platform(std::string_view name) {
    auto p = platform::parse_platform(name);
    if (!p) {
        return {};
    }
    std::string os = p->os == platform::Os::linux ? "linux" : "darwin";
    std::string arch = p->arch == platform::Arch::x64 ? "amd64" : "arm64";
    return {os, arch};
}

std::string sha256_hex(std::string_view digest) {
    if (!util::starts_with(digest, "sha256:")) {
        return {};
    }
    std::string hex(digest.substr(7));
    return util::is_sha256_hex(hex) ? util::to_lower(hex) : std::string();
}

std::vector<Document> release_documents(const std::string& tag,
                                        const std::vector<mirror::MirroredAsset>& assets) {
    std::map<std::string, std::vector<Descriptor>> per_platform;
    std::vector<Descriptor> shared;
    for (const auto& a : assets) {
        std::string p = platform_of(a.name, tag);
        (p.empty() ? shared : per_platform[p]).push_back(layer_for(a));
    }
    auto manifest = [&](std::vector<Descriptor> layers) {
        Manifest m{std::string(k_artifact_type), empty_config(), std::move(layers)};
        m.layers.insert(m.layers.end(), shared.begin(), shared.end());
        std::sort(m.layers.begin(), m.layers.end(), [](const Descriptor& a, const Descriptor& b) {
            return title_of(a) < title_of(b);
        });
        return manifest_json(m);
    };
    if (per_platform.empty()) {
        return {{tag, std::string(k_manifest_media_type), manifest({})}};
    }
    std::vector<Document> out;
    Index index;
    index.artifact_type = std::string(k_artifact_type);
    index.annotations[std::string(k_layout_annotation)] = std::to_string(k_layout_version);
    for (auto& [platform_name, layers] : per_platform) {
        Document m{tag + "-" + platform_name, std::string(k_manifest_media_type),
                   manifest(std::move(layers))};
        Descriptor d;
        d.media_type = m.media_type;
        d.digest = "sha256:" + util::sha256_hex(m.body);
        d.size = m.body.size();
        std::tie(d.os, d.architecture) = oci_platform(platform_name);
        d.annotations[std::string(k_platform_annotation)] = platform_name;
        index.manifests.push_back(std::move(d));
        out.push_back(std::move(m));
    }
    out.push_back({tag, std::string(k_index_media_type), index_json(index)});
    return out;
}

}  // namespace tl::oci
