#pragma once

// The command line: global options, one subcommand per file (cmd_*.cpp), and
// the single place where tl::Error becomes a message and an exit code.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "tl/util/console.hpp"

namespace tl::cli {

// What every command shares: the console and the global flags.
struct Context {
    util::Console console;
    bool quiet = false;
    bool verbose = false;
};

// Adds a subcommand; `handler` runs when it is chosen and may throw tl::Error.
// Returns the subcommand so the caller can add its options.
CLI::App* add_command(CLI::App& app, const std::string& name, const std::string& description,
                      std::function<void()> handler);

// Parses argv, runs the chosen command and returns the process exit code.
int run(int argc, char** argv);

// Text listing the exit codes, shared by --help footers.
const std::string& exit_codes_help();

}  // namespace tl::cli
