// CI YAML (GitHub workflows, composite actions, GitLab CI) read line by line:
// not a full YAML parser, but enough of block structure to pull out the shell
// in `run:` / `script:` values (plain, quoted, block scalars and lists of
// them) with exact positions, and the `uses:`, `image:` and `repository:`
// values that install Rust or fetch sdk-core. Block scalars of any other key
// are skipped whole, so text in a `description: |` never looks like a key.

#include <cctype>

#include "tl/scan/analyze.hpp"
#include "tl/util/strings.hpp"

namespace tl::scan::detail {

namespace {

struct Dialect {
    std::vector<std::string_view> shell_keys;
    std::vector<std::string_view> image_keys;
    bool github = false;
};

std::size_t indent_of(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && s[i] == ' ') {
        ++i;
    }
    return i;
}

bool blank_or_comment(std::string_view s) {
    std::string_view t = util::trim(s);
    return t.empty() || t.front() == '#';
}

bool is_block_indicator(std::string_view v) {
    if (v.empty() || (v.front() != '|' && v.front() != '>')) {
        return false;
    }
    for (std::size_t i = 1; i < v.size(); ++i) {
        char c = v[i];
        if (c == '#') {
            return i > 0 && (v[i - 1] == ' ' || v[i - 1] == '\t');
        }
        if (!(c == '+' || c == '-' || std::isdigit(static_cast<unsigned char>(c)) || c == ' ' ||
              c == '\t')) {
            return false;
        }
    }
    return true;
}

// A `key: value` found on a line, after any `- ` sequence markers.
struct KeyLine {
    bool ok = false;
    std::string key;
    std::size_t key_col = 0;    // column of the key
    std::size_t value_col = 0;  // column where the value starts (== size when empty)
    std::size_t last_dash = std::string::npos;  // column of the last `-` marker
};

KeyLine parse_key_line(std::string_view text) {
    KeyLine k;
    std::size_t i = indent_of(text);
    while (i < text.size() && text[i] == '-' && (i + 1 == text.size() || text[i + 1] == ' ')) {
        k.last_dash = i;
        ++i;
        while (i < text.size() && text[i] == ' ') {
            ++i;
        }
    }
    if (i >= text.size()) {
        return k;
    }
    std::size_t b = i;
    std::string key;
    if (text[i] == '"' || text[i] == '\'') {
        char q = text[i];
        std::size_t close = text.find(q, i + 1);
        if (close == std::string_view::npos) {
            return k;
        }
        key = std::string(text.substr(i + 1, close - i - 1));
        i = close + 1;
    } else {
        while (i < text.size() && text[i] != ':' && text[i] != ' ' && text[i] != '#') {
            ++i;
        }
        key = std::string(text.substr(b, i - b));
    }
    while (i < text.size() && text[i] == ' ') {
        ++i;
    }
    if (i >= text.size() || text[i] != ':' || key.empty()) {
        return k;
    }
    ++i;
    if (i < text.size() && text[i] != ' ' && text[i] != '\t') {
        return k;  // `a:b` is a plain scalar, not a key
    }
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
        ++i;
    }
    k.ok = true;
    k.key = key;
    k.key_col = b;
    k.value_col = i;
    return k;
}

class YamlReader {
public:
    YamlReader(std::string_view source, Collector& out, Dialect dialect)
        : m_source(source),
          m_out(out),
          m_dialect(std::move(dialect)),
          m_lines(split_lines(source)) {}

    void run();

private:
    bool is_shell_key(std::string_view k) const {
        for (auto s : m_dialect.shell_keys) {
            if (s == k) {
                return true;
            }
        }
        return false;
    }
    bool is_image_key(std::string_view k) const {
        for (auto s : m_dialect.image_keys) {
            if (s == k) {
                return true;
            }
        }
        return false;
    }
    std::uint32_t offset(std::size_t line, std::size_t col) const {
        return m_lines[line].start + static_cast<std::uint32_t>(col);
    }

