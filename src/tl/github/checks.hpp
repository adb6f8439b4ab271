#pragma once

// What the GitHub client takes from the environment and configuration,
// checked before it reaches a request line or header.

#include <string>
#include <string_view>

#include "tl/util/error.hpp"

namespace tl::github {

// A usage failure unless `repo` is OWNER/NAME by GitHub's rules (it becomes
// part of every request path): owner 1-39 letters, digits and inner hyphens;
// name 1-100 letters, digits, '.', '-', '_', not "." or "..".
Result<void> check_repo_name(std::string_view repo);

// The token from GITHUB_TOKEN or GH_TOKEN (empty when neither is set); a
// usage failure naming the variable, never the value, when it holds a
// control character (it would inject headers).
Result<std::string> checked_token_from_environment();

}  // namespace tl::github
