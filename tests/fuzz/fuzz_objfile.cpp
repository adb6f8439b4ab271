// libFuzzer target: any bytes, read as a static library. Must never crash,
// hang or read out of bounds; run with scripts/fuzz.sh objfile SECONDS.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tl/objfile/abi.hpp"
#include "tl/objfile/library.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto info = tl::objfile::inspect_library_bytes(bytes, "fuzz.a");
    if (!info) {
        return 0;
    }
    // The checks read everything the inspection produced.
    for (const auto& platform : tl::platform::all_platforms()) {
        (void)tl::objfile::check_for_platform(*info, platform);
    }
    (void)tl::objfile::abi_check({"tl_alpha", "main"}, {*info});
    for (const auto& problem : info->problems) {
        (void)tl::objfile::printable(problem);
    }
    return 0;
}
