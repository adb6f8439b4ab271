#pragma once

// Expected digests of an archive can come from several places (the release's
// checksum file, the digest GitHub reports for the asset, later a lockfile or a
// signed SHA256SUMS). They must all agree, and at least one must exist.

#include <string>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::verify {

// One claim about what an archive's SHA-256 should be.
struct ExpectedDigest {
    std::string origin;  // "checksum file 'x.tar.gz.sha256'", "GitHub asset digest"
    std::string sha256;  // lower-case hex
};

// The digest every origin agrees on. An integrity failure when there is none
// ("no checksum at all is an error, not a silent pass") or when they disagree
// (the message names each origin and its digest).
Result<std::string> agreed_digest(const std::vector<ExpectedDigest>& expected,
                                  const std::string& asset_name);

// "checksum mismatch for 'x': expected <a> (from <origin>), got <b>": the message
// for a downloaded file whose digest differs from the agreed one.
std::string mismatch_message(const std::string& asset_name, const std::string& actual,
                             const std::vector<ExpectedDigest>& expected);

}  // namespace tl::verify
