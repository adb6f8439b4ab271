#include "tl/cli/app.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>

#include "tl/cli/commands.hpp"
#include "tl/util/error.hpp"

namespace tl::cli {

const std::string& exit_codes_help() {
    static const std::string text =
        "Exit codes:\n"
        "  0  success\n"
        "  1  internal error (a bug: please report it)\n"
        "  2  usage: bad flags, bad configuration, unsupported platform\n"
        "  3  not found: release, asset or cache entry does not exist\n"
        "  4  network: connection, HTTP or rate-limit failure\n"
        "  5  integrity: checksum mismatch, missing checksum, unsafe or wrong archive\n"
        "  6  filesystem: cache directory not writable, disk full\n"
        "  7  found: a check found problems (scan --fail-on-found, cache verify)\n"
        "  8  build: an external build step (cargo, rustc) failed\n";
    return text;
}

CLI::App* add_command(CLI::App& app, const std::string& name, const std::string& description,
                      std::function<void()> handler) {
    // The first paragraph is the one-line summary shown in the parent's list; the
    // rest (examples, details) goes below the options of the command's own help.
    std::size_t cut = description.find("\n\n");
    std::string brief = description.substr(0, cut);
    std::replace(brief.begin(), brief.end(), '\n', ' ');
    std::string details = cut == std::string::npos ? "" : description.substr(cut + 2);
    CLI::App* sub = app.add_subcommand(name, brief);
    sub->callback(std::move(handler));
    sub->footer("\n" + (details.empty() ? "" : details + "\n\n") + exit_codes_help());
    return sub;
}

int run(int argc, char** argv) {
    Context ctx;
    CLI::App app{
        "temporal-libs: prebuilt Temporal core static libraries for your platform,\n"
        "downloaded from a release, verified, cached and handed to your build, with no\n"
        "Rust toolchain.\n\n"
        "Start with:\n"
        "  temporal-libs download               fetch the pinned release for this host\n"
        "  temporal-libs download --version latest --json\n\n"
        "Publishing a release (maintainers, see docs/publishing.md):\n"
        "  temporal-libs build --source sdk-core --target x86_64-unknown-linux-gnu\n"
        "  temporal-libs pack --platform linux-x64 --version v1.0.3\n"
        "  temporal-libs publish --version v1.0.3 --dir dist\n",
        "temporal-libs"};
    app.set_version_flag("--version", std::string("temporal-libs ") + TL_VERSION);
    app.require_subcommand(1);
    app.fallthrough();
    app.add_flag("-q,--quiet", ctx.quiet, "Print only warnings, errors and results");
    app.add_flag("-v,--verbose", ctx.verbose, "Print every request and decision");
    app.footer(
        "\nEnvironment:\n"
        "  TEMPORAL_LIBS_VERSION     version to fetch (v1.0.2, temporal-libs-v1.0.2 or latest)\n"
        "  TEMPORAL_LIBS_REPO        GitHub repository holding the releases (owner/name)\n"
        "  TEMPORAL_LIBS_API_URL     GitHub API base URL (GitHub Enterprise, tests)\n"
        "  TEMPORAL_LIBS_CACHE_DIR   cache directory (default: .temporal-libs-cache)\n"
        "  TEMPORAL_LIBS_SOURCES     where releases come from, tried in order, comma-separated\n"
        "                            (github, https://HOST/PATH/, file:///DIR, oci://HOST/REPO)\n"
        "  TEMPORAL_LIBS_CREDENTIALS_FILE  credentials for mirrors and registries, per host\n"
        "  GITHUB_TOKEN / GH_TOKEN   token sent to the API host (and, to publish, its uploads\n"
        "                            host) only, never printed\n"
        "  SOURCE_DATE_EPOCH         file time inside archives 'pack' writes (default 0)\n"
        "  TEMPORAL_LIBS_LOCKED      1: fail when temporal-libs.lock lacks the entry (--locked)\n"
        "  TEMPORAL_LIBS_PUBLIC_KEYS trusted minisign public keys (RW...,RW...)\n"
        "  TEMPORAL_LIBS_MINISIGN_PASSWORD  password of an encrypted key for 'sign'\n"
        "  FORCE_PLATFORM/FORCE_ARCH override host detection (linux|darwin, x64|arm64)\n"
        "  NO_COLOR                  disable colour\n\n" +
        exit_codes_help() + "\nRun 'temporal-libs <command> --help' for a command's options.");

    add_download_command(app, ctx);
    add_update_command(app, ctx);
    add_cache_command(app, ctx);
    add_config_command(app, ctx);
    add_flags_command(app, ctx);
    add_pkg_config_command(app, ctx);
    add_inspect_command(app, ctx);
    add_abi_check_command(app, ctx);
    add_scan_command(app, ctx);
    add_build_command(app, ctx);
    add_pack_command(app, ctx);
    add_publish_command(app, ctx);
    add_mirror_command(app, ctx);
    add_lock_command(app, ctx);
    add_sign_command(app, ctx);

    // Global flags apply before the command's handler runs.
    app.parse_complete_callback([&] {
        if (ctx.quiet) {
            ctx.console.set_verbosity(util::Verbosity::quiet);
        } else if (ctx.verbose) {
            ctx.console.set_verbosity(util::Verbosity::verbose);
        }
    });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        // CLI11 returns 0 for --help/--version and its own codes otherwise; every
        // usage mistake is exit 2 here.
        return rc == 0 ? 0 : exit_code(ErrorKind::usage);
    } catch (const Error& e) {
        ctx.console.error(e.what());
        return exit_code(e.kind());
    } catch (const std::exception& e) {
        ctx.console.error(std::string("internal error: ") + e.what());
        return exit_code(ErrorKind::internal);
    }
    return 0;
}

}  // namespace tl::cli
