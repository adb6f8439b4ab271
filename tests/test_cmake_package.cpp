// The CMake package end to end: examples/cmake-consumer configured, built and
// run with real cmake and Ninja, the libraries downloaded from the fake GitHub
// (with no cargo on PATH), built from source with cargo (USE_PREBUILT_LIBS=OFF),
// or built from source because the server is down and the fallback says so.

#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>
#include <sstream>

#include "support/release_fixture.hpp"
#include "support/sample_core.hpp"
#include "tl/trust/lockfile.hpp"
#include "tl/util/sha256.hpp"

using namespace tl;
using namespace tl::testing;

namespace {

// CMake wraps message() text at 80 columns: compare with runs of white space
// folded into one space. curl's own words carry a time ("after 15 ms") that
// differs between two runs of the same failure: it is folded too.
std::string folded(const std::string& text) {
    std::string one_space = std::regex_replace(text, std::regex(R"(\s+)"), " ");
    return std::regex_replace(one_space, std::regex(R"(after [0-9]+ ms)"), "after N ms");
}

bool is_rust_tool(const std::string& name) {
    return name == "cargo" || name == "rustc" || name == "rustup" || name == "rustdoc" ||
           name.rfind("cargo-", 0) == 0;
}

// A directory of symlinks to every program on PATH (first one wins, as PATH
// would pick it) except the Rust toolchain and temporal-libs: a PATH on which cargo does not exist
// even where it is installed in /usr/bin next to cmake and the compilers.
fs::path path_without_cargo(const fs::path& dir) {
    fs::create_directories(dir);
    std::stringstream path(std::getenv("PATH") != nullptr ? std::getenv("PATH") : "");
    std::string entry;
    std::error_code ec;
    while (std::getline(path, entry, ':')) {
        if (entry.empty() || !fs::is_directory(entry, ec)) {
            continue;
        }
        for (const auto& file : fs::directory_iterator(entry, ec)) {
            std::string name = file.path().filename().string();
            // temporal-libs too: the package must use the tool it is given or builds.
            if (is_rust_tool(name) || name == "temporal-libs" ||
                fs::exists(fs::symlink_status(dir / name))) {
                continue;
            }
            if (::access(file.path().c_str(), X_OK) == 0 && !fs::is_directory(file.path(), ec)) {
                fs::create_symlink(file.path(), dir / name, ec);
            }
        }
    }
    return dir;
}

// A fake GitHub release holding the sample core libraries built with cargo.
struct SampleRelease : ReleaseFixture {
    SampleRelease() {
        platform = host_platform();
        archive_name = "temporal-static-libs-" + platform + "-" + version + ".tar.gz";
        libs.clear();
        for (const auto& [name, path] : sample_core_libraries()) {
            libs[name] = read_file(path);
        }
        fs::path archive = make_workflow_release(dir / "sample", archive_name, libs);
        archive_bytes = read_file(archive);
        checksum_text = read_file(archive.string() + ".sha256");
        publish();
    }
};

// The consumer example in its own build directory, run with an environment
// like a developer's: the fake API, a private cache, no tokens or proxies.
struct Consumer {
    const ReleaseFixture& f;
    fs::path build;
    std::map<std::string, std::string> env;

    Consumer(const ReleaseFixture& fixture, std::string api_url) : f(fixture) {
        build = f.dir / "consumer-build";
        env = tool_env_reset(f.dir / "xdg");
        env["TEMPORAL_LIBS_API_URL"] = api_url;
        env["TEMPORAL_LIBS_CACHE_DIR"] = f.cache().string();
        env["TEMPORAL_LIBS_RETRIES"] = "1";
        // One cargo target directory per build tree, shared by the tests.
        env["CARGO_TARGET_DIR"] =
            (fs::path(TL_BINARY).parent_path() / "cmake-consumer-target").string();
    }

    // Where the consumer's sources are (a copy elsewhere has a project file of its own).
    fs::path source = fs::path(TL_SOURCE_DIR) / "examples" / "cmake-consumer";

