// Calls every function of the sample core bridge through its C ABI.
#include <cstdio>
#include <string>

#include "temporal_sample_bridge.h"

int main() {
    char buf[64];
    if (temporal_core_add(40, 2) != 42) {
        std::fprintf(stderr, "temporal_core_add is wrong\n");
        return 1;
    }
    if (temporal_core_greet("temporal", buf, sizeof buf) < 0 ||
        std::string(buf) != "hello, temporal") {
        std::fprintf(stderr, "temporal_core_greet is wrong\n");
        return 1;
    }
    if (temporal_core_sum_on_thread(100) != 5050) {
        std::fprintf(stderr, "temporal_core_sum_on_thread is wrong\n");
        return 1;
    }
    std::printf("c++ consumer of %s: add=%llu greet='%s' sum=%llu\n",
                temporal_core_bridge_version(),
                static_cast<unsigned long long>(temporal_core_add(40, 2)), buf,
                static_cast<unsigned long long>(temporal_core_sum_on_thread(100)));
    return 0;
}
