#include "tl/trust/signed_sums.hpp"

#include <algorithm>

#include "tl/release/contract.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::trust {

namespace fs = std::filesystem;

Result<std::string> sums_for_directory(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return fail(ErrorKind::not_found,
                    "directory " + util::quoted(dir.string()) + " does not exist");
    }
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        if (util::starts_with(name, ".") || name == k_sums_name || name == k_sums_signature_name ||
            !e.is_regular_file(ec)) {
            continue;
        }
        names.push_back(name);
    }
    if (names.empty()) {
        return fail(ErrorKind::not_found, "no assets to sign in " + util::quoted(dir.string()) +
                                              " (run 'temporal-libs pack' first)");
    }
    std::sort(names.begin(), names.end());
    std::string text;
    for (const auto& name : names) {
        TL_TRY_ASSIGN(digest, util::sha256_file(dir / name))
        text += *digest + "  " + name + "\n";
    }
    return text;
}

std::string key_ids(const std::vector<minisign::PublicKey>& keys) {
    std::vector<std::string> ids;
    for (const auto& k : keys) {
        ids.push_back(minisign::key_id_hex(k.id));
    }
    return util::join(ids, ", ");
}

Result<std::vector<minisign::PublicKey>> parse_public_keys(const std::vector<std::string>& texts,
                                                           const std::string& where) {
    std::vector<minisign::PublicKey> keys;
    for (const auto& t : texts) {
        auto k = minisign::parse_public_key(t);
        if (!k) {
            return fail(ErrorKind::usage, "public_keys" +
                                              (where.empty() ? "" : " (from " + where + ")") +
                                              ": " + k.error().message);
        }
        keys.push_back(*k);
    }
    return keys;
}

Result<verify::ExpectedDigest> signed_sums_claim(source::Source& source,
                                                 const source::ReleaseInfo& release,
                                                 const std::string& archive_name,
                                                 const std::vector<minisign::PublicKey>& trusted) {
    const std::string context =
        "release " + util::quoted(release.tag) + " from " + source.name() + ": ";
    const source::AssetInfo* sums = release.find(k_sums_name);
    const source::AssetInfo* sig = release.find(k_sums_signature_name);
    if (sums == nullptr || sig == nullptr) {
        return fail(ErrorKind::integrity,
                    context + "no " +
                        util::quoted(sums == nullptr ? k_sums_name : k_sums_signature_name) +
                        ", but public_keys is set (trusted key ids: " + key_ids(trusted) +
                        "); an unsigned release is refused: ask the publisher to sign it "
                        "('temporal-libs sign') or remove public_keys");
    }
    TL_TRY_ASSIGN(sums_text, source.fetch_small(*sums, 1u << 20))
    TL_TRY_ASSIGN(sig_text, source.fetch_small(*sig, 16u << 10))
    auto key = minisign::verify(trusted, *sums_text, *sig_text);
    if (!key) {
        return fail(ErrorKind::integrity, context + util::quoted(k_sums_signature_name) + ": " +
                                              key.error().message +
                                              "; nothing was downloaded or installed");
    }
    auto digest = release::parse_checksum_file(*sums_text, archive_name);
    if (!digest) {
        return fail(ErrorKind::integrity, context + "signed " + util::quoted(k_sums_name) + ": " +
                                              digest.error().message);
    }
    return verify::ExpectedDigest{
        std::string(k_sums_name) + " signed by key " + minisign::key_id_hex(key->id), *digest};
}

Result<std::optional<verify::ExpectedDigest>> sums_claim(
    source::Source& source, const source::ReleaseInfo& release, const std::string& archive_name,
    const std::vector<minisign::PublicKey>& trusted) {
    if (!trusted.empty()) {
        TL_TRY_ASSIGN(claim, signed_sums_claim(source, release, archive_name, trusted))
        return std::optional<verify::ExpectedDigest>(std::move(*claim));
    }
    const source::AssetInfo* sums = release.find(k_sums_name);
    if (sums == nullptr) {
        return std::optional<verify::ExpectedDigest>();
    }
    TL_TRY_ASSIGN(text, source.fetch_small(*sums, 1u << 20))
    auto digest = release::parse_checksum_file(*text, archive_name);
    if (!digest) {
        return std::optional<verify::ExpectedDigest>();
    }
    return std::optional<verify::ExpectedDigest>(
        verify::ExpectedDigest{std::string(k_sums_name) + " (unsigned)", *digest});
}

}  // namespace tl::trust
