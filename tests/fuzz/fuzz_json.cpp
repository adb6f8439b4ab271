// libFuzzer target for util::parse_json, the one parser every JSON document
// from outside goes through: it must never crash, never accept a document
// nested deeper than its limit, and agree with the pre-scan on depth.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tl/util/json.hpp"

namespace {

int depth_of(const nlohmann::json& j) {
    int deepest = 0;
    if (j.is_array() || j.is_object()) {
        for (const auto& item : j) {
            int d = depth_of(item);
            deepest = d > deepest ? d : deepest;
        }
        return deepest + 1;
    }
    return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    // A small limit so the fuzzer reaches it with short inputs.
    constexpr int k_limit = 8;
    auto j = tl::util::parse_json(text, "fuzz", k_limit);
    if (j) {
        if (depth_of(*j) > k_limit || tl::util::json_depth(text, k_limit) > k_limit) {
            std::abort();
        }
    } else if (j.error().message.empty()) {
        std::abort();
    }
    (void)tl::util::dump_json(tl::util::parse_json_or_discarded(text));
    return 0;
}
