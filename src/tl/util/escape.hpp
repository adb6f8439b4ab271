#pragma once

// Bytes from servers and archives (tags, entry names, error bodies) reach the
// terminal and headers only through these checks: util::quoted and
// util::scrub (which every printed line passes through) escape with them.

#include <cstddef>
#include <string>
#include <string_view>

namespace tl::util {

// True when `s` holds a C0 control character or DEL (a tab only when not allowed).
bool has_control_chars(std::string_view s, bool allow_tab = false);

// `s` with control characters (C0, DEL, C1) and bytes that are not UTF-8
// written as "\xNN": safe to print on a terminal. Newlines and tabs are kept
// when `keep_layout` (whole messages), escaped otherwise (names).
std::string escape_controls(std::string_view s, bool keep_layout = false);

// Length of the well-formed UTF-8 sequence that starts at s[i] (1 for ASCII),
// or 0 when none does (a stray byte, a cut, overlong or surrogate sequence).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

// True when `s` is well-formed UTF-8 without C1 control characters.
bool is_valid_utf8(std::string_view s);

}  // namespace tl::util
