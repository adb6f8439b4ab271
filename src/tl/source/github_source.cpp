#include "tl/source/source.hpp"

#include "tl/release/contract.hpp"
#include "tl/release/tags.hpp"
#include "tl/source/latest.hpp"
#include "tl/source/tag_filter.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::source {

const AssetInfo* ReleaseInfo::find(const std::string& asset_name) const {
    for (const auto& a : assets) {
        if (a.name == asset_name) {
            return &a;
        }
    }
    return nullptr;
}

std::vector<platform::Platform> ReleaseInfo::platforms() const {
    std::vector<platform::Platform> found;
    for (const auto& p : platform::all_platforms()) {
        for (auto f : {release::ArchiveFormat::tar_zst, release::ArchiveFormat::tar_gz}) {
            if (find(release::archive_name(p, tag, f)) != nullptr) {
                found.push_back(p);
                break;
            }
        }
    }
    return found;
}

bool keep_library_tag(const std::string& tag, const std::string& source_name,
                      util::Console& console) {
    std::string why = release::library_tag_problem(tag);
    if (why.empty()) {
        return true;
    }
    if (!util::starts_with(tag, release::k_tool_tag_prefix)) {
        console.warn("skipping release " + util::quoted(tag) + " of " + source_name + ": " + why);
    }
    return false;
}

namespace {

ReleaseInfo to_info(const github::Release& r) {
    ReleaseInfo info;
    info.tag = r.tag;
    for (const auto& a : r.assets) {
        AssetInfo ai;
        ai.name = a.name;
        ai.size = a.size;
        ai.reported_digest = a.digest;
        ai.locator = a.api_url;
        ai.display_url =
            util::redact_url(a.browser_download_url.empty() ? a.api_url : a.browser_download_url);
        ai.complete = a.state.empty() || a.state == "uploaded";
        info.assets.push_back(std::move(ai));
    }
    return info;
}

github::Asset to_asset(const AssetInfo& a) {
    github::Asset g;
    g.name = a.name;
    g.size = a.size;
    g.api_url = a.locator;
    return g;
}

class GitHubSource : public Source {
public:
    GitHubSource(http::Client& client, github::ApiConfig config, util::Console& console)
        : m_api(client, std::move(config), console), m_console(console) {}

    std::string name() const override { return "github:" + m_api.config().repo; }

    Result<std::optional<ReleaseInfo>> release(const std::string& tag) override {
        auto r = m_api.release_by_tag(tag);
        if (!r) {
            return util::unexpected(r.error());
        }
        if (!*r) {
            return std::optional<ReleaseInfo>{};
        }
        return std::optional<ReleaseInfo>(to_info(**r));
    }

    Result<std::optional<ReleaseInfo>> latest(const std::string& prefix) override {
        // The highest version, not the first listed (latest.hpp): every page
        // is read, since a release published later may carry a lower version.
        LatestPicker picker(prefix);
        std::optional<github::Release> best;
        auto r = m_api.find_release([&](const github::Release& rel) {
            if (!rel.draft && !rel.prerelease && util::starts_with(rel.tag, prefix) &&
                keep_library_tag(rel.tag, name(), m_console) &&
                picker.offer(rel.tag, rel.draft, rel.prerelease)) {
                best = rel;
            }
            return false;
        });
        if (!r) {
            return util::unexpected(r.error());
        }
        if (!best) {
            return std::optional<ReleaseInfo>{};
        }
        return std::optional<ReleaseInfo>(to_info(*best));
    }

    Result<std::vector<std::string>> tags(const std::string& prefix, std::size_t limit) override {
        return m_api.list_tags(prefix, limit);
    }

    Result<std::string> fetch_small(const AssetInfo& asset, std::size_t limit) override {
        return m_api.fetch_small_asset(to_asset(asset), limit);
    }

    http::SendResult fetch(const AssetInfo& asset, http::BodySink& sink,
                           const Headers& extra) override {
        return m_api.download_asset(to_asset(asset), sink, extra);
    }

private:
    github::Api m_api;
    util::Console& m_console;
};

}  // namespace

std::unique_ptr<Source> make_github_source(http::Client& client, github::ApiConfig config,
                                           util::Console& console) {
    return std::make_unique<GitHubSource>(client, std::move(config), console);
}

}  // namespace tl::source
