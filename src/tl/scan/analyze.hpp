#pragma once

// The scanner's internals shared by the per-format analyzers: text fragments
// that remember where each character came from, the words of a command, the
// collector that findings go into, and the rules that decide whether a command
// line is a finding. Nothing here reads files or knows about output formats.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tl/scan/finding.hpp"

namespace tl::scan::detail {

// Text cut out of a file (or unescaped from a string literal) with the file
// offset of every character, so findings inside it get exact lines and columns.
struct Fragment {
    std::string text;
    std::vector<std::uint32_t> offs;  // offs[i] is the file offset of text[i]
    std::uint32_t end = 0;            // the file offset just past the fragment

    // Appends one character that came from file offset `off`.
    void push(char c, std::uint32_t off) {
        text.push_back(c);
        offs.push_back(off);
    }
    // Appends source[begin, end) verbatim.
    void append(std::string_view source, std::uint32_t begin, std::uint32_t end_off);
    // The file offset of fragment index `i` (the end offset when past the text).
    std::uint32_t offset_at(std::size_t i) const { return i < offs.size() ? offs[i] : end; }
};

// The fragment holding source[begin, end) verbatim.
Fragment verbatim(std::string_view source, std::uint32_t begin, std::uint32_t end);

// One word of a command after quote removal, with where each character came from.
struct Word {
    std::string value;                // unquoted text
    std::vector<std::uint32_t> offs;  // file offset of each character of `value`
    std::uint32_t start = 0;          // file offset of the word as written
    std::uint32_t end = 0;            // file offset just past the word as written
    std::string raw;                  // the word as written, for display
    bool literal = false;             // a string literal (JSON, JS, Zig): shown unquoted
};

// The text of a word as a fragment, to read a string (`sh -c '...'`, a JSON
// script, a JS command line) as shell code with positions in the file.
Fragment fragment_of(const Word& w);

// Reads the quoted literal starting at f.text[i] (', " or `), undoing
// backslash escapes, and leaves `i` just past its closing quote. Template
// placeholders (${...}) are kept as written. An unterminated literal ends at
// the end of its line.
Word read_string_literal(const Fragment& f, std::size_t& i);

// A finding before allow handling: file offsets instead of lines.
struct RawFinding {
    Kind kind = Kind::rust_build;
    std::uint32_t start = 0;             // file offset of the command start
    std::uint32_t end = 0;               // file offset just past the command
    std::string text;                    // the command as written, white space collapsed
    bool needs_rust_nearby = false;      // a protobuf install counts only next to Rust
    std::vector<std::uint32_t> anchors;  // offsets whose lines may carry an allow comment
    std::string why;                     // replaces the kind's usual reason when not empty
};

// Where analyzers put what they find; also carries the anchors (enclosing YAML
// keys, Makefile targets) that an allow comment above may cover.
class Collector {
public:
    Collector() = default;

    // Records a finding spanning [start, end) of the file.
    void add(Kind kind, std::uint32_t start, std::uint32_t end, std::string text,
             bool needs_rust_nearby = false);
    // Every finding recorded so far, in the order found.
    std::vector<RawFinding>& findings() { return m_findings; }

    // Anchors copied into every finding recorded while they are set.
    std::vector<std::uint32_t> anchors;
    // Nesting depth of command substitutions and `sh -c` strings; analyzers stop
    // descending past a limit so hostile input cannot exhaust the stack.
    int depth = 0;

private:
    std::vector<RawFinding> m_findings;
};

// How `$(...)` reads: a command substitution in shell, a variable or function
// in a Makefile recipe (where `$(shell ...)` runs a command).
enum class ShellDialect { posix, make };

// Finds commands in shell code: continuations, quotes, comments, `&&`/`;`/`|`
// chains, command substitutions, heredocs and `sh -c` strings are understood.
void analyze_shell(const Fragment& code, Collector& out,
                   ShellDialect dialect = ShellDialect::posix);

// What the caller of classify_command needs to know about a command.
struct CommandInfo {
    bool runs_stdin_as_script = false;  // `bash`, `sh -s`: a heredoc fed to it is code
};

// Applies the rules to one simple command (argv as words): cargo, rustc,
// rustup, package managers, curl of sh.rustup.rs, git clone of sdk-core, ...
CommandInfo classify_command(const std::vector<Word>& words, Collector& out);

// True when a container image reference names a Rust image (rust:1.80, docker.io/library/rust,
// mcr.microsoft.com/devcontainers/rust).
bool is_rust_image(std::string_view image);

// Applies the rules to a GitHub Actions `uses:` value.
void classify_uses(std::string_view value, std::uint32_t start, std::uint32_t end, std::string text,
                   Collector& out);

// True when `s` names the sdk-core repository (temporalio/sdk-core, with .git or a ref).
bool mentions_sdk_core(std::string_view s);

// True when `s` mentions the retired wrapper script.
bool mentions_retired_script(std::string_view s);

// Collapses runs of white space (and backslash-newlines) into single spaces and
// shortens very long text; used for the `text` of findings.
std::string display_text(std::string_view raw);

// The per-format analyzers; each reads the whole file text and records findings.
void analyze_dockerfile(std::string_view source, Collector& out);
void analyze_yaml_ci(std::string_view source, FileType type, Collector& out);
void analyze_makefile(std::string_view source, Collector& out);
void analyze_justfile(std::string_view source, Collector& out);
void analyze_shell_file(std::string_view source, Collector& out);
void analyze_javascript(std::string_view source, Collector& out);
void analyze_python(std::string_view source, Collector& out);
// Strings naming a script that installs Rust (by its file name): running it
// installs Rust too. Code files count string literals only; other files every
// line that is not a comment.
void analyze_script_references(std::string_view source, FileType type,
                               const std::vector<ScriptReference>& refs, Collector& out);
void analyze_zig(std::string_view source, Collector& out);
void analyze_cmake(std::string_view source, Collector& out);
void analyze_gitmodules(std::string_view source, Collector& out);
// JSON analyzers return false (and record nothing) when the file is not valid JSON.
bool analyze_package_json(std::string_view source, Collector& out);
bool analyze_devcontainer(std::string_view source, Collector& out);

// A line of a file: its offset and its text without the newline (and without a
// trailing carriage return).
struct Line {
    std::uint32_t start = 0;
    std::string_view text;
};

// Splits a file into lines; a final line without a newline is kept.
std::vector<Line> split_lines(std::string_view source);

}  // namespace tl::scan::detail
