// libFuzzer target for the small text formats that arrive from a release
// source or sit in the cache: the first byte picks the parser, the rest is its
// input (release JSON, release lists, Link headers, checksum files, cache entry
// records, manifests, upload answers, build records and rustc's
// native-static-libs note). None may crash, hang or read out of bounds.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tl/cache/cache.hpp"
#include "tl/github/release.hpp"
#include "tl/publish/build.hpp"
#include "tl/release/contract.hpp"
#include "tl/release/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 9) {
        case 0:
            (void)tl::github::parse_release(text);
            break;
        case 1:
            (void)tl::github::parse_release_list(text);
            break;
        case 2:
            (void)tl::github::parse_link_header(text);
            break;
        case 3:
            (void)tl::release::parse_checksum_file(text,
                                                   "temporal-static-libs-linux-x64-v1.tar.gz");
            break;
        case 4:
            (void)tl::cache::parse_entry(text);
            break;
        case 5:
            (void)tl::release::parse_manifest(text);
            break;
        case 6:
            (void)tl::github::parse_asset(text);
            break;
        case 7:
            (void)tl::publish::parse_build_record(text);
            break;
        case 8:
            (void)tl::publish::parse_native_static_libs(text);
            break;
    }
    return 0;
}
