// Dockerfiles (and Containerfiles): instructions are joined across escaped line
// ends the way the builder does it, dropping comment lines inside a
// continuation, so a RUN split over ten lines is one shell command line with
// exact positions for each part.

#include <cctype>

#include "tl/scan/analyze.hpp"
#include "tl/util/strings.hpp"

namespace tl::scan::detail {

namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

bool comment_or_blank(std::string_view line) {
    std::string_view t = util::trim(line);
    return t.empty() || t.front() == '#';
}

// Splits "--mount=type=cache,target=/x --network=host cargo build" into the
// flags and the index where the command starts.
std::size_t skip_flags(const std::string& t, std::size_t i) {
    for (;;) {
        while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) {
            ++i;
        }
        if (t.compare(i, 2, "--") != 0) {
            return i;
        }
        while (i < t.size() && t[i] != ' ' && t[i] != '\t') {
            ++i;
        }
    }
}

// The words of an instruction's arguments, split at white space (no quoting:
// FROM, COPY and ADD arguments are plain).
std::vector<Word> plain_words(const Fragment& f, std::size_t from) {
    std::vector<Word> words;
    std::size_t i = from;
    while (i < f.text.size()) {
        while (i < f.text.size() && std::isspace(static_cast<unsigned char>(f.text[i]))) {
            ++i;
        }
        std::size_t b = i;
        while (i < f.text.size() && !std::isspace(static_cast<unsigned char>(f.text[i]))) {
            ++i;
        }
        if (i > b) {
            Word w;
            w.value = f.text.substr(b, i - b);
            w.offs.assign(f.offs.begin() + static_cast<std::ptrdiff_t>(b),
                          f.offs.begin() + static_cast<std::ptrdiff_t>(i));
            w.start = f.offset_at(b);
            w.end = f.offset_at(i - 1) + 1;
            w.raw = w.value;
            words.push_back(std::move(w));
        }
    }
    return words;
}

// An exec-form argument list: ["cargo", "build"].
std::vector<Word> exec_form(const Fragment& f, std::size_t i) {
    std::vector<Word> words;
    ++i;  // '['
    while (i < f.text.size() && f.text[i] != ']') {
        if (f.text[i] == '"' || f.text[i] == '\'') {
            words.push_back(read_string_literal(f, i));
        } else {
            ++i;
        }
    }
    return words;
}

Fragment slice(const Fragment& f, std::size_t from) {
    Fragment out;
    out.text = f.text.substr(from);
    out.offs.assign(f.offs.begin() + static_cast<std::ptrdiff_t>(from), f.offs.end());
    out.end = f.end;
    return out;
}

// Heredoc delimiters opened on an instruction line (RUN <<EOF, RUN <<-'EOT').
std::vector<std::pair<std::string, bool>> heredoc_delimiters(std::string_view text) {
    std::vector<std::pair<std::string, bool>> out;
    std::size_t pos = 0;
    while ((pos = text.find("<<", pos)) != std::string_view::npos) {
        std::size_t i = pos + 2;
        if (i < text.size() && text[i] == '<') {
            pos = i + 1;
            continue;
        }
        bool strip = i < text.size() && text[i] == '-';
        if (strip) {
            ++i;
        }
        char quote = i < text.size() && (text[i] == '"' || text[i] == '\'') ? text[i] : '\0';
        if (quote != '\0') {
            ++i;
        }
        std::size_t b = i;
        while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) ||
                                   text[i] == '_' || text[i] == '-')) {
            ++i;
        }
        if (i > b) {
            out.emplace_back(std::string(text.substr(b, i - b)), strip);
        }
        pos = i;
    }
    return out;
}

}  // namespace

