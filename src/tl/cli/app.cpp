#include "tl/cli/app.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>

#include "tl/cli/commands.hpp"
#include "tl/cli/session.hpp"
#include "tl/util/error.hpp"
#include "tl/util/json.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

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

void print_json(Context& ctx, nlohmann::json doc) {
    doc["format_version"] = k_json_format_version;
    std::string text = util::scrub(util::dump_json(doc, 2));
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    ctx.json_printed = true;
}

namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and
// swaps of two neighbouring characters each count one.
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) {
        d[i][0] = i;
    }
    for (std::size_t j = 0; j <= b.size(); ++j) {
        d[0][j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest_match(const std::string& word,
                                         const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = 0;
    for (const auto& c : candidates) {
        std::size_t d = edit_distance(util::to_lower(word), c);
        if (!best || d < best_distance) {
            best = c;
            best_distance = d;
        }
    }
    // A third of the word (at least one edit, at most three): "downlaod" and
    // "dowload" find download, "list" does not become "lint".
    std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
    if (!best || best_distance > limit) {
        return std::nullopt;
    }
    return best;
}

namespace {

std::vector<CLI::App*> subcommands_of(CLI::App* app) {
    return app->get_subcommands([](CLI::App*) { return true; });
}

// "temporal-libs cache list": the command path of `app`.
std::string command_path(const CLI::App* app) {
    std::string path = app->get_name();
    for (const CLI::App* p = app->get_parent(); p != nullptr; p = p->get_parent()) {
        path = p->get_name() + " " + path;
    }
    return path;
}

const CLI::Option* find_option(const CLI::App* app, const std::string& name) {
    for (const CLI::App* a = app; a != nullptr; a = a->get_parent()) {
        if (const CLI::Option* o = a->get_option_no_throw(name)) {
            return o;
        }
    }
    return nullptr;
}

// Every flag name `app` accepts (its own and, as global flags fall through,
// its parents').
std::vector<std::string> option_names(const CLI::App* app) {
    std::vector<std::string> out;
    for (const CLI::App* a = app; a != nullptr; a = a->get_parent()) {
        for (const CLI::Option* o : a->get_options()) {
            for (const auto& l : o->get_lnames()) {
                out.push_back("--" + l);
            }
        }
    }
    return out;
}

// `help [command...]` becomes `command... --help`.
std::vector<std::string> rewrite_help(std::vector<std::string> args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--") {
            break;
        }
        if (!args[i].empty() && args[i][0] == '-') {
            continue;  // global flags: -q, -v
        }
        if (args[i] == "help") {
            args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
            args.push_back("--help");
        }
        break;
    }
    return args;
}

// Walks the arguments along the command tree before CLI11 sees them, so a
// mistyped command or flag is a usage error that names the likely intent
// (CLI11 would run --version first, or report "not expected" with no hint).
void check_words(CLI::App& app, const std::vector<std::string>& args) {
    CLI::App* cur = &app;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& t = args[i];
        if (t == "--") {
            return;
        }
        if (t.size() > 1 && t[0] == '-') {
            std::size_t eq = t.find('=');
            std::string name = t.substr(0, eq);
            bool long_name = name.rfind("--", 0) == 0;
            if (!long_name && name.size() > 2) {
                continue;  // combined short flags (-qv): CLI11 judges them
            }
            const CLI::Option* o = find_option(cur, name);
            if (o == nullptr) {
                std::string where = command_path(cur);
                auto near = long_name ? closest_match(name, option_names(cur)) : std::nullopt;
                throw Error(ErrorKind::usage, "unknown flag " + util::quoted(name) + " for '" +
                                                  where + "'" +
                                                  (near ? "; did you mean '" + *near + "'?" : "") +
                                                  " (run '" + where + " --help' for its flags)");
            }
            if (eq == std::string::npos && o->get_expected_min() > 0) {
                ++i;  // the option's value
            }
            continue;
        }
        std::vector<CLI::App*> subs = subcommands_of(cur);
        if (subs.empty()) {
            continue;  // a positional argument of the command
        }
        auto it =
            std::find_if(subs.begin(), subs.end(), [&](CLI::App* s) { return s->check_name(t); });
        if (it == subs.end()) {
            std::vector<std::string> names;
            for (CLI::App* s : subs) {
                names.push_back(s->get_name());
            }
            std::string where = command_path(cur);
            auto near = closest_match(t, names);
            throw Error(ErrorKind::usage,
                        "unknown command " + util::quoted(t) +
                            (cur == &app ? std::string() : " for '" + where + "'") +
                            (near ? "; did you mean '" + *near + "'?" : "") + " (run '" + where +
                            " --help' for the commands)");
        }
        cur = *it;
    }
}

