#pragma once

// The platforms releases are built for, their names in asset names and cache
// paths ("linux-x64"), their Rust target triples, and host detection.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::platform {

enum class Os { linux, macos };
enum class Arch { x64, arm64 };

struct Platform {
    Os os = Os::linux;
    Arch arch = Arch::x64;

    // "linux-x64", "macos-arm64": the name used in asset names and cache paths.
    std::string name() const;
    // The Rust target triple, e.g. "x86_64-unknown-linux-gnu".
    std::string triple() const;
    bool operator==(const Platform&) const = default;
};

// Every platform the tool knows, in the contract's order.
const std::vector<Platform>& all_platforms();

// "linux-arm64, linux-x64, macos-arm64, macos-x64": for error messages.
std::string supported_list();

// Parses a platform name ("linux-x64"), also accepting a target triple; empty if unknown.
std::optional<Platform> parse_platform(std::string_view name);

// Parses a Rust target triple; empty if it is not one of the supported four.
std::optional<Platform> from_triple(std::string_view triple);

// What the host looks like, before overrides: kernel name, machine, C library.
struct HostInfo {
    std::string kernel;   // "Linux", "Darwin"
    std::string machine;  // "x86_64", "aarch64", "arm64"
    bool musl = false;    // a musl C library (no glibc builds exist for it)
};

// Reads the running host's HostInfo.
HostInfo read_host();

// Decides the platform: `explicit_name` (--platform) wins, then FORCE_PLATFORM and
// FORCE_ARCH (linux/darwin, x64/arm64; either may be given alone), then `host`.
// A usage failure lists the supported platforms when nothing fits.
Result<Platform> resolve_platform(const std::optional<std::string>& explicit_name,
                                  const std::optional<std::string>& force_platform,
                                  const std::optional<std::string>& force_arch,
                                  const HostInfo& host);

}  // namespace tl::platform
