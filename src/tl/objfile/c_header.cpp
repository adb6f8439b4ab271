#include "tl/objfile/c_header.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <unordered_set>

namespace tl::objfile {

namespace {

enum class TokenKind { identifier, string, punct, other };

struct Token {
    TokenKind kind;
    std::string_view text;

    bool is(std::string_view s) const { return text == s; }
};

bool ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

bool ident_char(char c) {
    return ident_start(c) || (c >= '0' && c <= '9');
}

// Splits the header into tokens, dropping comments and preprocessor lines (a
// directive runs to the end of its line, continued by a backslash; a block
// comment inside it may span lines).
std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> tokens;
    std::size_t i = 0;
    const std::size_t n = s.size();
    bool line_start = true;
    auto skip_block_comment = [&] {
        std::size_t end = s.find("*/", i + 2);
        i = end == std::string_view::npos ? n : end + 2;
    };
    while (i < n) {
        char c = s[i];
        if (c == '\n') {
            line_start = true;
            ++i;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            ++i;
            continue;
        }
        if (c == '\\' && i + 1 < n && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
            i += 2;  // a line continuation outside a directive
            continue;
        }
        if (c == '/' && i + 1 < n && s[i + 1] == '/') {
            // A line comment also continues over a backslash-newline.
            while (i < n && s[i] != '\n') {
                if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\n') {
                    ++i;
                }
                ++i;
            }
            continue;
        }
        if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            skip_block_comment();
            continue;
        }
        if (c == '#' && line_start) {
            while (i < n && s[i] != '\n') {
                if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\n') {
                    i += 2;
                } else if (s[i] == '\\' && i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
                    i += 3;
                } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
                    skip_block_comment();
                } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
                    while (i < n && s[i] != '\n') {
                        ++i;
                    }
                } else {
                    ++i;
                }
            }
            continue;
        }
        line_start = false;
        std::size_t start = i;
        if (ident_start(c)) {
            while (i < n && ident_char(s[i])) {
                ++i;
            }
            tokens.push_back({TokenKind::identifier, s.substr(start, i - start)});
        } else if (c >= '0' && c <= '9') {
            while (i < n && (ident_char(s[i]) || s[i] == '.' || s[i] == '\'')) {
                ++i;
            }
            tokens.push_back({TokenKind::other, s.substr(start, i - start)});
        } else if (c == '"' || c == '\'') {
            ++i;
            while (i < n && s[i] != c && s[i] != '\n') {
                i += (s[i] == '\\' && i + 1 < n) ? 2 : 1;
            }
            i = std::min(i + 1, n);
            tokens.push_back(
                {c == '"' ? TokenKind::string : TokenKind::other, s.substr(start, i - start)});
        } else {
            ++i;
            tokens.push_back({TokenKind::punct, s.substr(start, 1)});
        }
    }
    return tokens;
}

using Tokens = std::vector<Token>;

// No prototype is this long; a run-away declaration (text without semicolons)
// is dropped rather than scanned again at every brace and bracket.
constexpr std::size_t k_max_declaration_tokens = 4096;

// Index of the token closing the bracket opened at `open`, or tokens.size().
std::size_t matching(const Tokens& t, std::size_t open) {
    const std::string_view o = t[open].text;
    const std::string_view c = o == "(" ? ")" : o == "[" ? "]" : "}";
    int depth = 0;
    for (std::size_t i = open; i < t.size(); ++i) {
        if (t[i].is(o)) {
            ++depth;
        } else if (t[i].is(c) && --depth == 0) {
            return i;
        }
    }
    return t.size();
}

bool is_keyword(std::string_view w) {
    static const std::unordered_set<std::string_view> keywords{
        "void",          "char",         "short",    "int",        "long",         "float",
        "double",        "signed",       "unsigned", "_Bool",      "bool",         "_Complex",
        "const",         "volatile",     "restrict", "__restrict", "__restrict__", "struct",
        "union",         "enum",         "class",    "extern",     "inline",       "__inline",
        "__inline__",    "register",     "auto",     "_Atomic",    "_Noreturn",    "noreturn",
        "_Thread_local", "thread_local", "static",   "typedef",    "__extension__"};
    return keywords.count(w) != 0;
}

bool is_pointer_qualifier(std::string_view w) {
    static const std::unordered_set<std::string_view> qualifiers{
        "const",     "volatile", "restrict",          "__restrict", "__restrict__", "_Atomic",
        "_Nullable", "_Nonnull", "_Null_unspecified", "__nullable", "__nonnull"};
    return qualifiers.count(w) != 0;
}

