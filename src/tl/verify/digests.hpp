#pragma once

// Expected digests of an archive can come from several places (the release's
// checksum file, the digest GitHub reports for the asset, the project's
// lockfile, a signed SHA256SUMS). They must all agree, and at least one must
// exist.

#include <string>
#include <utility>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::verify {

// Whether a digest is a claim the release makes now, or a pin recorded earlier
// (the lockfile), which no release may override.
enum class Authority { release_claim, pin };

// One claim about what an archive's SHA-256 should be.
struct ExpectedDigest {
    ExpectedDigest(std::string origin_, std::string sha256_,
                   Authority authority_ = Authority::release_claim)
        : origin(std::move(origin_)), sha256(std::move(sha256_)), authority(authority_) {}

    std::string origin;  // "checksum file 'x.tar.gz.sha256'", "GitHub asset digest"
    std::string sha256;  // lower-case hex
    Authority authority = Authority::release_claim;
    // For pins: when and where it was recorded ("on 2026-01-02T03:04:05Z from
    // github.com/o/r") and what to do if the change is expected.
    std::string pinned_detail;
    std::string repin_hint;
};

// The digest every origin agrees on. An integrity failure when there is none
// ("no checksum at all is an error, not a silent pass") or when they disagree
// (the message names each origin and its digest; a pin that every release
// claim contradicts is reported as the asset having changed since it was
// locked).
Result<std::string> agreed_digest(const std::vector<ExpectedDigest>& expected,
                                  const std::string& asset_name);

// "checksum mismatch for 'x': expected <a> (from <origin>), got <b>": the message
// for a downloaded file whose digest differs from the agreed one.
std::string mismatch_message(const std::string& asset_name, const std::string& actual,
                             const std::vector<ExpectedDigest>& expected);

}  // namespace tl::verify
