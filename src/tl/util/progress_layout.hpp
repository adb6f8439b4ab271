#pragma once

// How a progress line fits a narrow terminal (console.cpp's Progress uses it).

#include <cstddef>
#include <cstdio>
#include <string>

namespace tl::util {

// Columns of the terminal `stream` is (0 when it is not a terminal).
std::size_t terminal_width(std::FILE* stream);

// A progress line from its parts for a terminal `width` columns wide (0: any
// width). What does not fit gives way in this order: the bar, the rate and
// time left, then the middle of the label; the figures (bytes and percent)
// always stay, so a 40-column terminal still shows how far it got.
std::string compose_progress(const std::string& label, const std::string& bar,
                             const std::string& figures, const std::string& extras,
                             std::size_t width);

}  // namespace tl::util
