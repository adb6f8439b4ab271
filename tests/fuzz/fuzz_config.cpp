// libFuzzer target for the configuration: any text as a project's
// temporal-libs.toml (TOML parsing, key table, value types), read the way
// every command reads it.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "tl/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace fs = std::filesystem;
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("tl-fuzz-config-" + std::to_string(::getpid()));
        fs::create_directories(d);
        return d;
    }();
    const fs::path file = dir / tl::config::k_project_file;
    if (std::FILE* f = std::fopen(file.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
    auto c = tl::config::Config::load(dir, dir / "no-user-file.toml");
    if (c) {
        for (const auto& k : tl::config::keys()) {
            (void)c->list(k.name);
            (void)c->boolean(k.name);
        }
    }
    return 0;
}