    // Reads the scalar starting at (line, col); `parent` is the indentation its
    // continuation lines must exceed. Leaves `next` at the first line after it.
    Fragment scalar(std::size_t line, std::size_t col, std::size_t parent, std::size_t& next);
    Fragment block_scalar(std::size_t line, std::size_t col, std::size_t parent, std::size_t& next);
    Fragment quoted(std::size_t line, std::size_t col, std::size_t& next);
    Fragment plain(std::size_t line, std::size_t col, std::size_t parent, std::size_t& next);

    void shell_value(std::size_t line, std::size_t col, std::size_t parent, std::size_t& next);
    void add_ancestors(std::size_t line, std::size_t first_new);

    std::string_view m_source;
    Collector& m_out;
    Dialect m_dialect;
    std::vector<Line> m_lines;
};

Fragment YamlReader::block_scalar(std::size_t line, std::size_t col, std::size_t parent,
                                  std::size_t& next) {
    std::string_view header = m_lines[line].text.substr(col);
    const bool folded = header.front() == '>';
    std::size_t explicit_indent = 0;
    for (char c : header.substr(1)) {
        if (std::isdigit(static_cast<unsigned char>(c))) {
            explicit_indent = static_cast<std::size_t>(c - '0');
        } else if (c == '#') {
            break;
        }
    }
    std::size_t content = explicit_indent > 0 ? parent + explicit_indent : 0;
    Fragment f;
    std::size_t i = line + 1;
    bool first = true;
    bool prev_blank = false;
    bool prev_more = false;
    for (; i < m_lines.size(); ++i) {
        std::string_view t = m_lines[i].text;
        bool blank = util::trim(t).empty();
        std::size_t ind = indent_of(t);
        if (!blank) {
            if (content == 0) {
                if (ind <= parent) {
                    break;
                }
                content = ind;
            } else if (ind < content) {
                break;
            }
        }
        bool more = !blank && ind > content;
        if (!first) {
            // Folded scalars join lines with a space, except around blank and
            // more-indented lines; literal ones keep every line break.
            char sep = folded && !blank && !prev_blank && !more && !prev_more ? ' ' : '\n';
            f.push(sep, m_lines[i].start > 0 ? m_lines[i].start - 1 : 0);
        }
        first = false;
        if (!blank) {
            f.append(m_source, offset(i, std::min(content, t.size())), offset(i, t.size()));
        }
        prev_blank = blank;
        prev_more = more;
    }
    // Trailing blank lines belong to nobody; the next key starts after them.
    next = i;
    f.end = i > 0 ? offset(i - 1, m_lines[i - 1].text.size()) : 0;
    return f;
}

Fragment YamlReader::quoted(std::size_t line, std::size_t col, std::size_t& next) {
    const char q = m_lines[line].text[col];
    Fragment f;
    std::size_t i = line;
    std::size_t c = col + 1;
    bool pending_space = false;
    for (;;) {
        std::string_view t = m_lines[i].text;
        bool closed = false;
        while (c < t.size()) {
            char ch = t[c];
            if (pending_space) {
                f.push(' ', offset(i, c));
                pending_space = false;
            }
            if (q == '\'' && ch == '\'') {
                if (c + 1 < t.size() && t[c + 1] == '\'') {
                    f.push('\'', offset(i, c));
                    c += 2;
                    continue;
                }
                closed = true;
                break;
            }
            if (q == '"' && ch == '"') {
                closed = true;
                break;
            }
            if (q == '"' && ch == '\\' && c + 1 < t.size()) {
                char e = t[c + 1];
                char v = e == 'n' ? '\n' : e == 't' ? '\t' : e;
                f.push(v, offset(i, c));
                c += 2;
                continue;
            }
            f.push(ch, offset(i, c));
            ++c;
        }
        if (closed) {
            f.end = offset(i, c);
            next = i + 1;
            return f;
        }
        // Multi-line quoted scalars fold line breaks into spaces.
        if (i + 1 >= m_lines.size()) {
            f.end = offset(i, t.size());
            next = i + 1;
            return f;
        }
        ++i;
        c = indent_of(m_lines[i].text);
        pending_space = true;
    }
}

