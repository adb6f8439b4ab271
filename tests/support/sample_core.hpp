#pragma once

// The sample core crates (examples/sample-core), built once per build tree with
// cargo exactly as the release workflow builds sdk-core, shared by every test
// process (a lock serialises the first build).

#include <filesystem>
#include <map>
#include <string>

namespace tl::testing {

// Builds (or reuses) the five staticlibs for the host and returns library
// name -> path of its lib<name>.a. Fails the calling test when cargo is missing
// or the build fails.
std::map<std::string, std::filesystem::path> sample_core_libraries();

// The host's platform name ("linux-x64", "linux-arm64").
std::string host_platform();

// examples/sample-core in the source tree.
std::filesystem::path sample_core_dir();

}  // namespace tl::testing
