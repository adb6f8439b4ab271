#pragma once

// The functions a C header declares, read the way cbindgen writes headers:
// prototypes over several lines, comments, preprocessor lines (continued with
// a backslash), `extern "C" {` blocks, attributes and export macros before a
// declaration, struct/enum/union bodies, and function-pointer typedefs and
// fields (which are not functions). It is a scanner, not a C compiler: it does
// not expand macros or evaluate #if, so both sides of a conditional are read.

#include <string>
#include <string_view>
#include <vector>

namespace tl::objfile {

// The names of the functions `header` declares with a prototype ending in `;`,
// in the order first declared, each once. Not included: inline or static
// functions, function definitions, typedefs, function-pointer variables and
// fields, and anything inside a C++ namespace. An empty result means the text
// declares no function (or is not a C header).
std::vector<std::string> parse_header_functions(std::string_view header);

}  // namespace tl::objfile
