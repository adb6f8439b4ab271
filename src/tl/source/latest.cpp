#include "tl/source/latest.hpp"

#include <cctype>

#include "tl/release/contract.hpp"
#include "tl/util/strings.hpp"

namespace tl::source {

bool is_latest_candidate(std::string_view tag, std::string_view prefix, bool draft,
                         bool prerelease) {
    if (draft || prerelease || !util::starts_with(tag, prefix)) {
        return false;
    }
    std::string_view version = tag.substr(prefix.size());
    if (!version.empty() && (version[0] == 'v' || version[0] == 'V')) {
        version.remove_prefix(1);
    }
    // Only a version can be ordered: "v1.2.0", not "cli-v1.2.0" or "nightly".
    if (version.empty() || std::isdigit(static_cast<unsigned char>(version[0])) == 0) {
        return false;
    }
    return version.find('-') == std::string_view::npos;
}

bool LatestPicker::offer(const std::string& tag, bool draft, bool prerelease) {
    if (!is_latest_candidate(tag, m_prefix, draft, prerelease)) {
        return false;
    }
    if (m_best && release::compare_tags(tag, *m_best) <= 0) {
        return false;
    }
    m_best = tag;
    return true;
}

std::optional<std::string> pick_latest(const std::vector<std::string>& tags,
                                       std::string_view prefix) {
    LatestPicker picker{std::string(prefix)};
    for (const auto& t : tags) {
        picker.offer(t);
    }
    return picker.best();
}

}  // namespace tl::source
