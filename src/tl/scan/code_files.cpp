// JS/TS and Python build scripts and build.zig: a token stream (comments
// dropped, string literals unescaped with their positions) is searched for the
// calls that start processes — spawn/execSync/execa/Bun.spawn/$`...`/run(...)
// in JS, subprocess.*/os.system in Python, addSystemCommand/.argv in Zig — and
// their program and arguments go through the same command rules as shell. A
// string that merely mentions cargo (a log line, an error message) is not a
// command.

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>

#include "tl/scan/analyze.hpp"
#include "tl/util/strings.hpp"

namespace tl::scan::detail {

namespace {

enum class Lang { js, zig, python };

struct Token {
    enum class Type { ident, string, punct, other };
    Type type = Type::other;
    std::size_t pos = 0;  // index in the fragment
    std::string text;     // identifier name or punctuation character
    Word word;            // string literals: the unescaped value
    bool template_literal = false;
};

bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
           (static_cast<unsigned char>(c) >= 0x80);
}

bool ident_char(char c) {
    return ident_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

// After these, a `/` starts a regular expression rather than a division.
bool regex_may_follow(const std::vector<Token>& tokens) {
    if (tokens.empty()) {
        return true;
    }
    const Token& t = tokens.back();
    if (t.type == Token::Type::punct) {
        return t.text != ")" && t.text != "]" && t.text != "}";
    }
    if (t.type == Token::Type::ident) {
        return t.text == "return" || t.text == "typeof" || t.text == "case" || t.text == "in" ||
               t.text == "of" || t.text == "yield" || t.text == "await";
    }
    return false;
}

std::vector<Token> tokenize(const Fragment& f, Lang lang) {
    const std::string& t = f.text;
    std::vector<Token> tokens;
    std::size_t i = 0;
    while (i < t.size()) {
        char c = t[i];
        char n = i + 1 < t.size() ? t[i + 1] : '\0';
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        if ((c == '/' && n == '/' && lang != Lang::python) || (c == '#' && lang == Lang::python)) {
            while (i < t.size() && t[i] != '\n') {
                ++i;
            }
            continue;
        }
        if (lang == Lang::python && (c == '"' || c == '\'') &&
            t.compare(i, 3, std::string(3, c)) == 0) {
            // A triple-quoted string: verbatim up to the closing triple quote.
            Token tok;
            tok.type = Token::Type::string;
            tok.pos = i;
            std::size_t e = t.find(std::string(3, c), i + 3);
            e = e == std::string::npos ? t.size() : e;
            for (std::size_t k = i + 3; k < e; ++k) {
                tok.word.value.push_back(t[k]);
                tok.word.offs.push_back(f.offset_at(k));
            }
            std::size_t close = std::min(e + 3, t.size());
            tok.word.start = f.offset_at(i);
            tok.word.end = f.offset_at(close - 1) + 1;
            tok.word.raw = t.substr(i, close - i);
            tok.word.literal = true;
            tokens.push_back(std::move(tok));
            i = close;
            continue;
        }
        if (c == '/' && n == '*' && lang == Lang::js) {
            std::size_t e = t.find("*/", i + 2);
            i = e == std::string::npos ? t.size() : e + 2;
            continue;
        }
        if (lang == Lang::zig && c == '\\' && n == '\\') {
            // A multi-line string line: text to the end of the line.
            Token tok;
            tok.type = Token::Type::string;
            tok.pos = i;
            std::size_t e = t.find('\n', i);
            e = e == std::string::npos ? t.size() : e;
            tok.word.value = t.substr(i + 2, e - i - 2);
            for (std::size_t k = i + 2; k < e; ++k) {
                tok.word.offs.push_back(f.offset_at(k));
            }
            tok.word.start = f.offset_at(i);
            tok.word.end = f.offset_at(e);
            tok.word.raw = t.substr(i, e - i);
            tokens.push_back(std::move(tok));
            i = e;
            continue;
        }
        if (c == '"' || (c == '\'' && lang != Lang::zig) || (c == '`' && lang == Lang::js)) {
            Token tok;
            tok.type = Token::Type::string;
            tok.pos = i;
            tok.template_literal = c == '`';
            tok.word = read_string_literal(f, i);
            tokens.push_back(std::move(tok));
            continue;
        }
        if (c == '\'' && lang == Lang::zig) {
            // A character literal.
            std::size_t e = i + 1;
            while (e < t.size() && t[e] != '\'' && t[e] != '\n') {
                e += t[e] == '\\' ? 2 : 1;
            }
            i = std::min(e + 1, t.size());
            continue;
        }
        if (c == '/' && lang == Lang::js && regex_may_follow(tokens)) {
            // A regular expression literal: skip it whole (it may hold quotes).
            std::size_t e = i + 1;
            bool in_class = false;
            while (e < t.size() && t[e] != '\n') {
                if (t[e] == '\\') {
                    e += 2;
                    continue;
                }
                if (t[e] == '[') {
                    in_class = true;
                } else if (t[e] == ']') {
                    in_class = false;
                } else if (t[e] == '/' && !in_class) {
                    break;
                }
                ++e;
            }
            i = std::min(e + 1, t.size());
            Token tok;
            tok.type = Token::Type::other;
            tok.pos = i;
            tokens.push_back(std::move(tok));
            continue;
        }
        if (ident_start(c)) {
            Token tok;
            tok.type = Token::Type::ident;
            tok.pos = i;
            std::size_t b = i;
            while (i < t.size() && ident_char(t[i])) {
                ++i;
            }
            tok.text = t.substr(b, i - b);
            // Zig's @"quoted identifier" is rare enough to ignore.
            tokens.push_back(std::move(tok));
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
            while (i < t.size() && (ident_char(t[i]) || t[i] == '.')) {
                ++i;
            }
            Token tok;
            tok.type = Token::Type::other;
            tok.pos = i;
            tokens.push_back(std::move(tok));
            continue;
        }
        Token tok;
        tok.type = Token::Type::punct;
        tok.pos = i;
        tok.text = std::string(1, c);
        tokens.push_back(std::move(tok));
        ++i;
    }
    return tokens;
}

bool is_punct(const std::vector<Token>& tokens, std::size_t k, char c) {
    return k < tokens.size() && tokens[k].type == Token::Type::punct && tokens[k].text[0] == c;
}

Word ident_word(const Fragment& f, const Token& tok, Lang lang) {
    Word w;
    // A Zig variable holding cargo's path (cargo, cargo_exe, cargo_path) stands for cargo.
    std::string lower = util::to_lower(tok.text);
    w.value = lang == Lang::zig && lower.find("cargo") != std::string::npos ? "cargo" : "";
    for (std::size_t k = 0; k < w.value.size(); ++k) {
        w.offs.push_back(f.offset_at(tok.pos));
    }
    w.start = f.offset_at(tok.pos);
    w.end = f.offset_at(tok.pos + tok.text.size() - 1) + 1;
    w.raw = tok.text;
    return w;
}

// The elements of a bracketed list starting at tokens[k] (the opening bracket):
// strings as words, other elements as empty words; leaves k after the close.
std::vector<Word> list_words(const Fragment& f, const std::vector<Token>& tokens, std::size_t& k,
                             char open, char close, Lang lang) {
    std::vector<Word> words;
    int depth = 0;
    bool element_started = false;
    for (; k < tokens.size(); ++k) {
        const Token& tok = tokens[k];
        if (tok.type == Token::Type::punct) {
            char c = tok.text[0];
            if (c == open || c == '(' || c == '[' || c == '{') {
                ++depth;
                if (depth > 1) {
                    element_started = true;
                }
                continue;
            }
            if (c == close || c == ')' || c == ']' || c == '}') {
                if (--depth == 0) {
                    ++k;
                    return words;
                }
                continue;
            }
            if (c == ',' && depth == 1) {
                element_started = false;
                continue;
            }
            continue;
        }
        if (depth != 1 || element_started) {
            continue;
        }
        element_started = true;
        if (tok.type == Token::Type::string) {
            words.push_back(tok.word);
        } else if (tok.type == Token::Type::ident) {
            words.push_back(ident_word(f, tok, lang));
        } else {
            Word w;
            w.start = f.offset_at(tok.pos);
            w.end = w.start + 1;
            words.push_back(w);
        }
    }
    return words;
}

void shell_line(const Word& w, Collector& out) {
    if (out.depth < 16) {
        analyze_shell(fragment_of(w), out);
    }
}

// spawn('cargo', ['build']) / spawn(['cargo', 'build']) / spawn({cmd: [...]}).
void argv_call(const Fragment& f, const std::vector<Token>& tokens, std::size_t k, Collector& out) {
    // tokens[k] is the opening parenthesis.
    std::size_t a = k + 1;
    if (a >= tokens.size()) {
        return;
    }
    std::vector<Word> argv;
    if (tokens[a].type == Token::Type::string) {
        const Word& program = tokens[a].word;
        if (program.value.find(' ') != std::string::npos) {
            shell_line(program, out);  // spawn('cargo build', {shell: true})
            return;
        }
        argv.push_back(program);
        std::size_t b = a + 1;
        if (is_punct(tokens, b, ',') && is_punct(tokens, b + 1, '[')) {
            std::size_t m = b + 1;
            std::vector<Word> rest = list_words(f, tokens, m, '[', ']', Lang::js);
            argv.insert(argv.end(), rest.begin(), rest.end());
        }
    } else if (is_punct(tokens, a, '[')) {
        std::size_t m = a;
        argv = list_words(f, tokens, m, '[', ']', Lang::js);
    } else if (is_punct(tokens, a, '{')) {
        // Bun.spawn({ cmd: ['cargo', 'build'] })
        for (std::size_t m = a + 1; m + 2 < tokens.size() && m < a + 64; ++m) {
            if (tokens[m].type == Token::Type::ident && tokens[m].text == "cmd" &&
                is_punct(tokens, m + 1, ':') && is_punct(tokens, m + 2, '[')) {
                std::size_t n = m + 2;
                argv = list_words(f, tokens, n, '[', ']', Lang::js);
                break;
            }
        }
    }
    if (!argv.empty() && !argv.front().value.empty()) {
        classify_command(argv, out);
    }
}

bool is_cargo_subcommand(std::string_view s) {
    // Not "rustc": ['cargo', 'rustc'] is as often a list of tool names.
    static const std::array<std::string_view, 13> subs = {
        "build", "test", "install", "check", "run",      "clippy",  "fmt",
        "fetch", "doc",  "bench",   "clean", "metadata", "zigbuild"};
    return std::find(subs.begin(), subs.end(), s) != subs.end();
}

// An argument list assembled apart from the call that runs it
// (['--', 'cargo', 'build', ...] handed to a helper): "cargo" followed by a
// cargo subcommand inside a list literal.
void cargo_lists(const std::vector<Token>& tokens, char open, Collector& out) {
    for (std::size_t k = 1; k + 2 < tokens.size(); ++k) {
        const Token& t = tokens[k];
        if (t.type != Token::Type::string || t.word.value != "cargo" ||
            !(is_punct(tokens, k - 1, open) || is_punct(tokens, k - 1, ','))) {
            continue;
        }
        if (is_punct(tokens, k + 1, ',') && tokens[k + 2].type == Token::Type::string &&
            is_cargo_subcommand(tokens[k + 2].word.value)) {
            out.add(Kind::rust_build, t.word.start, tokens[k + 2].word.end,
                    "cargo " + tokens[k + 2].word.value);
        }
    }
}

// Whether `source` holds one of `needles`: every finding needs one of those
// words, most files have none, and skipping the tokenizer for them keeps large
// trees cheap.
template <std::size_t N>
bool holds_any(std::string_view source, const char* const (&needles)[N]) {
    return std::any_of(std::begin(needles), std::end(needles),
                       [&](const char* n) { return source.find(n) != std::string_view::npos; });
}

}  // namespace

void analyze_javascript(std::string_view source, Collector& out) {
    // Every finding in JS needs one of these words.
    static const char* const needles[] = {"spawn", "exec", "Command", "run-with-rust-toolchain",
                                          "$`",    "sh`",  "'cargo'", "\"cargo\"",
                                          "run(",  "run ("};
    if (!holds_any(source, needles)) {
        return;
    }
    Fragment f = verbatim(source, 0, static_cast<std::uint32_t>(source.size()));
    std::vector<Token> tokens = tokenize(f, Lang::js);
    cargo_lists(tokens, '[', out);
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        const Token& tok = tokens[k];
        if (tok.type == Token::Type::string) {
            // import ... from '...run-with-rust-toolchain', require('...'), import('...').
            bool module =
                k > 0 && ((tokens[k - 1].type == Token::Type::ident &&
                           (tokens[k - 1].text == "from" || tokens[k - 1].text == "import")) ||
                          (is_punct(tokens, k - 1, '(') && k > 1 &&
                           tokens[k - 2].type == Token::Type::ident &&
                           (tokens[k - 2].text == "require" || tokens[k - 2].text == "import")));
            if (module && mentions_retired_script(tok.word.value)) {
                out.add(Kind::retired_script, tok.word.start, tok.word.end,
                        display_text(tok.word.raw));
            }
            continue;
        }
        if (tok.type != Token::Type::ident) {
            continue;
        }
        const std::string& name = tok.text;
        const bool member = k > 0 && is_punct(tokens, k - 1, '.');
        const std::string object = member && k > 1 && tokens[k - 2].type == Token::Type::ident
                                       ? tokens[k - 2].text
                                       : std::string();
        // Tagged templates: Bun's and zx's $`cargo build`, execa`cargo build`.
        if (k + 1 < tokens.size() && tokens[k + 1].type == Token::Type::string &&
            tokens[k + 1].template_literal &&
            (name == "$" || name == "execa" || name == "execaSync" || name == "sh")) {
            shell_line(tokens[k + 1].word, out);
            continue;
        }
        if (!is_punct(tokens, k + 1, '(')) {
            continue;
        }
        out.anchors = {f.offset_at(tok.pos)};
        if (name == "execSync" || name == "execaCommand" || name == "execaCommandSync" ||
            (name == "exec" && (!member || object == "child_process" || object == "cp" ||
                                object == "childProcess" || object == "exec"))) {
            if (k + 2 < tokens.size() && tokens[k + 2].type == Token::Type::string) {
                shell_line(tokens[k + 2].word, out);
            }
        } else if (name == "spawn" || name == "spawnSync" || name == "execFile" ||
                   name == "execFileSync" || name == "execa" || name == "execaSync" ||
                   (name == "Command" && k > 0 && tokens[k - 1].type == Token::Type::punct) ||
                   (!member && (name == "run" || name == "runSync" || name == "runCommand"))) {
            // run('sh', ['-c', '...']): the usual name of a build script's own
            // process helper; only a plain call (not app.run(...)) whose first
            // argument is a string or a list counts (argv_call looks at nothing else).
            argv_call(f, tokens, k + 1, out);
        }
        out.anchors.clear();
    }
}

