#include "tl/config/config.hpp"

#include <toml++/toml.h>
#include <cctype>
#include <cstdlib>

#include "tl/release/contract.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/strings.hpp"

namespace tl::config {

// Largest configuration or credentials file read (docs/security.md).
constexpr std::uint64_t k_max_config_size = 1u << 20;

const char* origin_name(Origin o) {
    switch (o) {
        case Origin::default_value:
            return "default";
        case Origin::user_file:
            return "user file";
        case Origin::project_file:
            return "project file";
        case Origin::environment:
            return "environment";
        case Origin::command_line:
            return "command line";
    }
    return "default";
}

const std::vector<KeyInfo>& keys() {
    static const std::string default_library_list = util::join(release::default_libraries(), ",");
    static const std::vector<KeyInfo> table = {
        {"version", "TEMPORAL_LIBS_VERSION", release::k_pinned_default_tag.data(),
         "release to use: a tag (temporal-libs-v1.0.2), a version (v1.0.2) or latest"},
        {"repo", "TEMPORAL_LIBS_REPO", release::k_default_repo.data(),
         "GitHub repository holding the releases"},
        {"sources", "TEMPORAL_LIBS_SOURCES", "github",
         "where releases come from, tried in order: github, github:OWNER/NAME, a static mirror "
         "(https://HOST/PATH/, file:///DIR or /DIR) or oci://HOST/REPO",
         true},
        {"api_url", "TEMPORAL_LIBS_API_URL", release::k_default_api_url.data(),
         "GitHub REST API base URL (GitHub Enterprise: https://HOST/api/v3)"},
        {"cache_dir", "TEMPORAL_LIBS_CACHE_DIR", ".temporal-libs-cache",
         "cache directory; relative paths are relative to the project directory; ~ and $VAR "
         "expand; default .temporal-libs-cache in a project, else the user cache",
         false, true},
        {"platforms", nullptr, "", "platforms to fetch for lock and mirror (default: this host)",
         true},
        {"libraries", nullptr, default_library_list.c_str(),
         "libraries every archive must hold (names without lib and .a)", true},
        {"verify", "TEMPORAL_LIBS_VERIFY", "fast",
         "check of cached files before use: fast (size, inode, mtime) or full (SHA-256)"},
        {"fallback", "TEMPORAL_LIBS_FALLBACK", "none",
         "what to do when prebuilt libraries are unavailable: none (fail) or cargo (build)"},
        {"source_dir", "TEMPORAL_LIBS_SOURCE_DIR", "",
         "sdk-core checkout (Cargo workspace) to build from when building from source; ~ and "
         "$VAR expand",
         false, true},
        {"crates", nullptr, "",
         "crates to build from source (default: the crates named like the libraries)", true},
        {"verify_checksums", "TEMPORAL_LIBS_VERIFY_CHECKSUMS", "true",
         "compare a downloaded archive's SHA-256 with the release's checksums; false warns on "
         "every run"},
        {"offline", "TEMPORAL_LIBS_OFFLINE", "false",
         "never use the network; the cache or a failure"},
        {"allow_http", "TEMPORAL_LIBS_ALLOW_HTTP", "false",
         "allow plain http:// to hosts other than loopback"},
        {"retries", "TEMPORAL_LIBS_RETRIES", "5", "attempts per request before giving up"},
        {"retry_max_time", "TEMPORAL_LIBS_RETRY_MAX_TIME", "300",
         "seconds after which no new attempt starts"},
        {"rate_limit_max_wait", "TEMPORAL_LIBS_RATE_LIMIT_MAX_WAIT", "60",
         "longest rate-limit wait in seconds; a longer one fails at once"},
        {"connect_timeout", "TEMPORAL_LIBS_CONNECT_TIMEOUT", "15", "connect timeout in seconds"},
        {"timeout", "TEMPORAL_LIBS_TIMEOUT", "0",
         "longest time one request may take in seconds; 0 for no limit (a retry resumes)"},
        {"stall_timeout", "TEMPORAL_LIBS_STALL_TIMEOUT", "30",
         "seconds below 1 kB/s after which a transfer is dropped and retried"},
        {"connections", "TEMPORAL_LIBS_CONNECTIONS", "4",
         "connections one archive of 16 MiB or more is downloaded over, each a range of it, when "
         "the server serves ranges (1 to 16; 1 turns parallel downloads off)"},
        {"document_timeout", "TEMPORAL_LIBS_DOCUMENT_TIMEOUT", "60",
         "longest time in seconds for a small document (API answer, checksum file, index); 0 "
         "for no limit"},
        {"max_archive_mib", "TEMPORAL_LIBS_MAX_ARCHIVE_MIB", "2048",
         "largest archive in MiB: a larger declared size is refused, and a download whose source "
         "declares no size stops there (docs/security.md)"},
        {"max_extracted_mib", "TEMPORAL_LIBS_MAX_EXTRACTED_MIB", "8192",
         "most MiB one archive may extract to (docs/security.md)"},
        {"max_expansion_ratio", "TEMPORAL_LIBS_MAX_EXPANSION_RATIO", "20",
         "most bytes extracted per byte of archive before its checksum is known; at least 64 MiB "
         "is always allowed (docs/security.md)"},
        {"locked", "TEMPORAL_LIBS_LOCKED", "false",
         "fail when temporal-libs.lock has no entry for the release instead of recording one "
         "(for CI)"},
        {"public_keys", "TEMPORAL_LIBS_PUBLIC_KEYS", "",
         "trusted minisign public keys (RW...); when set, releases must carry a SHA256SUMS "
         "signed by one of them",
         true},
    };
    return table;
}

std::optional<fs::path> find_project_file(const fs::path& start) {
    std::error_code ec;
    fs::path dir = fs::absolute(start, ec);
    for (;;) {
        fs::path candidate = dir / k_project_file;
        if (fs::is_regular_file(candidate, ec)) {
            return candidate;
        }
        if (!dir.has_parent_path() || dir.parent_path() == dir) {
            return std::nullopt;
        }
        dir = dir.parent_path();
    }
}

Result<std::string> expand_path(const std::string& text, const std::string& where) {
    auto var = [&](const std::string& name) -> Result<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) {
            return fail(ErrorKind::usage, "path " + util::quoted(text) +
                                              (where.empty() ? "" : " (from " + where + ")") +
                                              " uses $" + name + ", which is not set");
        }
        return std::string(v);
    };
    std::string out;
    std::size_t i = 0;
    if (!text.empty() && text[0] == '~' && (text.size() == 1 || text[1] == '/')) {
        auto home = var("HOME");
        if (!home) {
            return home;
        }
        out = *home;
        i = 1;
    }
    auto name_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    };
    while (i < text.size()) {
        char c = text[i];
        if (c != '$') {
            out += c;
            ++i;
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '$') {
            out += '$';
            i += 2;
            continue;
        }
        std::string name;
        if (i + 1 < text.size() && text[i + 1] == '{') {
            std::size_t close = text.find('}', i + 2);
            if (close == std::string::npos) {
                return fail(ErrorKind::usage, "path " + util::quoted(text) +
                                                  (where.empty() ? "" : " (from " + where + ")") +
                                                  " has '${' without '}'");
            }
            name = text.substr(i + 2, close - i - 2);
            i = close + 1;
        } else {
            std::size_t end = i + 1;
            while (end < text.size() && name_char(text[end])) {
                ++end;
            }
            name = text.substr(i + 1, end - i - 1);
            i = end;
        }
        if (name.empty()) {
            out += '$';  // a lone dollar sign stays
            continue;
        }
        auto value = var(name);
        if (!value) {
            return value;
        }
        out += *value;
    }
    return out;
}

