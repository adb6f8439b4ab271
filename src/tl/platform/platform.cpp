#include "tl/platform/platform.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>

#include "tl/util/strings.hpp"

namespace tl::platform {

std::string Platform::name() const {
    std::string s = os == Os::linux ? "linux-" : "macos-";
    s += arch == Arch::x64 ? "x64" : "arm64";
    return s;
}

std::string Platform::triple() const {
    if (os == Os::linux) {
        return arch == Arch::x64 ? "x86_64-unknown-linux-gnu" : "aarch64-unknown-linux-gnu";
    }
    return arch == Arch::x64 ? "x86_64-apple-darwin" : "aarch64-apple-darwin";
}

const std::vector<Platform>& all_platforms() {
    static const std::vector<Platform> all = {{Os::linux, Arch::arm64},
                                              {Os::linux, Arch::x64},
                                              {Os::macos, Arch::arm64},
                                              {Os::macos, Arch::x64}};
    return all;
}

std::string supported_list() {
    std::vector<std::string> names;
    for (const auto& p : all_platforms()) {
        names.push_back(p.name());
    }
    return util::join(names, ", ");
}

std::optional<Platform> from_triple(std::string_view triple) {
    for (const auto& p : all_platforms()) {
        if (p.triple() == triple) {
            return p;
        }
    }
    return std::nullopt;
}

std::optional<Platform> parse_platform(std::string_view name) {
    std::string n = util::to_lower(util::trim(name));
    for (const auto& p : all_platforms()) {
        if (p.name() == n) {
            return p;
        }
    }
    if (n == "darwin-arm64") {
        return Platform{Os::macos, Arch::arm64};
    }
    if (n == "darwin-x64") {
        return Platform{Os::macos, Arch::x64};
    }
    return from_triple(n);
}

namespace {

std::optional<Os> parse_os(std::string_view v) {
    std::string s = util::to_lower(util::trim(v));
    if (s == "linux") {
        return Os::linux;
    }
    if (s == "darwin" || s == "macos" || s == "mac" || s == "osx") {
        return Os::macos;
    }
    return std::nullopt;
}

std::optional<Arch> parse_arch(std::string_view v) {
    std::string s = util::to_lower(util::trim(v));
    if (s == "x64" || s == "x86_64" || s == "amd64") {
        return Arch::x64;
    }
    if (s == "arm64" || s == "aarch64") {
        return Arch::arm64;
    }
    return std::nullopt;
}

std::string unsupported(std::string_view what) {
    return std::string(what) + "; supported platforms: " + supported_list() +
           " (use --platform to pick one explicitly)";
}

}  // namespace

HostInfo read_host() {
    HostInfo h;
    struct utsname u {};
    if (::uname(&u) == 0) {
        h.kernel = u.sysname;
        h.machine = u.machine;
    }
#if defined(__linux__)
    // A glibc build of this tool running at all means the host has glibc; a musl
    // host shows its dynamic loader.
#if !defined(__GLIBC__)
    h.musl = true;
#else
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/lib", ec)) {
        if (util::starts_with(e.path().filename().string(), "ld-musl-")) {
            h.musl = true;
        }
    }
#endif
#endif
    return h;
}

Result<Platform> resolve_platform(const std::optional<std::string>& explicit_name,
                                  const std::optional<std::string>& force_platform,
                                  const std::optional<std::string>& force_arch,
                                  const HostInfo& host) {
    if (explicit_name && !explicit_name->empty()) {
        auto p = parse_platform(*explicit_name);
        if (!p) {
            return fail(ErrorKind::usage,
                        unsupported("unknown platform " + util::quoted(*explicit_name)));
        }
        return *p;
    }
    std::optional<Os> os;
    std::optional<Arch> arch;
    if (force_platform && !force_platform->empty()) {
        os = parse_os(*force_platform);
        if (!os) {
            return fail(ErrorKind::usage, unsupported("FORCE_PLATFORM=" + *force_platform +
                                                      " is not one of linux, darwin"));
        }
    }
    if (force_arch && !force_arch->empty()) {
        arch = parse_arch(*force_arch);
        if (!arch) {
            return fail(ErrorKind::usage,
                        unsupported("FORCE_ARCH=" + *force_arch + " is not one of x64, arm64"));
        }
    }
    if (!os) {
        os = parse_os(host.kernel);
        if (!os) {
            return fail(ErrorKind::usage,
                        unsupported("no prebuilt libraries for operating system " +
                                    util::quoted(host.kernel)));
        }
        if (*os == Os::linux && host.musl) {
            return fail(ErrorKind::usage,
                        unsupported("this host uses the musl C library and the prebuilt "
                                    "libraries are built for glibc"));
        }
    }
    if (!arch) {
        arch = parse_arch(host.machine);
        if (!arch) {
            return fail(ErrorKind::usage,
                        unsupported("no prebuilt libraries for CPU " + util::quoted(host.machine)));
        }
    }
    return Platform{*os, *arch};
}

}  // namespace tl::platform
