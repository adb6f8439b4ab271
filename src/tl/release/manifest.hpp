#pragma once

// The release manifest: what an archive holds and how to link it, written by
// `temporal-libs pack` as the archive entry `./manifest.json` (after the
// libraries, in the same archive, so the archive's checksum covers it and it
// lands in the cache beside the libraries as <cache>/<tag>/<platform>/manifest.json).
// It is not a separate release asset: one copy, verified with the archive.
// Releases made before it existed (the old workflow's `tar -czf`) have none,
// and consumers must keep working without it.
//
// Format (JSON, keys sorted, two-space indent, a final newline):
//   {"format_version": 1,
//    "tool": "temporal-libs 0.1.0",            the packer's name and version
//    "tag": "temporal-libs-v1.0.2", "version": "v1.0.2",
//    "platform": "linux-x64", "target": "x86_64-unknown-linux-gnu",
//    "rustc": "rustc 1.65.0 (897e37553 2022-11-02)" or null,
//    "source": {"repository": "https://github.com/temporalio/sdk-core" or null,
//               "revision": "<commit>" or null},
//    "native_link_args": ["-lgcc_s", "-lutil", ...],   what a linker needs beside
//                                                       the libraries (rustc's
//                                                       native-static-libs, merged)
//    "libraries": [{"file": "libtemporalio_client.a", "crate": "temporalio-client" or null,
//                   "sha256": "<64 hex>", "size": 123,
//                   "format": "ELF", "architecture": "x86-64",
//                   "native_link_args": [...]}]}       sorted by file name
//
// Readers ignore keys they do not know: adding a key does not change the
// version. The version changes when a key changes meaning or a required key
// (format_version, platform, libraries[].file/sha256/size) goes away.
//   version 1: first version.
// A manifest of a newer version than the reader knows is treated as absent.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::release {

// The manifest format this build writes and reads.
inline constexpr int k_manifest_format_version = 1;

// The manifest's file name inside an archive (stored as "./manifest.json").
inline constexpr std::string_view k_manifest_file = "manifest.json";

// One library of the archive.
struct ManifestLibrary {
    std::string file;   // "libtemporalio_client.a"
    std::string crate;  // "temporalio-client"; empty when unknown
    std::string sha256;
    std::uint64_t size = 0;
    std::string format;        // "ELF", "Mach-O"
    std::string architecture;  // "x86-64", "AArch64", "arm64"
    std::vector<std::string> native_link_args;
};

struct Manifest {
    int format_version = k_manifest_format_version;
    std::string tool;
    std::string tag;
    std::string version;
    std::string platform;
    std::string target;
    std::string rustc;              // empty when unknown
    std::string source_repository;  // empty when unknown
    std::string source_revision;    // empty when unknown
    std::vector<std::string> native_link_args;
    std::vector<ManifestLibrary> libraries;

    // The library with this file name, or nullptr.
    const ManifestLibrary* find(std::string_view file) const;
};

// Serialises a manifest in the format above (deterministic: the same manifest
// gives the same bytes).
std::string to_json(const Manifest& manifest);

// Parses a manifest (untrusted input, never throws). An empty optional for a
// format version newer than this build knows (treat as absent); an integrity
// failure for damaged JSON, missing required keys, or a library name that is
// not a plain "lib*.a" file name.
Result<std::optional<Manifest>> parse_manifest(std::string_view text);

// Merges link argument lists in order, dropping repeats ("-framework X" pairs
// are kept together), so one list serves every library.
std::vector<std::string> merge_link_args(const std::vector<std::vector<std::string>>& lists);

}  // namespace tl::release
