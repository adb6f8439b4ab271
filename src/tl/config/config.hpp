#pragma once

// Configuration in layers, the ccache way: one table of keys (with their
// environment variables and defaults), applied lowest first:
//   1. built-in defaults
//   2. the user file ($XDG_CONFIG_HOME/temporal-libs/config.toml, else ~/.config/...)
//   3. the project file (temporal-libs.toml, found by walking up from the
//      working directory)
//   4. environment variables
//   5. command-line flags
// The origin of each value is recorded so `config show` can print it.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::config {

namespace fs = std::filesystem;

inline constexpr const char* k_project_file = "temporal-libs.toml";

enum class Origin { default_value, user_file, project_file, environment, command_line };

// "default", "user file", "project file", "environment", "command line".
const char* origin_name(Origin o);

// One known key.
struct KeyInfo {
    const char* name;  // "version", "cache_dir", ...
    const char* env;   // "TEMPORAL_LIBS_VERSION", or nullptr
    const char* default_value;
    const char* description;
    bool is_list = false;  // TOML array; stored comma-separated
    bool is_path = false;  // ~, $VAR and ${VAR} expanded where it is read
};

// Every key the tool knows, in display order.
const std::vector<KeyInfo>& keys();

struct Value {
    std::string text;
    Origin origin = Origin::default_value;
    std::string where;  // file path or variable name
};

class Config {
public:
    // Layers 1-4: defaults, files and environment. `cwd` is where the project
    // file search starts; `user_file` overrides the user file location (empty:
    // the XDG default). A usage failure for unreadable files or unknown keys.
    static Result<Config> load(const fs::path& cwd, const std::optional<fs::path>& user_file = {});

    // Layer 5: a value from a flag (ignored when `value` is empty).
    void set_from_flag(const std::string& key, const std::string& value, const std::string& flag);

    // The value of a key (every known key has one).
    const Value& get(const std::string& key) const;
    const std::string& text(const std::string& key) const { return get(key).text; }
    // A list key split on commas, white space trimmed, empty items dropped.
    std::vector<std::string> list(const std::string& key) const;
    // A boolean key ("true/false/1/0/yes/no/on/off"); a usage failure otherwise.
    Result<bool> boolean(const std::string& key) const;

    // The project file in use, if any; relative paths in it resolve against its folder.
    const std::optional<fs::path>& project_file() const { return m_project_file; }
    // The project directory: the project file's folder, else the working directory.
    const fs::path& project_dir() const { return m_project_dir; }

private:
    Result<void> apply_file(const fs::path& file, Origin origin);
    std::map<std::string, Value> m_values;
    std::optional<fs::path> m_project_file;
    fs::path m_project_dir;
};

// Walks up from `start` to the first folder holding temporal-libs.toml.
std::optional<fs::path> find_project_file(const fs::path& start);

// A path setting as a shell would read it: a leading "~" or "~/" is $HOME,
// $VAR and ${VAR} are the variable's value ("$$" is a dollar sign). A usage
// failure naming `where` for an unset variable (an empty part would silently
// move the path, e.g. "$UNSET/cache" to "/cache") or an unclosed "${".
Result<std::string> expand_path(const std::string& text, const std::string& where);

// The folder a working directory belongs to as a project: the first one up
// from `start` holding temporal-libs.toml, temporal-libs.lock or .git (a git
// work tree); nothing outside any project.
struct ProjectMarker {
    fs::path dir;
    std::string marker;  // "temporal-libs.toml", "temporal-libs.lock" or ".git"
};
std::optional<ProjectMarker> find_project(const fs::path& start);

// Where the cache goes when no setting names it.
struct DefaultCache {
    fs::path dir;
    std::string rule;  // says why, for `config show`
};
// Inside a project: <project>/.temporal-libs-cache (the contract). Outside:
// $XDG_CACHE_HOME/temporal-libs, else ~/.cache/temporal-libs
// (~/Library/Caches/temporal-libs on macOS); the project rule again when no
// home directory is known. `project_dir` is where a project's cache goes.
DefaultCache default_cache(const fs::path& cwd, const fs::path& project_dir);

}  // namespace tl::config
