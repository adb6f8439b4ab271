#pragma once

// One function per subcommand, each defined in its cmd_<name>.cpp.

#include <CLI/CLI.hpp>

#include "tl/cli/app.hpp"

namespace tl::cli {

// `scan [PATH]`: finds Rust toolchain installs and cargo runs to migrate.
void add_scan_command(CLI::App& app, Context& ctx);

}  // namespace tl::cli
