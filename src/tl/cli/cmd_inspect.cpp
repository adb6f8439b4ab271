// `inspect` and `abi-check`: what a static library is, and whether a C header
// matches the libraries. Results go to stdout (text or --json); the verdict
// for a failed check goes to stderr as the error and sets the exit code.

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tl/cli/commands.hpp"
#include "tl/cli/session.hpp"
#include "tl/objfile/abi.hpp"
#include "tl/objfile/platform_check.hpp"
#include "tl/platform/platform.hpp"
#include "tl/util/error.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

namespace {

using nlohmann::json;

void print_line(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
}

std::string count(std::size_t n, std::string_view word) {
    return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// One library's inspection: what was learned and the verdict of the checks.
struct Inspection {
    std::string path;
    std::optional<objfile::LibraryInfo> info;
    std::optional<Failure> failure;
};

json library_json(const Inspection& in, const std::optional<platform::Platform>& platform,
                  bool with_functions) {
    json j;
    j["path"] = in.path;
    if (in.info) {
        const auto& info = *in.info;
        j["kind"] = objfile::kind_name(info.kind);
        j["description"] = objfile::kind_description(info.kind);
        j["members"] = info.member_count;
        j["objects"] = info.object_count;
        j["functions"] = info.functions.size();
        j["formats"] = info.formats;
        j["architectures"] = info.architectures;
        json groups = json::array();
        for (const auto& g : info.groups) {
            groups.push_back({{"format", objfile::format_name(g.id.format)},
                              {"architecture", g.id.arch_name},
                              {"bits", g.id.is64 ? 64 : 32},
                              {"slice", g.slice.empty() ? json() : json(g.slice)},
                              {"objects", g.objects}});
        }
        j["groups"] = groups;
        if (info.kind == objfile::LibraryKind::macho_fat) {
            json slices = json::array();
            for (const auto& s : info.slices) {
                slices.push_back(
                    {{"architecture", s.id.arch_name}, {"kind", objfile::kind_name(s.kind)}});
            }
            j["slices"] = slices;
        }
        j["problems"] = info.problems;
        j["damage"] = info.damage.empty() ? json() : json(info.damage);
        if (with_functions) {
            j["function_names"] = info.functions;
        }
    }
    if (platform) {
        j["platform"] = platform->name();
    }
    j["ok"] = !in.failure.has_value();
    if (in.failure) {
        j["error"] = {{"kind", kind_name(in.failure->kind)}, {"message", in.failure->message}};
    }
    return j;
}

void print_library(const Inspection& in, const std::optional<platform::Platform>& platform,
                   bool with_functions) {
    auto row = [](std::string_view label, const std::string& value) {
        std::string line = "  " + std::string(label);
        line.resize(16, ' ');
        print_line(line + value);
    };
    if (!in.info) {
        print_line(objfile::printable(in.path) + ": cannot be read");
        return;
    }
    const auto& info = *in.info;
    print_line(objfile::printable(info.path) + ": " + objfile::kind_description(info.kind));
    if (!info.slices.empty()) {
        std::vector<std::string> slices;
        for (const auto& s : info.slices) {
            slices.push_back(s.id.arch_name + " (" + objfile::kind_description(s.kind) + ")");
        }
        row("slices", util::join(slices, ", "));
    }
    std::vector<std::string> groups;
    for (const auto& g : info.groups) {
        groups.push_back(std::to_string(g.objects) + " " + objfile::describe(g.id) +
                         (g.slice.empty() ? "" : " in slice " + g.slice));
    }
    row("architectures",
        info.architectures.empty() ? "none" : util::join(info.architectures, ", "));
    row("members", std::to_string(info.member_count));
    row("objects", std::to_string(info.object_count) +
                       (groups.empty() ? "" : " (" + util::join(groups, ", ") + ")"));
    row("functions", count(info.functions.size(), "defined global function"));
    if (platform) {
        row("platform", platform->name() + (in.failure ? ": does not match" : ": matches"));
    }
    if (info.problems.empty()) {
        row("problems", "none");
    } else {
        row("problems", std::to_string(info.problems.size()));
        for (const auto& p : info.problems) {
            print_line("    - " + p);
        }
    }
    if (with_functions) {
        for (const auto& f : info.functions) {
            print_line("    " + objfile::printable(f));
        }
    }
}

// Turns the failures of several libraries into one exit: each is reported,
// and the exit code is that of the first.
void raise_failures(const std::vector<Inspection>& results, Context& ctx) {
    std::vector<const Failure*> failures;
    for (const auto& r : results) {
        if (r.failure) {
            failures.push_back(&*r.failure);
        }
    }
    if (failures.empty()) {
        return;
    }
    if (failures.size() == 1) {
        throw Error(*failures.front());
    }
    for (const auto* f : failures) {
        ctx.console.error(f->message);
    }
    throw Error(failures.front()->kind, std::to_string(failures.size()) + " of " +
                                            count(results.size(), "library") +
                                            " failed the checks above");
}

}  // namespace

void add_inspect_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::vector<std::string> libraries;
        std::optional<std::string> platform;
        bool json = false;
        bool functions = false;
    };
    auto opt = std::make_shared<Options>();
    CLI::App* sub = add_command(
        app, "inspect",
        "Tell what static libraries are: format, architectures, functions, problems", [opt, &ctx] {
            std::optional<platform::Platform> platform;
            if (opt->platform) {
                platform = platform::parse_platform(*opt->platform);
                if (!platform) {
                    throw Error(ErrorKind::usage, "unknown platform " +
                                                      util::quoted(*opt->platform) +
                                                      "; use one of " + platform::supported_list());
                }
            }
            std::vector<Inspection> results;
            for (const auto& path : opt->libraries) {
                Inspection in;
                in.path = path;
                auto info = objfile::inspect_library(path);
                if (!info) {
                    in.failure = info.error();
                } else {
                    auto check = platform ? objfile::check_for_platform(*info, *platform)
                                          : objfile::check_static_library(*info);
                    if (!check) {
                        in.failure = check.error();
                    }
                    in.info = std::move(*info);
                }
                results.push_back(std::move(in));
            }
            if (opt->json) {
                json doc;
                doc["libraries"] = json::array();
                bool ok = true;
                for (const auto& r : results) {
                    doc["libraries"].push_back(library_json(r, platform, opt->functions));
                    ok = ok && !r.failure;
                }
                doc["ok"] = ok;
                print_json(ctx, doc);
            } else {
                for (std::size_t i = 0; i < results.size(); ++i) {
                    if (i > 0) {
                        print_line("");
                    }
                    print_library(results[i], platform, opt->functions);
                }
            }
            std::fflush(stdout);
            raise_failures(results, ctx);
        });
    sub->add_option("libraries", opt->libraries, "Static libraries (lib*.a) to inspect")
        ->required()
        ->type_name("LIB");
    sub->add_option("--platform", opt->platform,
                    "Check that every object is for this platform (linux-x64, linux-arm64, "
                    "macos-x64, macos-arm64)")
        ->type_name("PLATFORM");
    sub->add_flag("--json", opt->json, "Print one JSON document on stdout");
    sub->add_flag("--functions", opt->functions, "Also list the defined global function names");
    sub->footer(
        "\nFor each library: its container (GNU or BSD ar archive, universal Mach-O\n"
        "file, Windows .lib), the format and CPU architecture of its objects, how\n"
        "many functions it defines, and what is wrong with it (mixed architectures,\n"
        "members that are not objects, truncation). With --platform, also checks\n"
        "that every object is for that platform. Exits 5 (integrity) when a file is\n"
        "not a usable static library or is for another platform.\n"
        "\nExamples:\n"
        "  temporal-libs inspect libtemporal_sdk_core_c_bridge.a\n"
        "  temporal-libs inspect --platform linux-arm64 lib/*.a\n"
        "  temporal-libs inspect --json libfoo.a | jq '.libraries[0].architectures'\n\n" +
        exit_codes_help());
}

