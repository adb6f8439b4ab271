// Shell code as the scanner sees it: enough of the POSIX grammar to find where
// each simple command starts, so that `cargo` in a comment, an echo'd string or
// a heredoc written to a file is not a command, while `cargo` after `&&`, inside
// `$(...)`, after `sudo`/`env`, or in `bash -c '...'` is.

#include <cstring>

#include "tl/scan/analyze.hpp"

namespace tl::scan::detail {

namespace {

// Substitutions nest (`$(... $(...))`, `bash -c "$(...)"`); past this depth the
// rest is skipped so crafted input cannot exhaust the stack.
constexpr int k_max_depth = 16;

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

bool is_meta(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '&' || c == '|' ||
           c == '<' || c == '>' || c == '(' || c == ')';
}

enum class CaseMode { subject, patterns, body };

struct Heredoc {
    std::string delimiter;
    bool strip_tabs = false;
    std::size_t command = 0;  // which command of the line it belongs to
    bool feed = false;        // its body is code (`bash <<EOF`, Dockerfile `RUN <<EOF`)
};

class ShellParser {
public:
    ShellParser(const Fragment& f, Collector& out, ShellDialect dialect)
        : m_f(f), m_t(f.text), m_out(out), m_dialect(dialect) {}

    void parse(std::size_t begin, std::size_t end);

private:
    struct WordBuilder {
        std::string value;
        std::vector<std::uint32_t> offs;
        void push(char c, std::uint32_t off) {
            value.push_back(c);
            offs.push_back(off);
        }
    };

    std::size_t find_close(std::size_t open, std::size_t end) const;
    std::size_t skip_quoted(std::size_t i, std::size_t end) const;
    void append_raw(WordBuilder& w, std::size_t from, std::size_t to) const;
    void nested(std::size_t begin, std::size_t end, ShellDialect dialect);
    std::size_t dollar(WordBuilder& w, std::size_t i, std::size_t end);
    std::size_t backtick(WordBuilder& w, std::size_t i, std::size_t end);
    void inside_braces(std::size_t begin, std::size_t end);
    Word read_word(std::size_t& i, std::size_t end);
    std::size_t read_heredocs(std::size_t i, std::size_t end, std::vector<Heredoc>& pending);

