#pragma once

// Small string helpers shared across the tool; nothing here knows about releases.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tl::util {

// Lower-cases ASCII letters.
std::string to_lower(std::string_view s);
// Removes ASCII white space at both ends.
std::string_view trim(std::string_view s);
// True when `s` starts (ends) with `prefix` (`suffix`).
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
// Splits on a separator character; empty fields are kept.
std::vector<std::string> split(std::string_view s, char sep);
// Joins with a separator.
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Parses a whole decimal unsigned number; empty on anything else.
std::optional<std::uint64_t> parse_u64(std::string_view s);
// "41.6 MB", "512 B": a byte count for people (SI units, one decimal).
std::string human_bytes(std::uint64_t bytes);
// "1.2 s", "350 ms", "2 min 5 s": a duration in seconds for people.
std::string human_seconds(double seconds);
// Quotes a name for a message: 'name'.
std::string quoted(std::string_view s);

}  // namespace tl::util
