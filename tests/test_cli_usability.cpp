// What a new user and a CI script meet first: a mistyped command or flag is an
// error with a suggestion, `help COMMAND`, the --json error object on every
// failure path (argument parsing included) with format_version, empty values
// refused, completions and the manual page from the command table, the
// progress line on a narrow terminal, and TEMPORAL_LIBS_FALLBACK on the CLI.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/release_fixture.hpp"
#include "tl/cli/app.hpp"
#include "tl/util/progress_layout.hpp"

using namespace tl;
using namespace tl::testing;
using nlohmann::json;

namespace {

// The one JSON document on stdout; fails the test when there is not exactly one.
json parse_doc(const ProcessResult& r) {
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "stdout is not one JSON document: " << r.out;
    return j;
}

void expect_error_doc(const ProcessResult& r, int exit_code, const std::string& kind,
                      const std::string& in_message) {
    EXPECT_EQ(r.exit_code, exit_code) << r.err << r.out;
    json j = parse_doc(r);
    if (j.is_discarded()) {
        return;
    }
    EXPECT_EQ(j["format_version"], 1) << r.out;
    EXPECT_EQ(j["error"]["kind"], kind) << r.out;
    EXPECT_EQ(j["error"]["exit_code"], exit_code) << r.out;
    EXPECT_TRUE(contains(j["error"]["message"].get<std::string>(), in_message)) << r.out;
}

}  // namespace