Fragment YamlReader::plain(std::size_t line, std::size_t col, std::size_t parent,
                           std::size_t& next) {
    Fragment f;
    std::size_t i = line;
    std::size_t c = col;
    for (;;) {
        std::string_view t = m_lines[i].text;
        std::size_t stop = t.size();
        for (std::size_t k = c; k < t.size(); ++k) {
            if (t[k] == '#' && (k == c || t[k - 1] == ' ' || t[k - 1] == '\t')) {
                stop = k;
                break;
            }
        }
        while (stop > c && (t[stop - 1] == ' ' || t[stop - 1] == '\t')) {
            --stop;
        }
        if (i != line) {
            f.push(' ', m_lines[i].start > 0 ? m_lines[i].start - 1 : 0);
        }
        f.append(m_source, offset(i, c), offset(i, stop));
        // A plain scalar goes on over more-indented lines that are not keys.
        std::size_t j = i + 1;
        if (j >= m_lines.size() || util::trim(m_lines[j].text).empty()) {
            next = j;
            break;
        }
        std::string_view n = m_lines[j].text;
        std::size_t ind = indent_of(n);
        if (ind <= parent || parse_key_line(n).ok || n[ind] == '#' ||
            (n[ind] == '-' && (ind + 1 == n.size() || n[ind + 1] == ' '))) {
            next = j;
            break;
        }
        i = j;
        c = ind;
    }
    f.end = offset(i, m_lines[i].text.size());
    return f;
}

Fragment YamlReader::scalar(std::size_t line, std::size_t col, std::size_t parent,
                            std::size_t& next) {
    std::string_view v = m_lines[line].text.substr(col);
    if (is_block_indicator(v)) {
        return block_scalar(line, col, parent, next);
    }
    if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
        return quoted(line, col, next);
    }
    return plain(line, col, parent, next);
}

void YamlReader::shell_value(std::size_t line, std::size_t col, std::size_t parent,
                             std::size_t& next) {
    std::string_view v = m_lines[line].text.substr(col);
    if (!v.empty() && v.front() == '[') {
        // A flow sequence of commands: [cargo build, "cargo test"].
        Fragment f;
        f.append(m_source, offset(line, col), offset(line, m_lines[line].text.size()));
        std::size_t i = 1;
        while (i < f.text.size() && f.text[i] != ']') {
            char ch = f.text[i];
            if (ch == ' ' || ch == ',') {
                ++i;
                continue;
            }
            Fragment item;
            if (ch == '"' || ch == '\'') {
                Word w = read_string_literal(f, i);
                item.text = w.value;
                item.offs = w.offs;
                item.end = w.end;
            } else {
                std::size_t b = i;
                while (i < f.text.size() && f.text[i] != ',' && f.text[i] != ']') {
                    ++i;
                }
                item.text = f.text.substr(b, i - b);
                item.offs.assign(f.offs.begin() + static_cast<std::ptrdiff_t>(b),
                                 f.offs.begin() + static_cast<std::ptrdiff_t>(i));
                item.end = f.offset_at(i);
            }
            analyze_shell(item, m_out);
        }
        next = line + 1;
        return;
    }
    Fragment f = scalar(line, col, parent, next);
    analyze_shell(f, m_out);
}

void YamlReader::add_ancestors(std::size_t line, std::size_t first_new) {
    auto& findings = m_out.findings();
    if (first_new >= findings.size()) {
        return;
    }
    std::vector<std::uint32_t> anchors = {m_lines[line].start};
    std::size_t current = indent_of(m_lines[line].text);
    for (std::size_t j = line; j-- > 0 && current > 0;) {
        if (blank_or_comment(m_lines[j].text)) {
            continue;
        }
        std::size_t ind = indent_of(m_lines[j].text);
        if (ind < current) {
            anchors.push_back(m_lines[j].start);
            current = ind;
        }
    }
    for (std::size_t k = first_new; k < findings.size(); ++k) {
        findings[k].anchors.insert(findings[k].anchors.end(), anchors.begin(), anchors.end());
    }
}

