#pragma once

// Writing into a directory other users can write to (a shared cache): what
// is found where the tool expects its own files is moved aside, never followed.

#include <filesystem>
#include <string>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::util {

// When `path` is a symbolic link (or, with `want_directory`, anything but a
// directory), renames it aside to a unique ".unexpected-<name>-..." sibling
// and returns a description of what was moved (for a warning). Empty when
// `path` is absent or already what is wanted.
Result<std::string> move_aside_unexpected(const std::filesystem::path& path, bool want_directory);

// Makes `dir` a real directory (created when absent), moving aside a link or
// file found there (its description appended to `moved`). The parent must be
// trusted (the cache root may itself be a link: that is the user's choice).
Result<void> ensure_plain_directory(const std::filesystem::path& dir,
                                    std::vector<std::string>& moved);

}  // namespace tl::util