// Removes what decorates a declaration without changing what it declares:
// GNU and MSVC attributes, [[attributes]], asm labels, alignas, and the
// "C" of a braceless extern "C".
Tokens strip_decorations(const Tokens& in) {
    static const std::unordered_set<std::string_view> with_args{
        "__attribute__", "__attribute", "__declspec", "__asm__",  "__asm",
        "asm",           "alignas",     "_Alignas",   "__pragma", "_Pragma"};
    Tokens out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const Token& t = in[i];
        if (t.kind == TokenKind::identifier && with_args.count(t.text) != 0) {
            std::size_t j = i + 1;
            while (j < in.size() && (in[j].is("volatile") || in[j].is("__volatile__"))) {
                ++j;
            }
            if (j < in.size() && in[j].is("(")) {
                i = matching(in, j);
            }
            continue;
        }
        if (t.is("[") && i + 1 < in.size() && in[i + 1].is("[")) {
            std::size_t close = matching(in, i);
            i = close;
            continue;
        }
        if (t.kind == TokenKind::string && !out.empty() && out.back().is("extern")) {
            continue;
        }
        if (t.is("__extension__")) {
            continue;
        }
        out.push_back(t);
    }
    return out;
}

// True when the declaration says it is a typedef or has internal linkage, or
// is not a declaration of C entities at all.
bool excluded(const Tokens& t) {
    static const std::unordered_set<std::string_view> starters{
        "static_assert", "_Static_assert", "using", "template", "namespace", "friend", "operator"};
    if (t.empty() || starters.count(t.front().text) != 0) {
        return true;
    }
    int depth = 0;
    for (const Token& tok : t) {
        if (tok.is("(")) {
            ++depth;
        } else if (tok.is(")")) {
            --depth;
        } else if (depth == 0 &&
                   (tok.is("typedef") || tok.is("static") || tok.is("{}") || tok.is("="))) {
            // "{}" stands for a struct/enum body and "=" for an initializer: a
            // type or variable definition, never a prototype.
            return true;
        }
    }
    return false;
}

// Removes export and deprecation macros with arguments before the declarator,
// such as DEPRECATED("use y") int f(void): a name with a parenthesised list
// followed by more type words and a later parameter list.
void strip_macro_calls(Tokens& t) {
    for (int round = 0; round < 64; ++round) {
        std::size_t open = t.size();
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (t[i].is("(")) {
                open = i;
                break;
            }
        }
        if (open == 0 || open >= t.size() || t[open - 1].kind != TokenKind::identifier ||
            is_keyword(t[open - 1].text)) {
            return;
        }
        std::size_t close = matching(t, open);
        if (close + 1 >= t.size()) {
            return;
        }
        const Token& next = t[close + 1];
        bool more_params = std::any_of(t.begin() + static_cast<std::ptrdiff_t>(close) + 1, t.end(),
                                       [](const Token& x) { return x.is("("); });
        if (!((next.kind == TokenKind::identifier || next.is("*")) && more_params)) {
            return;
        }
        t.erase(t.begin() + static_cast<std::ptrdiff_t>(open) - 1,
                t.begin() + static_cast<std::ptrdiff_t>(close) + 1);
    }
}

struct Declarator {
    std::string_view name;
    bool function = false;
    bool bare = false;  // just a name: no pointer, no suffix
};

constexpr int k_max_nesting = 32;

// Reads a declarator from t[begin, end): pointers and qualifiers, then a name
// or a parenthesised declarator, then suffixes. The name is a function when
// its own first suffix is a parameter list ((*fp)(int) is a pointer, while
// (*f(int))(char) is a function returning one).
std::optional<Declarator> parse_declarator(const Tokens& t, std::size_t begin, std::size_t end,
                                           int nesting) {
    if (nesting > k_max_nesting) {
        return std::nullopt;
    }
    std::size_t i = begin;
    bool pointer = false;
    while (i < end && (t[i].is("*") || t[i].is("^") || t[i].is("&") ||
                       (t[i].kind == TokenKind::identifier && is_pointer_qualifier(t[i].text)))) {
        pointer = pointer || t[i].kind != TokenKind::identifier;
        ++i;
    }
    if (i >= end) {
        return std::nullopt;
    }
    if (t[i].is("(")) {
        std::size_t close = std::min(matching(t, i), end);
        auto inner = parse_declarator(t, i + 1, close, nesting + 1);
        if (!inner) {
            return std::nullopt;
        }
        bool params_follow = close + 1 < end && t[close + 1].is("(");
        Declarator d;
        d.name = inner->name;
        d.function = inner->bare ? params_follow : inner->function;
        return d;
    }
    if (t[i].kind != TokenKind::identifier || is_keyword(t[i].text)) {
        return std::nullopt;
    }
    Declarator d;
    d.name = t[i].text;
    d.function = i + 1 < end && t[i + 1].is("(");
    d.bare = !pointer && i + 1 >= end;
    return d;
}

