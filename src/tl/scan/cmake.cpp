// CMake: command invocations are tokenized (quoted, unquoted and bracket
// arguments, line and bracket comments) and the argument lists that run a
// program — COMMAND in execute_process/add_custom_command/add_custom_target,
// *_COMMAND in ExternalProject_Add — go through the command rules. Corrosion's
// corrosion_import_crate compiles Rust; FetchContent/ExternalProject of
// sdk-core fetches its sources. message("run cargo build") is nothing.

#include <algorithm>
#include <array>
#include <cctype>

#include "tl/scan/analyze.hpp"
#include "tl/util/strings.hpp"

namespace tl::scan::detail {

namespace {

struct Invocation {
    std::string name;  // lower case
    std::uint32_t start = 0;
    std::uint32_t end = 0;
    std::vector<Word> args;
};

// `[[`, `[=[`, ...: the number of `=` when a bracket opens at t[i], or -1.
int bracket_level(const std::string& t, std::size_t i) {
    if (i >= t.size() || t[i] != '[') {
        return -1;
    }
    std::size_t k = i + 1;
    int level = 0;
    while (k < t.size() && t[k] == '=') {
        ++level;
        ++k;
    }
    return k < t.size() && t[k] == '[' ? level : -1;
}

std::size_t bracket_close(const std::string& t, std::size_t i, int level) {
    std::string close = "]" + std::string(static_cast<std::size_t>(level), '=') + "]";
    std::size_t e = t.find(close, i);
    return e == std::string::npos ? t.size() : e + close.size();
}

std::vector<Invocation> invocations(const Fragment& f) {
    const std::string& t = f.text;
    std::vector<Invocation> out;
    std::size_t i = 0;
    auto skip_comment = [&] {
        int level = bracket_level(t, i + 1);
        if (level >= 0) {
            i = bracket_close(t, i + 1, level);
        } else {
            while (i < t.size() && t[i] != '\n') {
                ++i;
            }
        }
    };
    while (i < t.size()) {
        char c = t[i];
        if (c == '#') {
            skip_comment();
            continue;
        }
        if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '_')) {
            ++i;
            continue;
        }
        std::size_t b = i;
        while (i < t.size() && (std::isalnum(static_cast<unsigned char>(t[i])) || t[i] == '_')) {
            ++i;
        }
        Invocation inv;
        inv.name = util::to_lower(std::string_view(t).substr(b, i - b));
        inv.start = f.offset_at(b);
        while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) {
            ++i;
        }
        if (i >= t.size() || t[i] != '(') {
            continue;
        }
        ++i;
        int depth = 1;
        while (i < t.size() && depth > 0) {
            char d = t[i];
            if (d == ' ' || d == '\t' || d == '\n' || d == '\r') {
                ++i;
                continue;
            }
            if (d == '#') {
                skip_comment();
                continue;
            }
            if (d == '(') {
                ++depth;
                ++i;
                continue;
            }
            if (d == ')') {
                --depth;
                ++i;
                continue;
            }
            int level = bracket_level(t, i);
            if (level >= 0) {
                std::size_t open_len = static_cast<std::size_t>(level) + 2;
                std::size_t e = bracket_close(t, i, level);
                Word w;
                std::size_t vb = i + open_len;
                std::size_t ve = e >= vb + open_len ? e - open_len : vb;
                w.value = t.substr(vb, ve - vb);
                for (std::size_t k = vb; k < ve; ++k) {
                    w.offs.push_back(f.offset_at(k));
                }
                w.start = f.offset_at(i);
                w.end = f.offset_at(e - 1) + 1;
                w.raw = t.substr(i, e - i);
                inv.args.push_back(std::move(w));
                i = e;
                continue;
            }
            if (d == '"') {
                inv.args.push_back(read_string_literal(f, i));
                continue;
            }
            Word w;
            std::size_t wb = i;
            while (i < t.size()) {
                char e = t[i];
                if (e == ' ' || e == '\t' || e == '\n' || e == '\r' || e == '(' || e == ')' ||
                    e == '#' || e == '"') {
                    break;
                }
                if (e == '\\' && i + 1 < t.size()) {
                    w.value.push_back(t[i + 1]);
                    w.offs.push_back(f.offset_at(i + 1));
                    i += 2;
                    continue;
                }
                if (e == '$' && i + 1 < t.size() && (t[i + 1] == '{' || t[i + 1] == '<')) {
                    // ${VAR} and $<genex:...> stay one word.
                    char close = t[i + 1] == '{' ? '}' : '>';
                    std::size_t x = t.find(close, i);
                    x = x == std::string::npos ? t.size() - 1 : x;
                    for (std::size_t k = i; k <= x; ++k) {
                        w.value.push_back(t[k]);
                        w.offs.push_back(f.offset_at(k));
                    }
                    i = x + 1;
                    continue;
                }
                w.value.push_back(e);
                w.offs.push_back(f.offset_at(i));
                ++i;
            }
            w.start = f.offset_at(wb);
            w.end = i > wb ? f.offset_at(i - 1) + 1 : w.start;
            w.raw = t.substr(wb, i - wb);
            inv.args.push_back(std::move(w));
        }
        inv.end = f.offset_at(i > 0 ? i - 1 : 0) + 1;
        out.push_back(std::move(inv));
    }
    return out;
}

