// An OCI repository as a mirror destination (layout in oci/registry.hpp).

#include <algorithm>
#include <set>

#include "tl/oci/registry.hpp"
#include "tl/platform/platform.hpp"
#include "tl/release/contract.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::oci {

namespace {

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

class OciDestination : public mirror::Destination {
public:
    OciDestination(http::Client& client, Reference ref, const source::SourceOptions& options,
                   util::Console& console)
        : m_registry(client, std::move(ref), options, console), m_console(console) {}

    std::string name() const override { return m_registry.reference().display(); }

    Result<std::map<std::string, std::string>> existing(const std::string& tag) override {
        std::map<std::string, std::string> out;
        auto top = m_registry.get_manifest(tag, Access::push);
        if (!top) {
            return util::unexpected(top.error());
        }
        if (!*top) {
            return out;
        }
        std::vector<std::string> bodies;
        if ((*top)->media_type == k_index_media_type) {
            auto index = parse_index((*top)->body);
            if (!index) {
                return util::unexpected(index.error());
            }
            for (const auto& d : index->manifests) {
                auto m = m_registry.get_manifest(d.digest, Access::push);
                if (!m) {
                    return util::unexpected(m.error());
                }
                if (*m) {
                    bodies.push_back((*m)->body);
                }
            }
        } else {
            bodies.push_back((*top)->body);
        }
        for (const auto& body : bodies) {
            auto m = parse_manifest(body);
            if (!m) {
                return util::unexpected(m.error());
            }
            for (const auto& l : m->layers) {
                auto title = l.annotations.find(std::string(k_title_annotation));
                std::string hex = sha256_hex(l.digest);
                if (title != l.annotations.end() && !hex.empty()) {
                    out[title->second] = hex;
                }
            }
        }
        return out;
    }

    Result<void> put(const std::string&, const mirror::MirroredAsset& asset) override {
        auto r = m_registry.upload_blob("sha256:" + asset.sha256, asset.file);
        if (!r) {
            return util::unexpected(r.error());
        }
        m_console.debug((*r ? "uploaded " : "already there: ") + asset.name);
        return {};
    }

    Result<void> finish(const std::string& tag,
                        const std::vector<mirror::MirroredAsset>& assets) override {
        auto config = m_registry.upload_small_blob(std::string(k_empty_digest), "{}");
        if (!config) {
            return util::unexpected(config.error());
        }
        std::map<std::string, std::vector<Descriptor>> per_platform;
        std::vector<Descriptor> shared;
        for (const auto& a : assets) {
            std::string p = platform_of(a.name, tag);
            (p.empty() ? shared : per_platform[p]).push_back(layer_for(a));
        }
        auto by_title = [](const Descriptor& a, const Descriptor& b) {
            return a.annotations.at(std::string(k_title_annotation)) <
                   b.annotations.at(std::string(k_title_annotation));
        };
        if (per_platform.empty()) {
            Manifest m{std::string(k_artifact_type), empty_config(), shared};
            std::sort(m.layers.begin(), m.layers.end(), by_title);
            return push(tag, std::string(k_manifest_media_type), manifest_json(m));
        }
        Index index;
        index.artifact_type = std::string(k_artifact_type);
        index.annotations[std::string(k_layout_annotation)] = std::to_string(k_layout_version);
        for (auto& [platform_name, layers] : per_platform) {
            Manifest m{std::string(k_artifact_type), empty_config(), layers};
            m.layers.insert(m.layers.end(), shared.begin(), shared.end());
            std::sort(m.layers.begin(), m.layers.end(), by_title);
            std::string body = manifest_json(m);
            auto pushed = push(tag + "-" + platform_name, std::string(k_manifest_media_type), body);
            if (!pushed) {
                return pushed;
            }
            Descriptor d;
            d.media_type = std::string(k_manifest_media_type);
            d.digest = "sha256:" + util::sha256_hex(body);
            d.size = body.size();
            std::tie(d.os, d.architecture) = oci_platform(platform_name);
            d.annotations[std::string(k_platform_annotation)] = platform_name;
            index.manifests.push_back(std::move(d));
        }
        return push(tag, std::string(k_index_media_type), index_json(index));
    }

private:
    // Pushes a manifest under a tag unless the tag already names these bytes.
    Result<void> push(const std::string& tag, const std::string& media_type,
                      const std::string& body) {
        auto now = m_registry.get_manifest(tag, Access::push);
        if (!now) {
            return util::unexpected(now.error());
        }
        if (*now && (*now)->digest == "sha256:" + util::sha256_hex(body)) {
            m_console.debug(name() + ":" + tag + " is up to date");
            return {};
        }
        return m_registry.put_manifest(tag, media_type, body);
    }

    Registry m_registry;
    util::Console& m_console;
};

}  // namespace

std::unique_ptr<mirror::Destination> make_oci_destination(http::Client& client,
                                                          const std::string& url,
                                                          const source::SourceOptions& options,
                                                          util::Console& console) {
    auto ref = parse_reference(url, options.plain_http);
    if (!ref) {
        throw Error(ref.error());
    }
    return std::make_unique<OciDestination>(client, std::move(*ref), options, console);
}

}  // namespace tl::oci
