#pragma once

// The static mirror layout, shared by the mirror source (reading) and the
// directory destination of `temporal-libs mirror` (writing). Any web server or
// object store can serve it: there is no server code, only files.
//
//   <root>/index.json          the tags index
//   <root>/<tag>/index.json    the release index of one tag
//   <root>/<tag>/<asset>       the release's assets, byte for byte as published
//
// Tags index, format version 1 (tags newest first, compared like release tags):
//   {"format": 1, "tags": ["temporal-libs-v1.0.3", "temporal-libs-v1.0.2"]}
//
// Release index, format version 1:
//   {"format": 1, "tag": "temporal-libs-v1.0.3",
//    "assets": [{"name": "temporal-static-libs-linux-x64-v1.0.3.tar.gz",
//                "size": 123456, "sha256": "<64 lower-case hex>"}, ...]}
//
// The index's sha256 is one more claim about each archive: the installer
// requires it to agree with the release's .sha256 sidecar and with the bytes.
// Readers ignore unknown fields; a format newer than k_mirror_index_format is
// refused with advice to upgrade.
//
// Versions:
//   1: first version.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::source {

inline constexpr int k_mirror_index_format = 1;
inline constexpr std::string_view k_mirror_index_name = "index.json";

// One asset listed in a release index.
struct IndexedAsset {
    std::string name;
    std::uint64_t size = 0;
    std::string sha256;
};

// A release index: the assets of one tag.
struct ReleaseIndex {
    std::string tag;
    std::vector<IndexedAsset> assets;
};

// Whether `name` is safe as one path component and one URL segment of the
// layout: letters, digits and "._+-", not starting with a dot, at most 200 bytes.
bool is_safe_mirror_name(std::string_view name);

// Parses a tags index; an integrity failure names `where` for malformed JSON, an
// unsafe tag or a format newer than this tool reads.
Result<std::vector<std::string>> parse_tag_index(std::string_view text, const std::string& where);

// The tags index for `tags`, sorted newest first.
std::string write_tag_index(std::vector<std::string> tags);

// Parses a release index for `tag`; an integrity failure names `where` for
// malformed JSON, another tag, an unsafe asset name or a bad digest.
Result<ReleaseIndex> parse_release_index(std::string_view text, const std::string& tag,
                                         const std::string& where);

// The release index, assets sorted by name.
std::string write_release_index(ReleaseIndex index);

}  // namespace tl::source
