// libFuzzer target: any text, read as a C header. Must never crash or hang;
// run with scripts/fuzz.sh c_header SECONDS.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tl/objfile/c_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)tl::objfile::parse_header_functions(text);
    return 0;
}
