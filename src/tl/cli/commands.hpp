#pragma once

// One function per subcommand, each defined in its cmd_<name>.cpp.

#include <CLI/CLI.hpp>

#include <string>

#include "tl/cli/app.hpp"

namespace tl::cli {

void add_download_command(CLI::App& app, Context& ctx);
void add_update_command(CLI::App& app, Context& ctx);
void add_cache_command(CLI::App& app, Context& ctx);
void add_config_command(CLI::App& app, Context& ctx);
void add_flags_command(CLI::App& app, Context& ctx);
void add_pkg_config_command(CLI::App& app, Context& ctx);

// `inspect LIB...`: format, architectures, members and functions of static
// libraries, with an optional --platform check (cmd_inspect.cpp).
void add_inspect_command(CLI::App& app, Context& ctx);

// `abi-check --header H --lib L...`: the header's functions missing from the
// libraries (cmd_inspect.cpp).
void add_abi_check_command(CLI::App& app, Context& ctx);

// `scan [PATH]`: finds Rust toolchain installs and cargo runs to migrate.
void add_scan_command(CLI::App& app, Context& ctx);

// `build --source DIR --target TRIPLE`: the static libraries from source with
// cargo, and the build record pack reads (cmd_build.cpp).
void add_build_command(CLI::App& app, Context& ctx);

// `pack --platform P --version V`: the release archive, its .sha256 and its
// manifest from built libraries (cmd_pack.cpp).
void add_pack_command(CLI::App& app, Context& ctx);

// `publish --version V --dir DIST`: the GitHub release of a version, created,
// uploaded, verified and published; idempotent (cmd_publish.cpp).
void add_publish_command(CLI::App& app, Context& ctx);

// `mirror --version V --to DEST`: a release copied, verified, to a directory
// mirror others can download from (cmd_mirror.cpp).
void add_mirror_command(CLI::App& app, Context& ctx);
// `lock [--version V] [--platform P|all]`: pins a release's digests in
// temporal-libs.lock (cmd_lock.cpp).
void add_lock_command(CLI::App& app, Context& ctx);

// `sign --key K --dir DIST`: SHA256SUMS and its minisign signature (cmd_sign.cpp).
void add_sign_command(CLI::App& app, Context& ctx);

// `completion bash|zsh|fish` and the hidden `man` (cmd_completion.cpp): scripts
// and the manual page generated from the command tree of `app`.
void add_completion_command(CLI::App& app, Context& ctx);
// The completion script for `shell` (bash, zsh, fish); tl::Error (usage) otherwise.
std::string completion_script(const CLI::App& app, const std::string& shell);
// The manual page (roff) of the whole command tree.
std::string manual_page(const CLI::App& app);

}  // namespace tl::cli
