// libFuzzer target for minisign texts from a release or the configuration:
// the first byte picks the parser (public key, signature, secret key file, or
// a signature verified over the rest against a fixed key). None may crash.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tl/trust/minisign.hpp"

namespace ms = tl::trust::minisign;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    // A key made once with `minisign -G -W`, so verification gets past the key id
    // check for inputs derived from the seed signature.
    static const auto key =
        ms::parse_public_key("RWT+ZAeqonraVjhuy8ZPKgjmFwCynj+Y8Fu2aBxQD81xggI5dmWJS1jU");
    switch (data[0] % 4) {
        case 0:
            (void)ms::parse_public_key(text);
            break;
        case 1:
            (void)ms::parse_signature(text);
            break;
        case 2:
            // No password: scrypt-encrypted keys stop before the (slow) key derivation.
            (void)ms::parse_secret_key(text, []() -> tl::Result<std::string> {
                return tl::fail(tl::ErrorKind::usage, "no password while fuzzing");
            });
            break;
        case 3: {
            std::size_t cut = text.find('\0');
            std::string_view message = text.substr(0, cut);
            std::string_view sig =
                cut == std::string_view::npos ? std::string_view() : text.substr(cut + 1);
            if (key) {
                (void)ms::verify({*key}, message, sig);
            }
            break;
        }
    }
    return 0;
}
