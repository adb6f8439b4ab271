#include "support/test_util.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tl/config/config.hpp"
#include "tl/util/fs.hpp"

extern char** environ;

namespace tl::testing {

TestDir::TestDir() {
    std::string tmpl = (fs::temp_directory_path() / "tl-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    m_path = tmpl;
}

TestDir::~TestDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    if (info != nullptr && info->result() != nullptr && info->result()->Failed()) {
        std::fprintf(stderr, "test directory kept: %s\n", m_path.c_str());
        return;
    }
    util::remove_tree(m_path);
}

namespace {

// In a forked child: applies the environment and working directory, then execs.
[[noreturn]] void exec_child(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env, const fs::path& cwd) {
    for (const auto& [k, v] : env) {
        if (v.empty()) {
            ::unsetenv(k.c_str());
        } else {
            ::setenv(k.c_str(), v.c_str(), 1);
        }
    }
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
        ::_exit(126);
    }
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
}

}  // namespace

std::map<std::string, std::string> tool_env_reset(const fs::path& xdg_config_home) {
    std::map<std::string, std::string> env;
    for (const config::KeyInfo& key : config::keys()) {
        if (key.env != nullptr)
            env[key.env] = "";
    }
    for (const char* name :
         {"GITHUB_TOKEN", "GH_TOKEN", "FORCE_PLATFORM", "FORCE_ARCH", "HTTPS_PROXY", "https_proxy",
          "HTTP_PROXY", "http_proxy", "USE_PREBUILT_LIBS"}) {
        env[name] = "";
    }
    env["XDG_CONFIG_HOME"] = xdg_config_home.string();
    return env;
}

int spawn_process(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env, const fs::path& cwd,
                  const fs::path& log) {
    pid_t pid = ::fork();
    if (pid == 0) {
        // Servers started by a test die with it, even when it is killed.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        exec_child(argv, env, cwd);
    }
    return pid;
}

int wait_process(int pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string tool_path() {
    return TL_BINARY;
}

std::string action_step_script(const std::string& id) {
    auto r = run_process({"python3", "-c",
                          "import sys, yaml\n"
                          "steps = yaml.safe_load(open(sys.argv[1]))['runs']['steps']\n"
                          "print(next(s['run'] for s in steps if s.get('id') == sys.argv[2]))\n",
                          (fs::path(TL_SOURCE_DIR) / "action.yml").string(), id});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

// The shell of the Dockerfile's RUN instruction whose first line starts with
// `first`, continuation lines joined as Docker joins them, --mount lines and
// the RUN keyword dropped.
std::string dockerfile_run(const std::string& first) {
    std::istringstream in(read_file(fs::path(TL_SOURCE_DIR) / "Dockerfile"));
    std::string line;
    std::string script;
    bool inside = false;
    while (std::getline(in, line)) {
        if (!inside && line.rfind(first, 0) == 0) {
            inside = true;
        }
        if (!inside) {
            continue;
        }
        bool more = !line.empty() && line.back() == '\\';
        if (more) {
            line.pop_back();
        }
        if (line.rfind("RUN ", 0) == 0) {
            line = line.substr(4);
        }
        if (!contains(line, "--mount=")) {
            script += line;
        }
        if (!more) {
            break;
        }
    }
    return script;
}

ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env, const fs::path& cwd) {
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) {
        throw std::runtime_error("pipe failed");
    }
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        exec_child(argv, env, cwd);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    ProcessResult r;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_count = 2;
    char buf[65536];
    while (open_count > 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
                if (n <= 0) {
                    ::close(fds[i].fd);
                    fds[i].fd = -1;
                    --open_count;
                } else {
                    (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
                }
            }
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

void write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << content;
}

std::string read_file(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        throw std::runtime_error("cannot find a free port on 127.0.0.1");
    }
    int port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

}  // namespace tl::testing
