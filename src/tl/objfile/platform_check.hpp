#pragma once

// The checks install and pack make before using a static library: that it is
// an archive a linker can use, and that its objects are for the platform.

#include "tl/objfile/library.hpp"
#include "tl/platform/platform.hpp"
#include "tl/util/error.hpp"

namespace tl::objfile {

// Succeeds when the file is an archive a linker can use (an ar archive or a
// universal file of archives, read to its end, holding objects); otherwise an
// integrity failure saying what the file is and what to do.
Result<void> check_static_library(const LibraryInfo& info);

// Succeeds when the library is usable (check_static_library) and every object
// is for `platform` (linux-x64: ELF x86-64, linux-arm64: ELF AArch64,
// macos-arm64: Mach-O arm64, macos-x64: Mach-O x86_64), or, for a universal
// file, when it has the platform's slice and that slice's objects all are. An
// integrity failure names the file, what it holds and what was expected.
Result<void> check_for_platform(const LibraryInfo& info, const platform::Platform& platform);

}  // namespace tl::objfile
