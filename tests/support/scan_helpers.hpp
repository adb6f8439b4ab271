#pragma once

// Shared by the scan tests: findings of a snippet as compact strings
// ("3:5 rust-build", "7:1 toolchain-install allowed"), easy to compare.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "tl/scan/scanner.hpp"

namespace tl::testing {

// Scans `text` as a file of `type` at `path`; each finding as "line:column kind[ allowed]".
inline std::vector<std::string> findings_of(scan::FileType type, std::string_view text,
                                            std::string_view path = "file",
                                            const std::vector<std::string>& allow = {}) {
    auto result = scan::scan_text(path, type, text, allow);
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
    std::vector<std::string> out;
    if (!result) {
        return out;
    }
    for (const auto& f : *result) {
        out.push_back(std::to_string(f.line) + ":" + std::to_string(f.column) + " " +
                      scan::kind_name(f.kind) +
                      (f.status == scan::Status::allowed ? " allowed" : ""));
    }
    return out;
}

using Found = std::vector<std::string>;

}  // namespace tl::testing
