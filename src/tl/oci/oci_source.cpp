#include "tl/oci/oci_source.hpp"

#include <algorithm>
#include <limits>

#include "tl/oci/registry.hpp"
#include "tl/platform/platform.hpp"
#include "tl/release/contract.hpp"
#include "tl/source/latest.hpp"
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
    OciSource(http::Client& client, Reference ref, const http::NetSettings& options,
              util::Console& console)
        : m_registry(client, std::move(ref), options, console), m_console(console) {}

    std::string name() const override { return m_registry.reference().display(); }

    Result<std::optional<source::ReleaseInfo>> release(const std::string& tag) override {
        TL_TRY_ASSIGN(manifests, m_registry.release_manifests(tag, Access::pull))
        if (!*manifests) {
            // A 404 from something that is not a registry must not read as
            // "no such release".
            TL_TRY(m_registry.ping());
            return std::optional<source::ReleaseInfo>{};
        }
        source::ReleaseInfo info;
        info.tag = tag;
        for (const auto& m : **manifests) {
            for (const auto& layer : m.layers) {
                std::string title = title_of(layer);
                if (title.empty()) {
                    continue;  // not a named file (ORAS names every file it pushes)
                }
                if (const source::AssetInfo* seen = info.find(title)) {
                    if (seen->locator != layer.digest) {
                        return fail(ErrorKind::integrity,
                                    name() + ":" + tag + " holds two different files named " +
                                        util::quoted(title) + " (" + seen->locator + " and " +
                                        layer.digest + ")");
                    }
                    continue;
                }
                source::AssetInfo a;
                a.name = title;
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
        TL_TRY_ASSIGN(t, tags(prefix, std::numeric_limits<std::size_t>::max()))
        // The rule every source shares (source/latest.hpp): no pre-release
        // versions, the highest of the rest.
        auto picked = source::pick_latest(*t, prefix);
        if (!picked) {
            return std::optional<source::ReleaseInfo>{};
        }
        return release(*picked);
    }

    Result<std::vector<std::string>> tags(const std::string& prefix, std::size_t limit) override {
        TL_TRY_ASSIGN(all, m_registry.tags())
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

std::unique_ptr<source::Source> make_oci_source(http::Client& client, const std::string& url,
                                                const http::NetSettings& options,
                                                util::Console& console) {
    auto ref = parse_reference(url, options.plain_http);
    if (!ref) {
        throw Error(ref.error());
    }
    return std::make_unique<OciSource>(client, std::move(*ref), options, console);
}

}  // namespace tl::oci