std::optional<ProjectMarker> find_project(const fs::path& start) {
    std::error_code ec;
    fs::path dir = fs::absolute(start, ec);
    for (;;) {
        for (const char* marker : {k_project_file, "temporal-libs.lock", ".git"}) {
            if (fs::exists(dir / marker, ec)) {
                return ProjectMarker{dir, marker};
            }
        }
        if (!dir.has_parent_path() || dir.parent_path() == dir) {
            return std::nullopt;
        }
        dir = dir.parent_path();
    }
}

DefaultCache default_cache(const fs::path& cwd, const fs::path& project_dir) {
    if (auto p = find_project(cwd)) {
        return {project_dir / ".temporal-libs-cache",
                "project default: " + std::string(".temporal-libs-cache") +
                    " in the project directory (found " + (p->dir / p->marker).string() + ")"};
    }
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    if (xdg != nullptr && *xdg == '/') {
        return {fs::path(xdg) / "temporal-libs",
                "user cache default: no project here (no temporal-libs.toml, temporal-libs.lock "
                "or git work tree), $XDG_CACHE_HOME/temporal-libs"};
    }
    const char* home = std::getenv("HOME");
    if (home != nullptr && *home == '/') {
#if defined(__APPLE__)
        const char* rel = "Library/Caches/temporal-libs";
#else
        const char* rel = ".cache/temporal-libs";
#endif
        return {fs::path(home) / rel,
                std::string("user cache default: no project here (no temporal-libs.toml, "
                            "temporal-libs.lock or git work tree), ~/") +
                    rel};
    }
    return {project_dir / ".temporal-libs-cache",
            "project default: .temporal-libs-cache in the working directory (no project "
            "found, and neither XDG_CACHE_HOME nor HOME is set)"};
}

