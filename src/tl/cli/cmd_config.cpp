#include <cstdio>
#include <nlohmann/json.hpp>

#include "tl/cli/commands.hpp"
#include "tl/cli/session.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

void add_config_command(CLI::App& app, Context& ctx) {
    CLI::App* config_cmd = app.add_subcommand(
        "config", "Show the effective configuration and where each value comes from");
    config_cmd->require_subcommand(1);
    config_cmd->footer(
        "\nExamples:\n"
        "  temporal-libs config show\n"
        "  temporal-libs config show --json\n\n" +
        exit_codes_help());
    auto flags = std::make_shared<CommonFlags>();
    CLI::App* show = add_command(
        *config_cmd, "show",
        "Print every setting with its value and origin\n\n"
        "Layers, lowest first: default, user file ($XDG_CONFIG_HOME/temporal-libs/\n"
        "config.toml), project file (temporal-libs.toml, found by walking up from the\n"
        "working directory), environment, command line. Flags given here count as the\n"
        "command-line layer, so 'config show --version v2' shows what download would use.\n"
        "Path settings (cache_dir, source_dir) expand ~, $VAR and ${VAR}. The cache line\n"
        "says which rule chose the cache directory (setting, project default or user\n"
        "cache default).\n\n"
        "Examples:\n"
        "  temporal-libs config show\n"
        "  temporal-libs config show --json | jq -r .cache_dir\n"
        "  TEMPORAL_LIBS_VERSION=latest temporal-libs config show --source file:///srv/tl",
        [&ctx, flags] {
            Session s = open_session(ctx, *flags);
            const config::Config& c = s.config;
            if (flags->json) {
                nlohmann::json j = nlohmann::json::object();
                for (const auto& k : config::keys()) {
                    const config::Value& v = c.get(k.name);
                    j[k.name] = {{"value", v.text},
                                 {"origin", config::origin_name(v.origin)},
                                 {"where", v.where}};
                }
                nlohmann::json out = {
                    {"settings", j},
                    {"project_file", c.project_file() ? c.project_file()->string() : ""},
                    {"cache_dir", s.cache->root().string()},
                    {"cache_dir_rule", s.cache_rule},
                    {"platform", s.platform.name()}};
                print_json(ctx, std::move(out));
                return;
            }
            std::printf("project file: %s\n",
                        c.project_file() ? c.project_file()->string().c_str() : "(none)");
            std::printf("platform:     %s\ncache:        %s\n              (%s)\n\n",
                        s.platform.name().c_str(), s.cache->root().string().c_str(),
                        s.cache_rule.c_str());
            for (const auto& k : config::keys()) {
                const config::Value& v = c.get(k.name);
                std::string origin = config::origin_name(v.origin);
                if (!v.where.empty()) {
                    origin += " (" + v.where + ")";
                }
                std::printf("%-20s = %-34s %s\n", k.name, util::quoted(v.text).c_str(),
                            origin.c_str());
            }
        });
    add_common_flags(show, *flags, FlagSet::network);
}

}  // namespace tl::cli
