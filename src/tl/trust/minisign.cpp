#include "tl/trust/minisign.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tl/util/strings.hpp"

namespace tl::trust::minisign {

namespace {

constexpr std::size_t k_public_key_bytes = 2 + 8 + 32;
constexpr std::size_t k_signature_bytes = 2 + 8 + 64;
constexpr std::size_t k_secret_key_bytes = 2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32;
constexpr std::size_t k_keynum_sk_bytes = 8 + 64 + 32;
constexpr std::string_view k_untrusted_prefix = "untrusted comment: ";
constexpr std::string_view k_trusted_prefix = "trusted comment: ";

void init_sodium() {
    static const int ok = sodium_init();
    if (ok < 0) {
        throw Error(ErrorKind::internal, "libsodium could not be initialised");
    }
}

std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view text) {
    init_sodium();
    if (text.empty()) {
        // libsodium's pointers must not be null (found by fuzz_minisign).
        return std::vector<std::uint8_t>();
    }
    std::vector<std::uint8_t> out(text.size());
    std::size_t len = 0;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        return std::nullopt;
    }
    out.resize(len);
    return out;
}

std::string encode_base64(const std::uint8_t* data, std::size_t size) {
    init_sodium();
    std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

// The lines of a text file, without "\r\n" or "\n" endings.
std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> lines;
    for (auto& line : util::split(text, '\n')) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        lines.push_back(line);
    }
    while (!lines.empty() && lines.back().empty()) {
        lines.pop_back();
    }
    return lines;
}

std::uint64_t load_le64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) {
        v = (v << 8) | p[i];
    }
    return v;
}

// BLAKE2b-512 of a message, the "ED" prehash.
std::array<std::uint8_t, 64> prehash(std::string_view message) {
    std::array<std::uint8_t, 64> h{};
    crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), nullptr, 0);
    return h;
}

// What the signature covers for an algorithm.
std::string signed_bytes(Algorithm algorithm, std::string_view message) {
    if (algorithm == Algorithm::legacy) {
        return std::string(message);
    }
    auto h = prehash(message);
    return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

std::string trusted_ids(const std::vector<PublicKey>& trusted) {
    std::vector<std::string> ids;
    for (const auto& k : trusted) {
        ids.push_back(key_id_hex(k.id));
    }
    return util::join(ids, ", ");
}

}  // namespace

std::string key_id_hex(const KeyId& id) {
    char buf[17];
    // As minisign prints it (its key files, "-V" output): upper-case hex
    // without leading zeros, so a user can match the two by eye.
    std::snprintf(buf, sizeof buf, "%llX", static_cast<unsigned long long>(load_le64(id.data())));
    return buf;
}

std::string PublicKey::base64() const {
    std::array<std::uint8_t, k_public_key_bytes> raw{};
    raw[0] = 'E';
    raw[1] = 'd';
    std::memcpy(raw.data() + 2, id.data(), id.size());
    std::memcpy(raw.data() + 10, key.data(), key.size());
    return encode_base64(raw.data(), raw.size());
}

PublicKey SecretKey::public_key() const {
    PublicKey pk;
    pk.id = id;
    crypto_sign_ed25519_sk_to_pk(pk.key.data(), key.data());
    return pk;
}

Result<PublicKey> parse_public_key(std::string_view text) {
    std::vector<std::string> lines = lines_of(text);
    std::string b64;
    if (lines.size() == 1) {
        b64 = std::string(util::trim(lines[0]));
    } else if (lines.size() == 2 && util::starts_with(lines[0], k_untrusted_prefix)) {
        b64 = std::string(util::trim(lines[1]));
    } else {
        return fail(ErrorKind::usage,
                    "not a minisign public key: expected \"RW...\" (42 bytes in base64) or a "
                    "key file with an 'untrusted comment:' line and the key");
    }
    auto raw = decode_base64(b64);
    if (!raw || raw->size() != k_public_key_bytes) {
        return fail(ErrorKind::usage, "not a minisign public key: " + util::quoted(b64) +
                                          " is not 42 bytes in base64");
    }
    if ((*raw)[0] != 'E' || (*raw)[1] != 'd') {
        return fail(ErrorKind::usage, "minisign public key " + util::quoted(b64) +
                                          " is not an Ed25519 key (it must start with RW)");
    }
    PublicKey pk;
    std::memcpy(pk.id.data(), raw->data() + 2, 8);
    std::memcpy(pk.key.data(), raw->data() + 10, 32);
    return pk;
}