// Where the first declarator starts, after the declaration specifiers; empty
// when there is no declarator (struct Foo;) or it cannot be told.
std::optional<std::size_t> declarator_start(const Tokens& t) {
    for (std::size_t i = 0; i < t.size(); ++i) {
        const Token& tok = t[i];
        if (tok.is("*") || tok.is("^") || tok.is("&")) {
            return i;
        }
        if (tok.is(",")) {
            return std::nullopt;
        }
        if (!tok.is("(")) {
            continue;
        }
        if (i == 0) {
            return std::nullopt;
        }
        bool nested = i + 1 < t.size() && (t[i + 1].is("*") || t[i + 1].is("^"));
        // A parenthesised name, as in MyType (name)(int).
        bool parenthesised_name = i + 3 < t.size() && t[i + 1].kind == TokenKind::identifier &&
                                  t[i + 2].is(")") && t[i + 3].is("(");
        if (nested || parenthesised_name || t[i - 1].kind != TokenKind::identifier ||
            is_keyword(t[i - 1].text)) {
            return i;
        }
        return i - 1;
    }
    return std::nullopt;
}

void analyze(const Tokens& raw, std::vector<std::string>& out,
             std::unordered_set<std::string>& seen) {
    if (raw.size() > k_max_declaration_tokens) {
        return;
    }
    Tokens t = strip_decorations(raw);
    if (excluded(t)) {
        return;
    }
    strip_macro_calls(t);
    auto start = declarator_start(t);
    if (!start) {
        return;
    }
    // Several declarators may share the specifiers: int f(int), g(int);
    std::size_t begin = *start;
    int depth = 0;
    for (std::size_t i = begin; i <= t.size(); ++i) {
        if (i < t.size()) {
            if (t[i].is("(") || t[i].is("[")) {
                ++depth;
            } else if (t[i].is(")") || t[i].is("]")) {
                --depth;
            }
            if (!(t[i].is(",") && depth == 0)) {
                continue;
            }
        }
        auto d = parse_declarator(t, begin, i, 0);
        if (d && d->function) {
            std::string name(d->name);
            if (seen.insert(name).second) {
                out.push_back(std::move(name));
            }
        }
        begin = i + 1;
    }
}

// True when a `{` after these tokens opens a struct, union or enum body or an
// initializer (the declaration goes on after the `}`), rather than a function
// body or a namespace (which are skipped whole).
bool opens_type_body(const Tokens& decl) {
    int depth = 0;
    bool tagged = false;
    for (const Token& tok : decl) {
        if (tok.is("(")) {
            ++depth;
        } else if (tok.is(")")) {
            --depth;
        } else if (depth == 0 &&
                   (tok.is("struct") || tok.is("union") || tok.is("enum") || tok.is("class"))) {
            tagged = true;
        } else if (depth == 0 && tok.is("=")) {
            return true;
        }
    }
    if (!tagged) {
        return false;
    }
    // struct Foo make(void) { ... } is a function definition.
    return std::none_of(decl.begin(), decl.end(), [](const Token& x) { return x.is("("); });
}

}  // namespace

std::vector<std::string> parse_header_functions(std::string_view header) {
    const Tokens tokens = tokenize(header);
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    Tokens decl;
    int open_extern_blocks = 0;
    static const Token k_body{TokenKind::punct, "{}"};
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        if (t.is("{")) {
            if (decl.size() >= 2 && decl[decl.size() - 2].is("extern") &&
                decl.back().kind == TokenKind::string) {
                // extern "C" { ... }: its contents are ordinary declarations.
                decl.clear();
                ++open_extern_blocks;
                continue;
            }
            bool type_body = decl.size() <= k_max_declaration_tokens && opens_type_body(decl);
            i = matching(tokens, i);
            if (type_body) {
                decl.push_back(k_body);
            } else {
                decl.clear();
            }
            continue;
        }
        if (t.is("}")) {
            // The end of an extern "C" block, or a stray brace from a branch of
            // an #if that was not taken: either way a fresh declaration starts.
            if (open_extern_blocks > 0) {
                --open_extern_blocks;
            }
            decl.clear();
            continue;
        }
        if (t.is(";")) {
            analyze(decl, out, seen);
            decl.clear();
            continue;
        }
        if (decl.size() <= k_max_declaration_tokens) {
            decl.push_back(t);
        }
    }
    return out;
}

}  // namespace tl::objfile