void YamlReader::run() {
    std::size_t i = 0;
    while (i < m_lines.size()) {
        std::string_view t = m_lines[i].text;
        if (blank_or_comment(t)) {
            ++i;
            continue;
        }
        KeyLine k = parse_key_line(t);
        if (!k.ok) {
            ++i;
            continue;
        }
        std::string_view value = t.substr(k.value_col);
        std::size_t next = i + 1;
        const std::size_t first_new = m_out.findings().size();
        const std::uint32_t key_start = offset(i, k.key_col);

        if (is_shell_key(k.key)) {
            if (!value.empty() && value.front() != '#') {
                shell_value(i, k.value_col, k.key_col, next);
            } else {
                // A list of commands: items at or below the key's column.
                std::size_t j = i + 1;
                while (j < m_lines.size()) {
                    std::string_view n = m_lines[j].text;
                    if (blank_or_comment(n)) {
                        ++j;
                        continue;
                    }
                    std::size_t ind = indent_of(n);
                    bool item = n[ind] == '-' && (ind + 1 == n.size() || n[ind + 1] == ' ');
                    if (!item || ind < k.key_col) {
                        break;
                    }
                    std::size_t vc = ind + 1;
                    while (vc < n.size() && n[vc] == ' ') {
                        ++vc;
                    }
                    std::size_t after = j + 1;
                    if (vc < n.size() && n[vc] != '#') {
                        const std::size_t before = m_out.findings().size();
                        shell_value(j, vc, ind, after);
                        add_ancestors(j, before);
                    }
                    j = after;
                }
                next = j;
            }
            add_ancestors(i, first_new);
            i = next;
            continue;
        }
        if (is_block_indicator(value)) {
            // Some other key's block scalar: skip its content whole.
            block_scalar(i, k.value_col, k.key_col, next);
            i = next;
            continue;
        }
        std::string scalar_value;
        if (!value.empty() && value.front() != '#') {
            Fragment f = scalar(i, k.value_col, k.key_col, next);
            scalar_value = std::string(util::trim(f.text));
        }
        // The key and its value, without a trailing YAML comment.
        const std::string line_text = scalar_value.empty()
                                          ? display_text(util::trim(t.substr(k.key_col)))
                                          : display_text(k.key + ": " + scalar_value);
        if (m_dialect.github && k.key == "uses" && !scalar_value.empty()) {
            classify_uses(scalar_value, key_start, offset(i, t.size()), line_text, m_out);
        } else if (is_image_key(k.key)) {
            if (!scalar_value.empty() && is_rust_image(scalar_value)) {
                m_out.add(Kind::toolchain_install, key_start, offset(i, t.size()), line_text);
            } else if (scalar_value.empty() && !m_dialect.github) {
                // GitLab's image: {name: rust:1.80}; GitHub's container: {image: ...}
                // is found on its own `image:` line.
                for (std::size_t j = i + 1; j < m_lines.size(); ++j) {
                    std::string_view n = m_lines[j].text;
                    if (blank_or_comment(n)) {
                        continue;
                    }
                    if (indent_of(n) <= k.key_col) {
                        break;
                    }
                    KeyLine child = parse_key_line(n);
                    if (child.ok && child.key == "name") {
                        std::string_view cv = util::trim(n.substr(child.value_col));
                        std::string v(cv);
                        if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) {
                            v = v.substr(1, v.size() - 2);
                        }
                        if (is_rust_image(v)) {
                            m_out.add(Kind::toolchain_install, key_start, offset(j, n.size()),
                                      display_text(util::trim(n)));
                        }
                        break;
                    }
                }
            }
        } else if (m_dialect.github && k.key == "repository" &&
                   mentions_sdk_core(scalar_value + " ")) {
            m_out.add(Kind::sdk_core_source, key_start, offset(i, t.size()), line_text);
        } else if (mentions_retired_script(scalar_value) && !k.key.empty() && k.key != "name" &&
                   k.key != "description") {
            m_out.add(Kind::retired_script, key_start, offset(i, t.size()), line_text);
        }
        add_ancestors(i, first_new);
        i = std::max(next, i + 1);
    }
}

}  // namespace

void analyze_yaml_ci(std::string_view source, FileType type, Collector& out) {
    Dialect d;
    if (type == FileType::gitlab_ci) {
        d.shell_keys = {"script", "before_script", "after_script", "pre_get_sources_script"};
        d.image_keys = {"image"};
    } else {
        d.shell_keys = {"run"};
        d.image_keys = {"container", "image"};
        d.github = true;
    }
    YamlReader reader(source, out, std::move(d));
    reader.run();
}

}  // namespace tl::scan::detail
