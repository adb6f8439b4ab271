#include "support/publish_support.hpp"

#include <gtest/gtest.h>

#include "support/objfile_fixtures.hpp"
#include "tl/platform/platform.hpp"
#include "tl/release/contract.hpp"

namespace tl::testing {

void write_x64_libraries(const fs::path& dir) {
    fs::create_directories(dir);
    for (const auto& name : release::default_libraries()) {
        fs::copy_file(fixture("libx64.a"), dir / ("lib" + name + ".a"),
                      fs::copy_options::overwrite_existing);
    }
}

fs::path pack_linux_x64(const fs::path& input, const fs::path& out, const std::string& version,
                        const std::string& source_date_epoch) {
    auto r = run_process({tool_path(), "pack", "--input", input.string(), "--out", out.string(),
                          "--platform", "linux-x64", "--version", version},
                         {{"SOURCE_DATE_EPOCH", source_date_epoch}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return out / ("temporal-static-libs-linux-x64-" + version + ".tar.gz");
}

std::string host_triple() {
    auto p =
        platform::resolve_platform(std::nullopt, std::nullopt, std::nullopt, platform::read_host());
    return p ? p->triple() : "unknown";
}

fs::path shared_cargo_target_dir() {
    return fs::path(tool_path()).parent_path() / "test-fixtures" / "cargo-target";
}

}  // namespace tl::testing
