#pragma once

// Packing built libraries into a release archive with the contract's name,
// its sha256sum file and the manifest (release/manifest.hpp) inside it.
//
// The archive is deterministic (archive/create.hpp): entries "./", then each
// "./lib*.a" sorted by name, then "./manifest.json" (names shaped like those of
// `tar -czf NAME -C artifacts .`, so old extractors behave the same); every
// mtime SOURCE_DATE_EPOCH or 0, uid/gid 0. The same libraries and the same
// build record give byte-identical archives, whatever the files' own times,
// modes and owners.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tl/platform/platform.hpp"
#include "tl/release/contract.hpp"
#include "tl/release/manifest.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::publish {

namespace fs = std::filesystem;

struct PackOptions {
    fs::path input = "artifacts";  // lib*.a, and temporal-libs-build.json when built by `build`
    fs::path out = "dist";         // where the archive and its .sha256 go
    platform::Platform platform;
    std::string tag;  // "temporal-libs-v1.0.2"
    release::ArchiveFormat format = release::ArchiveFormat::tar_gz;
    // Libraries to pack ("temporalio_client" or "libtemporalio_client.a"); empty:
    // every lib*.a in `input`, which must include the contract's five.
    std::vector<std::string> libraries;
    // Override or supply what the build record would say.
    std::string rustc;
    std::string source_repository;
    std::string source_revision;
    std::int64_t mtime = 0;  // SOURCE_DATE_EPOCH
};

// What pack wrote.
struct PackResult {
    fs::path archive;
    fs::path checksum;
    std::string sha256;
    std::uint64_t size = 0;
    release::Manifest manifest;
};

// Checks each library (a static library whose objects all match the
// platform's format and architecture) and writes the archive and its checksum
// file atomically. Fails with not_found for a missing input or library, usage
// for a build record of another target, integrity for a library that is not a
// usable static library for the platform, filesystem when writing fails.
Result<PackResult> pack(const PackOptions& options, util::Console& console);

}  // namespace tl::publish
