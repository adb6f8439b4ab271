// libFuzzer target for what mirrors and registries send: the first byte picks
// the parser, the rest is its input (a directory mirror's tags index and
// release index, an OCI image manifest, an OCI image index, a WWW-Authenticate
// challenge, an oci:// reference). None may crash, hang or read out of bounds.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tl/oci/registry.hpp"
#include "tl/source/mirror_layout.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 6) {
        case 0:
            (void)tl::source::parse_tag_index(text, "index.json");
            break;
        case 1:
            (void)tl::source::parse_release_index(text, "temporal-libs-v1.0.2", "index.json");
            break;
        case 2:
            (void)tl::oci::parse_manifest(text);
            break;
        case 3:
            (void)tl::oci::parse_index(text);
            break;
        case 4:
            (void)tl::oci::parse_challenge(text);
            break;
        default:
            (void)tl::oci::parse_reference(text, tl::http::PlainHttp::loopback_only);
            break;
    }
    return 0;
}
