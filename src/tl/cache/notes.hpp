#pragma once

// What the cache found where it expected its own files or directories (a link
// planted by another user of a shared cache) and moved aside: collected while
// it works, reported by whoever holds a console.

#include <string>
#include <vector>

namespace tl::cache {

void add_note(std::string note);
// The notes since the last call, in order.
std::vector<std::string> take_notes();

}  // namespace tl::cache
