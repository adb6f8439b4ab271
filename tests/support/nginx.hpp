#pragma once

// Debian's nginx serving a directory on a free 127.0.0.1 port, with a
// generated configuration and its pid, logs and temporary files inside the
// test's own directory: the directory mirror as a real web server serves it.

#include <filesystem>
#include <string>

namespace tl::testing {

class Nginx {
public:
    // Starts nginx serving `root`, its files in `work`; check running().
    Nginx(const std::filesystem::path& root, const std::filesystem::path& work);
    ~Nginx();
    Nginx(const Nginx&) = delete;
    Nginx& operator=(const Nginx&) = delete;

    // Whether it is up and accepting connections; error() says why not.
    bool running() const { return m_pid > 0; }
    const std::string& error() const { return m_error; }
    // "http://127.0.0.1:PORT/".
    std::string url() const;
    // The access log so far (one line per request).
    std::string access_log() const;
    // Stops it (SIGQUIT, then waits).
    void stop();

private:
    std::filesystem::path m_work;
    int m_port = 0;
    int m_pid = -1;
    std::string m_error;
};

// The nginx binary, empty when it is not installed.
std::string nginx_path();

}  // namespace tl::testing
