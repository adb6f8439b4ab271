#include "tl/release/contract.hpp"

#include "tl/release/tags.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::release {

const std::vector<std::string>& default_libraries() {
    static const std::vector<std::string> libs(k_default_libraries.begin(),
                                               k_default_libraries.end());
    return libs;
}

bool is_library_file(std::string_view path) {
    std::string_view name = path.substr(path.rfind('/') + 1);
    return util::starts_with(name, "lib") && util::ends_with(name, ".a");
}

std::string_view extension(ArchiveFormat f) {
    return f == ArchiveFormat::tar_gz ? ".tar.gz" : ".tar.zst";
}

bool is_latest(std::string_view version) {
    return util::to_lower(util::trim(version)) == "latest";
}

namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == '+';
}

}  // namespace

std::string release_tag_problem(std::string_view tag) {
    if (tag.size() > k_max_tag_length) {
        return "it is longer than " + std::to_string(k_max_tag_length) + " characters";
    }
    for (char c : tag) {
        if (c == '/') {
            return "it holds a '/'";
        }
        if (!is_name_char(c)) {
            return "it holds a character outside A-Z a-z 0-9 . - _ +";
        }
    }
    if (!util::starts_with(tag, k_tag_prefix) || tag.size() == k_tag_prefix.size()) {
        return "it does not start with '" + std::string(k_tag_prefix) + "' and a version";
    }
    if (tag.find("..") != std::string_view::npos) {
        return "it holds '..'";
    }
    return {};
}

std::string library_tag_problem(std::string_view tag) {
    if (std::string why = release_tag_problem(tag); !why.empty()) {
        return why;
    }
    if (util::starts_with(tag, k_tool_tag_prefix)) {
        return "it is a release of the temporal-libs tool itself, not of the libraries";
    }
    return {};
}

std::string asset_name_problem(std::string_view name) {
    if (name.empty() || name == "." || name == "..") {
        return "it is not a file name";
    }
    if (name.size() > k_max_asset_name_length) {
        return "it is longer than " + std::to_string(k_max_asset_name_length) + " characters";
    }
    for (char c : name) {
        if (!is_name_char(c)) {
            return c == '/' ? "it holds a '/'" : "it holds a character outside A-Z a-z 0-9 . - _ +";
        }
    }
    return {};
}

Result<std::string> normalize_tag(std::string_view version, TagLine line) {
    std::string_view v = util::trim(version);
    if (v.empty()) {
        return fail(ErrorKind::usage, "empty version; give one like 'v1.0.2' or 'latest'");
    }
    for (char c : v) {
        if (!is_name_char(c)) {
            return fail(ErrorKind::usage,
                        "version " + util::quoted(v) + " has characters a release tag cannot have");
        }
    }
    std::string tag = util::starts_with(v, k_tag_prefix)
                          ? std::string(v)
                          : std::string(k_tag_prefix) + std::string(v);
    std::string why =
        line == TagLine::library ? library_tag_problem(tag) : release_tag_problem(tag);
    if (!why.empty()) {
        return fail(ErrorKind::usage, "version " + util::quoted(v) +
                                          (line == TagLine::library ? " is not a library release: "
                                                                    : " is not a release tag: ") +
                                          why + "; give one like 'v1.0.2' or 'latest'");
    }
    return tag;
}

std::string version_label(std::string_view tag) {
    if (util::starts_with(tag, k_tag_prefix)) {
        return std::string(tag.substr(k_tag_prefix.size()));
    }
    return std::string(tag);
}

std::string archive_name(const platform::Platform& p, std::string_view tag, ArchiveFormat f) {
    return "temporal-static-libs-" + p.name() + "-" + version_label(tag) +
           std::string(extension(f));
}

std::vector<std::string> checksum_names(const platform::Platform& p, std::string_view tag,
                                        ArchiveFormat f) {
    std::string archive = archive_name(p, tag, f);
    return {archive + ".sha256", "temporal-static-libs-" + p.name() + "-" + version_label(tag) +
                                     (f == ArchiveFormat::tar_gz ? "" : ".tar.zst") + ".sha256"};
}

