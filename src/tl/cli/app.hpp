#pragma once

// The command line: global options, one subcommand per file (cmd_*.cpp), and
// the single place where tl::Error becomes a message and an exit code.

#include <CLI/CLI.hpp>

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tl/util/console.hpp"

namespace tl::cli {

// What every command shares: the console and the global flags.
struct Context {
    util::Console console;
    bool quiet = false;
    bool verbose = false;
    // --json is on the command line: every failure is also printed as
    // {"format_version": 1, "error": {...}} on stdout, in run(), once.
    bool json = false;
    // A command printed its JSON document (results that carry their own
    // errors): run() then prints no error object after it.
    bool json_printed = false;
};

// The version of every JSON document the tool prints (scan's, results,
// errors); it grows when a member changes meaning or goes away, never for
// added members.
inline constexpr int k_json_format_version = 1;

// Prints `doc` (an object) on stdout with "format_version" added, secrets
// scrubbed and bad UTF-8 replaced; marks the context's JSON as printed.
void print_json(Context& ctx, nlohmann::json doc);

// Adds a subcommand; `handler` runs when it is chosen and may throw tl::Error.
// Returns the subcommand so the caller can add its options.
CLI::App* add_command(CLI::App& app, const std::string& name, const std::string& description,
                      std::function<void()> handler);

// Parses argv, runs the chosen command and returns the process exit code.
int run(int argc, char** argv);

// Text listing the exit codes, shared by --help footers.
const std::string& exit_codes_help();

// The candidate closest to `word` by edit distance (a swap of two neighbours
// counts as one edit), when it is close enough to be a likely typo.
std::optional<std::string> closest_match(const std::string& word,
                                         const std::vector<std::string>& candidates);

// The command tree `run` parses (every command and option), for completion
// scripts and the manual page generated from it.
void build_app(CLI::App& app, Context& ctx);

}  // namespace tl::cli
