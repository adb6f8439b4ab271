#pragma once

// SHA256SUMS and its minisign signature as release assets: writing them over a
// dist directory (the `sign` command), and, for consumers with trusted keys,
// turning a release's signed SHA256SUMS into an expected digest for an archive.
//
// SHA256SUMS is in sha256sum format, one "<64 hex>  <name>" line per asset,
// sorted by name, covering every regular file of the directory except
// SHA256SUMS, SHA256SUMS.minisig and dot files.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tl/source/source.hpp"
#include "tl/trust/minisign.hpp"
#include "tl/util/error.hpp"
#include "tl/verify/digests.hpp"

namespace tl::trust {

inline constexpr const char* k_sums_name = "SHA256SUMS";
inline constexpr const char* k_sums_signature_name = "SHA256SUMS.minisig";

// The SHA256SUMS text for the assets in `dir`; not_found when it has none.
Result<std::string> sums_for_directory(const std::filesystem::path& dir);

// "E2A1D01B5F8C7A93, 0123456789ABCDEF": the ids of the trusted keys.
std::string key_ids(const std::vector<minisign::PublicKey>& keys);

// Parses the configured public keys ("RW..." each); a usage failure names the
// bad one and where it came from.
Result<std::vector<minisign::PublicKey>> parse_public_keys(const std::vector<std::string>& texts,
                                                           const std::string& where);

// With trusted keys: fetches SHA256SUMS and SHA256SUMS.minisig from `release`,
// verifies the signature with one of `trusted` and returns the digest it lists
// for `archive_name`, with origin "SHA256SUMS signed by key <id>"; an integrity
// failure when either file is missing, the signature is by an untrusted key or
// does not verify, or the archive is not listed. Without trusted keys: the
// digest an unsigned SHA256SUMS lists (origin "SHA256SUMS (unsigned)"), or
// nothing when the release has none or it does not list the archive.
Result<std::optional<verify::ExpectedDigest>> sums_claim(
    source::Source& source, const source::ReleaseInfo& release, const std::string& archive_name,
    const std::vector<minisign::PublicKey>& trusted);

// The signed case of sums_claim.
Result<verify::ExpectedDigest> signed_sums_claim(source::Source& source,
                                                 const source::ReleaseInfo& release,
                                                 const std::string& archive_name,
                                                 const std::vector<minisign::PublicKey>& trusted);

}  // namespace tl::trust