bool is_keyword(std::string_view a) {
    static const std::array<std::string_view, 48> keywords = {"COMMAND",
                                                              "WORKING_DIRECTORY",
                                                              "TIMEOUT",
                                                              "RESULT_VARIABLE",
                                                              "RESULTS_VARIABLE",
                                                              "OUTPUT_VARIABLE",
                                                              "ERROR_VARIABLE",
                                                              "INPUT_FILE",
                                                              "OUTPUT_FILE",
                                                              "ERROR_FILE",
                                                              "OUTPUT_QUIET",
                                                              "ERROR_QUIET",
                                                              "COMMAND_ECHO",
                                                              "OUTPUT_STRIP_TRAILING_WHITESPACE",
                                                              "ERROR_STRIP_TRAILING_WHITESPACE",
                                                              "ENCODING",
                                                              "ECHO_OUTPUT_VARIABLE",
                                                              "ECHO_ERROR_VARIABLE",
                                                              "COMMAND_ERROR_IS_FATAL",
                                                              "OUTPUT",
                                                              "ARGS",
                                                              "MAIN_DEPENDENCY",
                                                              "DEPENDS",
                                                              "BYPRODUCTS",
                                                              "IMPLICIT_DEPENDS",
                                                              "COMMENT",
                                                              "DEPFILE",
                                                              "JOB_POOL",
                                                              "JOB_SERVER_AWARE",
                                                              "VERBATIM",
                                                              "APPEND",
                                                              "USES_TERMINAL",
                                                              "CODEGEN",
                                                              "COMMAND_EXPAND_LISTS",
                                                              "DEPENDS_EXPLICIT_ONLY",
                                                              "TARGET",
                                                              "PRE_BUILD",
                                                              "PRE_LINK",
                                                              "POST_BUILD",
                                                              "SOURCES",
                                                              "ALL",
                                                              "BUILD_IN_SOURCE",
                                                              "BINARY_DIR",
                                                              "SOURCE_DIR",
                                                              "INSTALL_DIR",
                                                              "LOG_BUILD",
                                                              "ALWAYS",
                                                              "EXCLUDE_FROM_MAIN"};
    if (std::find(keywords.begin(), keywords.end(), a) != keywords.end()) {
        return true;
    }
    // ExternalProject's options: BUILD_COMMAND, GIT_REPOSITORY, CMAKE_ARGS, ...
    if (a.size() < 3) {
        return false;
    }
    for (char c : a) {
        if (!(std::isupper(static_cast<unsigned char>(c)) || c == '_')) {
            return false;
        }
    }
    return a.find('_') != std::string_view::npos;
}

bool runs_command(std::string_view keyword) {
    return keyword == "COMMAND" || util::ends_with(keyword, "_COMMAND");
}

// Classifies the command in inv.args[b, next keyword); returns where it ends.
std::size_t classify_until_keyword(const Invocation& inv, std::size_t b, Collector& out) {
    std::size_t e = b;
    while (e < inv.args.size() && !is_keyword(inv.args[e].value)) {
        ++e;
    }
    if (e > b) {
        std::vector<Word> argv(inv.args.begin() + static_cast<std::ptrdiff_t>(b),
                               inv.args.begin() + static_cast<std::ptrdiff_t>(e));
        classify_command(argv, out);
    }
    return e;
}

void classify_segments(const Invocation& inv, std::size_t from, Collector& out) {
    std::size_t k = from;
    while (k < inv.args.size()) {
        k = runs_command(inv.args[k].value) ? classify_until_keyword(inv, k + 1, out) : k + 1;
    }
}

std::string invocation_text(const Invocation& inv, std::string_view source) {
    return display_text(source.substr(inv.start, inv.end - inv.start));
}

}  // namespace

void analyze_cmake(std::string_view source, Collector& out) {
    Fragment f = verbatim(source, 0, static_cast<std::uint32_t>(source.size()));
    for (const Invocation& inv : invocations(f)) {
        out.anchors = {inv.start};
        if (inv.name == "execute_process" || inv.name == "add_custom_command" ||
            inv.name == "externalproject_add" || inv.name == "externalproject_add_step") {
            classify_segments(inv, 0, out);
        } else if (inv.name == "add_custom_target") {
            // add_custom_target(name [ALL] command args... [COMMAND ...])
            std::size_t b = 1;
            if (b < inv.args.size() && inv.args[b].value == "ALL") {
                ++b;
            }
            classify_segments(inv, classify_until_keyword(inv, b, out), out);
        } else if (util::starts_with(inv.name, "corrosion_import_crate") ||
                   inv.name == "corrosion_add_cxxbridge") {
            out.add(Kind::rust_build, inv.start, inv.end, invocation_text(inv, source));
        }
        if (inv.name == "fetchcontent_declare" || inv.name == "externalproject_add") {
            for (std::size_t k = 0; k + 1 < inv.args.size(); ++k) {
                const std::string& key = inv.args[k].value;
                if ((key == "GIT_REPOSITORY" || key == "URL") &&
                    mentions_sdk_core(inv.args[k + 1].value + " ")) {
                    out.add(Kind::sdk_core_source, inv.start, inv.end,
                            invocation_text(inv, source));
                    break;
                }
            }
        }
        out.anchors.clear();
    }
}

}  // namespace tl::scan::detail
