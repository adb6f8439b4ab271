#include "tl/util/sha256.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <cerrno>
#include <cstring>
#include <vector>

#include "tl/util/fs.hpp"

namespace tl::util {

namespace {
EVP_MD_CTX* ctx_of(void* p) {
    return static_cast<EVP_MD_CTX*>(p);
}
}  // namespace

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
    reset();
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(ctx_of(m_ctx));
}

void Sha256::reset() {
    EVP_DigestInit_ex(ctx_of(m_ctx), EVP_sha256(), nullptr);
}

void Sha256::update(const void* data, std::size_t size) {
    EVP_DigestUpdate(ctx_of(m_ctx), data, size);
}

std::string Sha256::hex_digest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_of(m_ctx), md, &len);
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(std::size_t{len} * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(digits[md[i] >> 4]);
        out.push_back(digits[md[i] & 0xf]);
    }
    reset();
    return out;
}

std::string sha256_hex(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.hex_digest();
}

Result<std::string> sha256_file(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        return fail(ErrorKind::filesystem,
                    "cannot read '" + path.string() + "': " + std::strerror(errno));
    }
    Sha256 h;
    std::vector<char> buf(1 << 20);
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(ErrorKind::filesystem,
                        "cannot read '" + path.string() + "': " + std::strerror(errno));
        }
        if (n == 0) {
            break;
        }
        h.update(buf.data(), static_cast<std::size_t>(n));
    }
    return h.hex_digest();
}

bool is_sha256_hex(std::string_view s) {
    if (s.size() != 64) {
        return false;
    }
    for (char c : s) {
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex) {
            return false;
        }
    }
    return true;
}

}  // namespace tl::util
