// libFuzzer target: any bytes, read as a static library. Must never crash,
// hang or read out of bounds; run with scripts/fuzz.sh objfile SECONDS. The
// same bytes streamed in pieces (as the install reads libraries while it
// extracts them) must give the same reading, or abort.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tl/objfile/abi.hpp"
#include "tl/objfile/library.hpp"
#include "tl/objfile/platform_check.hpp"

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
    // In pieces whose sizes come from the input's first byte, members held whole.
    tl::objfile::LibraryStream stream("fuzz.a", std::uint64_t{1} << 30);
    const std::size_t piece = size > 0 ? 1 + data[0] % 64 : 1;
    for (std::size_t at = 0; at < size; at += piece) {
        stream.feed(bytes.substr(at, piece));
    }
    auto streamed = stream.finish();
    if (streamed.kind != info->kind || streamed.member_count != info->member_count ||
        streamed.object_count != info->object_count || streamed.damage != info->damage ||
        streamed.problems != info->problems || streamed.functions != info->functions) {
        std::abort();
    }
    for (const auto& problem : info->problems) {
        (void)tl::objfile::printable(problem);
    }
    return 0;
}
