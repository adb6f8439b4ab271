#include "tl/util/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace tl::util {

void run_parallel(std::size_t count, std::size_t workers,
                  const std::function<void(std::size_t)>& job) {
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < count; i = next++) {
            job(i);
        }
    };
    std::size_t n = std::max<std::size_t>(1, std::min(workers, count));
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < n; ++t) {
        threads.emplace_back(worker);
    }
    worker();
    for (auto& t : threads) {
        t.join();
    }
}

}  // namespace tl::util
