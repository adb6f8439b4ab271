// Makefiles and justfiles: recipe lines are shell (with make's `$(VAR)` and
// `$$`, and its `@`/`-`/`+` prefixes), the rule or recipe header above them is
// where an allow comment for the whole recipe goes.

#include "tl/scan/analyze.hpp"
#include "tl/util/strings.hpp"

namespace tl::scan::detail {

namespace {

bool ends_continued(std::string_view t) {
    std::size_t n = 0;
    while (n < t.size() && t[t.size() - 1 - n] == '\\') {
        ++n;
    }
    return n % 2 == 1;
}

// True for `target: deps`, false for `VAR := x`, `VAR = a:b`, `export X=1`.
bool is_rule_line(std::string_view t, std::size_t& colon) {
    for (std::size_t i = 0; i < t.size(); ++i) {
        char c = t[i];
        if (c == '=' || c == '#') {
            return false;
        }
        if (c == '$' && i + 1 < t.size() && (t[i + 1] == '(' || t[i + 1] == '{')) {
            // Skip a variable reference: its colon (substitution refs) is not a rule.
            char close = t[i + 1] == '(' ? ')' : '}';
            std::size_t end = t.find(close, i + 2);
            if (end == std::string_view::npos) {
                return false;
            }
            i = end;
            continue;
        }
        if (c == ':') {
            if (i + 1 < t.size() && t[i + 1] == '=') {
                return false;
            }
            if (i + 2 < t.size() && t[i + 1] == ':' && t[i + 2] == '=') {
                return false;
            }
            colon = i;
            return true;
        }
    }
    return false;
}

// True for a recipe header (`build target='x': deps`), false for settings,
// aliases, imports and assignments.
bool is_just_header(std::string_view t) {
    for (std::string_view word : {"set ", "alias ", "import ", "mod ", "export "}) {
        if (util::starts_with(t, word)) {
            return false;
        }
    }
    if (t.find(":=") != std::string_view::npos) {
        return false;
    }
    std::size_t colon = t.find(':');
    return colon != std::string_view::npos && colon > 0;
}

// Runs the shell inside every `$(shell ...)` of a make line.
void make_shell_functions(std::string_view source, std::uint32_t begin, std::uint32_t end,
                          Collector& out) {
    std::string_view t = source.substr(begin, end - begin);
    std::size_t pos = 0;
    while ((pos = t.find("$(shell ", pos)) != std::string_view::npos) {
        int depth = 0;
        std::size_t close = pos + 1;
        for (; close < t.size(); ++close) {
            if (t[close] == '(') {
                ++depth;
            } else if (t[close] == ')' && --depth == 0) {
                break;
            }
        }
        std::uint32_t inner = begin + static_cast<std::uint32_t>(pos + 8);
        analyze_shell(verbatim(source, inner, begin + static_cast<std::uint32_t>(close)), out,
                      ShellDialect::make);
        pos = close;
    }
}

}  // namespace

void analyze_makefile(std::string_view source, Collector& out) {
    std::vector<Line> lines = split_lines(source);
    bool in_rule = false;
    bool in_define = false;
    std::uint32_t target = 0;
    std::size_t i = 0;
    while (i < lines.size()) {
        std::string_view t = lines[i].text;
        // The logical line: backslash-newline continues it.
        std::size_t last = i;
        while (last + 1 < lines.size() && ends_continued(lines[last].text)) {
            ++last;
        }
        const std::uint32_t begin = lines[i].start;
        const std::uint32_t end =
            lines[last].start + static_cast<std::uint32_t>(lines[last].text.size());
        std::string_view trimmed = util::trim(t);

        if (in_define) {
            in_define = !util::starts_with(trimmed, "endef");
            i = last + 1;
            continue;
        }
        if (!t.empty() && t.front() == '\t' && in_rule) {
            std::uint32_t b = begin + 1;
            while (b < end && (source[b] == '@' || source[b] == '-' || source[b] == '+' ||
                               source[b] == ' ' || source[b] == '\t')) {
                ++b;
            }
            out.anchors = {target, begin};
            analyze_shell(verbatim(source, b, end), out, ShellDialect::make);
            out.anchors.clear();
            i = last + 1;
            continue;
        }
        if (trimmed.empty() || trimmed.front() == '#') {
            i = last + 1;
            continue;
        }
        if (util::starts_with(trimmed, "define ") || trimmed == "define") {
            in_define = true;
            in_rule = false;
            i = last + 1;
            continue;
        }
        static const char* const conditionals[] = {"ifeq",   "ifneq", "ifdef",
                                                   "ifndef", "else",  "endif"};
        bool conditional = false;
        for (const char* c : conditionals) {
            if (util::starts_with(trimmed, c)) {
                conditional = true;
            }
        }
        out.anchors = {begin};
        make_shell_functions(source, begin, end, out);
        std::size_t colon = 0;
        if (!conditional) {
            if (is_rule_line(t, colon)) {
                in_rule = true;
                target = begin;
                // target: deps ; recipe
                std::size_t semi = t.find(';', colon);
                if (semi != std::string_view::npos) {
                    analyze_shell(
                        verbatim(source, begin + static_cast<std::uint32_t>(semi + 1), end), out,
                        ShellDialect::make);
                }
            } else {
                in_rule = false;
            }
        }
        out.anchors.clear();
        i = last + 1;
    }
}

void analyze_justfile(std::string_view source, Collector& out) {
    std::vector<Line> lines = split_lines(source);
    std::size_t i = 0;
    bool have_header = false;
    std::uint32_t header = 0;
    while (i < lines.size()) {
        std::string_view t = lines[i].text;
        bool indented = !t.empty() && (t.front() == ' ' || t.front() == '\t');
        if (indented && have_header) {
            // The whole body, one fragment: heredocs and continuations work, and
            // a shebang recipe reads as the script it is.
            Fragment f;
            std::size_t j = i;
            bool shebang_checked = false;
            bool skip = false;
            for (; j < lines.size(); ++j) {
                std::string_view n = lines[j].text;
                bool blank = util::trim(n).empty();
                if (!blank && !(n.front() == ' ' || n.front() == '\t')) {
                    break;
                }
                if (j > i) {
                    f.push('\n', lines[j].start - 1);
                }
                if (blank) {
                    continue;
                }
                std::size_t c = 0;
                while (c < n.size() && (n[c] == ' ' || n[c] == '\t')) {
                    ++c;
                }
                if (!shebang_checked) {
                    shebang_checked = true;
                    std::string_view rest = n.substr(c);
                    if (util::starts_with(rest, "#!") &&
                        rest.find("sh") == std::string_view::npos) {
                        skip = true;  // a python or node recipe: not shell
                    }
                }
                while (c < n.size() && (n[c] == '@' || n[c] == '-')) {
                    ++c;
                }
                f.append(source, lines[j].start + static_cast<std::uint32_t>(c),
                         lines[j].start + static_cast<std::uint32_t>(n.size()));
            }
            f.end = lines[j - 1].start + static_cast<std::uint32_t>(lines[j - 1].text.size());
            if (!skip) {
                out.anchors = {header};
                analyze_shell(f, out);
                out.anchors.clear();
            }
            i = j;
            continue;
        }
        std::string_view trimmed = util::trim(t);
        if (trimmed.empty() || trimmed.front() == '#' || trimmed.front() == '[') {
            ++i;
            continue;
        }
        have_header = !indented && is_just_header(trimmed);
        if (have_header) {
            header = lines[i].start;
        } else {
            // x := `cargo metadata`: backticks run at load time.
            std::size_t b = t.find('`');
            while (b != std::string_view::npos) {
                std::size_t e = t.find('`', b + 1);
                if (e == std::string_view::npos) {
                    break;
                }
                out.anchors = {lines[i].start};
                analyze_shell(verbatim(source, lines[i].start + static_cast<std::uint32_t>(b + 1),
                                       lines[i].start + static_cast<std::uint32_t>(e)),
                              out);
                out.anchors.clear();
                b = t.find('`', e + 1);
            }
        }
        ++i;
    }
}

}  // namespace tl::scan::detail
