// package.json scripts and devcontainer.json: a small JSON reader that keeps
// the position of every string (and accepts the comments and trailing commas
// of JSONC, which devcontainer.json allows), so a command inside a JSON string
// is reported at its own line and column.

#include <memory>
#include <optional>

#include "tl/scan/analyze.hpp"
#include "tl/util/strings.hpp"

namespace tl::scan::detail {

namespace {

// Nesting beyond this is treated as invalid rather than risking the stack.
constexpr int k_max_json_depth = 64;

struct JsonMember;

struct JsonNode {
    enum class Type { scalar, string, array, object };
    Type type = Type::scalar;
    Word str;  // the value of a string
    // A vector of an incomplete type is fine; a std::pair of one is not (clang).
    std::vector<JsonMember> members;
    std::vector<JsonNode> items;

    const JsonNode* find(std::string_view key) const;
};

struct JsonMember {
    Word key;
    JsonNode value;
};

const JsonNode* JsonNode::find(std::string_view key) const {
    for (const auto& [k, v] : members) {
        if (k.value == key) {
            return &v;
        }
    }
    return nullptr;
}

class JsonReader {
public:
    explicit JsonReader(const Fragment& f) : m_f(f), m_t(f.text) {}

    std::optional<JsonNode> document() {
        auto v = value(0);
        skip();
        if (!v || m_i != m_t.size()) {
            return std::nullopt;
        }
        return v;
    }

private:
    void skip() {
        while (m_i < m_t.size()) {
            char c = m_t[m_i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++m_i;
            } else if (c == '/' && m_i + 1 < m_t.size() && m_t[m_i + 1] == '/') {
                while (m_i < m_t.size() && m_t[m_i] != '\n') {
                    ++m_i;
                }
            } else if (c == '/' && m_i + 1 < m_t.size() && m_t[m_i + 1] == '*') {
                std::size_t e = m_t.find("*/", m_i + 2);
                m_i = e == std::string::npos ? m_t.size() : e + 2;
            } else {
                return;
            }
        }
    }

    std::optional<JsonNode> value(int depth) {
        if (depth > k_max_json_depth) {
            return std::nullopt;
        }
        skip();
        if (m_i >= m_t.size()) {
            return std::nullopt;
        }
        char c = m_t[m_i];
        JsonNode node;
        if (c == '"') {
            node.type = JsonNode::Type::string;
            std::size_t before = m_i;
            node.str = read_string_literal(m_f, m_i);
            if (m_i == before || m_t[m_i - 1] != '"' || m_i - before < 2) {
                return std::nullopt;
            }
            return node;
        }
        if (c == '{' || c == '[') {
            const bool object = c == '{';
            node.type = object ? JsonNode::Type::object : JsonNode::Type::array;
            ++m_i;
            for (;;) {
                skip();
                if (m_i >= m_t.size()) {
                    return std::nullopt;
                }
                if (m_t[m_i] == (object ? '}' : ']')) {
                    ++m_i;
                    return node;
                }
                if (object) {
                    if (m_t[m_i] != '"') {
                        return std::nullopt;
                    }
                    Word key = read_string_literal(m_f, m_i);
                    skip();
                    if (m_i >= m_t.size() || m_t[m_i] != ':') {
                        return std::nullopt;
                    }
                    ++m_i;
                    auto v = value(depth + 1);
                    if (!v) {
                        return std::nullopt;
                    }
                    node.members.push_back(JsonMember{std::move(key), std::move(*v)});
                } else {
                    auto v = value(depth + 1);
                    if (!v) {
                        return std::nullopt;
                    }
                    node.items.push_back(std::move(*v));
                }
                skip();
                if (m_i < m_t.size() && m_t[m_i] == ',') {
                    ++m_i;  // a trailing comma before the bracket is accepted (JSONC)
                } else if (m_i >= m_t.size() || m_t[m_i] != (object ? '}' : ']')) {
                    return std::nullopt;
                }
            }
        }
        // true, false, null, numbers
        std::size_t b = m_i;
        while (m_i < m_t.size() && (std::isalnum(static_cast<unsigned char>(m_t[m_i])) ||
                                    m_t[m_i] == '-' || m_t[m_i] == '+' || m_t[m_i] == '.')) {
            ++m_i;
        }
        if (m_i == b) {
            return std::nullopt;
        }
        return node;
    }

    const Fragment& m_f;
    const std::string& m_t;
    std::size_t m_i = 0;
};

std::optional<JsonNode> parse(std::string_view source) {
    Fragment f = verbatim(source, 0, static_cast<std::uint32_t>(source.size()));
    JsonReader reader(f);
    return reader.document();
}

// A devcontainer command: a string (shell), an array (argv) or an object of either.
void devcontainer_command(const JsonNode& v, Collector& out) {
    if (v.type == JsonNode::Type::string) {
        analyze_shell(fragment_of(v.str), out);
    } else if (v.type == JsonNode::Type::array) {
        std::vector<Word> argv;
        for (const JsonNode& item : v.items) {
            if (item.type == JsonNode::Type::string) {
                argv.push_back(item.str);
            }
        }
        if (!argv.empty()) {
            classify_command(argv, out);
        }
    } else if (v.type == JsonNode::Type::object) {
        for (const auto& [k, item] : v.members) {
            out.anchors.push_back(k.start);
            devcontainer_command(item, out);
            out.anchors.pop_back();
        }
    }
}

}  // namespace

bool analyze_package_json(std::string_view source, Collector& out) {
    auto doc = parse(source);
    if (!doc) {
        return false;
    }
    const JsonNode* scripts = doc->find("scripts");
    if (scripts == nullptr || scripts->type != JsonNode::Type::object) {
        return true;
    }
    for (const auto& [key, value] : scripts->members) {
        if (value.type != JsonNode::Type::string) {
            continue;
        }
        out.anchors = {key.start};
        analyze_shell(fragment_of(value.str), out);
        out.anchors.clear();
    }
    return true;
}

bool analyze_devcontainer(std::string_view source, Collector& out) {
    auto doc = parse(source);
    if (!doc) {
        return false;
    }
    for (const auto& [key, value] : doc->members) {
        out.anchors = {key.start};
        if (key.value == "image" && value.type == JsonNode::Type::string &&
            is_rust_image(value.str.value)) {
            out.add(Kind::toolchain_install, key.start, value.str.end,
                    display_text(key.raw + ": " + value.str.raw));
        } else if (key.value == "features" && value.type == JsonNode::Type::object) {
            for (const auto& [feature, options] : value.members) {
                (void)options;
                if (is_rust_image(feature.value)) {
                    out.add(Kind::toolchain_install, feature.start, feature.end,
                            display_text(feature.raw));
                }
            }
        } else if (util::ends_with(key.value, "Command") &&
                   (key.value == "initializeCommand" || key.value == "onCreateCommand" ||
                    key.value == "updateContentCommand" || key.value == "postCreateCommand" ||
                    key.value == "postStartCommand" || key.value == "postAttachCommand")) {
            devcontainer_command(value, out);
        }
        out.anchors.clear();
    }
    return true;
}

}  // namespace tl::scan::detail
