#include "tl/verify/digests.hpp"

#include <algorithm>

#include "tl/util/strings.hpp"

namespace tl::verify {

namespace {

// "asset 'x' changed since it was locked (...)": every release claim agrees
// with the others but not with the pin.
std::string changed_since_locked(const std::string& asset_name, const ExpectedDigest& pin,
                                 const std::vector<ExpectedDigest>& claims) {
    std::vector<std::string> origins;
    for (const auto& c : claims) {
        origins.push_back(c.origin);
    }
    std::string msg = "asset " + util::quoted(asset_name) +
                      " changed since it was locked (locked sha256 " + pin.sha256 +
                      (pin.pinned_detail.empty() ? "" : " " + pin.pinned_detail) +
                      "; the release now says " + claims.front().sha256 + " from " +
                      util::join(origins, " and ") + "); nothing was installed";
    if (!pin.repin_hint.empty()) {
        msg += "; if the change is expected, review it and " + pin.repin_hint;
    }
    return msg;
}

}  // namespace

Result<std::string> agreed_digest(const std::vector<ExpectedDigest>& expected,
                                  const std::string& asset_name) {
    if (expected.empty()) {
        return fail(ErrorKind::integrity,
                    "no checksum for " + util::quoted(asset_name) +
                        ": the release has no .sha256 file for it and the source reports no "
                        "digest; refusing to install an unverified archive (ask the publisher to "
                        "attach '" +
                        asset_name + ".sha256')");
    }
    bool all_same = std::all_of(expected.begin(), expected.end(), [&](const ExpectedDigest& e) {
        return e.sha256 == expected.front().sha256;
    });
    if (all_same) {
        return expected.front().sha256;
    }
    std::vector<ExpectedDigest> claims;
    const ExpectedDigest* pin = nullptr;
    for (const auto& e : expected) {
        if (e.authority == Authority::pin) {
            pin = &e;
        } else {
            claims.push_back(e);
        }
    }
    bool claims_agree =
        !claims.empty() && std::all_of(claims.begin(), claims.end(), [&](const ExpectedDigest& e) {
            return e.sha256 == claims.front().sha256;
        });
    if (pin != nullptr && claims_agree) {
        return fail(ErrorKind::integrity, changed_since_locked(asset_name, *pin, claims));
    }
    std::string msg = "the expected checksums of " + util::quoted(asset_name) + " disagree:";
    for (const auto& x : expected) {
        msg += "\n  " + x.sha256 + "  from " + x.origin;
        if (x.sha256 != expected.front().sha256) {
            msg += "  (differs from the first)";
        }
    }
    msg += "\nthe release may have been altered; nothing was downloaded or installed";
    if (pin != nullptr && !pin->repin_hint.empty()) {
        msg += " (the lockfile's digest is the reviewed one)";
    }
    return fail(ErrorKind::integrity, msg);
}

std::string mismatch_message(const std::string& asset_name, const std::string& actual,
                             const std::vector<ExpectedDigest>& expected) {
    std::vector<std::string> origins;
    for (const auto& e : expected) {
        origins.push_back(e.origin);
    }
    return "checksum mismatch for " + util::quoted(asset_name) + ": expected " +
           (expected.empty() ? std::string("?") : expected.front().sha256) + " (from " +
           util::join(origins, " and ") + "), got " + actual;
}

}  // namespace tl::verify