Result<Signature> parse_signature(std::string_view text) {
    std::vector<std::string> lines = lines_of(text);
    if (lines.size() != 4 || !util::starts_with(lines[0], k_untrusted_prefix) ||
        !util::starts_with(lines[2], k_trusted_prefix)) {
        return fail(ErrorKind::integrity,
                    "not a minisign signature: expected four lines (untrusted comment, "
                    "signature, trusted comment, global signature)");
    }
    Signature sig;
    sig.untrusted_comment = lines[0].substr(k_untrusted_prefix.size());
    sig.trusted_comment = lines[2].substr(k_trusted_prefix.size());
    auto raw = decode_base64(util::trim(lines[1]));
    if (!raw || raw->size() != k_signature_bytes) {
        return fail(ErrorKind::integrity,
                    "not a minisign signature: the second line is not 74 bytes in base64");
    }
    if ((*raw)[0] == 'E' && (*raw)[1] == 'd') {
        sig.algorithm = Algorithm::legacy;
    } else if ((*raw)[0] == 'E' && (*raw)[1] == 'D') {
        sig.algorithm = Algorithm::prehashed;
    } else {
        return fail(ErrorKind::integrity,
                    "unsupported minisign signature algorithm (neither Ed nor ED)");
    }
    std::memcpy(sig.key_id.data(), raw->data() + 2, 8);
    std::memcpy(sig.signature.data(), raw->data() + 10, 64);
    auto global = decode_base64(util::trim(lines[3]));
    if (!global || global->size() != 64) {
        return fail(ErrorKind::integrity,
                    "not a minisign signature: the global signature is not 64 bytes in base64");
    }
    std::memcpy(sig.global_signature.data(), global->data(), 64);
    return sig;
}

Result<SecretKey> parse_secret_key(std::string_view text,
                                   const std::function<Result<std::string>()>& password) {
    init_sodium();
    std::vector<std::string> lines = lines_of(text);
    if (lines.size() != 2 || !util::starts_with(lines[0], k_untrusted_prefix)) {
        return fail(ErrorKind::usage,
                    "not a minisign secret key file: expected an 'untrusted comment:' line and "
                    "the key (make one with 'minisign -G')");
    }
    auto raw = decode_base64(util::trim(lines[1]));
    if (!raw || raw->size() != k_secret_key_bytes) {
        return fail(ErrorKind::usage, "not a minisign secret key: the key line is not " +
                                          std::to_string(k_secret_key_bytes) + " bytes in base64");
    }
    const std::uint8_t* p = raw->data();
    if (p[0] != 'E' || p[1] != 'd' || p[4] != 'B' || p[5] != '2') {
        return fail(ErrorKind::usage,
                    "unsupported minisign secret key (signature algorithm must be Ed, "
                    "checksum B2)");
    }
    const std::uint8_t* salt = p + 6;
    std::uint64_t opslimit = load_le64(p + 38);
    std::uint64_t memlimit = load_le64(p + 46);
    std::uint8_t* keynum_sk = raw->data() + 54;
    if (p[2] == 'S' && p[3] == 'c') {
        // Limits above libsodium's "sensitive" level would only serve to make
        // a crafted key file hang or exhaust memory.
        if (opslimit > crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE ||
            memlimit > crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE) {
            return fail(ErrorKind::usage,
                        "the minisign secret key asks for scrypt limits above "
                        "minisign's own; the key file is damaged");
        }
        TL_TRY_ASSIGN(pw, password())
        std::array<std::uint8_t, k_keynum_sk_bytes> stream{};
        if (crypto_pwhash_scryptsalsa208sha256(stream.data(), stream.size(), pw->data(), pw->size(),
                                               salt, opslimit,
                                               static_cast<std::size_t>(memlimit)) != 0) {
            return fail(ErrorKind::usage,
                        "cannot derive the key from the password (out of memory?)");
        }
        for (std::size_t i = 0; i < stream.size(); ++i) {
            keynum_sk[i] ^= stream[i];
        }
        sodium_memzero(stream.data(), stream.size());
    } else if (p[2] != 0 || p[3] != 0) {
        return fail(ErrorKind::usage, "unsupported minisign secret key encryption (not scrypt)");
    }
    SecretKey sk;
    std::memcpy(sk.id.data(), keynum_sk, 8);
    std::memcpy(sk.key.data(), keynum_sk + 8, 64);
    std::array<std::uint8_t, 32> chk{};
    crypto_generichash_state st;
    crypto_generichash_init(&st, nullptr, 0, chk.size());
    crypto_generichash_update(&st, p, 2);
    crypto_generichash_update(&st, keynum_sk, 8);
    crypto_generichash_update(&st, keynum_sk + 8, 64);
    crypto_generichash_final(&st, chk.data(), chk.size());
    // minisign 0.11 leaves the checksum zero in unencrypted keys (-W); those are
    // checked by the public half the Ed25519 secret key carries instead.
    const bool encrypted = p[2] == 'S';
    bool ok = sodium_memcmp(chk.data(), keynum_sk + 72, chk.size()) == 0 ||
              (!encrypted && sodium_is_zero(keynum_sk + 72, chk.size()) == 1);
    std::array<std::uint8_t, 32> seed{};
    std::array<std::uint8_t, 32> derived_pk{};
    std::array<std::uint8_t, 64> derived_sk{};
    crypto_sign_ed25519_sk_to_seed(seed.data(), sk.key.data());
    crypto_sign_seed_keypair(derived_pk.data(), derived_sk.data(), seed.data());
    ok = ok && sodium_memcmp(derived_pk.data(), sk.key.data() + 32, 32) == 0;
    sodium_memzero(raw->data(), raw->size());
    sodium_memzero(seed.data(), seed.size());
    sodium_memzero(derived_sk.data(), derived_sk.size());
    if (!ok) {
        return fail(ErrorKind::usage,
                    encrypted ? "wrong password for the minisign secret key, or the key file is "
                                "damaged"
                              : "the minisign secret key file is damaged (its checksum does not "
                                "match)");
    }
    return sk;
}

