#include "tl/util/escape.hpp"

#include <cstdint>

namespace tl::util {

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t min = 0;
    if (c < 0x80) {
        return 1;
    }
    if ((c & 0xe0) == 0xc0) {
        n = 2;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3;
        min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + n > s.size()) {
        return 0;
    }
    std::uint32_t cp = c & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
        auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (b & 0x3f);
    }
    // Overlong forms, surrogates and code points past Unicode are not UTF-8.
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

bool has_control_chars(std::string_view s, bool allow_tab) {
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && !(allow_tab && c == '\t')) || c == 0x7f) {
            return true;
        }
    }
    return false;
}

namespace {

// Length of the UTF-8 sequence at s[i] that may be printed: 0 for bytes that
// are not UTF-8, and for C1 controls (U+0080..U+009F, "\xc2\x80".."\xc2\x9f"),
// which act on terminals too.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    std::size_t n = utf8_sequence_length(s, i);
    if (n == 2 && static_cast<unsigned char>(s[i]) == 0xc2 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
        return 0;
    }
    return n;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_length(s, i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

std::string escape_controls(std::string_view s, bool keep_layout) {
    std::string out;
    out.reserve(s.size());
    static const char* hex = "0123456789abcdef";
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = utf8_length(s, i);
        bool layout = keep_layout && (c == '\n' || c == '\t');
        if (n == 0 || ((c < 0x20 || c == 0x7f) && !layout)) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
            ++i;
            continue;
        }
        out.append(s.substr(i, n));
        i += n;
    }
    return out;
}

}  // namespace tl::util
