#pragma once

// Independent jobs on a few threads: `mirror` copies platforms this way and
// `download` installs them. A job owns what it touches (its own HTTP client and
// source: a client is not safe to share between threads).

#include <cstddef>
#include <functional>

namespace tl::util {

// How many jobs of one command run at once (platforms copied or installed).
inline constexpr std::size_t k_default_parallel = 4;

// Calls job(0) .. job(count - 1), each once, at most `workers` at a time (at
// least one; the calling thread is one of them), and returns when all have
// finished. Jobs are started in index order. `job` must not throw.
void run_parallel(std::size_t count, std::size_t workers,
                  const std::function<void(std::size_t)>& job);

}  // namespace tl::util
