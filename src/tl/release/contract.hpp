#pragma once

// The compatibility contract with the releases and Zig builds that exist today:
// release tags, asset names and checksum files. Everything that spells one of
// those names goes through here.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tl/platform/platform.hpp"
#include "tl/util/error.hpp"

namespace tl::release {

// Every release tag of this product starts with this prefix.
inline constexpr std::string_view k_tag_prefix = "temporal-libs-";

// The release this build of the tool downloads when nothing else is configured.
inline constexpr std::string_view k_pinned_default_tag = "temporal-libs-v1.0.2";

// The GitHub repository holding the releases and the API it is read through
// when nothing else is configured (the `repo` and `api_url` keys' defaults).
inline constexpr std::string_view k_default_repo = "proompteng/lab";
inline constexpr std::string_view k_default_api_url = "https://api.github.com";

// The libraries every release archive holds (names without lib and .a), in
// the order the `libraries` key lists them by default.
inline constexpr std::array<std::string_view, 5> k_default_libraries = {
    "temporalio_sdk_core", "temporalio_sdk_core_c_bridge", "temporalio_client", "temporalio_sdk",
    "temporalio_common"};

// k_default_libraries as strings.
const std::vector<std::string>& default_libraries();

// True for a static library's file name or path ("libfoo.a", "sub/libfoo.a"):
// what archives, cache entries and pack inputs count as libraries.
bool is_library_file(std::string_view path);

// Archive formats a release may carry, in the client's order of preference
// where both exist.
enum class ArchiveFormat { tar_zst, tar_gz };

// ".tar.gz" or ".tar.zst".
std::string_view extension(ArchiveFormat f);

// True for the special version "latest" (any case).
bool is_latest(std::string_view version);

// "v1.0.2" -> "temporal-libs-v1.0.2"; a tag that already has the prefix is kept;
// surrounding white space is dropped. A usage failure for an empty version or one
// with characters that cannot be in a tag. `line` says which releases are meant:
// the libraries' (every consumer), or the tool's own too ("temporal-libs-cli-v0.2.0",
// which only `publish` names).
enum class TagLine { library, library_or_tool };
Result<std::string> normalize_tag(std::string_view version, TagLine line = TagLine::library);

// "temporal-libs-v1.0.2" -> "v1.0.2".
std::string version_label(std::string_view tag);

// "temporal-static-libs-linux-x64-v1.0.2.tar.gz".
std::string archive_name(const platform::Platform& p, std::string_view tag, ArchiveFormat f);

// The two checksum asset names the contract allows for an archive, preferred first:
// "<archive>.sha256" and "temporal-static-libs-<platform>-<version>.sha256".
std::vector<std::string> checksum_names(const platform::Platform& p, std::string_view tag,
                                        ArchiveFormat f);

// Finds which platform and format an asset name belongs to, for listing what a
// release has; empty for other assets.
struct ArchiveAssetName {
    std::string platform;  // as spelled in the name, e.g. "linux-x64"
    ArchiveFormat format;
};
std::optional<ArchiveAssetName> parse_archive_name(std::string_view asset, std::string_view tag);

// Reads a checksum file in sha256sum format ("<64 hex>  <name>", "<hex> *<name>",
// or a lone "<hex>") and returns the lower-case digest for `file_name`. A file
// listing several names must list this one; comparing uses base names. An
// integrity failure when nothing usable is there.
Result<std::string> parse_checksum_file(std::string_view text, std::string_view file_name);

// Orders tags by version: numeric fields compare as numbers ("v1.10.0" > "v1.9.1"),
// a pre-release suffix sorts before its release. Returns <0, 0, >0.
int compare_tags(std::string_view a, std::string_view b);

}  // namespace tl::release
