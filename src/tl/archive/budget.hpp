#pragma once

// What an archive may cost before its digest is known (docs/security.md).
// Extraction runs while downloading, so these bound what a hostile server or
// archive can write before the checksum rejects it: the download stops at the
// declared size (or max_archive_size when none is declared), and extraction
// stops at Limits::max_total_size or max_expansion_ratio times the declared
// size, whichever is lower.

#include <cstdint>

#include "tl/archive/extract.hpp"

namespace tl::archive {

struct Budget {
    // Bytes extracted per byte of compressed archive ('max_expansion_ratio').
    std::uint64_t max_expansion_ratio = 20;
    // Largest archive: a larger declared size is refused, and a download whose
    // source declares no size stops here ('max_archive_mib').
    std::uint64_t max_archive_size = 2ull << 30;
};

// A tiny archive of small files legitimately expands far beyond any ratio
// (tar headers and padding compress to nothing): this much is always allowed.
inline constexpr std::uint64_t k_min_expansion_allowance = 64ull << 20;

// The budget of this process; the command line sets it once from the
// configuration, before any download.
void set_budget(const Budget& budget);
Budget budget();

// The bytes extraction may write for an archive whose declared size is
// `compressed_size` (0: unknown): limits.max_total_size, and `ratio` times the
// declared size (never below k_min_expansion_allowance).
std::uint64_t extraction_budget(const Limits& limits, std::uint64_t compressed_size,
                                std::uint64_t ratio);

}  // namespace tl::archive