void analyze_python(std::string_view source, Collector& out) {
    static const char* const needles[] = {"subprocess", "system", "popen",   "spawn",    "run(",
                                          "call(",      "Popen",  "'cargo'", "\"cargo\""};
    if (!holds_any(source, needles)) {
        return;
    }
    Fragment f = verbatim(source, 0, static_cast<std::uint32_t>(source.size()));
    std::vector<Token> tokens = tokenize(f, Lang::python);
    cargo_lists(tokens, '[', out);
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        const Token& tok = tokens[k];
        if (tok.type != Token::Type::ident || !is_punct(tokens, k + 1, '(')) {
            continue;
        }
        const std::string& name = tok.text;
        const bool member = k > 0 && is_punct(tokens, k - 1, '.');
        const std::string object = member && k > 1 && tokens[k - 2].type == Token::Type::ident
                                       ? tokens[k - 2].text
                                       : std::string();
        out.anchors = {f.offset_at(tok.pos)};
        if ((object == "os" && (name == "system" || name == "popen")) ||
            ((object == "subprocess" || !member) &&
             (name == "getoutput" || name == "getstatusoutput"))) {
            // A command line for the shell.
            if (k + 2 < tokens.size() && tokens[k + 2].type == Token::Type::string) {
                shell_line(tokens[k + 2].word, out);
            }
        } else if (((object == "subprocess" || object == "sp" || !member) &&
                    (name == "run" || name == "call" || name == "check_call" ||
                     name == "check_output" || name == "Popen")) ||
                   (object == "os" && (name == "spawnlp" || name == "spawnvp"))) {
            // subprocess.run(['cargo', 'build']) or subprocess.run('cargo build', shell=True).
            argv_call(f, tokens, k + 1, out);
        }
        out.anchors.clear();
    }
}

