#pragma once

// One function per subcommand, each defined in its cmd_<name>.cpp.

#include <CLI/CLI.hpp>

#include "tl/cli/app.hpp"

namespace tl::cli {

void add_download_command(CLI::App& app, Context& ctx);
void add_update_command(CLI::App& app, Context& ctx);
void add_cache_command(CLI::App& app, Context& ctx);

}  // namespace tl::cli