std::string sign(const SecretKey& key, std::string_view message, Algorithm algorithm,
                 const std::string& trusted_comment, const std::string& untrusted_comment) {
    init_sodium();
    std::string covered = signed_bytes(algorithm, message);
    std::array<std::uint8_t, k_signature_bytes> raw{};
    raw[0] = 'E';
    raw[1] = algorithm == Algorithm::legacy ? 'd' : 'D';
    std::memcpy(raw.data() + 2, key.id.data(), 8);
    crypto_sign_detached(raw.data() + 10, nullptr,
                         reinterpret_cast<const unsigned char*>(covered.data()), covered.size(),
                         key.key.data());
    std::string global_msg(reinterpret_cast<const char*>(raw.data() + 10), 64);
    global_msg += trusted_comment;
    std::array<std::uint8_t, 64> global{};
    crypto_sign_detached(global.data(), nullptr,
                         reinterpret_cast<const unsigned char*>(global_msg.data()),
                         global_msg.size(), key.key.data());
    return std::string(k_untrusted_prefix) + untrusted_comment + "\n" +
           encode_base64(raw.data(), raw.size()) + "\n" + std::string(k_trusted_prefix) +
           trusted_comment + "\n" + encode_base64(global.data(), global.size()) + "\n";
}

Result<PublicKey> verify(const std::vector<PublicKey>& trusted, std::string_view message,
                         std::string_view signature_text) {
    init_sodium();
    TL_TRY_ASSIGN(sig, parse_signature(signature_text))
    const PublicKey* key = nullptr;
    for (const auto& k : trusted) {
        if (k.id == sig->key_id) {
            key = &k;
        }
    }
    if (key == nullptr) {
        return fail(ErrorKind::integrity,
                    "signed with key id " + key_id_hex(sig->key_id) +
                        ", which is not trusted (trusted key ids: " + trusted_ids(trusted) + ")");
    }
    std::string covered = signed_bytes(sig->algorithm, message);
    if (crypto_sign_verify_detached(sig->signature.data(),
                                    reinterpret_cast<const unsigned char*>(covered.data()),
                                    covered.size(), key->key.data()) != 0) {
        return fail(ErrorKind::integrity, "the signature by key id " + key_id_hex(key->id) +
                                              " does not match the signed file: it was altered "
                                              "after signing, or the signature is forged");
    }
    std::string global_msg(reinterpret_cast<const char*>(sig->signature.data()), 64);
    global_msg += sig->trusted_comment;
    if (crypto_sign_verify_detached(sig->global_signature.data(),
                                    reinterpret_cast<const unsigned char*>(global_msg.data()),
                                    global_msg.size(), key->key.data()) != 0) {
        return fail(ErrorKind::integrity, "the trusted comment of the signature by key id " +
                                              key_id_hex(key->id) + " was altered");
    }
    return *key;
}

Result<std::string> password_from_environment_or_tty() {
    if (const char* pw = std::getenv("TEMPORAL_LIBS_MINISIGN_PASSWORD"); pw != nullptr) {
        return std::string(pw);
    }
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0 || ::isatty(fd) == 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return fail(ErrorKind::usage,
                    "the minisign secret key is encrypted and there is no terminal to ask for "
                    "its password; set TEMPORAL_LIBS_MINISIGN_PASSWORD");
    }
    const char prompt[] = "Password for the minisign secret key: ";
    (void)!::write(fd, prompt, sizeof prompt - 1);
    termios old{};
    ::tcgetattr(fd, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
    std::string pw;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n') {
        pw.push_back(c);
    }
    ::tcsetattr(fd, TCSAFLUSH, &old);
    (void)!::write(fd, "\n", 1);
    ::close(fd);
    return pw;
}

}  // namespace tl::trust::minisign
