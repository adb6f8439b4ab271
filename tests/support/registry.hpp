#pragma once

// Debian's docker-registry (the CNCF distribution registry) for tests: started
// on a free 127.0.0.1 port with a generated configuration (filesystem storage
// in the test's directory, optional htpasswd basic auth), ready when /v2/
// answers, stopped by the destructor.

#include <filesystem>
#include <string>

namespace tl::testing {

// How the registry is set up.
struct RegistryOptions {
    // When set, HTTP basic auth through an htpasswd file with this one user.
    std::string username;
    std::string password;
};

class DockerRegistry {
public:
    // Starts the registry with its storage and logs under `dir`; throws when it
    // cannot start (with the end of its log).
    explicit DockerRegistry(const std::filesystem::path& dir, RegistryOptions options = {});
    ~DockerRegistry();
    DockerRegistry(const DockerRegistry&) = delete;
    DockerRegistry& operator=(const DockerRegistry&) = delete;

    // Whether the docker-registry program is installed.
    static bool available();

    int port() const { return m_port; }
    // "127.0.0.1:PORT": the credentials key.
    std::string host() const;
    // "oci://127.0.0.1:PORT/<repository>".
    std::string url(const std::string& repository) const;
    // The file holding a blob's bytes in the filesystem storage.
    std::filesystem::path blob_file(const std::string& digest) const;
    // Requests in the access log whose method and path match (the path by substring).
    int count_requests(const std::string& method, const std::string& path_part) const;

private:
    std::filesystem::path m_dir;
    std::filesystem::path m_log;
    int m_pid = -1;
    int m_port = 0;
};

}  // namespace tl::testing
