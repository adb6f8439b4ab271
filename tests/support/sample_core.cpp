#include "support/sample_core.hpp"

#include <gtest/gtest.h>
#include <sys/utsname.h>

#include "support/test_util.hpp"
#include "tl/util/fs.hpp"

namespace tl::testing {

std::filesystem::path sample_core_dir() {
    return std::filesystem::path(TL_SOURCE_DIR) / "examples" / "sample-core";
}

std::string host_platform() {
    struct utsname u {};
    ::uname(&u);
    std::string machine = u.machine;
    return std::string("linux-") + (machine == "aarch64" || machine == "arm64" ? "arm64" : "x64");
}

std::map<std::string, std::filesystem::path> sample_core_libraries() {
    namespace fs = std::filesystem;
    fs::path target = fs::path(TL_BINARY).parent_path() / "sample-core-target";
    fs::create_directories(target);
    auto lock = util::FileLock::acquire(target / ".build.lock");
    std::map<std::string, fs::path> libs;
    for (const char* crate : {"temporalio-sdk-core", "temporalio-sdk-core-c-bridge",
                              "temporalio-client", "temporalio-sdk", "temporalio-common"}) {
        std::string name = crate;
        for (char& c : name) {
            c = c == '-' ? '_' : c;
        }
        fs::path lib = target / "release" / ("lib" + name + ".a");
        auto r = run_process({"cargo", "rustc", "--offline", "-q", "-p", crate, "--crate-type",
                              "staticlib", "--release"},
                             {{"CARGO_TARGET_DIR", target.string()}}, sample_core_dir());
        if (r.exit_code != 0 || !fs::exists(lib)) {
            ADD_FAILURE() << "cargo could not build " << crate << " (exit " << r.exit_code
                          << "; is cargo installed? scripts/install-deps.sh test installs it): "
                          << r.err;
            return {};
        }
        libs[name] = lib;
    }
    return libs;
}

}  // namespace tl::testing
