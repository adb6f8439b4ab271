// libFuzzer target for temporal-libs.lock: a project file anyone with commit
// access can edit. Parsing must never crash, and what parses must serialise
// and parse back to the same text.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tl/trust/lockfile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto lock = tl::trust::Lockfile::parse(text, "fuzz");
    if (lock) {
        std::string once = lock->serialize();
        auto again = tl::trust::Lockfile::parse(once, "fuzz");
        if (!again || again->serialize() != once) {
            std::abort();
        }
    }
    return 0;
}