    ProcessResult configure() const {
        return run_process({"cmake", "-S", source.string(), "-B", build.string(), "-G", "Ninja",
                            "-DTemporalLibs_DIR=" + (fs::path(TL_SOURCE_DIR) / "cmake").string(),
                            "-DTEMPORAL_LIBS_EXECUTABLE=" + std::string(TL_BINARY),
                            "-DTEMPORAL_LIBS_VERSION=" + f.version,
                            "-DSAMPLE_CORE_DIR=" + sample_core_dir().string()},
                           env, f.dir.path());
    }
    ProcessResult build_and_run() const {
        auto b = run_process({"cmake", "--build", build.string()}, env, f.dir.path());
        if (b.exit_code != 0) {
            return b;
        }
        return run_process({(build / "consumer").string()}, env, f.dir.path());
    }
};

const char* k_expected_output = "c++ consumer of sample-core 0.1.0: add=42 greet='hello, temporal'";

// An API URL on which nothing listens: a port taken and released at once.
std::string dead_api_url() {
    FakeGitHub gone;
    return gone.api_url();
}

}  // namespace

TEST(CMakePackage, PrebuiltFromTheReleaseWithoutCargoOnPath) {
    SampleRelease f;
    ASSERT_EQ(f.libs.size(), 5u);
    Consumer c(f, f.github.api_url());
    c.env["PATH"] = path_without_cargo(f.dir / "path").string();
    auto which = run_process({"sh", "-c", "command -v cargo rustc"}, c.env);
    ASSERT_NE(which.exit_code, 0) << "cargo is still on PATH: " << which.out;

    auto conf = c.configure();
    ASSERT_EQ(conf.exit_code, 0) << conf.out << conf.err;
    EXPECT_TRUE(contains(conf.out, "downloaded " + f.tag + " for " + f.platform)) << conf.out;
    EXPECT_TRUE(contains(conf.out, "Temporal's core is prebuilt (" + f.entry().string() + ")"))
        << conf.out;
    auto run = c.build_and_run();
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_TRUE(contains(run.out, k_expected_output)) << run.out;

    // Re-configuring with the warm cache asks the server nothing.
    std::size_t downloads = f.archive_downloads();
    auto again = c.configure();
    ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_TRUE(contains(again.out, "from the cache")) << again.out;
    EXPECT_EQ(f.archive_downloads(), downloads);
}

TEST(CMakePackage, UsePrebuiltLibsOffBuildsFromSourceWithCargo) {
    ReleaseFixture f;  // nothing published: the server must not be needed
    Consumer c(f, dead_api_url());
    c.env["USE_PREBUILT_LIBS"] = "OFF";
    auto conf = c.configure();
    ASSERT_EQ(conf.exit_code, 0) << conf.out << conf.err;
    EXPECT_TRUE(contains(conf.out, "USE_PREBUILT_LIBS is OFF; building from source")) << conf.out;
    EXPECT_TRUE(contains(conf.out, "Temporal's core is source")) << conf.out;
    auto run = c.build_and_run();
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_TRUE(contains(run.out, k_expected_output)) << run.out;
    EXPECT_FALSE(fs::exists(f.cache() / f.tag));
}

TEST(CMakePackage, ServerDownWithoutFallbackFailsWithTheClientsMessage) {
    ReleaseFixture f;
    std::string api = dead_api_url();
    Consumer c(f, api);
    auto conf = c.configure();
    EXPECT_NE(conf.exit_code, 0) << conf.out;
    // The client's own words, as `temporal-libs download` prints them.
    auto direct = run_process({TL_BINARY, "download", "--version", f.version}, c.env, f.dir.path());
    ASSERT_NE(direct.exit_code, 0);
    std::string message = direct.err.substr(direct.err.find("error: ") + 7);
    message = message.substr(0, message.find(" (after"));
    EXPECT_TRUE(contains(folded(conf.err), folded(message)))
        << "client: " << message << "\ncmake: " << conf.err;
    EXPECT_TRUE(contains(folded(conf.err), "prebuilt libraries unavailable")) << conf.err;
    EXPECT_TRUE(contains(folded(conf.err), "TEMPORAL_LIBS_FALLBACK=cargo")) << conf.err;
    EXPECT_FALSE(contains(conf.out + conf.err, "building from source")) << conf.out;
}

TEST(CMakePackage, ServerDownWithFallbackBuildsFromSourceAndSaysWhy) {
    ReleaseFixture f;
    Consumer c(f, dead_api_url());
    c.env["TEMPORAL_LIBS_FALLBACK"] = "cargo";
    auto conf = c.configure();
    ASSERT_EQ(conf.exit_code, 0) << conf.out << conf.err;
    std::string warning = folded(conf.err);
    EXPECT_TRUE(contains(warning, "prebuilt libraries unavailable (cannot connect to")) << warning;
    EXPECT_TRUE(contains(warning, "building from source with cargo because fallback is 'cargo'"))
        << warning;
    EXPECT_TRUE(contains(warning, "environment (TEMPORAL_LIBS_FALLBACK)")) << warning;
    auto run = c.build_and_run();
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_TRUE(contains(run.out, k_expected_output)) << run.out;
}

