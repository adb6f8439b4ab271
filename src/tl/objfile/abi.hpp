#pragma once

// Checks a C header against static libraries: every function the header
// declares must be defined, as a global symbol, in one of the libraries. A
// header from another release than the libraries shows up as missing names
// here instead of as undefined references in the user's link.

#include <filesystem>
#include <string>
#include <vector>

#include "tl/objfile/library.hpp"
#include "tl/util/error.hpp"

namespace tl::objfile {

// What abi_check found.
struct AbiReport {
    std::vector<std::string> functions;  // the declared functions checked, in header order
    std::vector<std::string> missing;    // those no library defines, in header order
    bool ok() const { return missing.empty(); }
};

// Finds which of `functions` none of `libraries` defines (Mach-O names are
// compared without their leading underscore, as LibraryInfo keeps them).
AbiReport abi_check(const std::vector<std::string>& functions,
                    const std::vector<LibraryInfo>& libraries);

// The same from files: reads the header and inspects each library. Fails with
// not_found for a missing file, integrity for a library that is not a usable
// static library (check_static_library), and usage when the header declares
// no function at all (it is probably not the right file).
Result<AbiReport> abi_check_files(const std::filesystem::path& header,
                                  const std::vector<std::filesystem::path>& libraries);

}  // namespace tl::objfile
