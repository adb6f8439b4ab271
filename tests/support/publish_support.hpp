#pragma once

// Helpers for the publisher tests: real static libraries with the contract's
// names, packed by the real binary; the host's Rust target; a cargo target
// directory shared by every test of a build tree, so the sample crates are
// compiled once (sample_core.hpp has the sample workspace and host platform).

#include <filesystem>
#include <string>

#include "support/sample_core.hpp"
#include "support/test_util.hpp"

namespace tl::testing {

// Writes the contract's five libraries into `dir`, each a copy of the objfile
// fixture libx64.a (a real x86-64 ELF static library).
void write_x64_libraries(const fs::path& dir);

// Runs `temporal-libs pack` on `input` for linux-x64 and `version`, writing into
// `out`; returns the archive's path. Fails the test when pack fails.
fs::path pack_linux_x64(const fs::path& input, const fs::path& out, const std::string& version,
                        const std::string& source_date_epoch = "");

// The Rust target triple of this machine ("x86_64-unknown-linux-gnu").
std::string host_triple();

// <build>/test-fixtures/cargo-target: cargo's target directory for the tests.
fs::path shared_cargo_target_dir();

}  // namespace tl::testing