TEST(CMakePackage, FallbackFromTheProjectFile) {
    ReleaseFixture f;
    Consumer c(f, dead_api_url());
    // A copy of the consumer with a temporal-libs.toml beside it: the tool finds
    // it by walking up from the consumer's source directory.
    c.source = f.dir / "project" / "consumer";
    fs::create_directories(c.source);
    for (const char* file : {"CMakeLists.txt", "main.cpp"}) {
        fs::copy_file(fs::path(TL_SOURCE_DIR) / "examples" / "cmake-consumer" / file,
                      c.source / file);
    }
    write_file(f.dir / "project" / "temporal-libs.toml", "fallback = \"cargo\"\n");
    auto conf = c.configure();
    ASSERT_EQ(conf.exit_code, 0) << conf.out << conf.err;
    EXPECT_TRUE(contains(folded(conf.err), "fallback is 'cargo' in the project file (" +
                                               (f.dir / "project" / "temporal-libs.toml").string()))
        << conf.err;
    auto run = c.build_and_run();
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_TRUE(contains(run.out, k_expected_output)) << run.out;
}

TEST(CMakePackage, IntegrityFailureNeverFallsBackToCargo) {
    SampleRelease f;
    Consumer c(f, f.github.api_url());
    c.env["TEMPORAL_LIBS_FALLBACK"] = "cargo";
    // A project whose lockfile pins another archive than the release now has.
    c.source = f.dir / "project" / "consumer";
    fs::create_directories(c.source);
    for (const char* file : {"CMakeLists.txt", "main.cpp"}) {
        fs::copy_file(fs::path(TL_SOURCE_DIR) / "examples" / "cmake-consumer" / file,
                      c.source / file);
    }
    write_file(f.dir / "project" / "temporal-libs.toml", "# project\n");
    trust::LockEntry pin;
    pin.tag = f.tag;
    pin.platform = f.platform;
    pin.archive = f.archive_name;
    pin.archive_sha256 = util::sha256_hex("the reviewed archive");
    pin.source = "github:proompteng/lab";
    pin.first_seen = "2026-01-01T00:00:00Z";
    trust::Lockfile lock;
    lock.put(pin);
    write_file(f.dir / "project" / "temporal-libs.lock", lock.serialize());

    auto conf = c.configure();
    EXPECT_NE(conf.exit_code, 0) << conf.out << conf.err;
    std::string err = folded(conf.err);
    EXPECT_TRUE(contains(err, "changed since it was locked")) << conf.err;
    EXPECT_TRUE(contains(err, "TEMPORAL_LIBS_FALLBACK does not apply")) << conf.err;
    EXPECT_FALSE(contains(conf.out + conf.err, "building from source")) << conf.out;
}

namespace {

// A copy of the consumer under `dir` (so that nothing is written into the
// repository and a project file or lockfile can sit beside it).
fs::path copy_consumer(const fs::path& dir) {
    fs::create_directories(dir);
    for (const char* file : {"CMakeLists.txt", "main.cpp"}) {
        fs::copy_file(fs::path(TL_SOURCE_DIR) / "examples" / "cmake-consumer" / file, dir / file);
    }
    return dir;
}

// A release of the sample core whose archive holds only `names`.
struct PartialRelease : ReleaseFixture {
    explicit PartialRelease(const std::vector<std::string>& names) {
        platform = host_platform();
        archive_name = "temporal-static-libs-" + platform + "-" + version + ".tar.gz";
        libs.clear();
        for (const auto& [name, path] : sample_core_libraries()) {
            if (std::find(names.begin(), names.end(), name) != names.end()) {
                libs[name] = read_file(path);
            }
        }
        fs::path archive = make_workflow_release(dir / "sample", archive_name, libs);
        archive_bytes = read_file(archive);
        checksum_text = read_file(archive.string() + ".sha256");
        publish();
    }
};

}  // namespace

