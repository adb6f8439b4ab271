#pragma once

// Which names from outside may become paths: release tags and asset names are
// checked once, where they enter from any source (an API answer, a mirror
// index, a registry's tag list, a lockfile, the command line), before any
// path is built from them.

#include <cstddef>
#include <string>
#include <string_view>

namespace tl::release {

// The tool's own releases ("temporal-libs-cli-v1.4.0") share the library
// prefix; they are never a library release.
inline constexpr std::string_view k_tool_tag_prefix = "temporal-libs-cli-";

// Longest tag and asset name accepted.
inline constexpr std::size_t k_max_tag_length = 128;
inline constexpr std::size_t k_max_asset_name_length = 255;

// Why `tag` cannot be a release tag of this repository, the libraries' or the
// tool's own; empty when it can: "temporal-libs-", then [A-Za-z0-9._+-] only,
// no "..", at most k_max_tag_length.
std::string release_tag_problem(std::string_view tag);

// Why `tag` cannot be a library release tag; empty when it can. A tag is
// "temporal-libs-", then [A-Za-z0-9._+-] only (no '/', no control character),
// no "..", at most k_max_tag_length, and not the tool's own release line.
std::string library_tag_problem(std::string_view tag);
inline bool is_library_tag(std::string_view tag) {
    return library_tag_problem(tag).empty();
}

// Why `name` cannot be a release asset's name (it becomes a file name in the
// cache and in mirrors); empty when it can: [A-Za-z0-9._+-] only, not "." or
// "..", at most k_max_asset_name_length.
std::string asset_name_problem(std::string_view name);

}  // namespace tl::release
