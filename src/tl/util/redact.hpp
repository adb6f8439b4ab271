#pragma once

// Every URL passes through redact_url() before it reaches a log or an error,
// and every line the tool prints passes through scrub(), so a token never
// appears in output even when it ends up somewhere unexpected.

#include <string>
#include <string_view>

namespace tl::util {

// Returns `url` with user information removed and the values of query
// parameters replaced by "REDACTED" (signed storage URLs carry credentials
// there), except a few harmless ones (page, per_page, name, label).
std::string redact_url(std::string_view url);

// Registers a secret (a token, a password) so scrub() hides it; short strings
// (under 4 characters) are ignored to avoid mangling ordinary text.
void register_secret(std::string_view secret);

// Replaces every registered secret in `text` with "***".
std::string scrub(std::string_view text);

}  // namespace tl::util