TEST(CMakePackage, LibrariesIsTheSetTheReleaseMustHold) {
    // The consumer links only the bridge (LIBRARIES temporalio_sdk_core_c_bridge):
    // a release of the bridge alone is enough.
    PartialRelease f({"temporalio_sdk_core_c_bridge"});
    ASSERT_EQ(f.libs.size(), 1u);
    Consumer c(f, f.github.api_url());
    auto conf = c.configure();
    ASSERT_EQ(conf.exit_code, 0) << conf.out << conf.err;
    auto run = c.build_and_run();
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_TRUE(contains(run.out, k_expected_output)) << run.out;
}

TEST(CMakePackage, AMissingLibraryIsReportedAsMissingNotAsAnIntegrityFailure) {
    PartialRelease f({"temporalio_common"});
    Consumer c(f, f.github.api_url());
    auto conf = c.configure();
    EXPECT_NE(conf.exit_code, 0) << conf.out;
    std::string err = folded(conf.err);
    EXPECT_TRUE(contains(err, "release '" + f.tag + "' for " + f.platform +
                                  " has no library 'libtemporalio_sdk_core_c_bridge.a'"))
        << conf.err;
    EXPECT_TRUE(contains(err, "holds 'libtemporalio_common.a'")) << conf.err;
    EXPECT_FALSE(contains(err, "integrity")) << conf.err;
    EXPECT_FALSE(fs::exists(f.entry())) << "nothing is installed";

    // The tool says the same, with exit 3 (not found), not 5 (integrity).
    auto direct = f.run({"download", "--version", f.version, "--platform", f.platform,
                         "--libraries", "temporalio_common,temporalio_sdk_core_c_bridge"});
    EXPECT_EQ(direct.exit_code, 3) << direct.err;
    EXPECT_TRUE(contains(direct.err, "has no library 'libtemporalio_sdk_core_c_bridge.a'"))
        << direct.err;
    auto fine = f.run({"download", "--version", f.version, "--platform", f.platform, "--libraries",
                       "temporalio_common"});
    EXPECT_EQ(fine.exit_code, 0) << fine.err;
}

TEST(CMakePackage, CacheGoesToTheBuildTreeUnlessTheProjectChoseOne) {
    SampleRelease f;
    Consumer c(f, f.github.api_url());
    c.env["TEMPORAL_LIBS_CACHE_DIR"] = "";  // unset: nothing chose a cache
    c.env["XDG_CACHE_HOME"] = (f.dir / "xdg-cache").string();
    // A git work tree is a project to the tool, whose default cache would be
    // .temporal-libs-cache in the source tree; the package moves it to the
    // build tree since the project did not choose it.
    c.source = copy_consumer(f.dir / "plain" / "consumer");
    fs::create_directories(c.source / ".git");
    auto conf = c.configure();
    ASSERT_EQ(conf.exit_code, 0) << conf.out << conf.err;
    const fs::path build_cache = c.build / "temporal-libs-cache";
    EXPECT_TRUE(contains(folded(conf.out),
                         "temporal-libs: cache '" + build_cache.string() + "' (in the build tree"))
        << conf.out;
    EXPECT_TRUE(fs::exists(build_cache / f.tag / f.platform / "libtemporalio_sdk_core_c_bridge.a"));
    EXPECT_FALSE(fs::exists(c.source / ".temporal-libs-cache"));
    EXPECT_FALSE(fs::exists(c.source / "temporal-libs.lock"));
    auto run = c.build_and_run();
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

    // Outside any project the tool's default is the user cache, which is no
    // source tree: the package keeps it and says so.
    Consumer u(f, f.github.api_url());
    u.env = c.env;
    u.build = f.dir / "user-build";
    u.source = copy_consumer(f.dir / "loose" / "consumer");
    auto uconf = u.configure();
    ASSERT_EQ(uconf.exit_code, 0) << uconf.out << uconf.err;
    const fs::path user_cache = f.dir / "xdg-cache" / "temporal-libs";
    EXPECT_TRUE(contains(folded(uconf.out),
                         "temporal-libs: cache '" + user_cache.string() + "' (the user cache"))
        << uconf.out;
    EXPECT_TRUE(fs::exists(user_cache / f.tag / f.platform / "libtemporalio_sdk_core_c_bridge.a"));
    EXPECT_FALSE(fs::exists(u.source / ".temporal-libs-cache"));

    // A project that chose temporal-libs (a temporal-libs.toml) keeps the
    // contract's cache beside it, and the output says why.
    Consumer p(f, f.github.api_url());
    p.env = c.env;
    p.build = f.dir / "project-build";
    p.source = copy_consumer(f.dir / "project" / "consumer");
    write_file(f.dir / "project" / "temporal-libs.toml", "# this project uses temporal-libs\n");
    auto pconf = p.configure();
    ASSERT_EQ(pconf.exit_code, 0) << pconf.out << pconf.err;
    const fs::path project_cache = f.dir / "project" / ".temporal-libs-cache";
    EXPECT_TRUE(
        contains(folded(pconf.out), "temporal-libs: cache '" + project_cache.string() +
                                        "' (the project's, chosen by '" +
                                        (f.dir / "project" / "temporal-libs.toml").string() + "')"))
        << pconf.out;
    EXPECT_TRUE(fs::exists(project_cache / f.tag / f.platform));
}

