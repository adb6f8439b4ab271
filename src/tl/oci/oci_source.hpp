#pragma once

// An OCI repository as a release source (layout in oci/layout.hpp).

#include <memory>
#include <string>

#include "tl/http/client.hpp"
#include "tl/source/source.hpp"
#include "tl/util/console.hpp"

namespace tl::oci {

// The releases of the repository "oci://host[:port]/path"; throws tl::Error
// (usage) for a malformed URL.
std::unique_ptr<source::Source> make_oci_source(http::Client& client, const std::string& url,
                                                const http::NetSettings& options,
                                                util::Console& console);

}  // namespace tl::oci
