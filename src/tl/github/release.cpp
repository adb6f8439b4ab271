#include "tl/github/release.hpp"

#include <nlohmann/json.hpp>

#include "tl/util/json.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::github {

using nlohmann::json;

const Asset* Release::find_asset(std::string_view asset_name) const {
    for (const auto& a : assets) {
        if (a.name == asset_name) {
            return &a;
        }
    }
    return nullptr;
}

namespace {

std::string str(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::uint64_t num(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

bool flag(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

Asset asset_from_json(const json& aj) {
    Asset a;
    a.id = num(aj, "id");
    a.name = str(aj, "name");
    a.size = num(aj, "size");
    a.api_url = str(aj, "url");
    a.browser_download_url = str(aj, "browser_download_url");
    a.state = str(aj, "state");
    a.content_type = str(aj, "content_type");
    std::string digest = str(aj, "digest");
    if (util::starts_with(digest, "sha256:") && util::is_sha256_hex(digest.substr(7))) {
        a.digest = util::to_lower(digest.substr(7));
    }
    return a;
}

Result<Release> from_json(const json& j) {
    if (!j.is_object() || !j.contains("tag_name") || !j["tag_name"].is_string()) {
        return fail(ErrorKind::network, "release JSON has no 'tag_name'");
    }
    Release r;
    r.id = num(j, "id");
    r.tag = str(j, "tag_name");
    r.name = str(j, "name");
    r.draft = flag(j, "draft");
    r.prerelease = flag(j, "prerelease");
    r.published_at = str(j, "published_at");
    r.upload_url = str(j, "upload_url");
    auto assets = j.find("assets");
    if (assets != j.end() && assets->is_array()) {
        for (const auto& aj : *assets) {
            if (!aj.is_object()) {
                continue;
            }
            Asset a = asset_from_json(aj);
            if (!a.name.empty()) {
                r.assets.push_back(std::move(a));
            }
        }
    }
    return r;
}

}  // namespace

Result<Release> parse_release(std::string_view json_text) {
    auto j = util::parse_json(json_text, "the release answer");
    if (!j) {
        return fail(ErrorKind::network, j.error().message);
    }
    return from_json(*j);
}

Result<Asset> parse_asset(std::string_view json_text) {
    json j = util::parse_json_or_discarded(json_text);
    if (j.is_discarded() || !j.is_object()) {
        return fail(ErrorKind::network, "asset response is not a JSON object");
    }
    Asset a = asset_from_json(j);
    if (a.name.empty() || a.id == 0) {
        return fail(ErrorKind::network, "asset JSON has no 'name' or 'id'");
    }
    return a;
}

Result<std::vector<Release>> parse_release_list(std::string_view json_text) {
    auto parsed = util::parse_json(json_text, "the release list answer");
    if (!parsed) {
        return fail(ErrorKind::network, parsed.error().message);
    }
    json& j = *parsed;
    if (!j.is_array()) {
        return fail(ErrorKind::network, "release list response is not a JSON array");
    }
    std::vector<Release> out;
    for (const auto& item : j) {
        auto r = from_json(item);
        if (r) {
            out.push_back(std::move(*r));
        }
    }
    return out;
}

std::map<std::string, std::string> parse_link_header(std::string_view value) {
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    while (pos < value.size()) {
        std::size_t lt = value.find('<', pos);
        if (lt == std::string_view::npos) {
            break;
        }
        std::size_t gt = value.find('>', lt);
        if (gt == std::string_view::npos) {
            break;
        }
        std::string url(value.substr(lt + 1, gt - lt - 1));
        // A comma can appear inside quoted params; each link starts with '<'.
        std::size_t end = value.find('<', gt);
        std::string_view params =
            value.substr(gt + 1, (end == std::string_view::npos ? value.size() : end) - gt - 1);
        std::size_t rel = params.find("rel=");
        if (rel != std::string_view::npos) {
            std::string_view v = params.substr(rel + 4);
            std::string rels;
            if (!v.empty() && v.front() == '"') {
                std::size_t close = v.find('"', 1);
                rels = std::string(
                    v.substr(1, close == std::string_view::npos ? v.size() - 1 : close - 1));
            } else {
                rels = std::string(v.substr(0, v.find_first_of(";, ")));
            }
            for (const auto& r : util::split(rels, ' ')) {
                if (!r.empty()) {
                    out[util::to_lower(r)] = url;
                }
            }
        }
        pos = end == std::string_view::npos ? value.size() : end;
    }
    return out;
}

}  // namespace tl::github
