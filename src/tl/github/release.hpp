#pragma once

// GitHub's release and asset JSON, reduced to what the tool uses, and the Link
// header that drives pagination. Parsers take untrusted input: they return a
// failure rather than throwing, and accept missing optional fields.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::github {

struct Asset {
    std::uint64_t id = 0;
    std::string name;
    std::uint64_t size = 0;
    std::string api_url;               // ".../releases/assets/{id}": download with octet-stream
    std::string browser_download_url;  // the public URL, for messages
    std::string digest;                // lower-case hex from "sha256:<hex>", empty if none
    std::string state;                 // "uploaded", "starter" (half uploaded), ...
    std::string content_type;
};

struct Release {
    std::uint64_t id = 0;
    std::string tag;
    std::string name;
    bool draft = false;
    bool prerelease = false;
    std::string published_at;
    std::string upload_url;  // RFC 6570 template, "{?name,label}" at the end
    std::vector<Asset> assets;

    // The asset with this exact name, or nullptr.
    const Asset* find_asset(std::string_view asset_name) const;
};

// Parses one release object.
Result<Release> parse_release(std::string_view json_text);

// Parses one asset object (the answer to an upload); a failure when it has no
// name or id.
Result<Asset> parse_asset(std::string_view json_text);

// Parses the array returned by GET /repos/{o}/{r}/releases.
Result<std::vector<Release>> parse_release_list(std::string_view json_text);

// Parses an RFC 8288 Link header into rel -> URL ("next", "last", ...).
std::map<std::string, std::string> parse_link_header(std::string_view value);

}  // namespace tl::github
