/* Links the sample bridge from the cache and calls every function once. */
#include <stdio.h>
#include <string.h>

#include "temporal_sample_bridge.h"

int main(void) {
    char buf[64];
    if (temporal_core_add(40, 2) != 42) {
        fprintf(stderr, "temporal_core_add is wrong\n");
        return 1;
    }
    if (temporal_core_greet("temporal", buf, sizeof buf) < 0 || strcmp(buf, "hello, temporal") != 0) {
        fprintf(stderr, "temporal_core_greet is wrong\n");
        return 1;
    }
    if (temporal_core_sum_on_thread(100) != 5050) {
        fprintf(stderr, "temporal_core_sum_on_thread is wrong\n");
        return 1;
    }
    printf("%s: add=%llu greet='%s' sum=%llu\n", temporal_core_bridge_version(),
           (unsigned long long)temporal_core_add(40, 2), buf,
           (unsigned long long)temporal_core_sum_on_thread(100));
    return 0;
}
