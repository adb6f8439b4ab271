#pragma once

// Standard base64 (RFC 4648, with padding), for HTTP basic auth and the
// "auth" entries of Docker's config.json.

#include <optional>
#include <string>
#include <string_view>

namespace tl::util {

std::string base64_encode(std::string_view in);

// The decoded bytes; empty optional when `in` is not valid padded base64.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace tl::util
