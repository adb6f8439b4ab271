#include "tl/release/manifest.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tl/release/contract.hpp"
#include "tl/util/json.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::release {

namespace {

using nlohmann::json;

json text_or_null(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

// Reads an optional string; false when present with another type.
bool read_text(const json& obj, const char* key, std::string& out) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        return true;
    }
    if (!it->is_string()) {
        return false;
    }
    out = it->get<std::string>();
    return true;
}

bool read_args(const json& obj, const char* key, std::vector<std::string>& out) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        return true;
    }
    if (!it->is_array()) {
        return false;
    }
    for (const auto& v : *it) {
        if (!v.is_string()) {
            return false;
        }
        out.push_back(v.get<std::string>());
    }
    return true;
}

bool plain_library_name(std::string_view name) {
    return is_library_file(name) && name.size() > 5 && name.find('/') == std::string_view::npos &&
           name.find('\\') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

}  // namespace

const ManifestLibrary* Manifest::find(std::string_view file) const {
    for (const auto& lib : libraries) {
        if (lib.file == file) {
            return &lib;
        }
    }
    return nullptr;
}

std::string to_json(const Manifest& m) {
    json libs = json::array();
    std::vector<const ManifestLibrary*> sorted;
    for (const auto& lib : m.libraries) {
        sorted.push_back(&lib);
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const ManifestLibrary* a, const ManifestLibrary* b) { return a->file < b->file; });
    for (const ManifestLibrary* lib : sorted) {
        libs.push_back({{"file", lib->file},
                        {"crate", text_or_null(lib->crate)},
                        {"sha256", lib->sha256},
                        {"size", lib->size},
                        {"format", text_or_null(lib->format)},
                        {"architecture", text_or_null(lib->architecture)},
                        {"native_link_args", lib->native_link_args}});
    }
    json j = {{"format_version", m.format_version},
              {"tool", m.tool},
              {"tag", m.tag},
              {"version", m.version},
              {"platform", m.platform},
              {"target", m.target},
              {"rustc", text_or_null(m.rustc)},
              {"source",
               {{"repository", text_or_null(m.source_repository)},
                {"revision", text_or_null(m.source_revision)}}},
              {"native_link_args", m.native_link_args},
              {"libraries", libs}};
    // nlohmann's object is an ordered map: keys come out sorted, so the bytes
    // depend only on the values.
    return j.dump(2, ' ', true, json::error_handler_t::replace) + "\n";
}

Result<std::optional<Manifest>> parse_manifest(std::string_view text) {
    json j = util::parse_json_or_discarded(text);
    auto damaged = [](const std::string& why) {
        return fail(ErrorKind::integrity, "damaged manifest: " + why);
    };
    if (j.is_discarded() || !j.is_object()) {
        return damaged("not a JSON object");
    }
    auto version = j.find("format_version");
    if (version == j.end() || !version->is_number_integer()) {
        return damaged("no 'format_version' number");
    }
    auto v = version->get<std::int64_t>();
    if (v > k_manifest_format_version) {
        return std::optional<Manifest>{};
    }
    if (v < 1) {
        return damaged("format_version " + std::to_string(v) + " does not exist");
    }
    Manifest m;
    m.format_version = static_cast<int>(v);
    if (!read_text(j, "tool", m.tool) || !read_text(j, "tag", m.tag) ||
        !read_text(j, "version", m.version) || !read_text(j, "platform", m.platform) ||
        !read_text(j, "target", m.target) || !read_text(j, "rustc", m.rustc) ||
        !read_args(j, "native_link_args", m.native_link_args)) {
        return damaged("a key has the wrong type");
    }
    if (m.platform.empty()) {
        return damaged("no 'platform'");
    }
    if (auto src = j.find("source"); src != j.end() && !src->is_null()) {
        if (!src->is_object() || !read_text(*src, "repository", m.source_repository) ||
            !read_text(*src, "revision", m.source_revision)) {
            return damaged("'source' is not an object of strings");
        }
    }
    auto libs = j.find("libraries");
    if (libs == j.end() || !libs->is_array()) {
        return damaged("no 'libraries' list");
    }
    for (const auto& item : *libs) {
        if (!item.is_object()) {
            return damaged("a library is not an object");
        }
        ManifestLibrary lib;
        if (!read_text(item, "file", lib.file) || !read_text(item, "crate", lib.crate) ||
            !read_text(item, "sha256", lib.sha256) || !read_text(item, "format", lib.format) ||
            !read_text(item, "architecture", lib.architecture) ||
            !read_args(item, "native_link_args", lib.native_link_args)) {
            return damaged("a library key has the wrong type");
        }
        if (!plain_library_name(lib.file)) {
            return damaged("library name " + util::quoted(lib.file) + " is not a lib*.a file name");
        }
        if (!util::is_sha256_hex(lib.sha256)) {
            return damaged("library " + util::quoted(lib.file) + " has no valid 'sha256'");
        }
        lib.sha256 = util::to_lower(lib.sha256);
        auto size = item.find("size");
        if (size == item.end() || !size->is_number_unsigned()) {
            return damaged("library " + util::quoted(lib.file) + " has no 'size'");
        }
        lib.size = size->get<std::uint64_t>();
        if (m.find(lib.file) != nullptr) {
            return damaged("library " + util::quoted(lib.file) + " is listed twice");
        }
        m.libraries.push_back(std::move(lib));
    }
    return std::optional<Manifest>(std::move(m));
}

std::vector<std::string> merge_link_args(const std::vector<std::vector<std::string>>& lists) {
    // Units are single arguments, or "-framework X" as one pair.
    std::vector<std::vector<std::string>> units;
    for (const auto& list : lists) {
        for (std::size_t i = 0; i < list.size(); ++i) {
            std::vector<std::string> unit{list[i]};
            if ((list[i] == "-framework" || list[i] == "-weak_framework") && i + 1 < list.size()) {
                unit.push_back(list[++i]);
            }
            if (std::find(units.begin(), units.end(), unit) == units.end()) {
                units.push_back(std::move(unit));
            }
        }
    }
    std::vector<std::string> out;
    for (const auto& unit : units) {
        out.insert(out.end(), unit.begin(), unit.end());
    }
    return out;
}

}  // namespace tl::release
