#include "support/registry.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <httplib.h>

#include "support/test_util.hpp"

namespace tl::testing {

namespace fs = std::filesystem;

bool DockerRegistry::available() {
    return fs::exists("/usr/bin/docker-registry");
}

DockerRegistry::DockerRegistry(const fs::path& dir, RegistryOptions options) : m_dir(dir) {
    fs::create_directories(m_dir);
    m_log = m_dir / "registry.log";
    std::string auth;
    if (!options.username.empty()) {
        ProcessResult h = run_process({"htpasswd", "-Bbn", options.username, options.password});
        if (h.exit_code != 0) {
            throw std::runtime_error("htpasswd failed: " + h.err);
        }
        write_file(m_dir / "htpasswd", h.out);
        auth = "auth:\n  htpasswd:\n    realm: test-registry\n    path: " +
               (m_dir / "htpasswd").string() + "\n";
    }
    // The port is chosen just before the start; another process taking it in
    // between makes the start fail, and the start is tried again.
    for (int attempt = 0; attempt < 3 && m_pid < 0; ++attempt) {
        m_port = free_port();
        write_file(m_dir / "config.yml",
                   "version: 0.1\n"
                   "log:\n  level: info\n  accesslog:\n    disabled: false\n"
                   "storage:\n  filesystem:\n    rootdirectory: " +
                       (m_dir / "storage").string() +
                       "\n  delete:\n    enabled: true\n"
                       "http:\n  addr: 127.0.0.1:" +
                       std::to_string(m_port) + "\n" + auth);
        int pid =
            spawn_process({"/usr/bin/docker-registry", "serve", (m_dir / "config.yml").string()},
                          {}, m_dir, m_log);
        httplib::Client client("127.0.0.1", m_port);
        client.set_connection_timeout(0, 200000);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (std::chrono::steady_clock::now() < deadline) {
            if (auto res = client.Get("/v2/")) {
                if (res->status == 200 || res->status == 401) {
                    m_pid = pid;
                    break;
                }
            }
            if (::kill(pid, 0) != 0) {
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (m_pid < 0) {
            ::kill(pid, SIGKILL);
            wait_process(pid);
        }
    }
    if (m_pid < 0) {
        std::string log = read_file(m_log);
        throw std::runtime_error("docker-registry did not start: " +
                                 log.substr(log.size() > 2000 ? log.size() - 2000 : 0));
    }
}

DockerRegistry::~DockerRegistry() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGTERM);
        wait_process(m_pid);
    }
}

std::string DockerRegistry::host() const {
    return "127.0.0.1:" + std::to_string(m_port);
}

std::string DockerRegistry::url(const std::string& repository) const {
    return "oci://" + host() + "/" + repository;
}

fs::path DockerRegistry::blob_file(const std::string& digest) const {
    std::string hex = digest.substr(digest.find(':') + 1);
    return m_dir / "storage" / "docker" / "registry" / "v2" / "blobs" / "sha256" /
           hex.substr(0, 2) / hex / "data";
}

int DockerRegistry::count_requests(const std::string& method, const std::string& path_part) const {
    std::istringstream log(read_file(m_log));
    std::string line;
    int n = 0;
    // Access log lines: 127.0.0.1 - - [date] "POST /v2/x/blobs/uploads/ HTTP/1.1" 202 ...
    const std::string start = "\"" + method + " ";
    while (std::getline(log, line)) {
        auto at = line.find(start);
        if (at == std::string::npos) {
            continue;
        }
        auto end = line.find(' ', at + start.size());
        std::string path = line.substr(at + start.size(), end - at - start.size());
        if (path.find(path_part) != std::string::npos) {
            ++n;
        }
    }
    return n;
}

}  // namespace tl::testing
