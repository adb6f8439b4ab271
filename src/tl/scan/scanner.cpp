#include "tl/scan/scanner.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <thread>

#include "tl/scan/analyze.hpp"
#include "tl/scan/file_source.hpp"
#include "tl/util/parallel.hpp"
#include "tl/util/strings.hpp"

namespace tl::scan {

namespace fs = std::filesystem;
using util::ends_with;
using util::starts_with;

namespace {

constexpr std::string_view k_marker = "temporal-libs:";

// Files with none of these words cannot hold a finding; checking first keeps
// a scan of a large tree close to the cost of reading it.
bool may_contain_findings(std::string_view text) {
    // Case variants rather than a lower-cased copy: find() on the text as it
    // is runs at memchr speed. $(CARGO), RUSTC and Rustlang.Rustup are covered.
    static const char* const needles[] = {"cargo",     "CARGO",   "Cargo",    "rust",
                                          "RUST",      "Rust",    "sdk-core", "cross",
                                          "corrosion", "maturin", "napi",     "wasm-pack"};
    for (const char* n : needles) {
        if (text.find(n) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

std::string_view basename_of(std::string_view p) {
    std::size_t slash = p.rfind('/');
    return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

std::string_view extension_of(std::string_view base) {
    std::size_t dot = base.rfind('.');
    return dot == std::string_view::npos || dot == 0 ? std::string_view() : base.substr(dot + 1);
}

// Where each line starts, for turning offsets into lines and columns.
class LineIndex {
public:
    explicit LineIndex(std::string_view text) : m_text(text) {
        m_starts.push_back(0);
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\n') {
                m_starts.push_back(static_cast<std::uint32_t>(i + 1));
            }
        }
    }
    // 1-based line of an offset.
    int line(std::uint32_t off) const {
        auto it = std::upper_bound(m_starts.begin(), m_starts.end(), off);
        return static_cast<int>(it - m_starts.begin());
    }
    // 1-based column in Unicode code points.
    int column(std::uint32_t off) const {
        std::uint32_t start = m_starts[static_cast<std::size_t>(line(off) - 1)];
        int col = 1;
        for (std::uint32_t i = start; i < off && i < m_text.size(); ++i) {
            if ((static_cast<unsigned char>(m_text[i]) & 0xC0) != 0x80) {
                ++col;
            }
        }
        return col;
    }
    std::string_view text_of(int line) const {
        if (line < 1 || static_cast<std::size_t>(line) > m_starts.size()) {
            return {};
        }
        std::uint32_t b = m_starts[static_cast<std::size_t>(line - 1)];
        std::uint32_t e = static_cast<std::size_t>(line) < m_starts.size()
                              ? m_starts[static_cast<std::size_t>(line)] - 1
                              : static_cast<std::uint32_t>(m_text.size());
        std::string_view t = m_text.substr(b, e - b);
        if (!t.empty() && t.back() == '\r') {
            t.remove_suffix(1);
        }
        return t;
    }
    int lines() const { return static_cast<int>(m_starts.size()); }

private:
    std::string_view m_text;
    std::vector<std::uint32_t> m_starts;
};

enum class CommentStyle { hash, slash, json };

CommentStyle comment_style(FileType type) {
    switch (type) {
        case FileType::javascript:
        case FileType::zig_build:
            return CommentStyle::slash;
        case FileType::package_json:
        case FileType::devcontainer:
            return CommentStyle::json;
        default:
            return CommentStyle::hash;
    }
}

bool is_comment_line(std::string_view line, CommentStyle style) {
    std::string_view t = util::trim(line);
    if (t.empty()) {
        return false;
    }
    if (style == CommentStyle::hash) {
        return t.front() == '#' || t.front() == ';';
    }
    return starts_with(t, "//") || starts_with(t, "/*") || starts_with(t, "*");
}

// The allow marker on a line, inside a comment: sets `reason` and `file_wide`.
bool has_marker(std::string_view line, bool& file_wide, std::string& reason) {
    std::size_t pos = line.find(k_marker);
    if (pos == std::string_view::npos) {
        return false;
    }
    std::string_view before = line.substr(0, pos);
    bool in_comment =
        before.find('#') != std::string_view::npos || before.find("//") != std::string_view::npos ||
        before.find("/*") != std::string_view::npos ||
        before.find("<!--") != std::string_view::npos || before.find(';') != std::string_view::npos;
    if (!in_comment) {
        return false;
    }
    std::string_view rest = util::trim(line.substr(pos + k_marker.size()));
    if (!starts_with(rest, "allow-rust")) {
        return false;
    }
    rest.remove_prefix(10);
    file_wide = starts_with(rest, "-file");
    if (file_wide) {
        rest.remove_prefix(5);
    } else if (!rest.empty() &&
               (std::isalnum(static_cast<unsigned char>(rest.front())) || rest.front() == '-')) {
        return false;  // allow-rustic, allow-rust-other
    }
    // What follows is the reason: "-- release job", ": builds the libraries".
    std::string_view r = util::trim(rest);
    while (!r.empty() && (r.front() == '-' || r.front() == ':' || r.front() == '(')) {
        r.remove_prefix(1);
    }
    for (std::string_view end : {"-->", "*/"}) {
        std::size_t e = r.find(end);
        if (e != std::string_view::npos) {
            r = r.substr(0, e);
        }
    }
    r = util::trim(r);
    if (!r.empty() && r.back() == ')') {
        r.remove_suffix(1);
    }
    reason = std::string(util::trim(r));
    return true;
}

std::string allowed_text(int line, const std::string& reason, bool file_wide) {
    std::string s =
        (file_wide ? "allow-rust-file comment at line " : "allow-rust comment at line ") +
        std::to_string(line);
    if (!reason.empty()) {
        s += ": " + reason;
    }
    return s;
}

bool rust_kind(Kind k) {
    return k == Kind::toolchain_install || k == Kind::rust_build || k == Kind::sdk_core_source ||
           k == Kind::retired_script;
}

}  // namespace

std::size_t ScanReport::remaining() const {
    return static_cast<std::size_t>(
        std::count_if(findings.begin(), findings.end(),
                      [](const Finding& f) { return f.status == Status::found; }));
}

std::size_t ScanReport::allowed() const {
    return findings.size() - remaining();
}

std::size_t ScanReport::remaining_with(Severity severity) const {
    return static_cast<std::size_t>(std::count_if(
        findings.begin(), findings.end(),
        [&](const Finding& f) { return f.status == Status::found && f.severity == severity; }));
}

bool matches_glob(std::string_view glob, std::string_view rel_path) {
    std::string g(glob);
    std::string p(rel_path);
    while (starts_with(g, "./")) {
        g.erase(0, 2);
    }
    if (g.empty()) {
        return false;
    }
    if (g.back() == '/') {
        return starts_with(p, g) || p + "/" == g;
    }
    return ::fnmatch(g.c_str(), p.c_str(), 0) == 0;
}

std::optional<FileType> classify_path(std::string_view rel) {
    const std::string_view base = basename_of(rel);
    const std::string lower = util::to_lower(base);
    const std::string_view ext = extension_of(lower);
    const std::string dir(rel.substr(0, rel.size() - base.size()));

    if (lower == "dockerfile" || lower == "containerfile" || ends_with(lower, ".dockerfile") ||
        ends_with(lower, ".containerfile") ||
        ((starts_with(lower, "dockerfile.") || starts_with(lower, "containerfile.")) &&
         ext != "md" && ext != "txt" && ext != "json" && ext != "yml" && ext != "yaml" &&
         ext != "dockerignore")) {
        return FileType::dockerfile;
    }
    const bool yaml = ext == "yml" || ext == "yaml";
    if (yaml && (dir == ".github/workflows/" || ends_with(dir, "/.github/workflows/"))) {
        return FileType::github_workflow;
    }
    if (lower == "action.yml" || lower == "action.yaml") {
        return FileType::github_action;
    }
    if (lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml" ||
        ends_with(lower, ".gitlab-ci.yml") ||
        (yaml &&
         (starts_with(dir, ".gitlab/ci/") || dir.find("/.gitlab/ci/") != std::string::npos))) {
        return FileType::gitlab_ci;
    }
    if (ext == "sh" || ext == "bash" || ext == "zsh" || ext == "ksh") {
        return FileType::shell;
    }
    if (base == "Makefile" || base == "makefile" || base == "GNUmakefile" || ext == "mk" ||
        ext == "make") {
        return FileType::makefile;
    }
    if (lower == "justfile" || lower == ".justfile" || ext == "just") {
        return FileType::justfile;
    }
    if (lower == "package.json") {
        return FileType::package_json;
    }
    if (ext == "js" || ext == "mjs" || ext == "cjs" || ext == "ts" || ext == "mts" ||
        ext == "cts") {
        if (ends_with(lower, ".d.ts") || ends_with(lower, ".min.js")) {
            return std::nullopt;
        }
        return FileType::javascript;
    }
    if (ext == "py") {
        return FileType::python;
    }
    if (lower == "build.zig") {
        return FileType::zig_build;
    }
    if (lower == "cmakelists.txt" || ext == "cmake") {
        return FileType::cmake;
    }
    if (lower == ".devcontainer.json" ||
        (lower == "devcontainer.json" && (starts_with(dir, ".devcontainer/") ||
                                          dir.find("/.devcontainer/") != std::string::npos))) {
        return FileType::devcontainer;
    }
    if (lower == ".gitmodules") {
        return FileType::gitmodules;
    }
    return std::nullopt;
}

bool may_be_script(std::string_view rel) {
    std::string_view base = basename_of(rel);
    return !base.empty() && base.find('.') == std::string_view::npos;
}

std::optional<FileType> classify_shebang(std::string_view content) {
    if (!starts_with(content, "#!")) {
        return std::nullopt;
    }
    std::string_view line =
        content.substr(2, content.find('\n') == std::string_view::npos ? std::string_view::npos
                                                                       : content.find('\n') - 2);
    // "#!/usr/bin/env -S bash -e" and "#!/bin/bash": the interpreter's name.
    std::vector<std::string> parts;
    for (const auto& p : util::split(util::trim(line), ' ')) {
        if (!p.empty() && p != "-S" && !(p.front() == '-')) {
            parts.push_back(p);
        }
    }
    if (parts.empty()) {
        return std::nullopt;
    }
    std::string interp(basename_of(parts[0]));
    if (interp == "env" && parts.size() > 1) {
        interp = std::string(basename_of(parts[1]));
    }
    if (interp == "sh" || interp == "bash" || interp == "zsh" || interp == "dash" ||
        interp == "ksh" || interp == "ash") {
        return FileType::shell;
    }
    if (interp == "node" || interp == "bun" || interp == "deno" || interp == "tsx" ||
        interp == "ts-node" || interp == "zx") {
        return FileType::javascript;
    }
    if (starts_with(interp, "python")) {
        return FileType::python;
    }
    return std::nullopt;
}

Result<std::vector<Finding>> scan_text(std::string_view rel_path, FileType type,
                                       std::string_view content,
                                       const std::vector<std::string>& allow_globs,
                                       const std::vector<ScriptReference>& installers) {
    std::vector<Finding> findings;
    if (!may_contain_findings(content) && installers.empty()) {
        return findings;
    }
    detail::Collector out;
    detail::analyze_script_references(content, type, installers, out);
    bool parsed = true;
    switch (type) {
        case FileType::dockerfile:
            detail::analyze_dockerfile(content, out);
            break;
        case FileType::github_workflow:
        case FileType::github_action:
        case FileType::gitlab_ci:
            detail::analyze_yaml_ci(content, type, out);
            break;
        case FileType::shell:
            detail::analyze_shell_file(content, out);
            break;
        case FileType::makefile:
            detail::analyze_makefile(content, out);
            break;
        case FileType::justfile:
            detail::analyze_justfile(content, out);
            break;
        case FileType::package_json:
            parsed = detail::analyze_package_json(content, out);
            break;
        case FileType::javascript:
            detail::analyze_javascript(content, out);
            break;
        case FileType::python:
            detail::analyze_python(content, out);
            break;
        case FileType::zig_build:
            detail::analyze_zig(content, out);
            break;
        case FileType::cmake:
            detail::analyze_cmake(content, out);
            break;
        case FileType::devcontainer:
            parsed = detail::analyze_devcontainer(content, out);
            break;
        case FileType::gitmodules:
            detail::analyze_gitmodules(content, out);
            break;
    }
    if (!parsed) {
        return fail(ErrorKind::integrity, "not valid JSON");
    }

    // One finding per command and kind, even when two routes reach it.
    std::vector<detail::RawFinding>& raw = out.findings();
    std::stable_sort(raw.begin(), raw.end(), [](const auto& a, const auto& b) {
        return a.start != b.start ? a.start < b.start : a.kind < b.kind;
    });
    raw.erase(std::unique(raw.begin(), raw.end(),
                          [](const auto& a, const auto& b) {
                              return a.start == b.start && a.kind == b.kind;
                          }),
              raw.end());

    const LineIndex index(content);
    const CommentStyle style = comment_style(type);

    // An allow-rust-file comment anywhere covers everything.
    int file_allow_line = 0;
    std::string file_reason;
    for (int l = 1; l <= index.lines() && file_allow_line == 0; ++l) {
        bool wide = false;
        std::string reason;
        if (has_marker(index.text_of(l), wide, reason) && wide) {
            file_allow_line = l;
            file_reason = reason;
        }
    }
    auto marker_at = [&](int line, std::string& by) {
        bool wide = false;
        std::string reason;
        if (has_marker(index.text_of(line), wide, reason)) {
            by = allowed_text(line, reason, false);
            return true;
        }
        return false;
    };
    // The marker on an anchor line or in the comment block right above it.
    auto allowed_at_anchor = [&](int line, std::string& by) {
        if (marker_at(line, by)) {
            return true;
        }
        for (int l = line - 1; l >= 1 && is_comment_line(index.text_of(l), style); --l) {
            if (marker_at(l, by)) {
                return true;
            }
        }
        return false;
    };

    std::string glob_hit;
    for (const auto& g : allow_globs) {
        if (matches_glob(g, rel_path)) {
            glob_hit = g;
            break;
        }
    }

    for (const detail::RawFinding& r : raw) {
        Finding f;
        f.path = std::string(rel_path);
        f.line = index.line(r.start);
        f.column = index.column(r.start);
        f.end_line = std::max(f.line, index.line(r.end > r.start ? r.end - 1 : r.start));
        f.kind = r.kind;
        f.file_type = type;
        f.severity = default_severity(r.kind);
        f.text = r.text;
        f.why = r.why.empty() ? why_text(r.kind, r.text) : r.why;
        f.replacement = replacement_text(r.kind, type);
        std::string by;
        bool allowed = false;
        if (file_allow_line > 0) {
            allowed = true;
            by = allowed_text(file_allow_line, file_reason, true);
        }
        for (int l = f.line; !allowed && l <= f.end_line; ++l) {
            allowed = marker_at(l, by);
        }
        if (!allowed) {
            allowed = allowed_at_anchor(f.line, by);
        }
        for (std::size_t a = 0; !allowed && a < r.anchors.size(); ++a) {
            allowed = allowed_at_anchor(index.line(r.anchors[a]), by);
        }
        if (!allowed && !glob_hit.empty()) {
            allowed = true;
            by = "allow list: '" + glob_hit + "'";
        }
        if (allowed) {
            f.status = Status::allowed;
            f.severity = Severity::info;
            f.allowed_by = by;
        }
        findings.push_back(std::move(f));
    }

    // A protobuf compiler counts only next to Rust; next to Rust that is all
    // allowed (the release build), it is needed there and allowed with it.
    bool any_rust = false;
    bool rust_remaining = false;
    for (const Finding& f : findings) {
        if (rust_kind(f.kind)) {
            any_rust = true;
            rust_remaining = rust_remaining || f.status == Status::found;
        }
    }
    std::vector<Finding> kept;
    for (std::size_t k = 0; k < findings.size(); ++k) {
        Finding& f = findings[k];
        if (raw[k].needs_rust_nearby) {
            if (!any_rust) {
                continue;
            }
            if (!rust_remaining && f.status == Status::found) {
                f.status = Status::allowed;
                f.severity = Severity::info;
                f.allowed_by = "next to Rust builds that are all allowed";
            }
        }
        kept.push_back(std::move(f));
    }
    std::sort(kept.begin(), kept.end(), [](const Finding& a, const Finding& b) {
        if (a.line != b.line) {
            return a.line < b.line;
        }
        if (a.column != b.column) {
            return a.column < b.column;
        }
        return a.kind < b.kind;
    });
    return kept;
}

namespace {

// Threads beyond this add little: reading small files is the work.
constexpr std::size_t k_max_threads = 8;

// What scanning one listed path gave.
struct FileOutcome {
    std::optional<ScannedFile> scanned;
    std::optional<SkippedFile> skipped;
    std::vector<Finding> findings;
};

FileOutcome scan_one(const fs::path& base, const std::string& rel, ListingSource source,
                     const ScanOptions& options) {
    FileOutcome out;
    try {
        std::optional<FileType> type = classify_path(rel);
        const fs::path path = base / rel;
        if (!type && may_be_script(rel)) {
            type = classify_shebang(read_prefix(path, 256));
        }
        if (!type) {
            if (source == ListingSource::file) {
                out.skipped = SkippedFile{rel, "not a build file the scanner knows"};
            }
            return out;
        }
        // Positions are 32-bit offsets: no file beyond 1 GiB is read, whatever the limit.
        FileText text = read_text(path, std::min<std::uint64_t>(options.max_file_size, 1u << 30));
        if (!text.ok) {
            std::error_code ec;
            // A submodule is listed by git as a path; it is not a file to read.
            if (!(source == ListingSource::git && fs::is_directory(path, ec))) {
                out.skipped = SkippedFile{rel, text.reason};
            }
            return out;
        }
        auto findings = scan_text(rel, *type, text.text, options.allow_globs);
        if (!findings) {
            out.skipped = SkippedFile{rel, findings.error().message};
            return out;
        }
        out.scanned = ScannedFile{rel, *type, findings->size()};
        out.findings = std::move(*findings);
    } catch (const std::exception& e) {
        // One file must not end the scan of the others (out of memory on a
        // pathological file, a bug): report it and go on.
        out = FileOutcome{};
        out.skipped = SkippedFile{rel, std::string("internal error while scanning: ") + e.what()};
    }
    return out;
}

// Scripts whose own findings install Rust (and are not allowed), by file name.
std::vector<ScriptReference> rust_installers(const ScanReport& report) {
    std::vector<ScriptReference> refs;
    for (const Finding& f : report.findings) {
        bool script = f.file_type == FileType::shell || f.file_type == FileType::javascript ||
                      f.file_type == FileType::python;
        if (!script || f.kind != Kind::toolchain_install || f.status != Status::found) {
            continue;
        }
        if (std::none_of(refs.begin(), refs.end(),
                         [&](const ScriptReference& r) { return r.path == f.path; })) {
            refs.push_back({std::string(basename_of(f.path)), f.path});
        }
    }
    return refs;
}

// A build file that runs a Rust installer through its file name (a variable
// holding "scripts/install-rust.ts", `bash ci/setup-rust.sh`) installs Rust
// too: such files are scanned again with the installers' names, and their
// findings replaced.
void add_installer_references(const fs::path& base, const ScanOptions& options,
                              ScanReport& report) {
    const std::vector<ScriptReference> installers = rust_installers(report);
    if (installers.empty()) {
        return;
    }
    for (ScannedFile& file : report.scanned) {
        std::vector<ScriptReference> refs;
        FileText text;
        for (const ScriptReference& r : installers) {
            if (r.path == file.path) {
                continue;  // a script naming itself (usage text) runs nothing
            }
            if (!text.ok && text.reason.empty()) {
                text = read_text(base / file.path,
                                 std::min<std::uint64_t>(options.max_file_size, 1u << 30));
                if (!text.ok) {
                    break;
                }
            }
            if (text.text.find(r.name) != std::string::npos) {
                refs.push_back(r);
            }
        }
        if (refs.empty()) {
            continue;
        }
        auto findings = scan_text(file.path, file.type, text.text, options.allow_globs, refs);
        if (!findings) {
            continue;
        }
        std::erase_if(report.findings, [&](const Finding& f) { return f.path == file.path; });
        file.findings = findings->size();
        for (auto& f : *findings) {
            report.findings.push_back(std::move(f));
        }
    }
}

}  // namespace

Result<ScanReport> scan_tree(const ScanOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    ScanReport report;
    report.root = options.root.string();
    std::error_code ec;
    fs::file_status st = fs::status(options.root, ec);
    if (ec || !fs::exists(st)) {
        return fail(ErrorKind::not_found,
                    "cannot scan '" + options.root.string() + "': no such file or folder");
    }

    std::vector<std::string> paths;
    fs::path base = options.root;
    if (fs::is_directory(st)) {
        TL_TRY_ASSIGN(listing, list_files(options.root, options.use_git))
        report.source = listing->source;
        paths = std::move(listing->paths);
        report.skipped = std::move(listing->skipped);
        report.notes = std::move(listing->notes);
    } else {
        report.source = ListingSource::file;
        base = options.root.parent_path();
        paths.push_back(options.root.filename().string());
    }
    report.files_listed = paths.size();

    // Files are independent: read and analyse them on a few threads, each
    // result in its own slot, then merge in listing order so the report does
    // not depend on scheduling.
    std::vector<FileOutcome> outcomes(paths.size());
    const std::size_t threads =
        std::min<std::size_t>({std::max(1u, std::thread::hardware_concurrency()), k_max_threads,
                               (paths.size() + 63) / 64});
    util::run_parallel(paths.size(), threads, [&](std::size_t i) {
        outcomes[i] = scan_one(base, paths[i], report.source, options);
    });
    for (FileOutcome& o : outcomes) {
        if (o.skipped) {
            report.skipped.push_back(std::move(*o.skipped));
        }
        if (o.scanned) {
            report.scanned.push_back(std::move(*o.scanned));
        }
        for (auto& f : o.findings) {
            report.findings.push_back(std::move(f));
        }
    }
    add_installer_references(base, options, report);
    std::stable_sort(report.findings.begin(), report.findings.end(),
                     [](const Finding& a, const Finding& b) { return a.path < b.path; });
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

}  // namespace tl::scan
