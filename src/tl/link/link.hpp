#pragma once

// What a consumer's linker needs besides the libraries themselves. Rust static
// libraries depend on platform system libraries (the list rustc prints with
// --print native-static-libs): taken from the entry's manifest.json when the
// release has one, else from per-platform defaults.

#include <filesystem>
#include <string>
#include <vector>

#include "tl/platform/platform.hpp"
#include "tl/util/error.hpp"

namespace tl::link {

namespace fs = std::filesystem;

// What rustc prints for a std staticlib of the platform's target: for Linux
// "-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc", for macOS the frameworks and
// libraries sdk-core's dependencies use.
std::vector<std::string> default_native_args(const platform::Platform& platform);

struct LinkInfo {
    fs::path lib_dir;
    fs::path include_dir;                // empty when the entry has no include/ directory
    std::vector<std::string> libraries;  // names without "lib" and ".a"
    std::vector<std::string> native_args;
    std::string native_args_origin;  // "manifest.json" or "platform defaults"
};

// Reads an installed entry: its libraries (the `wanted` names, in that order,
// each of which must exist) and native arguments. A not_found failure names a
// missing library; an integrity failure a damaged manifest.
Result<LinkInfo> read_link_info(const fs::path& entry_dir, const platform::Platform& platform,
                                const std::vector<std::string>& wanted);

// "-I<include>" (empty without an include directory).
std::string cflags(const LinkInfo& info);

// "-L<dir> -l<name>... <native args>": what a Makefile, Zig or a shell link line uses.
std::string libs(const LinkInfo& info);

// A pkg-config file for the entry (Name, Version, Libs with the native
// arguments, Cflags), pointing into the cache.
std::string pkg_config_file(const LinkInfo& info, const std::string& tag,
                            const std::string& platform_name);

}  // namespace tl::link
