#include "tl/util/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "tl/util/fs.hpp"
#include "tl/util/strings.hpp"

namespace tl::util {

namespace {

// The child's environment: ours with the command's changes applied.
std::vector<std::string> child_environment(
    const std::map<std::string, std::optional<std::string>>& changes) {
    std::vector<std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string_view entry(*e);
        std::string name(entry.substr(0, entry.find('=')));
        if (changes.find(name) == changes.end()) {
            out.emplace_back(entry);
        }
    }
    for (const auto& [name, value] : changes) {
        if (value) {
            out.push_back(name + "=" + *value);
        }
    }
    return out;
}

class SpawnActions {
public:
    SpawnActions() { ::posix_spawn_file_actions_init(&m_actions); }
    ~SpawnActions() { ::posix_spawn_file_actions_destroy(&m_actions); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    posix_spawn_file_actions_t* get() { return &m_actions; }

private:
    posix_spawn_file_actions_t m_actions;
};

Result<void> make_pipe(int fds[2]) {
    if (::pipe(fds) != 0) {
        return fail(ErrorKind::filesystem,
                    std::string("cannot create a pipe: ") + std::strerror(errno));
    }
    ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return {};
}

}  // namespace

std::optional<std::filesystem::path> find_program(std::string_view name) {
    if (name.find('/') != std::string_view::npos) {
        std::filesystem::path p(name);
        return ::access(p.c_str(), X_OK) == 0 ? std::optional(p) : std::nullopt;
    }
    const char* path = std::getenv("PATH");
    for (const auto& dir : split(path != nullptr ? path : "/usr/bin:/bin", ':')) {
        std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return std::nullopt;
}

std::string shell_join(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& arg : argv) {
        if (!out.empty()) {
            out += ' ';
        }
        bool plain = !arg.empty() && arg.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789-_./=:,+@%") == std::string::npos;
        if (plain) {
            out += arg;
            continue;
        }
        out += '\'';
        for (char c : arg) {
            if (c == '\'') {
                out += "'\\''";
            } else {
                out += c;
            }
        }
        out += '\'';
    }
    return out;
}

Result<CommandResult> run_command(const Command& command) {
    if (command.argv.empty()) {
        return fail(ErrorKind::internal, "run_command: no program given");
    }
    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    TL_TRY(make_pipe(out_pipe));
    UniqueFd out_read(out_pipe[0]);
    UniqueFd out_write(out_pipe[1]);
    UniqueFd err_read;
    UniqueFd err_write;
    bool capture_err = static_cast<bool>(command.on_stderr_line);
    if (capture_err) {
        TL_TRY(make_pipe(err_pipe));
        err_read.reset(err_pipe[0]);
        err_write.reset(err_pipe[1]);
    }

    SpawnActions actions;
    ::posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_adddup2(actions.get(), out_write.get(), 1);
    if (capture_err) {
        ::posix_spawn_file_actions_adddup2(actions.get(), err_write.get(), 2);
    }
    if (!command.cwd.empty()) {
        ::posix_spawn_file_actions_addchdir_np(actions.get(), command.cwd.c_str());
    }
    std::vector<char*> args;
    for (const auto& a : command.argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    std::vector<std::string> env_strings = child_environment(command.env);
    std::vector<char*> envp;
    for (auto& e : env_strings) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);

    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, args[0], actions.get(), nullptr, args.data(), envp.data());
    if (rc != 0) {
        std::string what = tl::util::quoted(command.argv[0]);
        if (rc == ENOENT) {
            return fail(ErrorKind::not_found,
                        "cannot run " + what + ": " +
                            (command.cwd.empty() || std::filesystem::is_directory(command.cwd)
                                 ? "no such program"
                                 : "no directory " + tl::util::quoted(command.cwd.string())));
        }
        return fail(rc == EACCES ? ErrorKind::not_found : ErrorKind::filesystem,
                    "cannot run " + what + ": " + std::strerror(rc));
    }
    out_write.reset();
    err_write.reset();

    CommandResult result;
    std::string err_line;
    std::vector<pollfd> fds;
    auto deliver_err = [&](bool flush) {
        std::size_t nl;
        while ((nl = err_line.find('\n')) != std::string::npos) {
            std::string_view line(err_line.data(), nl);
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            command.on_stderr_line(line);
            err_line.erase(0, nl + 1);
        }
        if (flush && !err_line.empty()) {
            command.on_stderr_line(err_line);
            err_line.clear();
        }
    };
    bool out_open = true;
    bool err_open = capture_err;
    char buf[16384];
    while (out_open || err_open) {
        fds.clear();
        if (out_open) {
            fds.push_back({out_read.get(), POLLIN, 0});
        }
        if (err_open) {
            fds.push_back({err_read.get(), POLLIN, 0});
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        for (const auto& p : fds) {
            if ((p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            ssize_t n = ::read(p.fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            bool is_out = p.fd == out_read.get();
            if (n <= 0) {
                (is_out ? out_open : err_open) = false;
                continue;
            }
            if (is_out) {
                result.out.append(buf, static_cast<std::size_t>(n));
            } else {
                err_line.append(buf, static_cast<std::size_t>(n));
                deliver_err(false);
            }
        }
    }
    if (capture_err) {
        deliver_err(true);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return fail(ErrorKind::internal, "cannot wait for " +
                                                 tl::util::quoted(command.argv[0]) + ": " +
                                                 std::strerror(errno));
        }
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

}  // namespace tl::util
