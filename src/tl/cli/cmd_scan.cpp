// temporal-libs scan: the migration scanner on the command line. The scanner
// itself (tl/scan) knows nothing of flags; this file maps them to ScanOptions,
// picks the formatter and turns remaining findings into exit 7 when asked.

#include <cstdio>
#include <map>
#include <memory>

#include "tl/cli/commands.hpp"
#include "tl/scan/report.hpp"
#include "tl/scan/scanner.hpp"
#include "tl/util/error.hpp"
#include "tl/util/fs.hpp"

namespace tl::cli {

namespace {

struct ScanFlags {
    std::string path = ".";
    std::string format = "text";
    std::string output;
    std::vector<std::string> allow;
    std::uint64_t max_file_size = 1u << 20;
    bool fail_on_found = false;
    bool no_git = false;
};

void run_scan(const ScanFlags& flags, Context& ctx) {
    scan::ScanOptions options;
    options.root = flags.path;
    options.allow_globs = flags.allow;
    options.max_file_size = flags.max_file_size;
    options.use_git = flags.no_git ? scan::UseGit::no : scan::UseGit::yes;

    ctx.console.debug("scanning '" + flags.path + "'");
    scan::ScanReport report = value_or_throw(scan::scan_tree(options));
    ctx.console.debug(std::string("listed files with ") + scan::source_label(report.source));

    // --format is checked against these names when the flags are parsed.
    static const std::map<std::string, std::string (*)(const scan::ScanReport&)> formatters = {
        {"text", scan::to_text},
        {"json", scan::to_json},
        {"sarif", scan::to_sarif},
        {"markdown", scan::to_markdown}};
    std::string rendered = formatters.at(flags.format)(report);
    if (flags.output.empty()) {
        std::fwrite(rendered.data(), 1, rendered.size(), stdout);
        std::fflush(stdout);
    } else {
        value_or_throw(util::write_file_atomic(flags.output, rendered));
    }
    // The text format ends with the summary already; the others are for
    // machines, so the log gets it on stderr.
    if (flags.format != "text" || !flags.output.empty()) {
        ctx.console.info(scan::summary_line(report));
    }
    if (flags.fail_on_found && report.remaining() > 0) {
        throw Error(ErrorKind::found,
                    std::to_string(report.remaining()) +
                        " location(s) still install Rust or compile it: migrate them to "
                        "'temporal-libs download', or mark one that must compile Rust with a "
                        "'temporal-libs: allow-rust' comment or --allow");
    }
}

}  // namespace

void add_scan_command(CLI::App& app, Context& ctx) {
    auto flags = std::make_shared<ScanFlags>();
    CLI::App* cmd = add_command(
        app, "scan",
        "Find Dockerfiles, CI configs and build scripts that still install a Rust toolchain "
        "or run cargo",
        [flags, &ctx] { run_scan(*flags, ctx); });
    cmd->add_option("path", flags->path,
                    "Folder (or file) to scan; in a git work tree, the files git tracks")
        ->capture_default_str();
    cmd->add_option("--format", flags->format, "Output format")
        ->check(CLI::IsMember({"text", "json", "sarif", "markdown"}))
        ->capture_default_str();
    cmd->add_option("-o,--output", flags->output, "Write the report to FILE instead of stdout");
    cmd->add_flag("--fail-on-found", flags->fail_on_found,
                  "Exit 7 when any finding is not allowed (for CI gates)");
    cmd->add_option("--allow", flags->allow,
                    "Path glob whose findings are allowed (meant to compile Rust); repeatable")
        ->take_all()
        ->allow_extra_args(false);
    cmd->add_option("--max-file-size", flags->max_file_size,
                    "Skip (with a note) files larger than this many bytes")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 30))
        ->capture_default_str();
    cmd->add_flag("--no-git", flags->no_git,
                  "Walk the folder instead of asking git which files it tracks");
    cmd->footer(
        "\nAllow a location that must compile Rust (the release workflow) with a comment on\n"
        "or directly above it, or above its YAML job or step, Makefile rule or just recipe:\n"
        "  # temporal-libs: allow-rust builds the published libraries\n"
        "or for a whole file: # temporal-libs: allow-rust-file\n\n"
        "Examples:\n"
        "  temporal-libs scan\n"
        "  temporal-libs scan ../sdk --format markdown -o rust-report.md\n"
        "  temporal-libs scan --fail-on-found --allow '.github/workflows/release.yml'\n"
        "  temporal-libs scan --format sarif -o scan.sarif   # code scanning upload\n\n" +
        exit_codes_help());
}

}  // namespace tl::cli