namespace {

const KeyInfo* find_key(std::string_view name) {
    for (const auto& k : keys()) {
        if (name == k.name) {
            return &k;
        }
    }
    return nullptr;
}

// Turns a TOML value into the stored text form.
std::optional<std::string> toml_text(const toml::node& node) {
    if (auto s = node.value<std::string>()) {
        return *s;
    }
    if (auto b = node.value<bool>(); b && node.is_boolean()) {
        return *b ? "true" : "false";
    }
    if (auto i = node.value<std::int64_t>(); i && node.is_integer()) {
        return std::to_string(*i);
    }
    if (auto f = node.value<double>(); f && node.is_floating_point()) {
        return std::to_string(*f);
    }
    if (const auto* arr = node.as_array()) {
        std::vector<std::string> items;
        for (const auto& item : *arr) {
            auto t = toml_text(item);
            if (!t) {
                return std::nullopt;
            }
            items.push_back(*t);
        }
        return util::join(items, ",");
    }
    return std::nullopt;
}

// Keys whose values are names, paths or URLs: a number or boolean there is a
// mistake (`version = 5` is not 'v5').
bool is_text_key(std::string_view key) {
    for (std::string_view k :
         {"version", "repo", "sources", "api_url", "cache_dir", "platforms", "libraries", "verify",
          "fallback", "source_dir", "crates", "public_keys"}) {
        if (key == k) {
            return true;
        }
    }
    return false;
}

bool value_type_fits(const KeyInfo& info, const toml::node& node) {
    if (!is_text_key(info.name)) {
        return true;
    }
    if (node.is_string()) {
        return true;
    }
    if (const auto* arr = node.as_array(); arr != nullptr && info.is_list) {
        for (const auto& item : *arr) {
            if (!item.is_string()) {
                return false;
            }
        }
        return true;
    }
    return false;
}

}  // namespace

