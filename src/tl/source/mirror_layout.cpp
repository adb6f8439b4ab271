#include "tl/source/mirror_layout.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tl/release/contract.hpp"
#include "tl/util/json.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::source {

namespace {

using nlohmann::json;

// Parses the JSON and checks the format field common to both indexes.
Result<json> parse_index(std::string_view text, const std::string& where) {
    TL_TRY_ASSIGN(parsed, util::parse_json(text, "mirror index " + util::quoted(where)))
    json& j = *parsed;
    if (!j.is_object()) {
        return fail(ErrorKind::integrity, "mirror index " + util::quoted(where) +
                                              " is not a JSON object (is the mirror root right?)");
    }
    if (!j.contains("format") || !j["format"].is_number_integer()) {
        return fail(ErrorKind::integrity,
                    "mirror index " + util::quoted(where) + " has no integer \"format\" field");
    }
    int format = j["format"].get<int>();
    if (format > k_mirror_index_format) {
        return fail(ErrorKind::integrity,
                    "mirror index " + util::quoted(where) + " has format " +
                        std::to_string(format) + ", newer than this temporal-libs reads (" +
                        std::to_string(k_mirror_index_format) + "); upgrade temporal-libs");
    }
    return j;
}

}  // namespace

bool is_safe_mirror_name(std::string_view name) {
    if (name.empty() || name.size() > 200 || name.front() == '.') {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '+' || c == '-';
    });
}

Result<std::vector<std::string>> parse_tag_index(std::string_view text, const std::string& where) {
    TL_TRY_ASSIGN(j, parse_index(text, where))
    if (!j->contains("tags") || !(*j)["tags"].is_array()) {
        return fail(ErrorKind::integrity,
                    "mirror index " + util::quoted(where) + " has no \"tags\" list");
    }
    std::vector<std::string> tags;
    for (const auto& t : (*j)["tags"]) {
        if (!t.is_string() || !is_safe_mirror_name(t.get<std::string>())) {
            return fail(ErrorKind::integrity,
                        "mirror index " + util::quoted(where) +
                            " lists a tag that is not a plain name: " + util::quoted(t.dump()));
        }
        tags.push_back(t.get<std::string>());
    }
    return tags;
}

std::string write_tag_index(std::vector<std::string> tags) {
    std::sort(tags.begin(), tags.end(), [](const std::string& a, const std::string& b) {
        return release::compare_tags(a, b) > 0;
    });
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    json j = {{"format", k_mirror_index_format}, {"tags", tags}};
    return j.dump(2) + "\n";
}

Result<ReleaseIndex> parse_release_index(std::string_view text, const std::string& tag,
                                         const std::string& where) {
    TL_TRY_ASSIGN(j, parse_index(text, where))
    auto bad = [&](const std::string& what) {
        return fail(ErrorKind::integrity, "mirror index " + util::quoted(where) + " " + what);
    };
    if (!j->contains("tag") || !(*j)["tag"].is_string() || (*j)["tag"].get<std::string>() != tag) {
        return bad("is not the index of " + util::quoted(tag));
    }
    if (!j->contains("assets") || !(*j)["assets"].is_array()) {
        return bad("has no \"assets\" list");
    }
    ReleaseIndex index;
    index.tag = tag;
    for (const auto& a : (*j)["assets"]) {
        if (!a.is_object() || !a.contains("name") || !a["name"].is_string() ||
            !a.contains("size") || !a["size"].is_number_unsigned() || !a.contains("sha256") ||
            !a["sha256"].is_string()) {
            return bad("has an asset without name, size and sha256: " + a.dump());
        }
        IndexedAsset ia{a["name"].get<std::string>(), a["size"].get<std::uint64_t>(),
                        util::to_lower(a["sha256"].get<std::string>())};
        if (!is_safe_mirror_name(ia.name)) {
            return bad("lists an asset that is not a plain file name: " + util::quoted(ia.name));
        }
        if (!util::is_sha256_hex(ia.sha256)) {
            return bad("lists a malformed sha256 for " + util::quoted(ia.name));
        }
        index.assets.push_back(std::move(ia));
    }
    return index;
}

std::string write_release_index(ReleaseIndex index) {
    std::sort(index.assets.begin(), index.assets.end(),
              [](const IndexedAsset& a, const IndexedAsset& b) { return a.name < b.name; });
    json assets = json::array();
    for (const auto& a : index.assets) {
        assets.push_back({{"name", a.name}, {"size", a.size}, {"sha256", a.sha256}});
    }
    json j = {{"format", k_mirror_index_format}, {"tag", index.tag}, {"assets", assets}};
    return j.dump(2) + "\n";
}

}  // namespace tl::source
