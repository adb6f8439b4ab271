#include "tl/link/link.hpp"

#include "tl/release/contract.hpp"
#include "tl/release/manifest.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/strings.hpp"

namespace tl::link {

std::vector<std::string> default_native_args(const platform::Platform& platform) {
    if (platform.os == platform::Os::linux) {
        return {"-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl", "-lc"};
    }
    return {"-framework",     "Security",   "-framework",
            "CoreFoundation", "-framework", "SystemConfiguration",
            "-framework",     "IOKit",      "-liconv",
            "-lSystem",       "-lc",        "-lm"};
}

Result<LinkInfo> read_link_info(const fs::path& entry_dir, const platform::Platform& platform,
                                const std::vector<std::string>& wanted) {
    LinkInfo info;
    info.lib_dir = entry_dir;
    std::error_code ec;
    if (fs::is_directory(entry_dir / "include", ec)) {
        info.include_dir = entry_dir / "include";
    }
    for (const auto& name : wanted) {
        if (!fs::exists(entry_dir / ("lib" + name + ".a"), ec)) {
            return fail(ErrorKind::not_found, "'" + (entry_dir / ("lib" + name + ".a")).string() +
                                                  "' does not exist; check 'libraries' in "
                                                  "temporal-libs.toml");
        }
        info.libraries.push_back(name);
    }
    auto text = util::read_file(entry_dir / std::string(release::k_manifest_file), 4u << 20);
    if (text) {
        auto manifest = release::parse_manifest(*text);
        if (!manifest) {
            return fail(ErrorKind::integrity, "'" + (entry_dir / "manifest.json").string() +
                                                  "': " + manifest.error().message);
        }
        if (*manifest && !(*manifest)->native_link_args.empty()) {
            info.native_args = (*manifest)->native_link_args;
            info.native_args_origin = "manifest.json";
            return info;
        }
    }
    info.native_args = default_native_args(platform);
    info.native_args_origin = "platform defaults";
    return info;
}

std::string cflags(const LinkInfo& info) {
    return info.include_dir.empty() ? std::string() : "-I" + info.include_dir.string();
}

std::string libs(const LinkInfo& info) {
    std::vector<std::string> parts = {"-L" + info.lib_dir.string()};
    for (const auto& l : info.libraries) {
        parts.push_back("-l" + l);
    }
    parts.insert(parts.end(), info.native_args.begin(), info.native_args.end());
    return util::join(parts, " ");
}

std::string pkg_config_file(const LinkInfo& info, const std::string& tag,
                            const std::string& platform_name) {
    std::string version = release::version_label(tag);
    if (!version.empty() && (version[0] == 'v' || version[0] == 'V')) {
        version.erase(0, 1);
    }
    std::vector<std::string> link = {"-L${libdir}"};
    for (const auto& l : info.libraries) {
        link.push_back("-l" + l);
    }
    // Static libraries need their native dependencies on every link line, not
    // only with --static, so they go in Libs rather than Libs.private.
    link.insert(link.end(), info.native_args.begin(), info.native_args.end());
    std::string out;
    out += "prefix=" + info.lib_dir.string() + "\n";
    out += "libdir=${prefix}\n";
    out +=
        "includedir=" +
        (info.include_dir.empty() ? std::string("${prefix}/include") : info.include_dir.string()) +
        "\n\n";
    out += "Name: temporal-libs\n";
    out += "Description: Temporal core static libraries (" + tag + ", " + platform_name + ")\n";
    out += "Version: " + version + "\n";
    out += "Libs: " + util::join(link, " ") + "\n";
    out += "Cflags: " + std::string(info.include_dir.empty() ? "" : "-I${includedir}") + "\n";
    return out;
}

}  // namespace tl::link
