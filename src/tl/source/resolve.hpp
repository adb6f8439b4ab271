#pragma once

// "Which release": the one rule the installer, download, lock and mirror share.

#include <string>

#include "tl/source/source.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::source {

// The release `version` names in `source`: for "latest" the highest stable
// library release (latest.hpp; said on the console), else the tag as given.
// A release the source lacks is a not_found failure listing the tags it has.
Result<ReleaseInfo> resolve_release(Source& source, const std::string& version,
                                    util::Console& console);

}  // namespace tl::source