void add_abi_check_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::string header;
        std::vector<std::string> libraries;
        bool json = false;
        CommonFlags release;
    };
    auto opt = std::make_shared<Options>();
    CLI::App* sub = add_command(
        app, "abi-check", "Check that every function a C header declares is in the libraries",
        [opt, &ctx] {
            if (opt->libraries.empty()) {
                // No --lib: check the release's libraries, installing them if needed.
                opt->release.json = false;
                Session s = open_session(ctx, opt->release);
                for (const auto& p : ensure_installed(ctx, s).libraries) {
                    opt->libraries.push_back(p.string());
                }
            }
            std::vector<std::filesystem::path> libs(opt->libraries.begin(), opt->libraries.end());
            objfile::AbiReport report = value_or_throw(objfile::abi_check_files(opt->header, libs));
            std::string where = opt->libraries.size() == 1
                                    ? util::quoted(opt->libraries.front())
                                    : "the " + std::to_string(opt->libraries.size()) + " libraries";
            if (opt->json) {
                print_json(ctx, {{"header", opt->header},
                                 {"libraries", opt->libraries},
                                 {"functions", report.functions.size()},
                                 {"missing", report.missing},
                                 {"ok", report.ok()}});
            } else if (report.ok()) {
                print_line("ok: all " + count(report.functions.size(), "function") +
                           " declared in " + util::quoted(opt->header) + " are defined in " +
                           where);
            } else {
                for (const auto& name : report.missing) {
                    print_line("missing: " + objfile::printable(name));
                }
            }
            std::fflush(stdout);
            if (!report.ok()) {
                throw Error(ErrorKind::found,
                            std::to_string(report.missing.size()) + " of " +
                                count(report.functions.size(), "function") + " declared in " +
                                util::quoted(opt->header) + " " +
                                (report.missing.size() == 1 ? "is" : "are") + " not defined in " +
                                where +
                                ": the header and the libraries are from different releases, or "
                                "a library is missing; use the header shipped with the libraries");
            }
        });
    sub->add_option("--header", opt->header, "The C header declaring the functions")
        ->required()
        ->type_name("HEADER");
    sub->add_option("--lib", opt->libraries,
                    "A static library to look in (repeat for several; a function may be in "
                    "any). Without --lib: the libraries of --version from the cache")
        ->type_name("LIB");
    sub->add_option("--version", opt->release.version,
                    "Release whose cached libraries to check (downloaded if needed)");
    sub->add_option("--platform", opt->release.platform, "Platform of that release");
    sub->add_option("--cache-dir", opt->release.cache_dir, "Cache directory");
    sub->add_flag("--json", opt->json, "Print one JSON document on stdout");
    sub->footer(
        "\nEvery function the header declares must be defined as a global symbol in\n"
        "one of the libraries (Mach-O names without their leading underscore), so a\n"
        "header from another release than the libraries shows up here rather than\n"
        "as undefined references at link time. Exits 7 (found) when functions are\n"
        "missing, naming each one on stdout.\n"
        "\nExamples:\n"
        "  temporal-libs abi-check --header include/temporal-sdk-core-c-bridge.h \\\n"
        "      --lib lib/libtemporal_sdk_core_c_bridge.a\n"
        "  temporal-libs abi-check --header api.h --lib liba.a --lib libb.a --json\n"
        "  temporal-libs abi-check --header temporal-sdk-core-c-bridge.h --version v1.0.2\n\n" +
        exit_codes_help());
}

}  // namespace tl::cli
