#pragma once

// Which remote a spec names: the --source (`sources`) forms and the mirror's
// --to forms, each a small table of prefix -> factory. The one place that
// knows every kind of source and destination (source/, mirror/, oci/), so
// those folders never name each other.

#include <memory>
#include <string>

#include "tl/github/api.hpp"
#include "tl/http/client.hpp"
#include "tl/mirror/destination.hpp"
#include "tl/source/source.hpp"
#include "tl/util/console.hpp"

namespace tl::cli {

// The accepted source forms, for messages and help.
extern const char* const k_source_forms;

// The source a spec names: "github" (the configured repository), "github:OWNER/NAME",
// "https://…/" or "http://…/" (a static mirror), "file:///DIR" or "/DIR" (a
// mirror on disk), "oci://HOST/REPO". Throws tl::Error (usage) for a spec it
// does not understand, listing the accepted forms.
std::unique_ptr<source::Source> make_source(const std::string& spec, http::Client& client,
                                            const github::ApiConfig& github,
                                            const http::NetSettings& options,
                                            util::Console& console);

// The destination a --to spec names: a directory ("/srv/tl", "file:///srv/tl",
// a relative path) or an OCI repository ("oci://HOST/REPO"), which talks
// through `client`. Throws tl::Error (usage) for anything else.
std::unique_ptr<mirror::Destination> make_destination(const std::string& spec, http::Client& client,
                                                      const http::NetSettings& options,
                                                      util::Console& console);

}  // namespace tl::cli
