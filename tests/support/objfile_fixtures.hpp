#pragma once

// Real static libraries for the objfile tests, built from tiny C files with
// the system's compilers and archivers: GNU ar of x86-64 and AArch64 ELF
// objects, BSD ar of Mach-O arm64 and x86_64 objects, a universal file of
// both, a Windows .lib. They are built once per build tree (in
// <build>/test-fixtures/objfile-<hash of the script>) because CTest runs each
// test in its own process.

#include <filesystem>
#include <string>

namespace tl::testing {

// The folder holding the built libraries and objects, building it if needed.
// Files whose tool is missing (llvm-lipo for the universal file) are absent;
// tests check with has_fixture().
const std::filesystem::path& objfile_fixtures();

// The path of one fixture file, e.g. "libx64.a".
std::filesystem::path fixture(const std::string& name);

// True when the fixture file exists (its tool was installed).
bool has_fixture(const std::string& name);

// The C header the stub libraries implement (tl_alpha, tl_beta, tl_gamma).
const std::string& stub_header();

}  // namespace tl::testing