std::optional<ArchiveAssetName> parse_archive_name(std::string_view asset, std::string_view tag) {
    const std::string_view prefix = "temporal-static-libs-";
    if (!util::starts_with(asset, prefix)) {
        return std::nullopt;
    }
    std::string label = "-" + version_label(tag);
    for (ArchiveFormat f : {ArchiveFormat::tar_gz, ArchiveFormat::tar_zst}) {
        std::string suffix = label + std::string(extension(f));
        if (util::ends_with(asset, suffix) && asset.size() > prefix.size() + suffix.size()) {
            std::string_view plat =
                asset.substr(prefix.size(), asset.size() - prefix.size() - suffix.size());
            return ArchiveAssetName{std::string(plat), f};
        }
    }
    return std::nullopt;
}

namespace {

std::string_view base_name(std::string_view path) {
    std::size_t slash = path.find_last_of('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<std::string> parse_checksum_file(std::string_view text, std::string_view file_name) {
    std::optional<std::string> lone;
    std::optional<std::string> named;
    std::vector<std::string> names_seen;
    for (const std::string& raw : util::split(text, '\n')) {
        std::string_view line = util::trim(raw);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        std::string_view hex = line.substr(0, line.find_first_of(" \t"));
        if (!util::is_sha256_hex(hex)) {
            return fail(ErrorKind::integrity,
                        "checksum file line " + util::quoted(line.substr(0, 80)) +
                            " does not start with a SHA-256 digest (64 hex digits)");
        }
        std::string_view rest = util::trim(line.substr(hex.size()));
        if (!rest.empty() && rest.front() == '*') {
            rest.remove_prefix(1);  // sha256sum's binary-mode marker
        }
        if (rest.empty()) {
            lone = util::to_lower(hex);
            continue;
        }
        names_seen.emplace_back(rest);
        if (base_name(rest) == base_name(file_name)) {
            named = util::to_lower(hex);
        }
    }
    if (named) {
        return *named;
    }
    if (names_seen.size() == 1 && !lone) {
        // The old workflow wrote one line for one archive; a different name there
        // means the checksum belongs to another file.
        return fail(ErrorKind::integrity, "checksum file names " + util::quoted(names_seen[0]) +
                                              ", not " + util::quoted(file_name));
    }
    if (lone && names_seen.empty()) {
        return *lone;
    }
    if (!names_seen.empty()) {
        return fail(ErrorKind::integrity,
                    "checksum file has no line for " + util::quoted(file_name));
    }
    return fail(ErrorKind::integrity, "checksum file is empty");
}

namespace {

// Splits "v1.10.0-rc.1" into its release part and pre-release part.
std::vector<std::string> fields(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == '.' || c == '-' || c == '+' || c == '_') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    out.push_back(cur);
    return out;
}

int compare_field(const std::string& a, const std::string& b) {
    auto na = util::parse_u64(a);
    auto nb = util::parse_u64(b);
    if (na && nb) {
        return *na < *nb ? -1 : (*na > *nb ? 1 : 0);
    }
    if (na) {
        return -1;  // numbers sort before words, as in semver pre-release fields
    }
    if (nb) {
        return 1;
    }
    return a < b ? -1 : (a > b ? 1 : 0);
}

}  // namespace

int compare_tags(std::string_view a, std::string_view b) {
    std::string va = version_label(a);
    std::string vb = version_label(b);
    if (!va.empty() && (va[0] == 'v' || va[0] == 'V')) {
        va.erase(0, 1);
    }
    if (!vb.empty() && (vb[0] == 'v' || vb[0] == 'V')) {
        vb.erase(0, 1);
    }
    auto split_pre = [](const std::string& v) {
        std::size_t dash = v.find('-');
        return std::make_pair(v.substr(0, dash),
                              dash == std::string::npos ? std::string() : v.substr(dash + 1));
    };
    auto [ra, pa] = split_pre(va);
    auto [rb, pb] = split_pre(vb);
    auto fa = fields(ra);
    auto fb = fields(rb);
    for (std::size_t i = 0; i < std::max(fa.size(), fb.size()); ++i) {
        std::string x = i < fa.size() ? fa[i] : "0";
        std::string y = i < fb.size() ? fb[i] : "0";
        if (int c = compare_field(x, y); c != 0) {
            return c;
        }
    }
    if (pa.empty() != pb.empty()) {
        return pa.empty() ? 1 : -1;  // a release sorts after its pre-releases
    }
    auto qa = fields(pa);
    auto qb = fields(pb);
    for (std::size_t i = 0; i < std::max(qa.size(), qb.size()); ++i) {
        if (i >= qa.size()) {
            return -1;
        }
        if (i >= qb.size()) {
            return 1;
        }
        if (int c = compare_field(qa[i], qb[i]); c != 0) {
            return c;
        }
    }
    return 0;
}

}  // namespace tl::release