TEST(CMakePackage, BuildRefetchesAfterCacheClearOrSaysWhatToRun) {
    SampleRelease f;
    Consumer c(f, f.github.api_url());
    auto conf = c.configure();
    ASSERT_EQ(conf.exit_code, 0) << conf.out << conf.err;
    auto run = c.build_and_run();
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    std::size_t downloads = f.archive_downloads();

    // `cache clear` under a configured build: the build downloads the pinned
    // release again instead of ninja's "missing and no known rule".
    auto clear = run_process({TL_BINARY, "cache", "clear", "--all"}, c.env, f.dir.path());
    ASSERT_EQ(clear.exit_code, 0) << clear.err;
    ASSERT_FALSE(fs::exists(f.entry()));
    auto rebuilt = run_process({"cmake", "--build", c.build.string()}, c.env, f.dir.path());
    ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.out << rebuilt.err;
    EXPECT_TRUE(contains(folded(rebuilt.out), "missing from the cache; downloading again"))
        << rebuilt.out;
    auto again = run_process({(c.build / "consumer").string()}, c.env, f.dir.path());
    ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_TRUE(contains(again.out, k_expected_output)) << again.out;
    EXPECT_EQ(f.archive_downloads(), downloads + 1);
    EXPECT_TRUE(fs::exists(f.entry() / "libtemporalio_sdk_core_c_bridge.a"));

    // Cleared again with the server gone: the build stops with the tool's
    // message and the command to run.
    clear = run_process({TL_BINARY, "cache", "clear", "--all"}, c.env, f.dir.path());
    ASSERT_EQ(clear.exit_code, 0) << clear.err;
    Consumer offline = c;
    offline.env["TEMPORAL_LIBS_API_URL"] = dead_api_url();
    auto b = run_process({"cmake", "--build", c.build.string()}, offline.env, f.dir.path());
    EXPECT_NE(b.exit_code, 0) << b.out;
    std::string all = folded(b.out + b.err);
    EXPECT_TRUE(contains(all, "cannot connect to")) << all;
    EXPECT_TRUE(contains(all, "downloading them again failed")) << all;
    EXPECT_TRUE(contains(all, "run 'temporal-libs download --version " + f.tag)) << all;
    EXPECT_FALSE(contains(all, "missing and no known rule")) << all;
}

