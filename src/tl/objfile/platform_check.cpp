#include "tl/objfile/platform_check.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "tl/util/strings.hpp"

namespace tl::objfile {

namespace {

bool is_usable_archive_kind(LibraryKind kind) {
    return kind == LibraryKind::gnu_ar || kind == LibraryKind::bsd_ar ||
           kind == LibraryKind::coff_lib || kind == LibraryKind::macho_fat;
}

// The supported platform objects of this identity are for; empty for others.
std::string platform_of(const ObjectId& id) {
    if (!id.is64 || id.arch == Arch::other) {
        return {};
    }
    platform::Platform p;
    if (id.format == Format::elf) {
        p.os = platform::Os::linux;
    } else if (id.format == Format::macho) {
        p.os = platform::Os::macos;
    } else {
        return {};
    }
    p.arch = id.arch == Arch::x86_64 ? platform::Arch::x64 : platform::Arch::arm64;
    return p.name();
}

std::string what_it_holds(const std::vector<const ObjectGroup*>& groups) {
    std::vector<std::string> parts;
    for (const auto* g : groups) {
        std::string d = describe(g->id) + " objects";
        if (std::find(parts.begin(), parts.end(), d) == parts.end()) {
            parts.push_back(d);
        }
    }
    return util::join(parts, " and ");
}

}  // namespace

Result<void> check_static_library(const LibraryInfo& info) {
    const std::string name = util::quoted(info.path);
    const std::string hint = "; download it again, or check that the release asset is right";
    auto unusable = [&](const std::string& why) {
        return fail(ErrorKind::integrity, name + " is not a usable static library: " + why);
    };
    switch (info.kind) {
        case LibraryKind::not_archive:
            return unusable(info.problems.empty() ? "not an archive" : info.problems.front());
        case LibraryKind::object:
            return unusable("it is a single object file, not an archive of them");
        case LibraryKind::thin_ar:
            return unusable(
                "it is a thin archive, whose members are separate files; build it with 'ar rcs' "
                "instead of 'ar rcsT'");
        default:
            break;
    }
    if (!info.damage.empty()) {
        return unusable(info.damage + hint);
    }
    for (const auto& s : info.slices) {
        if (!is_usable_archive_kind(s.kind)) {
            std::string what =
                s.kind == LibraryKind::not_archive
                    ? std::string("neither an archive nor an object file")
                    : std::string("a ") + kind_description(s.kind) + ", not an archive";
            return unusable("it is a universal file whose slice " + s.id.arch_name + " is " + what);
        }
    }
    if (info.member_count == 0) {
        return unusable("it is an empty archive" + hint);
    }
    if (info.object_count == 0) {
        return unusable("it holds no object files" + hint);
    }
    return {};
}

Result<void> check_for_platform(const LibraryInfo& info, const platform::Platform& platform) {
    if (auto usable = check_static_library(info); !usable) {
        return usable;
    }
    ObjectId want;
    want.format = platform.os == platform::Os::linux ? Format::elf : Format::macho;
    want.arch = platform.arch == platform::Arch::x64 ? Arch::x86_64 : Arch::aarch64;
    if (want.format == Format::elf) {
        want.arch_name = want.arch == Arch::x86_64 ? "x86-64" : "AArch64";
    } else {
        want.arch_name = want.arch == Arch::x86_64 ? "x86_64" : "arm64";
    }
    const std::string name = util::quoted(info.path);
    const std::string needs = platform.name() + " needs " + describe(want) + " objects";
    std::string slice;
    if (info.kind == LibraryKind::macho_fat) {
        auto found = std::find_if(info.slices.begin(), info.slices.end(), [&](const Slice& s) {
            return s.id.arch == want.arch && s.id.arch_name == want.arch_name;
        });
        if (found == info.slices.end() || want.format != Format::macho) {
            std::vector<std::string> names;
            for (const auto& s : info.slices) {
                names.push_back(s.id.arch_name);
            }
            return fail(ErrorKind::integrity, name + " is a universal Mach-O file with slices " +
                                                  util::join(names, ", ") + ", but " + needs +
                                                  ": use the library built for " + platform.name());
        }
        slice = found->id.arch_name;
    }
    std::vector<const ObjectGroup*> considered;
    bool all_match = true;
    for (const auto& g : info.groups) {
        if (g.slice != slice) {
            continue;
        }
        considered.push_back(&g);
        bool match = g.id.format == want.format && g.id.arch == want.arch && g.id.is64;
        all_match = all_match && match;
    }
    if (considered.empty()) {
        return fail(ErrorKind::integrity, name + (slice.empty() ? "" : " (slice " + slice + ")") +
                                              " holds no object files, but " + needs);
    }
    if (!all_match) {
        std::string built_for = considered.size() == 1 ? platform_of(considered[0]->id) : "";
        std::string what = info.kind == LibraryKind::coff_lib ? " (a Windows library)" : "";
        std::string advice = built_for.empty() ? ": use the library built for " + platform.name()
                                               : ": this library is for " + built_for +
                                                     "; use the " + platform.name() + " one";
        return fail(ErrorKind::integrity, name + (slice.empty() ? "" : " (slice " + slice + ")") +
                                              " holds " + what_it_holds(considered) + what +
                                              ", but " + needs + advice);
    }
    return {};
}

}  // namespace tl::objfile
