// An OCI repository as a release source (layout in oci/registry.hpp).

#include <algorithm>
#include <limits>

#include "tl/oci/registry.hpp"
#include "tl/platform/platform.hpp"
#include "tl/release/contract.hpp"
#include "tl/source/latest.hpp"
#include "tl/source/source.hpp"
#include "tl/source/tag_filter.hpp"
#include "tl/util/strings.hpp"

namespace tl::oci {

namespace {

// A tag "<release>-<platform>" naming one platform's manifest.
bool is_platform_tag(const std::string& tag) {
    for (const auto& p : platform::all_platforms()) {
        if (util::ends_with(tag, "-" + p.name())) {
            return true;
        }
    }
    return false;
}

class OciSource : public source::Source {
public:
    OciSource(http::Client& client, Reference ref, const source::SourceOptions& options,
              util::Console& console)
        : m_registry(client, std::move(ref), options, console), m_console(console) {}

    std::string name() const override { return m_registry.reference().display(); }

    Result<std::optional<source::ReleaseInfo>> release(const std::string& tag) override {
        auto top = m_registry.get_manifest(tag);
        if (!top) {
            return util::unexpected(top.error());
        }
        if (!*top) {
            // A 404 from something that is not a registry must not read as
            // "no such release".
            if (auto ping = m_registry.ping(); !ping) {
                return util::unexpected(ping.error());
            }
            return std::optional<source::ReleaseInfo>{};
        }
        source::ReleaseInfo info;
        info.tag = tag;
        std::vector<Manifest> manifests;
        if ((*top)->media_type == k_index_media_type) {
            auto index = parse_index((*top)->body);
            if (!index) {
                return util::unexpected(index.error());
            }
            for (const auto& d : index->manifests) {
                if (d.media_type != k_manifest_media_type) {
                    continue;
                }
                auto m = m_registry.get_manifest(d.digest);
                if (!m) {
                    return util::unexpected(m.error());
                }
                if (!*m) {
                    return fail(ErrorKind::integrity, name() + ":" + tag + " lists manifest " +
                                                          d.digest +
                                                          ", which the registry does not have");
                }
                if ((*m)->body.size() != d.size) {
                    return fail(ErrorKind::integrity,
                                name() + ":" + tag + " lists manifest " + d.digest + " with " +
                                    std::to_string(d.size) + " bytes, but it has " +
                                    std::to_string((*m)->body.size()));
                }
                auto parsed = parse_manifest((*m)->body);
                if (!parsed) {
                    return util::unexpected(parsed.error());
                }
                manifests.push_back(std::move(*parsed));
            }
        } else {
            auto parsed = parse_manifest((*top)->body);
            if (!parsed) {
                return util::unexpected(parsed.error());
            }
            manifests.push_back(std::move(*parsed));
        }
        for (const auto& m : manifests) {
            for (const auto& layer : m.layers) {
                auto title = layer.annotations.find(std::string(k_title_annotation));
                if (title == layer.annotations.end() || title->second.empty()) {
                    continue;  // not a named file (ORAS names every file it pushes)
                }
                if (const source::AssetInfo* seen = info.find(title->second)) {
                    if (seen->locator != layer.digest) {
                        return fail(ErrorKind::integrity,
                                    name() + ":" + tag + " holds two different files named " +
                                        util::quoted(title->second) + " (" + seen->locator +
                                        " and " + layer.digest + ")");
                    }
                    continue;
                }
                source::AssetInfo a;
                a.name = title->second;
                a.size = layer.size;
                a.reported_digest = sha256_hex(layer.digest);
                a.locator = layer.digest;
                a.display_url = name() + "@" + layer.digest;
                info.assets.push_back(std::move(a));
            }
        }
        return std::optional<source::ReleaseInfo>(std::move(info));
    }

    Result<std::optional<source::ReleaseInfo>> latest(const std::string& prefix) override {
        auto t = tags(prefix, std::numeric_limits<std::size_t>::max());
        if (!t) {
            return util::unexpected(t.error());
        }
        // The rule every source shares (source/latest.hpp): no pre-release
        // versions, the highest of the rest.
        auto picked = source::pick_latest(*t, prefix);
        if (!picked) {
            return std::optional<source::ReleaseInfo>{};
        }
        return release(*picked);
    }

    Result<std::vector<std::string>> tags(const std::string& prefix, std::size_t limit) override {
        auto all = m_registry.tags();
        if (!all) {
            return util::unexpected(all.error());
        }
        std::vector<std::string> out;
        for (auto& t : *all) {
            if (util::starts_with(t, prefix) && !is_platform_tag(t) &&
                source::keep_library_tag(t, name(), m_console)) {
                out.push_back(std::move(t));
            }
        }
        std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
            return release::compare_tags(a, b) > 0;
        });
        if (out.size() > limit) {
            out.resize(limit);
        }
        return out;
    }

    Result<std::string> fetch_small(const source::AssetInfo& asset, std::size_t limit) override {
        return m_registry.get_small_blob(asset.locator, limit);
    }

    http::SendResult fetch(const source::AssetInfo& asset, const source::Resume& from,
                           http::BodySink& sink) override {
        return m_registry.get_blob(asset.locator, sink, source::range_headers(from));
    }

private:
    Registry m_registry;
    util::Console& m_console;
};

}  // namespace

}  // namespace tl::oci

namespace tl::source {

std::unique_ptr<Source> make_oci_source(http::Client& client, const std::string& url,
                                        const SourceOptions& options, util::Console& console) {
    auto ref = oci::parse_reference(url, options.plain_http);
    if (!ref) {
        throw Error(ref.error());
    }
    return std::make_unique<oci::OciSource>(client, std::move(*ref), options, console);
}

}  // namespace tl::source