TEST(CliUsability, AMistypedCommandIsAnErrorWithASuggestion) {
    ReleaseFixture f;
    // Before: "downlaod --version v1.1.0" printed the tool's version and exited 0.
    auto r = f.run({"downlaod", "--version", "v1.1.0"});
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(contains(r.err, "unknown command 'downlaod'")) << r.err;
    EXPECT_TRUE(contains(r.err, "did you mean 'download'?")) << r.err;
    EXPECT_EQ(r.out, "");

    auto nested = f.run({"cache", "lsit"});
    EXPECT_EQ(nested.exit_code, 2);
    EXPECT_TRUE(contains(nested.err, "did you mean 'list'?")) << nested.err;

    auto far = f.run({"xyzzy"});
    EXPECT_EQ(far.exit_code, 2);
    EXPECT_FALSE(contains(far.err, "did you mean")) << far.err;
    EXPECT_TRUE(contains(far.err, "temporal-libs --help")) << far.err;

    auto flag = f.run({"download", "--verison", "v1.0.2"});
    EXPECT_EQ(flag.exit_code, 2);
    EXPECT_TRUE(contains(flag.err, "unknown flag '--verison'")) << flag.err;
    EXPECT_TRUE(contains(flag.err, "did you mean '--version'?")) << flag.err;

    // Global flags still work anywhere, and a flag value is not taken for a command.
    auto ok = f.run({"-q", "config", "show", "--version", "v1.0.2"});
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(CliUsability, HelpCommandIsTheSameAsTheHelpFlag) {
    ReleaseFixture f;
    auto flag = f.run({"download", "--help"});
    auto cmd = f.run({"help", "download"});
    ASSERT_EQ(flag.exit_code, 0);
    ASSERT_EQ(cmd.exit_code, 0) << cmd.err;
    EXPECT_EQ(cmd.out, flag.out);
    EXPECT_EQ(f.run({"help", "cache", "prune"}).out, f.run({"cache", "prune", "--help"}).out);
    EXPECT_EQ(f.run({"help"}).out, f.run({"--help"}).out);
    auto typo = f.run({"help", "dowload"});
    EXPECT_EQ(typo.exit_code, 2);
    EXPECT_TRUE(contains(typo.err, "did you mean 'download'?")) << typo.err;
}

TEST(CliUsability, EveryCommandsHelpEndsWithExamples) {
    ReleaseFixture f;
    const std::vector<std::vector<std::string>> commands = {{"download"},
                                                            {"update"},
                                                            {"cache"},
                                                            {"cache", "list"},
                                                            {"cache", "verify"},
                                                            {"cache", "clear"},
                                                            {"cache", "prune"},
                                                            {"cache", "path"},
                                                            {"config"},
                                                            {"config", "show"},
                                                            {"flags"},
                                                            {"pkg-config"},
                                                            {"inspect"},
                                                            {"abi-check"},
                                                            {"scan"},
                                                            {"build"},
                                                            {"pack"},
                                                            {"publish"},
                                                            {"mirror"},
                                                            {"lock"},
                                                            {"sign"},
                                                            {"completion"}};
    for (auto args : commands) {
        args.push_back("--help");
        auto r = f.run(args);
        EXPECT_EQ(r.exit_code, 0) << args[0];
        EXPECT_TRUE(contains(r.out, "Examples:\n  ") && contains(r.out, "temporal-libs "))
            << args[0] << (args.size() > 2 ? " " + args[1] : "") << ":\n"
            << r.out;
        // The examples come last, after the exit codes.
        EXPECT_GT(r.out.rfind("Examples:"), r.out.rfind("Exit codes:")) << args[0] << r.out;
    }
    auto mirror = f.run({"mirror", "--help"});
    EXPECT_TRUE(contains(mirror.out, "oci://")) << mirror.out;
}

TEST(CliUsability, JsonErrorObjectOnEveryFailurePath) {
    ReleaseFixture f;
    f.publish();
    // Argument parsing: an unknown flag, a bad enum value, a repeated option.
    expect_error_doc(f.run({"download", "--bogus", "--json"}), 2, "usage", "--bogus");
    expect_error_doc(f.run({"download", "--verify", "paranoid", "--json"}), 2, "usage", "paranoid");
    expect_error_doc(
        f.run({"download", "--platform", "linux-x64", "--platform", "macos-arm64", "--json"}), 2,
        "usage", "platform");
    expect_error_doc(f.run({"downlaod", "--json"}), 2, "usage", "did you mean 'download'?");
    // A command's own failure, in a command that had no JSON error of its own.
    expect_error_doc(f.run({"flags", "--json", "--offline", "--version", "v9.9.9"}), 3, "not_found",
                     "v9.9.9");
    expect_error_doc(f.run({"cache", "path", "--json", "--version", "v9.9.9"}), 3, "not_found",
                     "not installed");
    expect_error_doc(f.run({"download", "--json", "--version", "v9.9.9", "--retries", "1"}), 3,
                     "not_found", "v9.9.9");
    // Without --json, stdout stays empty.
    auto plain = f.run({"download", "--bogus"});
    EXPECT_EQ(plain.exit_code, 2);
    EXPECT_EQ(plain.out, "");
}

TEST(CliUsability, EveryJsonDocumentCarriesFormatVersionAndKeepsItsMembers) {
    ReleaseFixture f;
    f.publish();
    auto d = f.run({"download", "--version", f.version, "--platform", f.platform, "--json"});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    json dj = parse_doc(d);
    EXPECT_EQ(dj["format_version"], 1);
    for (const char* k : {"tag", "version", "platform", "directory", "libraries", "archive",
                          "archive_sha256", "source", "from_cache"}) {
        EXPECT_TRUE(dj.contains(k)) << k;
    }
    auto fl = f.run({"flags", "--json", "--offline", "--version", f.version});
    ASSERT_EQ(fl.exit_code, 0) << fl.err;
    json fj = parse_doc(fl);
    EXPECT_EQ(fj["format_version"], 1);
    for (const char* k : {"tag", "platform", "lib_dir", "include_dir", "libraries", "native_args",
                          "native_args_origin", "cflags", "libs"}) {
        EXPECT_TRUE(fj.contains(k)) << k;
    }
    json cj = parse_doc(f.run({"config", "show", "--json"}));
    EXPECT_EQ(cj["format_version"], 1);
    for (const char* k : {"settings", "project_file", "cache_dir", "platform", "cache_dir_rule"}) {
        EXPECT_TRUE(cj.contains(k)) << k;
    }
    json pj = parse_doc(f.run({"cache", "path", "--json"}));
    EXPECT_EQ(pj["format_version"], 1);
    EXPECT_EQ(pj["path"], f.cache().string());
    json lj = parse_doc(f.run({"cache", "list", "--json"}));
    EXPECT_EQ(lj["format_version"], 1);
    EXPECT_EQ(lj["entries"].size(), 1u);
    json prune = parse_doc(f.run({"cache", "prune", "--keep", "5", "--json"}));
    EXPECT_EQ(prune["format_version"], 1);
    EXPECT_TRUE(prune["removed"].is_array());
}

TEST(CliUsability, EmptyFlagValuesAreRefused) {
    ReleaseFixture f;
    for (const char* flag : {"--version", "--source", "--cache-dir", "--platform"}) {
        auto r = f.run({"download", flag, "", "--json"});
        EXPECT_EQ(r.exit_code, 2) << flag << ": " << r.err;
        EXPECT_TRUE(contains(r.err, "empty value")) << flag << ": " << r.err;
        expect_error_doc(r, 2, "usage", "empty value");
    }
}

TEST(CliUsability, BashCompletesCommandsFlagsAndPlatforms) {
    auto complete = [](const std::string& words, int cword) {
        std::string script = "source <('" + tool_path() +
                             "' completion bash) || exit 9; COMP_WORDS=(" + words +
                             "); COMP_CWORD=" + std::to_string(cword) +
                             "; _temporal_libs; printf '%s\\n' \"${COMPREPLY[@]}\"";
        return run_process({"bash", "-c", script});
    };
    auto dow = complete("temporal-libs dow", 1);
    ASSERT_EQ(dow.exit_code, 0) << dow.err;
    EXPECT_EQ(dow.out, "download\n");
    auto cache = complete("temporal-libs cache pr", 2);
    EXPECT_EQ(cache.out, "prune\n") << cache.err;
    auto flag = complete("temporal-libs download --plat", 2);
    EXPECT_EQ(flag.out, "--platform\n") << flag.err;
    auto value = complete("temporal-libs download --platform linux-a", 3);
    EXPECT_EQ(value.out, "linux-arm64\n") << value.err;
    auto shells = complete("temporal-libs completion z", 2);
    EXPECT_EQ(shells.out, "zsh\n") << shells.err;
}

TEST(CliUsability, ZshAndFishScriptsParse) {
    for (const char* shell : {"zsh", "fish"}) {
        if (run_process({"sh", "-c", std::string("command -v ") + shell}).exit_code != 0) {
            ADD_FAILURE() << shell << " is not installed (scripts/deps/test.txt lists it)";
            continue;
        }
        auto script = run_process({tool_path(), "completion", shell});
        ASSERT_EQ(script.exit_code, 0) << script.err;
        TestDir d;
        write_file(d / "script", script.out);
        auto check = run_process({shell, "-n", (d / "script").string()});
        EXPECT_EQ(check.exit_code, 0) << shell << ": " << check.err;
        EXPECT_TRUE(contains(script.out, "download")) << shell;
    }
    TestDir d;
    auto fish = run_process({tool_path(), "completion", "fish"});
    if (run_process({"sh", "-c", "command -v fish"}).exit_code == 0) {
        // fish itself answers a completion query from the script.
        write_file(d / "c.fish", fish.out);
        auto r = run_process(
            {"fish", "-c",
             "source " + (d / "c.fish").string() + "; complete -C 'temporal-libs dow'"});
        EXPECT_TRUE(contains(r.out, "download")) << r.out << r.err;
    }
}

TEST(CliUsability, ManPageListsEveryCommandFromTheCommandTable) {
    auto man = run_process({tool_path(), "man"});
    ASSERT_EQ(man.exit_code, 0) << man.err;
    EXPECT_TRUE(contains(man.out, ".TH TEMPORAL\\-LIBS 1")) << man.out.substr(0, 200);
    for (const char* cmd :
         {"download", "update", "cache prune", "config show", "mirror", "completion", "scan"}) {
        std::string want = std::string(".SS \"temporal\\-libs ") + cmd + "\"";
        EXPECT_TRUE(contains(man.out, want)) << want;
    }
    EXPECT_TRUE(contains(man.out, "\\-\\-platform")) << "options are listed";
    EXPECT_TRUE(contains(man.out, ".SH EXIT STATUS"));
    EXPECT_TRUE(contains(man.out, "TEMPORAL_LIBS_CACHE_DIR"));
    // The hidden generator does not show in the list of commands.
    auto help = run_process({tool_path(), "--help"});
    EXPECT_FALSE(contains(help.out, "\n  man ")) << help.out;
    EXPECT_TRUE(contains(help.out, "completion")) << help.out;
}

TEST(CliUsability, ClosestMatchFindsTyposOnly) {
    std::vector<std::string> commands = {"download", "update", "cache", "config", "flags", "lock"};
    EXPECT_EQ(cli::closest_match("downlaod", commands), "download");
    EXPECT_EQ(cli::closest_match("dowload", commands), "download");
    EXPECT_EQ(cli::closest_match("updte", commands), "update");
    EXPECT_EQ(cli::closest_match("Cache", commands), "cache");
    EXPECT_EQ(cli::closest_match("xyzzy", commands), std::nullopt);
    EXPECT_EQ(cli::closest_match("publish", commands), std::nullopt);
}

TEST(CliUsability, ProgressAtFortyColumnsKeepsBytesAndPercentNotTheBar) {
    const std::string label = "temporal-static-libs-linux-x64-v1.0.2.tar.gz";
    const std::string bar = "[############............]";
    const std::string figures = "12.0 MiB / 24.0 MiB (50%)";
    const std::string extras = ", 3.0 MiB/s, 4s left";
    std::string wide = util::compose_progress(label, bar, figures, extras, 200);
    EXPECT_EQ(wide, label + " " + bar + " " + figures + extras);
    std::string narrow = util::compose_progress(label, bar, figures, extras, 40);
    EXPECT_LT(narrow.size(), 40u) << narrow;
    EXPECT_TRUE(contains(narrow, figures)) << narrow;
    EXPECT_FALSE(contains(narrow, "#")) << narrow;
    std::string medium = util::compose_progress("libs.tar.gz", bar, figures, extras, 60);
    EXPECT_EQ(medium, "libs.tar.gz " + figures + extras) << "the bar goes first";
    EXPECT_EQ(util::compose_progress(label, bar, figures, extras, 0),
              label + " " + bar + " " + figures + extras);
}

TEST(CliUsability, FallbackCargoOnTheCommandLineSaysItIsNotApplied) {
    ReleaseFixture f;
    f.publish();
    auto r = f.run({"download", "--version", "v9.9.9", "--retries", "1"},
                   {{"TEMPORAL_LIBS_FALLBACK", "cargo"}});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(contains(r.err,
                         "TEMPORAL_LIBS_FALLBACK=cargo applies to build-system "
                         "integration only"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "temporal-libs build --source")) << r.err;
    auto bad = f.run({"download", "--version", "v1.0.2"}, {{"TEMPORAL_LIBS_FALLBACK", "rustup"}});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_TRUE(contains(bad.err, "'fallback' must be none or cargo")) << bad.err;
}

TEST(CliUsability, CmakeInstallPutsTheManPageAndCompletionsWhereShellsLook) {
    // The build directory is the tool's (build/temporal-libs).
    fs::path build = fs::path(tool_path()).parent_path();
    if (!fs::exists(build / "cmake_install.cmake")) {
        GTEST_SKIP() << "no cmake_install.cmake beside " << tool_path();
    }
    TestDir d;
    auto r = run_process({"cmake", "--install", build.string(), "--prefix", d.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto man = run_process({tool_path(), "man"});
    EXPECT_EQ(read_file(d / "share/man/man1/temporal-libs.1"), man.out);
    for (const auto& [file, shell] : std::vector<std::pair<std::string, std::string>>{
             {"share/bash-completion/completions/temporal-libs", "bash"},
             {"share/zsh/site-functions/_temporal-libs", "zsh"},
             {"share/fish/vendor_completions.d/temporal-libs.fish", "fish"}}) {
        EXPECT_EQ(read_file(d / file), run_process({tool_path(), "completion", shell}).out) << file;
    }
}
