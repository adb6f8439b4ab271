#pragma once

// An OCI repository as a mirror destination (layout in oci/layout.hpp).

#include <memory>
#include <string>

#include "tl/http/client.hpp"
#include "tl/mirror/destination.hpp"
#include "tl/source/source.hpp"
#include "tl/util/console.hpp"

namespace tl::oci {

// The repository "oci://host[:port]/path" as a place to push releases to;
// throws tl::Error (usage) for a malformed URL.
std::unique_ptr<mirror::Destination> make_oci_destination(http::Client& client,
                                                          const std::string& url,
                                                          const http::NetSettings& options,
                                                          util::Console& console);

}  // namespace tl::oci
