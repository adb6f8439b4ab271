#pragma once

// The one way the tool parses JSON it did not write in this process (API
// answers, mirror indexes, registry manifests, lockfiles, entry records,
// partial-download metadata): size and nesting are checked before the parser
// allocates anything, so a hostile document costs its size and no more.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "tl/util/error.hpp"

namespace tl::util {

// Deepest nesting of arrays and objects any document may have.
inline constexpr int k_max_json_depth = 64;
// Largest document parsed (the HTTP layer caps small documents at 32 MiB).
inline constexpr std::size_t k_max_json_size = 32u << 20;

// Depth of the deepest array or object in `text` (strings skipped), stopping
// as soon as it exceeds `limit`; valid JSON or not.
int json_depth(std::string_view text, int limit);

// Parses `text`, named `document` in errors ("release answer from
// https://..."); an integrity failure for a document over the size or depth
// limit, or not JSON at all. Never throws.
Result<nlohmann::json> parse_json(std::string_view text, std::string_view document,
                                  int max_depth = k_max_json_depth,
                                  std::size_t max_size = k_max_json_size);

// The same, for callers that treat any bad document alike: a discarded value
// when parse_json would fail.
nlohmann::json parse_json_or_discarded(std::string_view text);

// Serialises for output: bytes that are not UTF-8 are replaced (U+FFFD), so
// output never fails on a hostile name.
std::string dump_json(const nlohmann::json& j, int indent = -1);

}  // namespace tl::util