void analyze_dockerfile(std::string_view source, Collector& out) {
    std::vector<Line> lines = split_lines(source);
    char escape = '\\';
    // Parser directives come first, before any blank line, comment or instruction.
    for (const Line& line : lines) {
        std::string_view t = util::trim(line.text);
        if (t.empty() || t.front() != '#') {
            break;
        }
        std::string lower = util::to_lower(t.substr(1));
        std::string_view l = util::trim(lower);
        if (util::starts_with(l, "escape")) {
            std::size_t eq = l.find('=');
            std::string_view v = eq == std::string_view::npos ? "" : util::trim(l.substr(eq + 1));
            if (!v.empty()) {
                escape = v.front();
            }
        } else if (!util::starts_with(l, "syntax") && !util::starts_with(l, "check")) {
            break;
        }
    }

    std::size_t idx = 0;
    while (idx < lines.size()) {
        const Line& first = lines[idx];
        if (comment_or_blank(first.text)) {
            ++idx;
            continue;
        }
        // Join the logical instruction.
        Fragment f;
        std::size_t cur = idx;
        for (;;) {
            const Line& line = lines[cur];
            std::string_view text = line.text;
            std::size_t lead = 0;
            if (cur == idx) {
                while (lead < text.size() && (text[lead] == ' ' || text[lead] == '\t')) {
                    ++lead;
                }
            }
            std::string_view body = text;
            while (!body.empty() && (body.back() == ' ' || body.back() == '\t')) {
                body.remove_suffix(1);
            }
            bool continued = !body.empty() && body.back() == escape;
            std::size_t stop = continued ? body.size() - 1 : text.size();
            f.append(source, line.start + static_cast<std::uint32_t>(lead),
                     line.start + static_cast<std::uint32_t>(stop));
            if (!continued) {
                break;
            }
            // Comment and empty lines inside a continuation are dropped.
            std::size_t next = cur + 1;
            while (next < lines.size() && comment_or_blank(lines[next].text)) {
                ++next;
            }
            if (next >= lines.size()) {
                break;
            }
            cur = next;
        }
        f.end = lines[cur].start + static_cast<std::uint32_t>(lines[cur].text.size());
        std::size_t after = cur + 1;

        // The keyword, with ONBUILD unwrapped.
        std::size_t k = 0;
        auto keyword = [&] {
            std::size_t b = k;
            while (k < f.text.size() && !std::isspace(static_cast<unsigned char>(f.text[k]))) {
                ++k;
            }
            return upper(std::string_view(f.text).substr(b, k - b));
        };
        std::string kw = keyword();
        std::uint32_t instruction_start = f.offset_at(0);
        if (kw == "ONBUILD") {
            while (k < f.text.size() && std::isspace(static_cast<unsigned char>(f.text[k]))) {
                ++k;
            }
            kw = keyword();
        }
        out.anchors = {instruction_start};
        const std::string text = display_text(f.text);

        if (kw == "RUN" || kw == "CMD" || kw == "ENTRYPOINT") {
            std::size_t b = kw == "RUN" ? skip_flags(f.text, k) : k;
            while (b < f.text.size() && (f.text[b] == ' ' || f.text[b] == '\t')) {
                ++b;
            }
            if (b < f.text.size() && f.text[b] == '[') {
                std::vector<Word> argv = exec_form(f, b);
                if (!argv.empty()) {
                    classify_command(argv, out);
                }
            } else {
                Fragment code = slice(f, b);
                // Heredoc bodies follow the instruction line verbatim.
                auto delimiters = heredoc_delimiters(code.text);
                for (const auto& [delim, strip] : delimiters) {
                    while (after < lines.size()) {
                        const Line& line = lines[after];
                        code.push('\n', code.end);
                        code.append(source, line.start,
                                    line.start + static_cast<std::uint32_t>(line.text.size()));
                        ++after;
                        std::string_view t = line.text;
                        if (strip) {
                            while (!t.empty() && t.front() == '\t') {
                                t.remove_prefix(1);
                            }
                        }
                        if (t == delim) {
                            break;
                        }
                    }
                }
                analyze_shell(code, out);
            }
        } else if (kw == "FROM") {
            std::vector<Word> words = plain_words(f, k);
            for (const Word& w : words) {
                if (util::starts_with(w.value, "--")) {
                    continue;
                }
                if (is_rust_image(w.value)) {
                    out.add(Kind::toolchain_install, instruction_start, w.end, text);
                }
                break;
            }
        } else if (kw == "ADD" || kw == "COPY") {
            std::vector<Word> words = plain_words(f, k);
            for (const Word& w : words) {
                if (util::starts_with(w.value, "--from=") && is_rust_image(w.value.substr(7))) {
                    out.add(Kind::toolchain_install, instruction_start, f.end, text);
                    break;
                }
                if (kw == "ADD" && (w.value.find("sh.rustup.rs") != std::string::npos ||
                                    w.value.find("rustup-init") != std::string::npos)) {
                    out.add(Kind::toolchain_install, instruction_start, f.end, text);
                    break;
                }
                if (kw == "ADD" && mentions_sdk_core(w.value)) {
                    out.add(Kind::sdk_core_source, instruction_start, f.end, text);
                    break;
                }
            }
        }
        out.anchors.clear();
        idx = after;
    }
}

}  // namespace tl::scan::detail
