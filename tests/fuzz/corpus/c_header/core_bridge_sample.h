#pragma once

/* A header in the shape cbindgen writes for a Rust core's C bridge: enums,
 * opaque handles, option structs with callback fields, typedef'd function
 * pointers and prototypes spread over several lines. The functions it
 * declares are listed in test_objfile.cpp (HeaderParser.SampleBridgeHeader). */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define SAMPLE_CORE_VERSION_MAJOR 1
#define SAMPLE_CORE_DECLARE(name) \
  void sample_core_macro_##name(void); \
  void sample_core_not_a_function(void)

#if defined(_WIN32)
#  define SAMPLE_CORE_DEPRECATED(msg) __declspec(deprecated(msg))
#else
#  define SAMPLE_CORE_DEPRECATED(msg) __attribute__((deprecated(msg)))
#endif

typedef enum SampleCoreLogLevel {
  Trace = 0,
  Debug,
  Info,
  Warn,
  Error,
} SampleCoreLogLevel;

typedef enum SampleCoreMetricKind {
  CounterInteger = 1,
  HistogramFloat,
  GaugeFloat,
} SampleCoreMetricKind;

typedef struct SampleCoreClient SampleCoreClient;

typedef struct SampleCoreRuntime SampleCoreRuntime;

typedef struct SampleCoreWorker SampleCoreWorker;

typedef struct SampleCoreByteArrayRef {
  const uint8_t *data;
  size_t size;
} SampleCoreByteArrayRef;

/**
 * Metadata is <key1>\n<value1>\n<key2>\n<value2>.
 */
typedef struct SampleCoreByteArrayRef SampleCoreMetadataRef;

typedef struct SampleCoreByteArray {
  const uint8_t *data;
  size_t size;
  /**
   * For internal use only; do not call sample_core_internal_free(void);
   */
  size_t cap;
  bool disable_free;
} SampleCoreByteArray;

/**
 * Called once the client is connected; if success or fail are not null, they
 * must be freed with sample_core_byte_array_free().
 */
typedef void (*SampleCoreClientConnectCallback)(void *user_data,
                                                struct SampleCoreClient *success,
                                                const struct SampleCoreByteArray *fail);

typedef const void *(*SampleCoreMetricNewCallback)(struct SampleCoreByteArrayRef name,
                                                   struct SampleCoreByteArrayRef description,
                                                   enum SampleCoreMetricKind kind);

typedef void (*SampleCoreMetricFreeCallback)(const void *metric);

typedef struct SampleCoreClientOptions {
  struct SampleCoreByteArrayRef target_url;
  struct SampleCoreByteArrayRef client_name;
  SampleCoreMetadataRef metadata;
  const struct SampleCoreClientTlsOptions *tls_options;
  /**
   * If set, every call goes through it (see sample_core_client_rpc_call).
   */
  SampleCoreClientConnectCallback on_connect;
  void (*on_close)(void *user_data, uint32_t reason);
  void *user_data;
} SampleCoreClientOptions;

typedef struct SampleCoreCustomMeter {
  SampleCoreMetricNewCallback metric_new;
  SampleCoreMetricFreeCallback metric_free;
  const void *(*attributes_new)(const void *append_from,
                                size_t attributes_size);
} SampleCoreCustomMeter;

typedef union SampleCoreMetricValue {
  struct SampleCoreByteArrayRef string_value;
  int64_t int_value;
  double float_value;
  bool bool_value;
} SampleCoreMetricValue;

typedef struct SampleCoreSlotSupplier {
  enum SampleCoreMetricKind tag;
  union {
    struct {
      uintptr_t fixed_size;
    };
    struct {
      double target_mem_usage;
      void (*reserve)(void *ctx, uintptr_t permit);
    };
  };
} SampleCoreSlotSupplier;

typedef struct SampleCoreRuntimeOrFail {
  struct SampleCoreRuntime *runtime;
  const struct SampleCoreByteArray *fail;
} SampleCoreRuntimeOrFail;

static inline bool sample_core_byte_array_is_empty(const struct SampleCoreByteArray *bytes) {
  return bytes == NULL || bytes->size == 0;
}

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

struct SampleCoreRuntimeOrFail sample_core_runtime_new(const struct SampleCoreRuntimeOptions *options);

void sample_core_runtime_free(struct SampleCoreRuntime *runtime);

/**
 * Runtime must live as long as client. Options and user data must live
 * through callback: void not_declared(void);
 */
void sample_core_client_connect(struct SampleCoreRuntime *runtime,
                                const struct SampleCoreClientOptions *options,
                                void *user_data,
                                SampleCoreClientConnectCallback callback);

void sample_core_client_free(struct SampleCoreClient *client);

SampleCoreMetadataRef sample_core_client_metadata(const struct SampleCoreClient *client);

const struct SampleCoreByteArray *sample_core_worker_record_heartbeat(struct SampleCoreWorker *worker,
                                                                      struct SampleCoreByteArrayRef heartbeat);

SAMPLE_CORE_DEPRECATED("use sample_core_worker_poll")
void sample_core_worker_poll_legacy(struct SampleCoreWorker *worker, void *user_data);

void sample_core_worker_poll(struct SampleCoreWorker *worker,
                             void *user_data,
                             void (*callback)(void *user_data,
                                              const struct SampleCoreByteArray *success,
                                              const struct SampleCoreByteArray *fail));

int32_t sample_core_random_int32_range(struct SampleCoreRandom *random,
                                       int32_t min,
                                       int32_t max,
                                       bool max_inclusive) __attribute__((warn_unused_result));

SampleCoreMetricFreeCallback sample_core_metric_free_callback(void);

void (*sample_core_log_forwarder(const struct SampleCoreRuntime *runtime))(enum SampleCoreLogLevel level,
                                                                           const char *message);

extern void (*sample_core_panic_hook)(const char *message);

extern const uint32_t sample_core_abi_version;

void sample_core_byte_array_free(struct SampleCoreRuntime *runtime,
                                 const struct SampleCoreByteArray *bytes);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus
