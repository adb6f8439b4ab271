// libFuzzer target for safe extraction: arbitrary bytes as a (compressed) tar
// stream, extracted into a fresh directory. Nothing may crash, and nothing may
// be written outside that directory (checked after every input).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>

#include "tl/archive/extract.hpp"
#include "tl/util/fs.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fs::path root = [] {
        fs::path p = fs::temp_directory_path() / ("tl-fuzz-extract-" + std::to_string(::getpid()));
        fs::create_directories(p);
        return p;
    }();
    fs::path dest = root / "dest";
    tl::util::remove_tree(dest);
    fs::create_directories(dest);
    bool given = false;
    tl::archive::ReadChunk read = [&](const void** out) -> ssize_t {
        if (given) {
            return 0;
        }
        given = true;
        *out = data;
        return static_cast<ssize_t>(size);
    };
    tl::archive::Limits limits;
    limits.max_entries = 64;
    limits.max_total_size = 1 << 20;
    limits.max_entry_size = 1 << 20;
    (void)tl::archive::extract_stream(read, dest, limits);
    // The only thing in root is dest: an escape would have left something else.
    for (const auto& e : fs::directory_iterator(root)) {
        if (e.path() != dest) {
            std::abort();
        }
    }
    return 0;
}
