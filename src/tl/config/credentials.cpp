#include "tl/config/credentials.hpp"

#include <toml++/toml.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tl/util/base64.hpp"
#include "tl/util/escape.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/json.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::config {

// Largest configuration or credentials file read (docs/security.md).
constexpr std::uint64_t k_max_config_size = 1u << 20;

namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? std::string(v) : std::string();
}

fs::path credentials_file() {
    if (std::string f = env("TEMPORAL_LIBS_CREDENTIALS_FILE"); !f.empty()) {
        return f;
    }
    if (std::string xdg = env("XDG_CONFIG_HOME"); !xdg.empty()) {
        return fs::path(xdg) / "temporal-libs" / "credentials.toml";
    }
    if (std::string home = env("HOME"); !home.empty()) {
        return fs::path(home) / ".config" / "temporal-libs" / "credentials.toml";
    }
    return {};
}

fs::path docker_config_file() {
    if (std::string d = env("DOCKER_CONFIG"); !d.empty()) {
        return fs::path(d) / "config.json";
    }
    if (std::string home = env("HOME"); !home.empty()) {
        return fs::path(home) / ".docker" / "config.json";
    }
    return {};
}

// A secret given directly ("password") or through a variable ("password_env").
Result<std::string> secret(const toml::table& t, const std::string& key, const fs::path& file,
                           const std::string& host) {
    if (auto direct = t[key].value<std::string>()) {
        if (util::has_control_chars(*direct)) {
            return fail(ErrorKind::usage, "credentials file '" + file.string() + "': the " + key +
                                              " of host " + util::quoted(host) +
                                              " holds a control character; refusing to send it");
        }
        return *direct;
    }
    if (auto var = t[key + "_env"].value<std::string>()) {
        std::string v = env(var->c_str());
        if (v.empty()) {
            return fail(ErrorKind::usage, "credentials file '" + file.string() + "': host " +
                                              util::quoted(host) + " takes " + key + " from $" +
                                              *var + ", which is not set");
        }
        if (util::has_control_chars(v)) {
            return fail(ErrorKind::usage, "$" + *var + " (the " + key + " of host " +
                                              util::quoted(host) +
                                              ") holds a control character; refusing to send it");
        }
        return v;
    }
    return std::string();
}

Result<std::optional<HostCredentials>> from_toml(const fs::path& file, const std::string& host) {
    toml::table root;
    try {
        auto content = util::read_file(file, k_max_config_size);
        if (!content) {
            return fail(ErrorKind::usage, content.error().message);
        }
        root = toml::parse(*content, file.string());
    } catch (const toml::parse_error& e) {
        return fail(ErrorKind::usage, "cannot read credentials file '" + file.string() +
                                          "': " + std::string(e.description()));
    }
    const toml::table* t = root[host].as_table();
    if (t == nullptr) {
        return std::optional<HostCredentials>{};
    }
    HostCredentials c;
    c.username = t->operator[]("username").value_or(std::string());
    TL_TRY_ASSIGN(password, secret(*t, "password", file, host))
    TL_TRY_ASSIGN(token, secret(*t, "token", file, host))
    c.password = *password;
    c.token = *token;
    c.from = "credentials file '" + file.string() + "'";
    return std::optional<HostCredentials>(std::move(c));
}

Result<std::optional<HostCredentials>> from_docker(const fs::path& file, const std::string& host) {
    auto text = util::read_file(file, 1u << 20);
    if (!text) {
        return std::optional<HostCredentials>{};
    }
    nlohmann::json j = util::parse_json_or_discarded(*text);
    if (j.is_discarded() || !j.is_object()) {
        return fail(ErrorKind::usage, "cannot read '" + file.string() + "': not a JSON object");
    }
    auto auths = j.find("auths");
    if (auths == j.end() || !auths->is_object()) {
        return std::optional<HostCredentials>{};
    }
    for (const std::string& key : {host, "https://" + host, "http://" + host}) {
        auto entry = auths->find(key);
        if (entry == auths->end() || !entry->is_object()) {
            continue;
        }
        HostCredentials c;
        if (auto a = entry->find("auth"); a != entry->end() && a->is_string()) {
            std::string plain = util::base64_decode(a->get<std::string>()).value_or("");
            auto colon = plain.find(':');
            if (colon == std::string::npos) {
                return fail(ErrorKind::usage, "'" + file.string() + "': the auth of " +
                                                  util::quoted(key) + " is not user:password");
            }
            c.username = plain.substr(0, colon);
            c.password = plain.substr(colon + 1);
        }
        if (auto t = entry->find("identitytoken"); t != entry->end() && t->is_string()) {
            c.token = t->get<std::string>();
        }
        if (c.password.empty() && c.token.empty()) {
            continue;  // a credential helper we do not run
        }
        c.from = "'" + file.string() + "'";
        return std::optional<HostCredentials>(std::move(c));
    }
    return std::optional<HostCredentials>{};
}

}  // namespace

std::string basic_authorization(const HostCredentials& credentials) {
    std::string value =
        "Basic " + util::base64_encode(credentials.username + ":" + credentials.password);
    util::register_secret(value.substr(6));
    return value;
}

Result<std::optional<HostCredentials>> credentials_for_host(const std::string& host) {
    Result<std::optional<HostCredentials>> found = std::optional<HostCredentials>{};
    std::error_code ec;
    if (fs::path f = credentials_file(); !f.empty() && fs::is_regular_file(f, ec)) {
        found = from_toml(f, host);
    }
    if (found && !*found) {
        if (fs::path d = docker_config_file(); !d.empty() && fs::is_regular_file(d, ec)) {
            found = from_docker(d, host);
        }
    }
    if (found && *found) {
        util::register_secret((*found)->password);
        util::register_secret((*found)->token);
    }
    return found;
}

}  // namespace tl::config
