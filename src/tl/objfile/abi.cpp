#include "tl/objfile/abi.hpp"

#include <algorithm>

#include "tl/objfile/c_header.hpp"
#include "tl/objfile/platform_check.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/strings.hpp"

namespace tl::objfile {

namespace {

// A header larger than this is not a C API header.
constexpr std::uint64_t k_max_header_size = 16u << 20;

}  // namespace

AbiReport abi_check(const std::vector<std::string>& functions,
                    const std::vector<LibraryInfo>& libraries) {
    AbiReport report;
    report.functions = functions;
    for (const auto& name : functions) {
        // LibraryInfo::functions is sorted, so each lookup is a binary search.
        bool defined = std::any_of(libraries.begin(), libraries.end(), [&](const LibraryInfo& l) {
            return std::binary_search(l.functions.begin(), l.functions.end(), name);
        });
        if (!defined) {
            report.missing.push_back(name);
        }
    }
    return report;
}

Result<AbiReport> abi_check_files(const std::filesystem::path& header,
                                  const std::vector<std::filesystem::path>& libraries) {
    auto text = util::read_file(header, k_max_header_size);
    if (!text) {
        Failure f = text.error();
        if (f.kind == ErrorKind::not_found) {
            f.message =
                "header " + util::quoted(header.string()) + " does not exist; check the path";
        }
        return util::Unexpected<Failure>{f};
    }
    std::vector<std::string> functions = parse_header_functions(*text);
    if (functions.empty()) {
        return fail(ErrorKind::usage, "header " + util::quoted(header.string()) +
                                          " declares no function; pass the C header of the "
                                          "libraries (for Temporal, temporal-sdk-core-c-bridge.h)");
    }
    std::vector<LibraryInfo> infos;
    for (const auto& path : libraries) {
        auto info = inspect_library(path);
        if (!info) {
            return util::Unexpected<Failure>{info.error()};
        }
        if (auto usable = check_static_library(*info); !usable) {
            return util::Unexpected<Failure>{usable.error()};
        }
        infos.push_back(std::move(*info));
    }
    return abi_check(functions, infos);
}

}  // namespace tl::objfile