Result<void> Config::apply_file(const fs::path& file, Origin origin) {
    toml::table table;
    // A configuration file is small; a larger one is refused before parsing.
    auto content = util::read_file(file, k_max_config_size);
    if (!content) {
        return fail(ErrorKind::usage, content.error().message);
    }
    try {
        table = toml::parse(*content, file.string());
    } catch (const toml::parse_error& e) {
        return fail(ErrorKind::usage, "cannot parse '" + file.string() + "' at line " +
                                          std::to_string(e.source().begin.line) + ": " +
                                          std::string(e.description()));
    }
    for (const auto& [k, node] : table) {
        std::string key(k.str());
        if (node.is_table()) {
            continue;  // sections belong to other commands (e.g. [scan])
        }
        const KeyInfo* info = find_key(key);
        if (info == nullptr) {
            return fail(ErrorKind::usage, "unknown key " + util::quoted(key) + " in '" +
                                              file.string() +
                                              "' (run 'temporal-libs config show' for the keys)");
        }
        if (!value_type_fits(*info, node)) {
            return fail(ErrorKind::usage,
                        "key " + util::quoted(key) + " in '" + file.string() + "' must be " +
                            (is_text_key(key) ? (info->is_list ? "a list of strings or a string"
                                                               : "a string (quote it)")
                                              : "a boolean, a number or a string"));
        }
        auto text = toml_text(node);
        if (!text) {
            return fail(ErrorKind::usage, "key " + util::quoted(key) + " in '" + file.string() +
                                              "' has a value of an unsupported type");
        }
        if (info->is_path) {
            TL_TRY_ASSIGN(expanded, expand_path(*text, file.string()))
            text = *expanded;
        }
        m_values[key] = Value{*text, origin, file.string()};
    }
    return {};
}

Result<Config> Config::load(const fs::path& cwd, const std::optional<fs::path>& user_file) {
    Config c;
    // 1. defaults
    for (const auto& k : keys()) {
        c.m_values[k.name] = Value{k.default_value, Origin::default_value, ""};
    }
    // 2. user file
    fs::path user;
    if (user_file) {
        user = *user_file;
    } else if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
        user = fs::path(xdg) / "temporal-libs" / "config.toml";
    } else if (const char* home = std::getenv("HOME"); home && *home) {
        user = fs::path(home) / ".config" / "temporal-libs" / "config.toml";
    }
    std::error_code ec;
    if (!user.empty() && fs::is_regular_file(user, ec)) {
        TL_TRY(c.apply_file(user, Origin::user_file));
    }
    // 3. project file
    c.m_project_file = find_project_file(cwd);
    c.m_project_dir = c.m_project_file ? c.m_project_file->parent_path() : fs::absolute(cwd, ec);
    if (c.m_project_file) {
        TL_TRY(c.apply_file(*c.m_project_file, Origin::project_file));
    }
    // 4. environment
    for (const auto& k : keys()) {
        if (k.env == nullptr) {
            continue;
        }
        const char* v = std::getenv(k.env);
        if (v != nullptr && *v != '\0') {
            std::string text = v;
            if (k.is_path) {
                TL_TRY_ASSIGN(expanded, expand_path(text, k.env))
                text = *expanded;
            }
            c.m_values[k.name] = Value{text, Origin::environment, k.env};
        }
    }
    return c;
}

void Config::set_from_flag(const std::string& key, const std::string& value,
                           const std::string& flag) {
    if (!value.empty()) {
        m_values[key] = Value{value, Origin::command_line, flag};
    }
}

const Value& Config::get(const std::string& key) const {
    auto it = m_values.find(key);
    if (it == m_values.end()) {
        throw Error(ErrorKind::internal, "unknown configuration key '" + key + "'");
    }
    return it->second;
}

std::vector<std::string> Config::list(const std::string& key) const {
    std::vector<std::string> out;
    for (const auto& item : util::split(text(key), ',')) {
        std::string_view t = util::trim(item);
        if (!t.empty()) {
            out.emplace_back(t);
        }
    }
    return out;
}

Result<bool> Config::boolean(const std::string& key) const {
    const Value& v = get(key);
    std::string t = util::to_lower(util::trim(v.text));
    if (t == "1" || t == "true" || t == "yes" || t == "on") {
        return true;
    }
    if (t == "0" || t == "false" || t == "no" || t == "off" || t.empty()) {
        return false;
    }
    return fail(ErrorKind::usage, "'" + key + "' must be true or false, not " +
                                      util::quoted(v.text) +
                                      (v.where.empty() ? "" : " (from " + v.where + ")"));
}

}  // namespace tl::config