    const Fragment& m_f;
    const std::string& m_t;
    Collector& m_out;
    ShellDialect m_dialect;
};

std::size_t ShellParser::skip_quoted(std::size_t i, std::size_t end) const {
    char q = m_t[i];
    ++i;
    while (i < end && m_t[i] != q) {
        if (q == '"' && m_t[i] == '\\') {
            ++i;
        }
        ++i;
    }
    return i;  // at the closing quote (or end)
}

// The index of the bracket closing the one at `open`, skipping quoted text;
// `end` when there is none.
std::size_t ShellParser::find_close(std::size_t open, std::size_t end) const {
    char o = m_t[open];
    char c = o == '(' ? ')' : '}';
    int depth = 0;
    for (std::size_t i = open; i < end; ++i) {
        char ch = m_t[i];
        if (ch == '\\') {
            ++i;
        } else if (ch == '\'' || ch == '"') {
            i = skip_quoted(i, end);
        } else if (ch == o) {
            ++depth;
        } else if (ch == c) {
            if (--depth == 0) {
                return i;
            }
        }
    }
    return end;
}

void ShellParser::append_raw(WordBuilder& w, std::size_t from, std::size_t to) const {
    for (std::size_t k = from; k < to && k < m_t.size(); ++k) {
        w.push(m_t[k], m_f.offset_at(k));
    }
}

void ShellParser::nested(std::size_t begin, std::size_t end, ShellDialect dialect) {
    if (m_out.depth >= k_max_depth || begin >= end) {
        return;
    }
    ++m_out.depth;
    ShellParser inner(m_f, m_out, dialect);
    inner.parse(begin, end);
    --m_out.depth;
}

std::size_t ShellParser::dollar(WordBuilder& w, std::size_t i, std::size_t end) {
    if (m_dialect == ShellDialect::make) {
        if (i + 1 < end && m_t[i + 1] == '$') {
            // `$$` is a dollar for the shell; what follows is shell syntax.
            w.push('$', m_f.offset_at(i));
            ++i;
            if (i + 1 < end && m_t[i + 1] == '(' && !(i + 2 < end && m_t[i + 2] == '(')) {
                std::size_t close = find_close(i + 1, end);
                nested(i + 2, close, ShellDialect::make);
                append_raw(w, i + 1, std::min(close + 1, end));
                return std::min(close + 1, end);
            }
            return i + 1;
        }
        if (i + 1 < end && (m_t[i + 1] == '(' || m_t[i + 1] == '{')) {
            std::size_t close = find_close(i + 1, end);
            std::string_view inner(m_t.data() + i + 2, close > i + 2 ? close - i - 2 : 0);
            if (inner.substr(0, 6) == "shell ") {
                nested(i + 8, close, ShellDialect::make);
            }
            append_raw(w, i, std::min(close + 1, end));
            return std::min(close + 1, end);
        }
        append_raw(w, i, std::min(i + 2, end));
        return std::min(i + 2, end);
    }
    if (i + 1 < end && m_t[i + 1] == '(') {
        std::size_t close = find_close(i + 1, end);
        if (!(i + 2 < end && m_t[i + 2] == '(')) {
            nested(i + 2, close, ShellDialect::posix);
        }
        append_raw(w, i, std::min(close + 1, end));
        return std::min(close + 1, end);
    }
    if (i + 1 < end && m_t[i + 1] == '{') {
        std::size_t close = find_close(i + 1, end);
        inside_braces(i + 2, close);
        append_raw(w, i, std::min(close + 1, end));
        return std::min(close + 1, end);
    }
    w.push('$', m_f.offset_at(i));
    return i + 1;
}

void ShellParser::inside_braces(std::size_t begin, std::size_t end) {
    // ${VAR:-$(cmd)} and ${VAR:-`cmd`} run cmd.
    for (std::size_t k = begin; k < end; ++k) {
        char c = m_t[k];
        if (c == '\\') {
            ++k;
        } else if (c == '\'') {
            k = skip_quoted(k, end);
        } else if (c == '$' && k + 1 < end && m_t[k + 1] == '(' &&
                   !(k + 2 < end && m_t[k + 2] == '(')) {
            std::size_t close = find_close(k + 1, end);
            nested(k + 2, close, m_dialect);
            k = close;
        } else if (c == '`') {
            std::size_t close = m_t.find('`', k + 1);
            close = close == std::string::npos || close > end ? end : close;
            nested(k + 1, close, m_dialect);
            k = close;
        }
    }
}

std::size_t ShellParser::backtick(WordBuilder& w, std::size_t i, std::size_t end) {
    std::size_t j = i + 1;
    while (j < end && m_t[j] != '`') {
        if (m_t[j] == '\\') {
            ++j;
        }
        ++j;
    }
    nested(i + 1, std::min(j, end), m_dialect);
    append_raw(w, i, std::min(j + 1, end));
    return std::min(j + 1, end);
}

Word ShellParser::read_word(std::size_t& i, std::size_t end) {
    const std::size_t raw_begin = i;
    WordBuilder w;
    while (i < end) {
        char c = m_t[i];
        if (c == '(' && !w.value.empty() && std::strchr("=@?*+!", w.value.back()) != nullptr) {
            // arr=(a b) or an extglob: one word up to the closing bracket.
            std::size_t close = find_close(i, end);
            append_raw(w, i, std::min(close + 1, end));
            i = std::min(close + 1, end);
            continue;
        }
        if (is_meta(c)) {
            break;
        }
        if (c == '\\') {
            if (i + 1 < end) {
                if (m_t[i + 1] != '\n') {
                    w.push(m_t[i + 1], m_f.offset_at(i + 1));
                }
                i += 2;
            } else {
                ++i;
            }
            continue;
        }
        if (c == '\'') {
            std::size_t close = i + 1;
            while (close < end && m_t[close] != '\'') {
                ++close;
            }
            append_raw(w, i + 1, close);
            i = std::min(close + 1, end);
            continue;
        }
        if (c == '"') {
            ++i;
            while (i < end && m_t[i] != '"') {
                char d = m_t[i];
                if (d == '\\' && i + 1 < end && std::strchr("$`\"\\\n", m_t[i + 1]) != nullptr) {
                    if (m_t[i + 1] != '\n') {
                        w.push(m_t[i + 1], m_f.offset_at(i + 1));
                    }
                    i += 2;
                } else if (d == '$') {
                    i = dollar(w, i, end);
                } else if (d == '`') {
                    i = backtick(w, i, end);
                } else {
                    w.push(d, m_f.offset_at(i));
                    ++i;
                }
            }
            i = std::min(i + 1, end);
            continue;
        }
        if (c == '$') {
            i = dollar(w, i, end);
            continue;
        }
        if (c == '`') {
            i = backtick(w, i, end);
            continue;
        }
        w.push(c, m_f.offset_at(i));
        ++i;
    }
    Word word;
    word.value = std::move(w.value);
    word.offs = std::move(w.offs);
    word.start = m_f.offset_at(raw_begin);
    word.end = i > raw_begin ? m_f.offset_at(i - 1) + 1 : word.start;
    word.raw = m_t.substr(raw_begin, i - raw_begin);
    return word;
}

std::size_t ShellParser::read_heredocs(std::size_t i, std::size_t end,
                                       std::vector<Heredoc>& pending) {
    for (const Heredoc& h : pending) {
        std::size_t body_begin = i;
        std::size_t body_end = end;
        while (i < end) {
            std::size_t nl = m_t.find('\n', i);
            std::size_t line_end = nl == std::string::npos || nl > end ? end : nl;
            std::string_view line(m_t.data() + i, line_end - i);
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            if (h.strip_tabs) {
                while (!line.empty() && line.front() == '\t') {
                    line.remove_prefix(1);
                }
            }
            if (line == h.delimiter) {
                body_end = i;
                i = std::min(line_end + 1, end);
                break;
            }
            i = line_end >= end ? end : line_end + 1;
        }
        if (h.feed) {
            nested(body_begin, body_end, m_dialect);
        }
    }
    pending.clear();
    return i;
}

void ShellParser::parse(std::size_t begin, std::size_t end) {
    end = std::min(end, m_t.size());
    std::vector<Word> words;
    std::vector<Heredoc> pending;
    std::vector<CaseMode> cases;
    std::size_t command = 0;

    auto mode_is = [&](CaseMode m) { return !cases.empty() && cases.back() == m; };
    auto finish = [&] {
        if (mode_is(CaseMode::subject) || mode_is(CaseMode::patterns)) {
            words.clear();
            return;
        }
        CommandInfo info;
        if (!words.empty()) {
            info = classify_command(words, m_out);
        }
        for (Heredoc& h : pending) {
            if (h.command == command) {
                // A heredoc with no command is a Dockerfile `RUN <<EOF` script.
                h.feed = words.empty() || info.runs_stdin_as_script;
            }
        }
        words.clear();
        ++command;
    };

    std::size_t i = begin;
    while (i < end) {
        char c = m_t[i];
        char next = i + 1 < end ? m_t[i + 1] : '\0';
        if (c == '\\' && next == '\n') {
            i += 2;
            continue;
        }
        if (c == '\\' && next == '\r' && i + 2 < end && m_t[i + 2] == '\n') {
            i += 3;
            continue;
        }
        if (is_blank(c)) {
            ++i;
            continue;
        }
        if (c == '\n') {
            finish();
            i = read_heredocs(i + 1, end, pending);
            continue;
        }
        if (c == '#') {
            while (i < end && m_t[i] != '\n') {
                ++i;
            }
            continue;
        }
        if (c == ';') {
            bool clause_end = next == ';' || next == '&';
            i += clause_end ? 2 : 1;
            if (clause_end && i < end && m_t[i] == '&') {
                ++i;
            }
            finish();
            if (clause_end && mode_is(CaseMode::body)) {
                cases.back() = CaseMode::patterns;
            }
            continue;
        }
        if (c == '&') {
            if (next == '>') {
                // &> file: a redirection, not a separator.
                i += 2;
                if (i < end && m_t[i] == '>') {
                    ++i;
                }
                while (i < end && is_blank(m_t[i])) {
                    ++i;
                }
                if (i < end && !is_meta(m_t[i])) {
                    read_word(i, end);
                }
                continue;
            }
            i += next == '&' ? 2 : 1;
            finish();
            continue;
        }
        if (c == '|') {
            if (mode_is(CaseMode::patterns)) {
                ++i;
                continue;
            }
            i += (next == '|' || next == '&') ? 2 : 1;
            finish();
            continue;
        }
        if (c == '(') {
            if (mode_is(CaseMode::patterns)) {
                ++i;
                continue;
            }
            if (next == '(' && words.empty()) {
                // (( arithmetic )): no commands inside.
                i = std::min(find_close(i, end) + 1, end);
                continue;
            }
            finish();
            ++i;
            continue;
        }
        if (c == ')') {
            if (mode_is(CaseMode::patterns)) {
                words.clear();
                cases.back() = CaseMode::body;
            } else {
                finish();
            }
            ++i;
            continue;
        }
        if (c == '<' || c == '>') {
            if (next == '(') {
                // <(cmd) and >(cmd): process substitution runs a command.
                std::size_t close = find_close(i + 1, end);
                nested(i + 2, close, m_dialect);
                i = std::min(close + 1, end);
                continue;
            }
            if (c == '<' && next == '<' && i + 2 < end && m_t[i + 2] == '<') {
                i += 3;  // <<< word: a here-string is data
                while (i < end && is_blank(m_t[i])) {
                    ++i;
                }
                if (i < end && !is_meta(m_t[i])) {
                    read_word(i, end);
                }
                continue;
            }
            if (c == '<' && next == '<') {
                i += 2;
                bool strip = i < end && m_t[i] == '-';
                if (strip) {
                    ++i;
                }
                while (i < end && is_blank(m_t[i])) {
                    ++i;
                }
                if (i < end && !is_meta(m_t[i])) {
                    Word delim = read_word(i, end);
                    pending.push_back(Heredoc{delim.value, strip, command, false});
                }
                continue;
            }
            ++i;
            if (i < end && std::strchr("<>&|", m_t[i]) != nullptr) {
                ++i;
            }
            while (i < end && is_blank(m_t[i])) {
                ++i;
            }
            if (i < end && !is_meta(m_t[i])) {
                read_word(i, end);  // the redirection target
            }
            continue;
        }

        std::size_t before = i;
        Word w = read_word(i, end);
        if (i == before) {
            ++i;  // never stall on an unexpected character
            continue;
        }
        // 2>&1, 2>/dev/null: the number belongs to the redirection.
        if (i < end && (m_t[i] == '<' || m_t[i] == '>') && !w.raw.empty() &&
            w.raw.find_first_not_of("0123456789") == std::string::npos) {
            continue;
        }
        if (mode_is(CaseMode::subject)) {
            if (w.value == "in") {
                cases.back() = CaseMode::patterns;
            }
            continue;
        }
        if (mode_is(CaseMode::patterns)) {
            if (w.value == "esac") {
                cases.pop_back();
            }
            continue;
        }
        if (words.empty() && w.raw == "esac" && mode_is(CaseMode::body)) {
            cases.pop_back();
            continue;
        }
        if (words.empty() && w.raw == "case") {
            cases.push_back(CaseMode::subject);
            continue;
        }
        words.push_back(std::move(w));
    }
    finish();
    if (!pending.empty()) {
        // A heredoc whose body would start past this fragment (a one-line
        // Dockerfile RUN): nothing more to read.
        pending.clear();
    }
}

}  // namespace

void analyze_shell(const Fragment& code, Collector& out, ShellDialect dialect) {
    ShellParser parser(code, out, dialect);
    parser.parse(0, code.text.size());
}

void analyze_shell_file(std::string_view source, Collector& out) {
    analyze_shell(verbatim(source, 0, static_cast<std::uint32_t>(source.size())), out);
}

}  // namespace tl::scan::detail
