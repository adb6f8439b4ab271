#include "support/nginx.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support/test_util.hpp"

namespace tl::testing {

namespace {

bool accepts(int port) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return ok;
}

}  // namespace

std::string nginx_path() {
    for (const char* p : {"/usr/sbin/nginx", "/usr/bin/nginx"}) {
        if (::access(p, X_OK) == 0) {
            return p;
        }
    }
    return {};
}

Nginx::Nginx(const fs::path& root, const fs::path& work) : m_work(work) {
    std::string binary = nginx_path();
    if (binary.empty()) {
        m_error = "nginx is not installed (apt-get install nginx-light)";
        return;
    }
    fs::create_directories(work / "tmp");
    fs::create_directories(work / "logs");
    for (int attempt = 0; attempt < 5 && m_pid < 0; ++attempt) {
        m_port = free_port();
        const std::string w = work.string();
        std::string conf =
            // Workers run as root when the tests do: the test directory is private.
            std::string(::geteuid() == 0 ? "user root;\n" : "") +
            "worker_processes 1;\n"
            "pid " +
            w +
            "/nginx.pid;\n"
            "error_log " +
            w +
            "/logs/error.log;\n"
            "events { worker_connections 64; }\n"
            "http {\n"
            "  access_log " +
            w +
            "/logs/access.log;\n"
            "  client_body_temp_path " +
            w +
            "/tmp/body;\n"
            "  proxy_temp_path " +
            w +
            "/tmp/proxy;\n"
            "  fastcgi_temp_path " +
            w +
            "/tmp/fastcgi;\n"
            "  uwsgi_temp_path " +
            w +
            "/tmp/uwsgi;\n"
            "  scgi_temp_path " +
            w +
            "/tmp/scgi;\n"
            "  types { application/json json; }\n"
            "  default_type application/octet-stream;\n"
            "  sendfile on;\n"
            "  server {\n"
            "    listen 127.0.0.1:" +
            std::to_string(m_port) +
            ";\n"
            "    root " +
            root.string() +
            ";\n"
            "    location / { }\n"
            "  }\n"
            "}\n";
        write_file(work / "nginx.conf", conf);
        int pid = spawn_process(
            {binary, "-p", w, "-c", (work / "nginx.conf").string(), "-g", "daemon off;"}, {}, work,
            work / "logs" / "stderr.log");
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            if (accepts(m_port)) {
                m_pid = pid;
                break;
            }
            if (::kill(pid, 0) != 0 || ::waitpid(pid, nullptr, WNOHANG) == pid) {
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (m_pid < 0) {
            ::kill(pid, SIGKILL);
            wait_process(pid);
            m_error =
                read_file(work / "logs" / "stderr.log") + read_file(work / "logs" / "error.log");
        }
    }
}

Nginx::~Nginx() {
    stop();
}

void Nginx::stop() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGQUIT);
        wait_process(m_pid);
        m_pid = -1;
    }
}

std::string Nginx::url() const {
    return "http://127.0.0.1:" + std::to_string(m_port) + "/";
}

std::string Nginx::access_log() const {
    return read_file(m_work / "logs" / "access.log");
}

}  // namespace tl::testing
