#pragma once

// Running another program (cargo, rustc, git) and reading what it prints:
// standard output collected, standard error handed over line by line as it
// arrives (so a long build shows progress), standard input from /dev/null.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::util {

// What to run and how.
struct Command {
    std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
    std::filesystem::path cwd;      // empty: the current directory
    // Extra environment variables; an empty optional unsets the variable.
    std::map<std::string, std::optional<std::string>> env;
    // Called with each line of standard error (without its newline); standard
    // error is passed through untouched when this is empty.
    std::function<void(std::string_view)> on_stderr_line;
};

// How a finished program ended.
struct CommandResult {
    int exit_code = -1;  // the exit status, or 128 + the signal number
    std::string out;     // everything it wrote to standard output
};

// Runs a program and waits for it. A not_found failure when argv[0] cannot be
// found or executed, filesystem when the pipes or the process cannot be made;
// a program that runs and fails is a CommandResult with its exit code.
Result<CommandResult> run_command(const Command& command);

// The full path of a program found on PATH, or empty when there is none.
std::optional<std::filesystem::path> find_program(std::string_view name);

// A command line for messages: arguments with spaces or quotes are quoted the
// way a POSIX shell reads them back.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace tl::util
