#include <cstdio>
#include <nlohmann/json.hpp>

#include "tl/cli/commands.hpp"
#include "tl/cli/session.hpp"
#include "tl/link/link.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

namespace {

// Installs (or finds) the entry and reads what linking it takes.
// `libraries` (--libraries a,b) replaces the configured set when not empty.
std::pair<install::InstallResult, link::LinkInfo> entry_link_info(
    Context& ctx, const CommonFlags& flags, const std::string& libraries = {}) {
    CommonFlags f = flags;
    f.json = false;
    Session s = open_session(ctx, f);
    s.config.set_from_flag("libraries", libraries, "--libraries");
    s.options.libraries = s.config.list("libraries");
    install::InstallResult r = ensure_installed(ctx, s);
    return {r, value_or_throw(link::read_link_info(r.dir, s.platform, s.options.libraries))};
}

}  // namespace

void add_flags_command(CLI::App& app, Context& ctx) {
    auto flags = std::make_shared<CommonFlags>();
    auto want_cflags = std::make_shared<bool>(false);
    auto want_libs = std::make_shared<bool>(false);
    auto libraries = std::make_shared<std::string>();
    CLI::App* cmd = add_command(
        app, "flags",
        "Print compiler and linker flags for the cached libraries\n\n"
        "--libs gives -L<entry> -l<library>... and the system libraries Rust static\n"
        "libraries need (from the release's manifest.json, else platform defaults);\n"
        "--cflags gives -I<entry>/include when the release ships headers. Without either,\n"
        "both. The release is downloaded first if it is not cached.\n\n"
        "Examples:\n"
        "  cc main.c $(temporal-libs flags --cflags) $(temporal-libs flags --libs)\n"
        "  LDLIBS += $(shell temporal-libs -q flags --libs --version v1.0.2)   # Make\n"
        "  temporal-libs flags --json                                        # scripts, Zig",
        [&ctx, flags, want_cflags, want_libs, libraries] {
            auto [r, info] = entry_link_info(ctx, *flags, *libraries);
            if (flags->json) {
                nlohmann::json j = {{"tag", r.tag},
                                    {"platform", r.platform},
                                    {"lib_dir", info.lib_dir.string()},
                                    {"include_dir", info.include_dir.string()},
                                    {"libraries", info.libraries},
                                    {"native_args", info.native_args},
                                    {"native_args_origin", info.native_args_origin},
                                    {"cflags", link::cflags(info)},
                                    {"libs", link::libs(info)}};
                print_json(ctx, std::move(j));
                return;
            }
            bool both = !*want_cflags && !*want_libs;
            std::vector<std::string> out;
            if ((both || *want_cflags) && !link::cflags(info).empty()) {
                out.push_back(link::cflags(info));
            }
            if (both || *want_libs) {
                out.push_back(link::libs(info));
            }
            std::puts(util::join(out, " ").c_str());
        });
    add_common_flags(cmd, *flags, FlagSet::network);
    cmd->add_flag("--cflags", *want_cflags, "Compiler flags only");
    cmd->add_flag("--libs", *want_libs, "Linker flags only");
    cmd->add_option("--libraries", *libraries,
                    "Comma-separated libraries to link (names without lib and .a); default: "
                    "'libraries' from the configuration (all five)");
}

void add_pkg_config_command(CLI::App& app, Context& ctx) {
    auto flags = std::make_shared<CommonFlags>();
    auto output = std::make_shared<std::string>();
    CLI::App* cmd = add_command(
        app, "pkg-config",
        "Write a pkg-config file (temporal-libs.pc) pointing into the cache\n\n"
        "By default it goes to <cache>/pkgconfig/temporal-libs.pc and its path is printed,\n"
        "so builds can use it with PKG_CONFIG_PATH.\n\n"
        "Examples:\n"
        "  export PKG_CONFIG_PATH=$(dirname $(temporal-libs -q pkg-config))\n"
        "  cc main.c $(pkg-config --cflags --libs temporal-libs)\n"
        "  temporal-libs pkg-config --version v1.0.2 -o build/pkgconfig/temporal-libs.pc",
        [&ctx, flags, output] {
            auto [r, info] = entry_link_info(ctx, *flags);
            CommonFlags f = *flags;
            Session s = open_session(ctx, f);
            std::filesystem::path target = output->empty()
                                               ? s.cache->root() / "pkgconfig" / "temporal-libs.pc"
                                               : std::filesystem::path(*output);
            if (!target.parent_path().empty()) {
                value_or_throw(util::create_directories(target.parent_path()));
            }
            value_or_throw(
                util::write_file_atomic(target, link::pkg_config_file(info, r.tag, r.platform)));
            if (flags->json) {
                print_json(ctx,
                           {{"path", target.string()}, {"tag", r.tag}, {"platform", r.platform}});
            } else {
                std::puts(target.string().c_str());
            }
        });
    add_common_flags(cmd, *flags, FlagSet::network);
    cmd->add_option("-o,--output", *output, "Where to write the .pc file");
}

}  // namespace tl::cli
