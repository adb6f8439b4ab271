#pragma once

// Builds tar archives entry by entry for tests, including entries no honest
// release would contain (absolute paths, links, devices), and release archives
// the way the existing workflow makes them (tar -czf NAME -C artifacts .).

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tl::testing {

struct TarEntry {
    enum class Type { file, dir, symlink, hardlink, char_device, fifo };
    Type type = Type::file;
    std::string path;
    std::string content;      // files
    std::string link_target;  // symlink / hardlink
    // When non-zero, the size written in the header (files); the content is
    // padded with zeros to it.
    std::uint64_t declared_size = 0;
};

// Compression applied to the tar stream.
enum class Compression { none, gzip, zstd };

// Writes a tar archive with exactly these entries, in this order.
void write_tar(const std::filesystem::path& out, const std::vector<TarEntry>& entries,
               Compression compression = Compression::gzip);

// Makes `dir/artifacts/lib<name>.a` for each name with the given contents, runs
// `tar -czf NAME -C artifacts .` and `sha256sum NAME > NAME.sha256` in `dir` like
// the release workflow, and returns the archive path.
std::filesystem::path make_workflow_release(const std::filesystem::path& dir,
                                            const std::string& archive_name,
                                            const std::map<std::string, std::string>& libs);

// A real (if tiny) static library: a GNU ar archive holding one ELF64
// relocatable object for linux-x64 (x86-64) or linux-arm64 (AArch64) whose .data
// section carries `payload`, so tests can choose sizes and contents freely.
std::string make_static_library(const std::string& platform, const std::string& payload);

// Five libraries with the contract's names and distinct contents (linux-x64).
std::map<std::string, std::string> contract_libraries(const std::string& salt = "");

}  // namespace tl::testing
