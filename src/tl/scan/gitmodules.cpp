// .gitmodules: a submodule whose url is the sdk-core repository brings its
// sources into the checkout to be compiled.

#include "tl/scan/analyze.hpp"
#include "tl/util/strings.hpp"

namespace tl::scan::detail {

void analyze_gitmodules(std::string_view source, Collector& out) {
    std::uint32_t section = 0;
    for (const Line& line : split_lines(source)) {
        std::string_view t = util::trim(line.text);
        if (t.empty() || t.front() == '#' || t.front() == ';') {
            continue;
        }
        std::uint32_t col = static_cast<std::uint32_t>(line.text.find(t.front()));
        if (t.front() == '[') {
            section = line.start + col;
            continue;
        }
        std::size_t eq = t.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        std::string key = util::to_lower(util::trim(t.substr(0, eq)));
        std::string value(util::trim(t.substr(eq + 1)));
        if (key == "url" && mentions_sdk_core(value + " ")) {
            out.anchors = {section};
            out.add(Kind::sdk_core_source, line.start + col,
                    line.start + static_cast<std::uint32_t>(line.text.size()), display_text(t));
            out.anchors.clear();
        }
    }
}

}  // namespace tl::scan::detail
