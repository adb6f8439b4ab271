#include "tl/scan/report.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::scan {

namespace {

using nlohmann::ordered_json;

constexpr Kind k_kinds[] = {Kind::toolchain_install, Kind::rust_build, Kind::build_dependency,
                            Kind::sdk_core_source, Kind::retired_script};

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string summary_line(const ScanReport& r) {
    std::string s = "scanned " + plural(r.scanned.size(), "build file", "build files") + " of " +
                    std::to_string(r.files_listed) + " listed (" + source_label(r.source) + "): ";
    std::size_t remaining = r.remaining();
    if (remaining == 0) {
        s += "nothing to migrate";
    } else {
        s += std::to_string(remaining) + " to migrate (" +
             plural(r.remaining_with(Severity::error), "error", "errors") + ", " +
             plural(r.remaining_with(Severity::warning), "warning", "warnings") + ")";
    }
    s += ", " + std::to_string(r.allowed()) + " allowed, " + std::to_string(r.skipped.size()) +
         " skipped";
    return s;
}

namespace {

// Percent-encodes a relative path for a URI reference (SARIF artifactLocation.uri).
std::string uri_encode(std::string_view path, bool keep_slash = true) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char ch : path) {
        auto c = static_cast<unsigned char>(ch);
        bool plain = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
                     (keep_slash && c == '/');
        if (plain) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

const char* sarif_level(Severity s) {
    switch (s) {
        case Severity::error:
            return "error";
        case Severity::warning:
            return "warning";
        case Severity::info:
            return "note";
    }
    return "none";
}

std::string md_code(std::string_view s) {
    // A table cell: escape pipes; pick a fence longer than any backtick run inside.
    std::string body;
    std::size_t run = 0;
    std::size_t longest = 0;
    for (char c : s) {
        if (c == '|') {
            body += "\\|";
        } else {
            body.push_back(c);
        }
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    std::string fence(longest + 1, '`');
    bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
    return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string md_text(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '|') {
            out += "\\|";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

const char* source_label(ListingSource source) {
    switch (source) {
        case ListingSource::git:
            return "git ls-files";
        case ListingSource::walk:
            return "directory walk";
        case ListingSource::file:
            return "single file";
    }
    return "";
}

std::string to_text(const ScanReport& r) {
    std::string out;
    for (const Finding& f : r.findings) {
        out += f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": ";
        if (f.status == Status::allowed) {
            out += std::string("allowed [") + kind_name(f.kind) + "] " + f.text + "\n";
            out += "    allowed by: " + f.allowed_by + "\n";
        } else {
            out += std::string(severity_name(f.severity)) + " [" + kind_name(f.kind) + "] " +
                   f.text + "\n";
            out += "    why: " + f.why + "\n";
            out += "    instead: " + f.replacement + "\n";
        }
    }
    for (const SkippedFile& s : r.skipped) {
        out += "skipped " + s.path + ": " + s.reason + "\n";
    }
    for (const std::string& n : r.notes) {
        out += "note: " + n + "\n";
    }
    out += summary_line(r) + "\n";
    return out;
}

std::string to_json(const ScanReport& r) {
    ordered_json doc;
    doc["tool"] = "temporal-libs";
    doc["version"] = TL_VERSION;
    doc["format_version"] = 1;
    doc["root"] = r.root;
    doc["source"] = r.source == ListingSource::git    ? "git"
                    : r.source == ListingSource::walk ? "walk"
                                                      : "file";
    ordered_json summary;
    summary["files_listed"] = r.files_listed;
    summary["files_scanned"] = r.scanned.size();
    summary["findings"] = r.findings.size();
    summary["remaining"] = r.remaining();
    summary["allowed"] = r.allowed();
    summary["errors"] = r.remaining_with(Severity::error);
    summary["warnings"] = r.remaining_with(Severity::warning);
    summary["skipped"] = r.skipped.size();
    summary["seconds"] = r.seconds;
    doc["summary"] = summary;
    ordered_json findings = ordered_json::array();
    for (const Finding& f : r.findings) {
        ordered_json j;
        j["path"] = f.path;
        j["line"] = f.line;
        j["column"] = f.column;
        j["end_line"] = f.end_line;
        j["kind"] = kind_name(f.kind);
        j["severity"] = severity_name(f.severity);
        j["status"] = status_name(f.status);
        j["file_type"] = file_type_name(f.file_type);
        j["text"] = f.text;
        j["why"] = f.why;
        j["replacement"] = f.replacement;
        if (f.status == Status::allowed) {
            j["allowed_by"] = f.allowed_by;
        }
        findings.push_back(std::move(j));
    }
    doc["findings"] = std::move(findings);
    ordered_json skipped = ordered_json::array();
    for (const SkippedFile& s : r.skipped) {
        skipped.push_back({{"path", s.path}, {"reason", s.reason}});
    }
    doc["skipped"] = std::move(skipped);
    ordered_json scanned = ordered_json::array();
    for (const ScannedFile& s : r.scanned) {
        scanned.push_back(
            {{"path", s.path}, {"type", file_type_name(s.type)}, {"findings", s.findings}});
    }
    doc["scanned"] = std::move(scanned);
    doc["notes"] = r.notes;
    // Invalid UTF-8 cannot reach here (such files are skipped), but replace
    // rather than throw if it ever does.
    return doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::string to_sarif(const ScanReport& r) {
    ordered_json rules = ordered_json::array();
    for (Kind k : k_kinds) {
        ordered_json rule;
        rule["id"] = kind_name(k);
        rule["name"] = kind_name(k);
        rule["shortDescription"] = {{"text", kind_summary(k)}};
        rule["fullDescription"] = {{"text", why_text(k, "")}};
        std::string help = std::string(kind_summary(k)) + ". " + why_text(k, "") +
                           ". Download the prebuilt sdk-core static libraries with "
                           "`temporal-libs download` (or the CMake package or the action) "
                           "instead. Mark a location that is meant to compile Rust with a "
                           "`temporal-libs: allow-rust` comment.";
        rule["help"] = {{"text", help}, {"markdown", help}};
        rule["defaultConfiguration"] = {{"level", sarif_level(default_severity(k))}};
        rule["properties"] = {{"tags", {"migration", "rust", "build"}}, {"precision", "high"}};
        rules.push_back(std::move(rule));
    }
    auto rule_index = [](Kind k) {
        for (std::size_t i = 0; i < std::size(k_kinds); ++i) {
            if (k_kinds[i] == k) {
                return static_cast<int>(i);
            }
        }
        return 0;
    };

    ordered_json results = ordered_json::array();
    for (const Finding& f : r.findings) {
        ordered_json res;
        res["ruleId"] = kind_name(f.kind);
        res["ruleIndex"] = rule_index(f.kind);
        res["level"] = sarif_level(f.severity);
        res["message"] = {{"text", "`" + f.text + "`: " + f.why + ". Instead: " + f.replacement}};
        ordered_json region;
        region["startLine"] = f.line;
        region["startColumn"] = f.column;
        region["endLine"] = f.end_line;
        region["snippet"] = {{"text", f.text}};
        res["locations"] = ordered_json::array(
            {{{"physicalLocation",
               {{"artifactLocation", {{"uri", uri_encode(f.path)}, {"uriBaseId", "%SRCROOT%"}}},
                {"region", region}}}}});
        // Stable across line moves: the file, the kind and the command.
        res["partialFingerprints"] = {
            {"temporalLibsScan/v1",
             util::sha256_hex(f.path + "\n" + kind_name(f.kind) + "\n" + f.text)}};
        if (f.status == Status::allowed) {
            bool listed = util::starts_with(f.allowed_by, "allow list");
            res["suppressions"] = ordered_json::array(
                {{{"kind", listed ? "external" : "inSource"}, {"justification", f.allowed_by}}});
        }
        results.push_back(std::move(res));
    }

    ordered_json notifications = ordered_json::array();
    for (const SkippedFile& s : r.skipped) {
        ordered_json n;
        n["level"] = "note";
        n["message"] = {{"text", "skipped " + s.path + ": " + s.reason}};
        n["locations"] = ordered_json::array(
            {{{"physicalLocation",
               {{"artifactLocation",
                 {{"uri", uri_encode(s.path)}, {"uriBaseId", "%SRCROOT%"}}}}}}});
        notifications.push_back(std::move(n));
    }
    for (const std::string& note : r.notes) {
        notifications.push_back({{"level", "note"}, {"message", {{"text", note}}}});
    }

    ordered_json run;
    run["tool"] = {{"driver",
                    {{"name", "temporal-libs"},
                     {"semanticVersion", TL_VERSION},
                     {"rules", std::move(rules)}}}};
    ordered_json invocation;
    invocation["executionSuccessful"] = true;
    if (!notifications.empty()) {
        invocation["toolExecutionNotifications"] = std::move(notifications);
    }
    run["invocations"] = ordered_json::array({std::move(invocation)});
    std::error_code ec;
    std::filesystem::path root = std::filesystem::absolute(
        r.source == ListingSource::file ? std::filesystem::path(r.root).parent_path()
                                        : std::filesystem::path(r.root),
        ec);
    std::string root_uri = "file://" + uri_encode(root.lexically_normal().string());
    if (root_uri.back() != '/') {
        root_uri += "/";
    }
    run["originalUriBaseIds"] = {{"%SRCROOT%", {{"uri", root_uri}}}};
    run["columnKind"] = "unicodeCodePoints";
    run["results"] = std::move(results);

    ordered_json doc;
    doc["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
    doc["version"] = "2.1.0";
    doc["runs"] = ordered_json::array({std::move(run)});
    return doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::string to_markdown(const ScanReport& r) {
    std::string out = "# Rust toolchain migration report\n\n";
    out += "Scanned `" + md_text(r.root) + "`: " + std::to_string(r.files_listed) +
           " files listed (" + source_label(r.source) + "), " + std::to_string(r.scanned.size()) +
           " build files read.\n\n";

    std::size_t clean = 0;
    for (const ScannedFile& s : r.scanned) {
        clean += s.findings == 0 ? 1 : 0;
    }
    out += "| Status | Count |\n|---|---:|\n";
    out += "| To migrate | " + std::to_string(r.remaining()) + " (" +
           plural(r.remaining_with(Severity::error), "error", "errors") + ", " +
           plural(r.remaining_with(Severity::warning), "warning", "warnings") + ") |\n";
    out += "| Allowed to compile Rust | " + std::to_string(r.allowed()) + " |\n";
    out += "| Build files found clean | " + std::to_string(clean) + " |\n";
    out += "| Files skipped | " + std::to_string(r.skipped.size()) + " |\n\n";

    if (r.findings.empty()) {
        out += "Nothing installs a Rust toolchain or runs cargo: the migration is complete.\n\n";
    } else {
        out += "## Locations\n\n";
        std::string current;
        for (const Finding& f : r.findings) {
            if (f.path != current) {
                current = f.path;
                out += "### `" + md_text(f.path) + "` (" + file_type_label(f.file_type) + ")\n\n";
                out += "| Line | Status | Kind | Command | Use instead |\n";
                out += "|---:|---|---|---|---|\n";
            }
            std::string status =
                f.status == Status::allowed
                    ? "allowed (" + md_text(f.allowed_by) + ")"
                    : std::string("**to migrate** (") + severity_name(f.severity) + ")";
            out += "| " + std::to_string(f.line) + ":" + std::to_string(f.column) + " | " + status +
                   " | " + kind_name(f.kind) + " | " + md_code(f.text) + " | " +
                   (f.status == Status::allowed ? std::string("keep") : md_text(f.replacement)) +
                   " |\n";
            // A table ends at a blank line: add one after each file's last row.
            bool last = &f == &r.findings.back() || (&f + 1)->path != f.path;
            if (last) {
                out += "\n";
            }
        }
    }

    if (!r.findings.empty()) {
        out += "## Why these matter\n\n";
        for (Kind k : k_kinds) {
            bool present = std::any_of(r.findings.begin(), r.findings.end(),
                                       [&](const Finding& f) { return f.kind == k; });
            if (present) {
                out += std::string("- **") + kind_name(k) + "**: " + why_text(k, "") + ".\n";
            }
        }
        out +=
            "\nA location that must compile Rust (the release build) stays, marked with a "
            "`temporal-libs: allow-rust` comment or listed with `--allow`.\n\n";
    }

    if (!r.skipped.empty()) {
        out += "## Skipped\n\n";
        for (const SkippedFile& s : r.skipped) {
            out += "- `" + md_text(s.path) + "`: " + md_text(s.reason) + "\n";
        }
        out += "\n";
    }

    out += "## Found clean\n\n";
    if (clean == 0) {
        out += "No build file was free of findings.\n\n";
    } else {
        std::map<std::string, std::vector<std::string>> by_type;
        for (const ScannedFile& s : r.scanned) {
            if (s.findings == 0) {
                by_type[file_type_label(s.type)].push_back(s.path);
            }
        }
        out += "These build files were read and neither install Rust nor run cargo:\n\n";
        for (const auto& [type, files] : by_type) {
            out += "- " + type + " (" + std::to_string(files.size()) + "): ";
            for (std::size_t i = 0; i < files.size(); ++i) {
                out += (i ? ", `" : "`") + md_text(files[i]) + "`";
            }
            out += "\n";
        }
        out += "\n";
    }
    if (!r.notes.empty()) {
        out += "## Notes\n\n";
        for (const std::string& n : r.notes) {
            out += "- " + md_text(n) + "\n";
        }
        out += "\n";
    }
    out += "_" + summary_line(r) + "._\n";
    return out;
}

}  // namespace tl::scan
