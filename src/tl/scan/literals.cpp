#include "tl/scan/analyze.hpp"

namespace tl::scan::detail {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

void push_utf8(Word& w, unsigned cp, std::uint32_t off) {
    auto push = [&](unsigned b) {
        w.value.push_back(static_cast<char>(b));
        w.offs.push_back(off);
    };
    if (cp < 0x80) {
        push(cp);
    } else if (cp < 0x800) {
        push(0xC0 | (cp >> 6));
        push(0x80 | (cp & 0x3F));
    } else {
        push(0xE0 | (cp >> 12));
        push(0x80 | ((cp >> 6) & 0x3F));
        push(0x80 | (cp & 0x3F));
    }
}

}  // namespace

Word read_string_literal(const Fragment& f, std::size_t& i) {
    const std::string& t = f.text;
    const std::size_t begin = i;
    const char quote = t[i];
    Word w;
    ++i;
    while (i < t.size() && t[i] != quote) {
        char c = t[i];
        if (c == '\n' && quote != '`') {
            break;  // unterminated: stop at the line end
        }
        if (c == '\\' && i + 1 < t.size()) {
            char e = t[i + 1];
            std::uint32_t off = f.offset_at(i);
            switch (e) {
                case 'n':
                    w.value.push_back('\n');
                    w.offs.push_back(off);
                    i += 2;
                    continue;
                case 't':
                    w.value.push_back('\t');
                    w.offs.push_back(off);
                    i += 2;
                    continue;
                case 'r':
                    w.value.push_back('\r');
                    w.offs.push_back(off);
                    i += 2;
                    continue;
                case 'u': {
                    unsigned cp = 0;
                    std::size_t k = i + 2;
                    int digits = 0;
                    while (digits < 4 && k < t.size() && hex_value(t[k]) >= 0) {
                        cp = cp * 16 + static_cast<unsigned>(hex_value(t[k]));
                        ++k;
                        ++digits;
                    }
                    if (digits == 4) {
                        push_utf8(w, cp, off);
                        i = k;
                        continue;
                    }
                    break;
                }
                case '\n':
                    i += 2;  // a line continuation inside the literal
                    continue;
                default:
                    break;
            }
            w.value.push_back(e);
            w.offs.push_back(f.offset_at(i + 1));
            i += 2;
            continue;
        }
        if (quote == '`' && c == '$' && i + 1 < t.size() && t[i + 1] == '{') {
            // Keep ${expr} as written; count braces so `}` inside does not end it.
            int depth = 0;
            while (i < t.size()) {
                char d = t[i];
                w.value.push_back(d);
                w.offs.push_back(f.offset_at(i));
                ++i;
                if (d == '{') {
                    ++depth;
                } else if (d == '}' && --depth == 0) {
                    break;
                }
            }
            continue;
        }
        w.value.push_back(c);
        w.offs.push_back(f.offset_at(i));
        ++i;
    }
    const std::size_t stop = i < t.size() && t[i] == quote ? i + 1 : i;
    w.start = f.offset_at(begin);
    w.end = stop > begin ? f.offset_at(stop - 1) + 1 : w.start;
    w.raw = t.substr(begin, stop - begin);
    w.literal = true;
    i = stop;
    return w;
}

}  // namespace tl::scan::detail