TEST(CMakePackage, FetchContentOfASourceTreeBuildsTheToolFirst) {
    SampleRelease f;
    // A source tree laid out like this repository (cmake/ with the package,
    // CMakeLists.txt, src/main.cpp) whose "tool" is a small program handing
    // its arguments to the real one: building it is what the package must do
    // before temporal_libs_fetch can run, and it must ask for no tests.
    fs::path repo = f.dir / "temporal-libs-src";
    fs::create_directories(repo / "cmake");
    fs::copy_file(fs::path(TL_SOURCE_DIR) / "cmake" / "TemporalLibsConfig.cmake",
                  repo / "cmake" / "TemporalLibsConfig.cmake");
    write_file(repo / "CMakeLists.txt",
               "cmake_minimum_required(VERSION 3.19)\n"
               "project(temporal-libs LANGUAGES CXX)\n"
               "if(TL_BUILD_TESTS OR TL_BUILD_BENCH)\n"
               "  message(FATAL_ERROR \"the tool's tests were asked for\")\n"
               "endif()\n"
               "add_executable(temporal-libs src/main.cpp)\n"
               "target_compile_definitions(temporal-libs PRIVATE TOOL=\"" +
                   std::string(TL_BINARY) +
                   "\")\n"
                   "set_target_properties(temporal-libs PROPERTIES RUNTIME_OUTPUT_DIRECTORY "
                   "\"${CMAKE_BINARY_DIR}\")\n");
    write_file(repo / "src" / "main.cpp",
               "#include <unistd.h>\n"
               "int main(int, char** argv) { execv(TOOL, argv); return 127; }\n");

    Consumer c(f, f.github.api_url());
    c.source = copy_consumer(f.dir / "app");
    write_file(c.source / "CMakeLists.txt",
               "cmake_minimum_required(VERSION 3.19)\n"
               "project(app LANGUAGES C CXX)\n"
               "set(CMAKE_CXX_STANDARD 17)\n"
               "include(FetchContent)\n"
               "FetchContent_Declare(temporal_libs SOURCE_DIR \"" +
                   repo.string() +
                   "\" SOURCE_SUBDIR cmake)\n"
                   "FetchContent_MakeAvailable(temporal_libs)\n"
                   "find_package(TemporalLibs REQUIRED PATHS \"${temporal_libs_SOURCE_DIR}/cmake\" "
                   "NO_DEFAULT_PATH)\n"
                   "temporal_libs_fetch(VERSION \"${TEMPORAL_LIBS_VERSION}\" LIBRARIES "
                   "temporalio_sdk_core_c_bridge HEADER_DIR \"${SAMPLE_CORE_DIR}/include\")\n"
                   "add_executable(consumer main.cpp)\n"
                   "target_link_libraries(consumer PRIVATE TemporalLibs::TemporalLibs)\n");
    // No tool given and none on PATH: the package must build its own.
    c.env["PATH"] = path_without_cargo(f.dir / "path").string();
    auto conf = run_process(
        {"cmake", "-S", c.source.string(), "-B", c.build.string(), "-G", "Ninja",
         "-DTEMPORAL_LIBS_VERSION=" + f.version, "-DSAMPLE_CORE_DIR=" + sample_core_dir().string()},
        c.env, f.dir.path());
    ASSERT_EQ(conf.exit_code, 0) << conf.out << conf.err;
    const fs::path tool_dir = c.build / "_temporal-libs-tool";
    EXPECT_TRUE(contains(folded(conf.out), "temporal-libs: building the tool from '" +
                                               repo.string() + "' into '" + tool_dir.string()))
        << conf.out;
    EXPECT_TRUE(fs::exists(tool_dir / "temporal-libs"));
    EXPECT_TRUE(contains(conf.out, "downloaded " + f.tag)) << conf.out;
    auto run = c.build_and_run();
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_TRUE(contains(run.out, k_expected_output)) << run.out;

    // Re-configuring reuses the tool it built.
    auto again = run_process({"cmake", c.build.string()}, c.env, f.dir.path());
    ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_FALSE(contains(again.out, "building the tool")) << again.out;
}

TEST(CMakePackage, TwoFetchesForOnePlatformEachCheckTheirLibraries) {
    SampleRelease f;
    Consumer c(f, f.github.api_url());
    c.source = copy_consumer(f.dir / "app");
    write_file(
        c.source / "CMakeLists.txt",
        "cmake_minimum_required(VERSION 3.19)\n"
        "project(app LANGUAGES C CXX)\n"
        "set(CMAKE_CXX_STANDARD 17)\n"
        "find_package(TemporalLibs REQUIRED)\n"
        "temporal_libs_fetch(VERSION \"${TEMPORAL_LIBS_VERSION}\" LIBRARIES temporalio_common)\n"
        "temporal_libs_fetch(VERSION \"${TEMPORAL_LIBS_VERSION}\" LIBRARIES "
        "temporalio_sdk_core_c_bridge HEADER_DIR \"${SAMPLE_CORE_DIR}/include\")\n"
        "add_executable(consumer main.cpp)\n"
        "target_link_libraries(consumer PRIVATE TemporalLibs::temporalio_sdk_core_c_bridge)\n");
    auto conf = c.configure();
    ASSERT_EQ(conf.exit_code, 0) << conf.out << conf.err;
    auto run = c.build_and_run();
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    auto clear = run_process({TL_BINARY, "cache", "clear", "--all"}, c.env, f.dir.path());
    ASSERT_EQ(clear.exit_code, 0) << clear.err;
    auto again = c.build_and_run();
    ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_TRUE(contains(again.out, k_expected_output)) << again.out;
}