namespace {

bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Where `name` occurs in `s` as a whole file name: not glued to a longer name
// before it (reinstall-rust.sh) or after it (install-rust.sh.bak, install-rust.shx).
std::vector<std::size_t> file_name_hits(std::string_view s, std::string_view name) {
    std::vector<std::size_t> hits;
    for (std::size_t p = s.find(name); p != std::string_view::npos; p = s.find(name, p + 1)) {
        std::size_t e = p + name.size();
        bool before = p == 0 || !(name_char(s[p - 1]) || s[p - 1] == '.');
        bool after = e >= s.size() ||
                     !(name_char(s[e]) || (s[e] == '.' && e + 1 < s.size() && name_char(s[e + 1])));
        if (before && after) {
            hits.push_back(p);
        }
    }
    return hits;
}

void add_reference(const Word& w, const ScriptReference& ref, Collector& out) {
    out.add(Kind::toolchain_install, w.start, w.end, display_text(w.raw));
    out.findings().back().why = "names " + ref.path +
                                ", which installs a Rust toolchain: this file runs the installer "
                                "(the scan found the install there)";
}

}  // namespace

void analyze_script_references(std::string_view source, FileType type,
                               const std::vector<ScriptReference>& refs, Collector& out) {
    if (refs.empty()) {
        return;
    }
    if (type == FileType::javascript || type == FileType::python || type == FileType::zig_build) {
        // Code: only string literals count (an import of the same name is code).
        Fragment f = verbatim(source, 0, static_cast<std::uint32_t>(source.size()));
        Lang lang = type == FileType::javascript ? Lang::js
                    : type == FileType::python   ? Lang::python
                                                 : Lang::zig;
        for (const Token& tok : tokenize(f, lang)) {
            if (tok.type != Token::Type::string) {
                continue;
            }
            for (const ScriptReference& ref : refs) {
                if (!file_name_hits(tok.word.value, ref.name).empty()) {
                    add_reference(tok.word, ref, out);
                    break;
                }
            }
        }
        return;
    }
    // Shell, YAML, Makefiles, Dockerfiles, JSON: every word is a string; a
    // line that is a comment is not.
    const bool json = type == FileType::package_json || type == FileType::devcontainer;
    for (const Line& line : split_lines(source)) {
        std::string_view t = util::trim(line.text);
        if (!json && !t.empty() && t.front() == '#') {
            continue;
        }
        for (const ScriptReference& ref : refs) {
            auto hits = file_name_hits(line.text, ref.name);
            if (hits.empty()) {
                continue;
            }
            // The word around the first hit: from the white space (or quote) before it
            // to the one after.
            std::size_t b = hits.front();
            while (b > 0 && !std::isspace(static_cast<unsigned char>(line.text[b - 1])) &&
                   line.text[b - 1] != '"' && line.text[b - 1] != '\'') {
                --b;
            }
            std::size_t e = hits.front() + ref.name.size();
            while (e < line.text.size() &&
                   !std::isspace(static_cast<unsigned char>(line.text[e])) && line.text[e] != '"' &&
                   line.text[e] != '\'') {
                ++e;
            }
            Word w;
            w.start = line.start + static_cast<std::uint32_t>(b);
            w.end = line.start + static_cast<std::uint32_t>(e);
            w.raw = std::string(t);
            add_reference(w, ref, out);
            break;
        }
    }
}

