/* C ABI of the sample core bridge, in the shape cbindgen writes. */
#ifndef TEMPORAL_SAMPLE_BRIDGE_H
#define TEMPORAL_SAMPLE_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the bridge, as a NUL-terminated string. */
const char *temporal_core_bridge_version(void);

/* Adds two numbers, wrapping on overflow. */
uint64_t temporal_core_add(uint64_t a,
                           uint64_t b);

/* Writes "hello, <name>" into out; returns its length or -1. */
int64_t temporal_core_greet(const char *name, char *out, size_t len);

/* Sums 1..=n on a separate thread. */
uint64_t temporal_core_sum_on_thread(uint64_t n);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* TEMPORAL_SAMPLE_BRIDGE_H */
