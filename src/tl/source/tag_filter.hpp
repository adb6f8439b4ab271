#pragma once

#include <string>

#include "tl/util/console.hpp"

namespace tl::source {

// True when `tag`, as a source lists it, may be a library release
// (release::library_tag_problem): what `latest` and tag lists keep. Otherwise
// a warning says it was skipped; the tool's own releases
// ("temporal-libs-cli-...") are skipped silently.
bool keep_library_tag(const std::string& tag, const std::string& source_name,
                      util::Console& console);

}  // namespace tl::source
