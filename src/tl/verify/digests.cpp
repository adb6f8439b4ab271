#include "tl/verify/digests.hpp"

#include "tl/util/strings.hpp"

namespace tl::verify {

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
    for (const auto& e : expected) {
        if (e.sha256 != expected.front().sha256) {
            std::string msg =
                "the expected checksums of " + util::quoted(asset_name) + " disagree:";
            for (const auto& x : expected) {
                msg += "\n  " + x.sha256 + "  from " + x.origin;
            }
            msg += "\nthe release may have been altered; nothing was downloaded or installed";
            return fail(ErrorKind::integrity, msg);
        }
    }
    return expected.front().sha256;
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
