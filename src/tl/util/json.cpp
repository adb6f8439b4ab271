#include "tl/util/json.hpp"

#include <string>

namespace tl::util {

int json_depth(std::string_view text, int limit) {
    int depth = 0;
    int deepest = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        switch (c) {
            case '"':
                in_string = true;
                break;
            case '[':
            case '{':
                if (++depth > deepest) {
                    deepest = depth;
                    if (deepest > limit) {
                        return deepest;
                    }
                }
                break;
            case ']':
            case '}':
                depth = depth > 0 ? depth - 1 : 0;
                break;
            default:
                break;
        }
    }
    return deepest;
}

Result<nlohmann::json> parse_json(std::string_view text, std::string_view document, int max_depth,
                                  std::size_t max_size) {
    if (text.size() > max_size) {
        return fail(ErrorKind::integrity, std::string(document) + " is larger than " +
                                              std::to_string(max_size >> 20) +
                                              " MiB; refusing to parse it");
    }
    if (json_depth(text, max_depth) > max_depth) {
        return fail(ErrorKind::integrity, std::string(document) + " is nested deeper than " +
                                              std::to_string(max_depth) +
                                              " levels; refusing to parse it");
    }
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
        return fail(ErrorKind::integrity, std::string(document) + " is not valid JSON");
    }
    return j;
}

nlohmann::json parse_json_or_discarded(std::string_view text) {
    if (text.size() > k_max_json_size || json_depth(text, k_max_json_depth) > k_max_json_depth) {
        return nlohmann::json(nlohmann::json::value_t::discarded);
    }
    return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::string dump_json(const nlohmann::json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tl::util
