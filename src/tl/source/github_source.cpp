#include "tl/source/source.hpp"

#include <map>
#include <mutex>

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

Headers range_headers(const Resume& from) {
    Headers h;
    if (from.offset == 0 && from.end == 0) {
        return h;
    }
    h.emplace_back("Range", "bytes=" + std::to_string(from.offset) + "-" +
                                (from.end != 0 ? std::to_string(from.end - 1) : std::string()));
    if (!from.validator.empty()) {
        h.emplace_back("If-Range", from.validator);
    }
    return h;
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

// Passes a response on, except a refusal by a storage host (a signed URL that
// expired), which the source answers by asking the API again.
class RefusalFilter : public http::BodySink {
public:
    RefusalFilter(http::BodySink& inner, const std::string& api_url)
        : m_inner(inner), m_api_url(api_url) {}
    bool on_head(const http::ResponseHead& head) override {
        refused = github::storage_url_refused(head.status, head.url, m_api_url);
        return refused || m_inner.on_head(head);
    }
    bool on_data(const char* data, std::size_t size) override {
        return refused || m_inner.on_data(data, size);
    }
    bool refused = false;

private:
    http::BodySink& m_inner;
    const std::string& m_api_url;
};

class GitHubSource : public Source {
public:
    GitHubSource(http::Client& client, github::ApiConfig config, util::Console& console)
        : m_api(client, std::move(config), console), m_console(console) {}

    std::string name() const override { return "github:" + m_api.config().repo; }

    Result<std::optional<ReleaseInfo>> release(const std::string& tag) override {
        TL_TRY_ASSIGN(r, m_api.release_by_tag(tag))
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

    // The API is asked for the asset once; the signed storage URL it redirects
    // to serves later fetches of it (resumes, ranges) until storage refuses it
    // as expired, when the API is asked again, twice at most per fetch.
    http::SendResult fetch(const AssetInfo& asset, const Resume& from,
                           http::BodySink& sink) override {
        const Headers range = range_headers(from);
        for (int ask = 0;; ++ask) {
            http::Request req = m_api.asset_request(to_asset(asset), range);
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                if (auto it = m_storage.find(asset.locator); it != m_storage.end()) {
                    req.url = it->second;
                }
            }
            RefusalFilter filter(sink, m_api.config().api_url);
            http::BodySink& target = ask < 2 ? static_cast<http::BodySink&>(filter) : sink;
            http::SendResult r = m_api.endpoint().send_once(req, target);
            if (filter.refused && ask < 2) {
                {
                    std::lock_guard<std::mutex> lock(m_mutex);
                    m_storage.erase(asset.locator);
                }
                m_console.warn("downloading " + util::quoted(asset.name) +
                               ": the download URL was refused (HTTP " +
                               std::to_string(r ? r->status : r.error().status) +
                               ", likely expired); asking for a fresh one");
                continue;
            }
            if (r && (r->status == 200 || r->status == 206) && r->url != req.url) {
                // Redirected to storage: later fetches go straight there.
                std::lock_guard<std::mutex> lock(m_mutex);
                m_storage[asset.locator] = r->url;
            }
            return r;
        }
    }

    std::string rate_limit_advice() const override {
        return m_api.config().token.empty() ? "no token was used: set GITHUB_TOKEN" : "";
    }

private:
    github::Api m_api;
    util::Console& m_console;
    std::mutex m_mutex;
    // Asset API URL -> the signed storage URL it last redirected to.
    std::map<std::string, std::string> m_storage;
};

}  // namespace

std::unique_ptr<Source> make_github_source(http::Client& client, github::ApiConfig config,
                                           util::Console& console) {
    return std::make_unique<GitHubSource>(client, std::move(config), console);
}

}  // namespace tl::source
