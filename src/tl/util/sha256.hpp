#pragma once

// SHA-256 through OpenSSL's EVP interface (which picks SHA-NI or the ARMv8
// crypto extensions where the CPU has them).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "tl/util/error.hpp"

namespace tl::util {

// Incremental SHA-256; feed bytes with update(), read the lower-case hex with hex_digest().
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    // Adds bytes to the running hash.
    void update(const void* data, std::size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    // Finishes the hash and returns 64 lower-case hex digits; the object is reset afterwards.
    std::string hex_digest();
    // Starts over as if newly constructed.
    void reset();

private:
    void* m_ctx;
};

// The SHA-256 of a byte string, as lower-case hex.
std::string sha256_hex(std::string_view data);

// The SHA-256 of a file's contents; a filesystem failure if it cannot be read.
Result<std::string> sha256_file(const std::filesystem::path& path);

// True when `s` is exactly 64 hex digits (either case).
bool is_sha256_hex(std::string_view s);

}  // namespace tl::util
