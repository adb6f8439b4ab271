#pragma once

// Helpers shared by the tests: a fresh directory per test (kept when the test
// fails), running the real temporal-libs binary, small file utilities.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tl::testing {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir for one test; removed when the
// test passes, kept (and its path printed) when it fails.
class TestDir {
public:
    TestDir();
    ~TestDir();
    TestDir(const TestDir&) = delete;
    TestDir& operator=(const TestDir&) = delete;
    const fs::path& path() const { return m_path; }
    fs::path operator/(const std::string& rel) const { return m_path / rel; }

private:
    fs::path m_path;
};

// What a finished process left behind.
struct ProcessResult {
    int exit_code = -1;  // exit status, or 128 + signal number
    std::string out;     // standard output
    std::string err;     // standard error
};

// Runs `argv` with extra environment variables (an empty value unsets one),
// standard input from /dev/null, and waits for it.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {},
                          const fs::path& cwd = {});

// The environment a test runs the tool in, before the test's own variables:
// every configuration key's variable (config::keys()) unset, and the others
// the tool takes from its caller (GITHUB_TOKEN and GH_TOKEN, FORCE_PLATFORM and
// FORCE_ARCH, the proxies, USE_PREBUILT_LIBS) too; the user configuration is
// read from `xdg_config_home`. For run_process, whose empty values unset.
std::map<std::string, std::string> tool_env_reset(const fs::path& xdg_config_home);

// Starts `argv` without waiting: standard output and error go to `log` (appended),
// standard input is /dev/null. Returns the process id; wait with wait_process().
int spawn_process(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env, const fs::path& cwd,
                  const fs::path& log);

// Waits for a spawned process; returns its exit code, or 128 + signal number.
int wait_process(int pid);

// Path of the built temporal-libs executable.
std::string tool_path();

// The `run:` script of the step of the repository's action.yml with this id
// (read with PyYAML); a test failure when there is none.
std::string action_step_script(const std::string& id);

// The shell of the repository Dockerfile's RUN instruction whose first line
// starts with `first`, continuation lines joined as Docker joins them,
// --mount lines and the RUN keyword dropped.
std::string dockerfile_run(const std::string& first);

// Writes a file, creating parent directories.
void write_file(const fs::path& path, const std::string& content);
// Reads a whole file (empty string when missing).
std::string read_file(const fs::path& path);

// A TCP port on 127.0.0.1 the kernel just handed out and released: free
// unless someone races us. Throws when none can be had.
int free_port();

// Whether `needle` occurs in `haystack` (for checking messages).
inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace tl::testing
