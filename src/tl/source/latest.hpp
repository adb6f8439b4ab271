#pragma once

// The one meaning of "latest", shared by every source (GitHub, directory and
// HTTP mirrors, OCI registries): the highest version, by release::compare_tags,
// among the releases whose tag starts with the library prefix and that are
// neither drafts, nor marked pre-release, nor carry a pre-release version
// ("v1.1.0-rc.1"). Publication order plays no part: a maintainer who
// republishes a fix on an older line (v1.0.3 after v1.1.0) does not make it
// "latest", and a mirror, which knows no publication time, agrees with GitHub.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tl::source {

// Whether a release may be "latest": its tag starts with `prefix`, its version
// starts with a digit (after an optional v) and has no pre-release part, and
// it is neither a draft nor marked pre-release.
bool is_latest_candidate(std::string_view tag, std::string_view prefix, bool draft = false,
                         bool prerelease = false);

// Keeps the highest candidate seen: call with every release, then read best().
class LatestPicker {
public:
    explicit LatestPicker(std::string prefix) : m_prefix(std::move(prefix)) {}
    // True when `tag` is now the best.
    bool offer(const std::string& tag, bool draft = false, bool prerelease = false);
    const std::optional<std::string>& best() const { return m_best; }

private:
    std::string m_prefix;
    std::optional<std::string> m_best;
};

// The "latest" of a list of tags (a mirror's or registry's, which have no
// draft or pre-release flags); empty when none qualifies.
std::optional<std::string> pick_latest(const std::vector<std::string>& tags,
                                       std::string_view prefix);

}  // namespace tl::source
