#pragma once

// Minisign signatures (Ed25519), interoperable with the `minisign` tool, on
// top of libsodium. The formats, as minisign 0.11 writes them:
//
// Public key: base64 of "Ed" + 8-byte key id + 32-byte Ed25519 public key
// (42 bytes, text starting "RW"), alone or as the second line of a key file
// whose first line is "untrusted comment: ...".
//
// Secret key file: "untrusted comment: ..." then base64 of
//   "Ed" | kdf ("Sc" scrypt, or two zero bytes when unencrypted) | "B2" |
//   salt (32) | opslimit (8, LE) | memlimit (8, LE) |
//   key id (8) | Ed25519 secret key (64) | BLAKE2b-256 checksum (32)
// where, for "Sc", the last 104 bytes are XORed with scrypt(password, salt).
// The checksum covers "Ed" | key id | secret key.
//
// Signature file (<file>.minisig), four lines:
//   untrusted comment: <text>
//   base64("Ed" or "ED" | key id (8) | signature (64))
//   trusted comment: <text>
//   base64(global signature (64))
// "Ed" signs the file itself (legacy), "ED" its BLAKE2b-512 hash (minisign's
// default). The global signature signs signature (64) | trusted comment text.
//
// Key ids are shown like minisign: the 8 bytes as a little-endian integer in
// upper-case hex ("E2A1D01B5F8C7A93").

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::trust::minisign {

using KeyId = std::array<std::uint8_t, 8>;

// Which bytes the signature covers: the file (legacy "Ed") or its BLAKE2b-512
// hash ("ED", minisign's default).
enum class Algorithm { legacy, prehashed };

// A public key someone trusts.
struct PublicKey {
    KeyId id{};
    std::array<std::uint8_t, 32> key{};
    // The "RW..." base64 form.
    std::string base64() const;
};

// An unlocked secret key.
struct SecretKey {
    KeyId id{};
    std::array<std::uint8_t, 64> key{};
    // The matching public key.
    PublicKey public_key() const;
};

// A parsed .minisig file.
struct Signature {
    Algorithm algorithm = Algorithm::prehashed;
    KeyId key_id{};
    std::array<std::uint8_t, 64> signature{};
    std::string untrusted_comment;
    std::string trusted_comment;
    std::array<std::uint8_t, 64> global_signature{};
};

// "E2A1D01B5F8C7A93": a key id as minisign prints it.
std::string key_id_hex(const KeyId& id);

// Parses "RW..." or a public key file's text; a usage failure says what is wrong.
Result<PublicKey> parse_public_key(std::string_view text);

// Parses a .minisig file's text; an integrity failure says what is wrong.
Result<Signature> parse_signature(std::string_view text);

// Parses a secret key file's text. For an encrypted key, `password` is called
// once; a usage failure for a wrong password (the checksum does not match).
Result<SecretKey> parse_secret_key(std::string_view text,
                                   const std::function<Result<std::string>()>& password);

// The text of a .minisig file signing `message` with `key`.
std::string sign(const SecretKey& key, std::string_view message, Algorithm algorithm,
                 const std::string& trusted_comment, const std::string& untrusted_comment);

// Checks `signature_text` over `message` against the trusted keys and returns
// the key that made it. An integrity failure names the key id found and the
// trusted ones when none matches, and says which signature (file or trusted
// comment) does not verify.
Result<PublicKey> verify(const std::vector<PublicKey>& trusted, std::string_view message,
                         std::string_view signature_text);

// The password for an encrypted secret key: TEMPORAL_LIBS_MINISIGN_PASSWORD, else
// a prompt on the terminal (echo off); a usage failure when neither is possible.
Result<std::string> password_from_environment_or_tty();

}  // namespace tl::trust::minisign