bool json_requested(const std::vector<std::string>& args) {
    for (const auto& a : args) {
        if (a == "--") {
            return false;
        }
        if (a == "--json") {
            return true;
        }
    }
    return false;
}

// The one place a failure becomes stderr text, the --json error object and
// the exit code.
int report_failure(Context& ctx, const Failure& f, bool print_message) {
    if (print_message) {
        ctx.console.error(f.message);
    }
    if (ctx.json && !ctx.json_printed) {
        print_json(ctx, {{"error", error_object(f)}});
    }
    return exit_code(f.kind);
}

// Every command's help ends with its examples: the "Examples:" block of a
// footer moves after the exit codes.
void examples_last(CLI::App* app) {
    for (CLI::App* sub : subcommands_of(app)) {
        examples_last(sub);
    }
    std::string f = app->get_footer();
    std::size_t codes = f.find(exit_codes_help());
    std::size_t ex = f.find("Examples:\n");
    if (codes == std::string::npos || ex == std::string::npos || ex > codes) {
        return;
    }
    std::size_t end = f.find("\n\n", ex);
    if (end == std::string::npos || end > codes) {
        end = codes;
    }
    std::string examples = f.substr(ex, end - ex);
    while (!examples.empty() && examples.back() == '\n') {
        examples.pop_back();
    }
    std::string rest = f.substr(0, ex) + f.substr(end);
    // No run of blank lines where the block was.
    for (std::size_t at; (at = rest.find("\n\n\n")) != std::string::npos;) {
        rest.erase(at, 1);
    }
    while (!rest.empty() && rest.back() == '\n') {
        rest.pop_back();
    }
    app->footer(rest + "\n\n" + examples);
}

}  // namespace

void build_app(CLI::App& app, Context& ctx) {
    app.name("temporal-libs");
    app.description(
        "temporal-libs: prebuilt Temporal core static libraries for your platform,\n"
        "downloaded from a release, verified, cached and handed to your build, with no\n"
        "Rust toolchain.\n\n"
        "Start with:\n"
        "  temporal-libs download               fetch the pinned release for this host\n"
        "  temporal-libs download --version latest --json\n"
        "  temporal-libs help download          a command's options and examples\n\n"
        "Publishing a release (maintainers, see docs/publishing.md):\n"
        "  temporal-libs build --source sdk-core --target x86_64-unknown-linux-gnu\n"
        "  temporal-libs pack --platform linux-x64 --version v1.0.3\n"
        "  temporal-libs publish --version v1.0.3 --dir dist\n");
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
        "  TEMPORAL_LIBS_CACHE_DIR   cache directory (default: .temporal-libs-cache in a project,\n"
        "                            else $XDG_CACHE_HOME/temporal-libs; see config show)\n"
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
    add_completion_command(app, ctx);
    // `help [command]` is rewritten to `command --help` before parsing; this
    // entry lists it among the commands.
    add_command(app, "help",
                "Show the help of a command (same as 'temporal-libs COMMAND --help')\n\n"
                "Examples:\n"
                "  temporal-libs help\n"
                "  temporal-libs help download\n"
                "  temporal-libs help cache prune",
                [] {})
        ->allow_extras();
    examples_last(&app);
}

int run(int argc, char** argv) {
    Context ctx;
    std::vector<std::string> args(argv + 1, argv + argc);
    ctx.json = json_requested(args);
    CLI::App app;
    build_app(app, ctx);

    // Global flags apply before the command's handler runs.
    app.parse_complete_callback([&] {
        if (ctx.quiet) {
            ctx.console.set_verbosity(util::Verbosity::quiet);
        } else if (ctx.verbose) {
            ctx.console.set_verbosity(util::Verbosity::verbose);
        }
    });

    try {
        args = rewrite_help(std::move(args));
        check_words(app, args);
        std::vector<char*> cargv;
        cargv.push_back(argv[0]);
        for (auto& a : args) {
            cargv.push_back(a.data());
        }
        app.parse(static_cast<int>(cargv.size()), cargv.data());
    } catch (const CLI::ParseError& e) {
        // --help and --version are "errors" with exit code 0 that CLI11 prints.
        if (e.get_exit_code() == 0) {
            return app.exit(e);
        }
        // Every other parse failure is a usage mistake: exit 2, in the tool's
        // own words and, with --json, the error object.
        return report_failure(
            ctx,
            Failure{ErrorKind::usage, std::string(e.what()) +
                                          " (run 'temporal-libs <command> --help' for the flags)"},
            true);
    } catch (const Error& e) {
        return report_failure(ctx, Failure{e.kind(), e.what()}, true);
    } catch (const std::exception& e) {
        return report_failure(
            ctx, Failure{ErrorKind::internal, std::string("internal error: ") + e.what()}, true);
    }
    return 0;
}

}  // namespace tl::cli
