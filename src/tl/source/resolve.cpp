#include "tl/source/resolve.hpp"

#include "tl/release/contract.hpp"
#include "tl/util/strings.hpp"

namespace tl::source {

Result<ReleaseInfo> resolve_release(Source& source, const std::string& version,
                                    util::Console& console) {
    const std::string prefix(release::k_tag_prefix);
    const bool latest = release::is_latest(version);
    TL_TRY_ASSIGN(found, latest ? source.latest(prefix) : source.release(version))
    if (*found) {
        if (latest) {
            console.info("latest release is " + util::quoted((*found)->tag));
        }
        return std::move(**found);
    }
    if (latest) {
        return fail(ErrorKind::not_found, "no published release with a tag starting with '" +
                                              prefix + "' in " + source.name() +
                                              " (drafts and pre-releases are not considered)");
    }
    std::string available = "none";
    if (auto tags = source.tags(prefix, 10); tags && !tags->empty()) {
        available = util::join(*tags, ", ");
    }
    return fail(ErrorKind::not_found, "release " + util::quoted(version) + " not found in " +
                                          source.name() + "; available: " + available +
                                          " (pass --version with one of them, or 'latest', or "
                                          "another --source)");
}

}  // namespace tl::source
