#include "tl/oci/oci_destination.hpp"

#include "tl/oci/registry.hpp"
#include "tl/util/sha256.hpp"

namespace tl::oci {

namespace {

class OciDestination : public mirror::Destination {
public:
    OciDestination(http::Client& client, Reference ref, const http::NetSettings& options,
                   util::Console& console)
        : m_registry(client, std::move(ref), options, console), m_console(console) {}

    std::string name() const override { return m_registry.reference().display(); }

    Result<std::map<std::string, std::string>> existing(const std::string& tag) override {
        TL_TRY_ASSIGN(manifests, m_registry.release_manifests(tag, Access::push))
        std::map<std::string, std::string> out;
        for (const auto& m : manifests->value_or(std::vector<Manifest>{})) {
            for (const auto& l : m.layers) {
                if (std::string title = title_of(l), hex = sha256_hex(l.digest);
                    !title.empty() && !hex.empty()) {
                    out[title] = hex;
                }
            }
        }
        return out;
    }

    Result<void> put(const std::string&, const mirror::MirroredAsset& asset) override {
        TL_TRY_ASSIGN(r, m_registry.upload_blob("sha256:" + asset.sha256, asset.file))
        m_console.debug((*r ? "uploaded " : "already there: ") + asset.name);
        return {};
    }

    Result<void> finish(const std::string& tag,
                        const std::vector<mirror::MirroredAsset>& assets) override {
        auto config = m_registry.upload_small_blob(std::string(k_empty_digest), "{}");
        if (!config) {
            return util::unexpected(config.error());
        }
        for (const auto& document : release_documents(tag, assets)) {
            if (auto pushed = push(document); !pushed) {
                return pushed;
            }
        }
        return {};
    }

private:
    // Pushes a manifest under a tag unless the tag already names these bytes.
    Result<void> push(const Document& d) {
        TL_TRY_ASSIGN(now, m_registry.get_manifest(d.tag, Access::push))
        if (*now && (*now)->digest == "sha256:" + util::sha256_hex(d.body)) {
            m_console.debug(name() + ":" + d.tag + " is up to date");
            return {};
        }
        return m_registry.put_manifest(d.tag, d.media_type, d.body);
    }

    Registry m_registry;
    util::Console& m_console;
};

}  // namespace

std::unique_ptr<mirror::Destination> make_oci_destination(http::Client& client,
                                                          const std::string& url,
                                                          const http::NetSettings& options,
                                                          util::Console& console) {
    auto ref = parse_reference(url, options.plain_http);
    if (!ref) {
        throw Error(ref.error());
    }
    return std::make_unique<OciDestination>(client, std::move(*ref), options, console);
}

}  // namespace tl::oci
