#pragma once

// Building the static libraries from source with cargo, the way the release
// workflow always has:
//   cargo rustc -p <crate> --crate-type staticlib --target <triple> --release
//       -- --print native-static-libs
// once per crate, then copying each lib<crate>.a into an output directory with
// a build record that `pack` turns into the manifest.
//
// Build record (<out>/temporal-libs-build.json), format version 1:
//   {"format_version": 1, "tool": "temporal-libs 0.1.0",
//    "target": "<triple>", "rustc": "rustc 1.65.0 (...)", "cargo": "cargo 1.65.0",
//    "source": {"repository": <url or null>, "revision": <commit or null>},
//    "crates": [{"crate": "temporalio-client", "file": "libtemporalio_client.a",
//                "native_link_args": ["-lgcc_s", ...]}]}
//   version 1: first version.
// A record of another version is ignored by pack (with a warning), which then
// packs the libraries without the details only the build knows.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tl/platform/platform.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::publish {

namespace fs = std::filesystem;

// The build record's file name in the output directory.
inline constexpr std::string_view k_build_record_file = "temporal-libs-build.json";
inline constexpr int k_build_record_version = 1;

// The crates the contract's five libraries come from.
const std::vector<std::string>& default_crates();

// Whether cargo may use the network.
enum class Network { online, offline };

struct BuildOptions {
    fs::path source;                  // the Cargo workspace (sdk-core's checkout)
    std::string target;               // a Rust target triple
    std::vector<std::string> crates;  // empty: default_crates()
    fs::path out = "artifacts";       // where lib*.a and the record go
    fs::path target_dir;              // cargo's --target-dir; empty: cargo's own choice
    fs::path cargo;                   // empty: "cargo" from PATH
    Network network = Network::online;
    // Recorded in the build record when set (else read with git from `source`).
    std::string source_repository;
    std::string source_revision;
};

// One built crate.
struct BuiltCrate {
    std::string crate;
    std::string file;  // "libtemporalio_client.a"
    fs::path path;     // in the output directory
    std::uint64_t size = 0;
    std::vector<std::string> native_link_args;
};

// What a build did, also the content of the build record.
struct BuildRecord {
    std::string tool;
    std::string target;
    std::string rustc;
    std::string cargo;
    std::string source_repository;
    std::string source_revision;
    std::vector<BuiltCrate> crates;
};

// Runs the build. cargo's own output goes to the console as it comes. Fails
// with usage for an unknown triple, a source without Cargo.toml or a crate the
// workspace does not have; not_found for a missing cargo or a target whose
// standard library is not installed; build when a cargo command fails (the
// message holds the command line); filesystem when the output cannot be written.
Result<BuildRecord> build_libraries(const BuildOptions& options, util::Console& console);

// Serialises a build record (deterministic bytes).
std::string to_json(const BuildRecord& record);

// Reads a build record; an empty optional for another format version, an
// integrity failure for a damaged one.
Result<std::optional<BuildRecord>> parse_build_record(std::string_view text);

// The arguments in a "note: native-static-libs: ..." line of rustc's output;
// empty when the line is not one.
std::optional<std::vector<std::string>> parse_native_static_libs(std::string_view line);

}  // namespace tl::publish
