#pragma once

// The four renderings of a scan: text for people and logs, JSON for scripts,
// SARIF 2.1.0 for code scanning, and a Markdown migration report.

#include <string>

#include "tl/scan/scanner.hpp"

namespace tl::scan {

// One block per finding (location, kind, command, why, what instead), then
// skipped files, notes and a summary line.
std::string to_text(const ScanReport& report);

// A JSON document (format_version 1): summary, findings, skipped, scanned, notes.
std::string to_json(const ScanReport& report);

// A SARIF 2.1.0 log with one rule per kind; allowed findings carry a
// suppression, skipped files are tool execution notifications.
std::string to_sarif(const ScanReport& report);

// A Markdown migration report: summary, every location with its status, what
// was skipped and which build files were found clean.
std::string to_markdown(const ScanReport& report);

// One line: files scanned, findings to migrate (errors, warnings), allowed, skipped.
std::string summary_line(const ScanReport& report);

// "git ls-files", "directory walk" or "single file".
const char* source_label(ListingSource source);

}  // namespace tl::scan
