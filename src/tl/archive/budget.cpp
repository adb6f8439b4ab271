#include "tl/archive/budget.hpp"

#include <algorithm>
#include <mutex>

namespace tl::archive {

namespace {

std::mutex g_mutex;
Budget g_budget;

}  // namespace

void set_budget(const Budget& budget) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_budget = budget;
}

Budget budget() {
    std::lock_guard<std::mutex> lock(g_mutex);
    return g_budget;
}

std::uint64_t extraction_budget(const Limits& limits, std::uint64_t compressed_size,
                                std::uint64_t ratio) {
    std::uint64_t total = limits.max_total_size;
    if (compressed_size != 0 && ratio != 0) {
        std::uint64_t by_ratio = compressed_size > total / ratio ? total : compressed_size * ratio;
        total = std::min(total, std::max(by_ratio, k_min_expansion_allowance));
    }
    return total;
}

}  // namespace tl::archive
