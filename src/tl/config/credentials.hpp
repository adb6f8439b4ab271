#pragma once

// Credentials for mirrors and registries, per host. They come from, first found:
//   1. TEMPORAL_LIBS_CREDENTIALS_FILE, else $XDG_CONFIG_HOME/temporal-libs/credentials.toml
//      (else ~/.config/...), a TOML file with one table per host:
//        ["registry.example:5000"]
//        username = "ci"
//        password_env = "REGISTRY_PASSWORD"   # or password = "..." (file mode 0600)
//        ["artifacts.example"]
//        token_env = "ARTIFACTS_TOKEN"        # or token = "..."; sent as "Bearer <token>"
//   2. the Docker/ORAS client file (DOCKER_CONFIG/config.json, else
//      ~/.docker/config.json): "auths": {"host": {"auth": base64(user:password)}}.
// A host is "name" or "name:port" exactly as in the source URL. Every secret
// found is registered with util::register_secret so it never reaches output.

#include <optional>
#include <string>

#include "tl/util/error.hpp"

namespace tl::config {

struct HostCredentials {
    std::string username;  // with password: HTTP basic auth, or the registry token exchange
    std::string password;
    std::string token;  // a bearer token, used as is
    std::string from;   // where they were found, for messages ("credentials file '...'")
};

// Credentials for `host` ("127.0.0.1:5000"); an empty optional when none are
// configured. A usage failure when a file exists but cannot be read or parsed,
// or names an environment variable that is unset.
Result<std::optional<HostCredentials>> credentials_for_host(const std::string& host);

// "Basic <base64(user:password)>", the encoded part registered as a secret.
std::string basic_authorization(const HostCredentials& credentials);

}  // namespace tl::config
