// `sign`: SHA256SUMS over a dist directory and its minisign signature.

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "tl/cli/commands.hpp"
#include "tl/trust/minisign.hpp"
#include "tl/trust/signed_sums.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

namespace {

struct SignFlags {
    std::string key;
    std::string dir = "dist";
    std::string trusted_comment;
    bool legacy = false;
};

// minisign's default trusted comment; SOURCE_DATE_EPOCH makes it (and, Ed25519
// being deterministic, the whole signature) reproducible.
std::string default_trusted_comment() {
    std::string when = std::to_string(static_cast<long long>(std::time(nullptr)));
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch) {
        when = epoch;
    }
    return "timestamp:" + when + "\tfile:" + trust::k_sums_name + "\thashed";
}

void run_sign(Context& ctx, const SignFlags& f) {
    namespace fs = std::filesystem;
    auto key_text = util::read_file(f.key, std::uint64_t{64} * 1024);
    if (!key_text) {
        throw Error(
            key_text.error().kind == ErrorKind::not_found ? ErrorKind::usage
                                                          : key_text.error().kind,
            "cannot read the secret key " + util::quoted(f.key) + ": " + key_text.error().message);
    }
    trust::minisign::SecretKey key = value_or_throw(trust::minisign::parse_secret_key(
        *key_text, trust::minisign::password_from_environment_or_tty));
    std::string sums = value_or_throw(trust::sums_for_directory(f.dir));
    const std::string comment =
        f.trusted_comment.empty() ? default_trusted_comment() : f.trusted_comment;
    if (comment.find('\n') != std::string::npos || comment.find('\r') != std::string::npos) {
        throw Error(ErrorKind::usage, "--trusted-comment must be one line");
    }
    std::string signature = trust::minisign::sign(
        key, sums,
        f.legacy ? trust::minisign::Algorithm::legacy : trust::minisign::Algorithm::prehashed,
        comment, "signature from temporal-libs secret key");
    // Check the pair before writing it: a damaged key must not publish a
    // signature nobody can verify.
    value_or_throw(trust::minisign::verify({key.public_key()}, sums, signature));
    const fs::path dir(f.dir);
    value_or_throw(util::write_file_atomic(dir / trust::k_sums_name, sums));
    value_or_throw(util::write_file_atomic(dir / trust::k_sums_signature_name, signature));
    std::size_t count = util::split(sums, '\n').size() - 1;
    ctx.console.info("signed " + std::to_string(count) + " assets with key id " +
                     trust::minisign::key_id_hex(key.id));
    std::printf("%s\n%s\npublic key: %s\n", (dir / trust::k_sums_name).string().c_str(),
                (dir / trust::k_sums_signature_name).string().c_str(),
                key.public_key().base64().c_str());
}

}  // namespace

void add_sign_command(CLI::App& app, Context& ctx) {
    auto flags = std::make_shared<SignFlags>();
    CLI::App* cmd = add_command(
        app, "sign",
        "Write SHA256SUMS over a dist directory and sign it (minisign format)\n\n"
        "SHA256SUMS lists every asset in the directory (sha256sum format);\n"
        "SHA256SUMS.minisig is its minisign signature (Ed25519, prehashed like minisign's\n"
        "default), verifiable with 'minisign -V -p KEY.pub -m SHA256SUMS'. 'publish'\n"
        "uploads both. The key is a minisign secret key file ('minisign -G'); an\n"
        "encrypted one takes its password from TEMPORAL_LIBS_MINISIGN_PASSWORD or the\n"
        "terminal. Consumers trust the printed public key with public_keys.\n\n"
        "Examples:\n"
        "  temporal-libs sign --key ~/.minisign/temporal-libs.key --dir dist\n"
        "  temporal-libs publish --version v1.0.3 --dir dist",
        [&ctx, flags] { run_sign(ctx, *flags); });
    cmd->add_option("--key", flags->key, "minisign secret key file")->required();
    cmd->add_option("--dir", flags->dir, "Directory of assets to sign (default dist)");
    cmd->add_option("--trusted-comment", flags->trusted_comment,
                    "Signed comment (default: timestamp:<SOURCE_DATE_EPOCH or now>, file, hashed)");
    cmd->add_flag("--legacy", flags->legacy,
                  "Sign the file itself (minisign -l) instead of its BLAKE2b-512 hash");
}

}  // namespace tl::cli