void analyze_zig(std::string_view source, Collector& out) {
    if (source.find("addSystemCommand") == std::string_view::npos &&
        source.find("argv") == std::string_view::npos &&
        source.find("Child") == std::string_view::npos &&
        source.find("\"cargo\"") == std::string_view::npos) {
        return;
    }
    Fragment f = verbatim(source, 0, static_cast<std::uint32_t>(source.size()));
    std::vector<Token> tokens = tokenize(f, Lang::zig);
    cargo_lists(tokens, '{', out);
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        const Token& tok = tokens[k];
        if (tok.type != Token::Type::ident) {
            continue;
        }
        const bool spawn_call =
            (tok.text == "addSystemCommand" ||
             (tok.text == "init" && k >= 2 && tokens[k - 2].type == Token::Type::ident &&
              (tokens[k - 2].text == "Child" || tokens[k - 2].text == "ChildProcess"))) &&
            is_punct(tokens, k + 1, '(');
        const bool argv_field = tok.text == "argv" && k > 0 && is_punct(tokens, k - 1, '.') &&
                                is_punct(tokens, k + 1, '=');
        if (!spawn_call && !argv_field) {
            continue;
        }
        const std::size_t list = k + 2;
        // &.{ ... } or &[_][]const u8{ ... }: find the brace that opens the list.
        std::size_t m = list;
        while (m < tokens.size() && m < list + 12 && !is_punct(tokens, m, '{')) {
            if (is_punct(tokens, m, ')') || is_punct(tokens, m, ';')) {
                m = tokens.size();
                break;
            }
            ++m;
        }
        if (m >= tokens.size() || !is_punct(tokens, m, '{')) {
            continue;
        }
        out.anchors = {f.offset_at(tok.pos)};
        std::vector<Word> argv = list_words(f, tokens, m, '{', '}', Lang::zig);
        if (!argv.empty() && !argv.front().value.empty()) {
            classify_command(argv, out);
        }
        out.anchors.clear();
    }
}

}  // namespace tl::scan::detail
