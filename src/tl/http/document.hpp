#pragma once

// Small documents (API answers, checksum files, mirror indexes, registry
// manifests and tag lists) are held in memory whole: besides their size cap,
// they get a total deadline, so a server trickling an endless answer cannot
// keep a build waiting for hours (docs/security.md, 'document_timeout').

#include <chrono>

#include "tl/http/client.hpp"

namespace tl::http {

inline constexpr std::chrono::seconds k_default_document_deadline{60};

// Sets the deadline for every small document of this process; 0 for none.
void set_document_deadline(std::chrono::seconds deadline);

// `t` with its total limit no longer than the document deadline.
Timeouts document_timeouts(Timeouts t);

}  // namespace tl::http
