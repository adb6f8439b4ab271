// The layer map in ARCHITECTURE.md against the includes of src/tl/: every
// folder is on the map, and a folder includes only folders listed before it
// that its section names under "May include".

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;

namespace {

// One folder's section of ARCHITECTURE.md: its place in the order and the
// folders it may include.
struct Layer {
    std::string folder;
    std::set<std::string> may_include;
    bool says_what_it_includes = false;
};

// One `#include "tl/<folder>/…"` line of a file under src/tl/.
struct Include {
    std::string file;  // relative to the source tree
    int line = 0;
    std::string from;  // the including file's folder
    std::string to;    // the included folder
};

// The `## `folder/`` headings in order, each with its "May include:" line
// ("every folder above" names all of them; anything else lists them quoted).
std::vector<Layer> read_layers(std::istream& in) {
    static const std::regex heading(R"(^## `([a-z0-9_]+)/`)");
    static const std::regex quoted(R"(`([a-z0-9_]+)/`)");
    std::vector<Layer> layers;
    std::string line;
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_search(line, m, heading)) {
            layers.push_back({m[1].str(), {}, false});
        } else if (line.starts_with("## ")) {
            // A heading that is not a folder ends the previous folder's section.
            layers.push_back({"", {}, true});
        } else if (line.starts_with("May include:") && !layers.empty() &&
                   !layers.back().folder.empty()) {
            Layer& layer = layers.back();
            layer.says_what_it_includes = true;
            if (line.find("every folder above") != std::string::npos) {
                for (const Layer& above : layers) {
                    if (&above != &layer && !above.folder.empty())
                        layer.may_include.insert(above.folder);
                }
            }
            for (auto it = std::sregex_iterator(line.begin(), line.end(), quoted);
                 it != std::sregex_iterator(); ++it)
                layer.may_include.insert((*it)[1].str());
        }
    }
    std::erase_if(layers, [](const Layer& l) { return l.folder.empty(); });
    return layers;
}

// Every `#include "tl/<folder>/…"` of the C++ files below `tl_root`.
std::vector<Include> read_includes(const fs::path& tl_root) {
    static const std::regex include(R"(^\s*#\s*include\s*["<]tl/([^/">]+)/)");
    std::vector<Include> out;
    for (const auto& entry : fs::recursive_directory_iterator(tl_root)) {
        const std::string ext = entry.path().extension().string();
        if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp" && ext != ".h"))
            continue;
        const fs::path rel = fs::relative(entry.path(), tl_root);
        const std::string from = rel.begin()->string();
        std::ifstream in(entry.path());
        std::string line;
        int number = 0;
        while (std::getline(in, line)) {
            ++number;
            std::smatch m;
            if (std::regex_search(line, m, include))
                out.push_back({"src/tl/" + rel.generic_string(), number, from, m[1].str()});
        }
    }
    std::sort(out.begin(), out.end(), [](const Include& a, const Include& b) {
        return std::tie(a.file, a.line) < std::tie(b.file, b.line);
    });
    return out;
}

// What breaks the map, one message each (empty: the map holds).
std::vector<std::string> check_layers(const std::vector<Layer>& layers,
                                      const std::set<std::string>& folders,
                                      const std::vector<Include>& includes) {
    std::vector<std::string> problems;
    std::map<std::string, size_t> rank;
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& layer = layers[i];
        if (!rank.emplace(layer.folder, i).second)
            problems.push_back("ARCHITECTURE.md lists " + layer.folder + "/ twice");
        if (!folders.contains(layer.folder))
            problems.push_back("ARCHITECTURE.md lists " + layer.folder +
                               "/, which is not a folder of src/tl/");
        if (!layer.says_what_it_includes)
            problems.push_back("ARCHITECTURE.md: the section of " + layer.folder +
                               "/ has no \"May include:\" line");
        for (const std::string& dep : layer.may_include) {
            auto above = std::find_if(layers.begin(), layers.begin() + static_cast<long>(i),
                                      [&](const Layer& l) { return l.folder == dep; });
            if (above == layers.begin() + static_cast<long>(i))
                problems.push_back("ARCHITECTURE.md: " + layer.folder + "/ may include " + dep +
                                   "/, which is not listed before it");
        }
    }
    for (const std::string& folder : folders) {
        if (!rank.contains(folder))
            problems.push_back("src/tl/" + folder + "/ is missing from ARCHITECTURE.md");
    }
    for (const Include& inc : includes) {
        if (inc.from == inc.to)
            continue;
        const std::string where = inc.file + ":" + std::to_string(inc.line) + ": " + inc.from +
                                  "/ includes " + inc.to + "/";
        auto from = rank.find(inc.from);
        auto to = rank.find(inc.to);
        if (from == rank.end() || to == rank.end())
            continue;  // reported above as a folder missing from the map
        if (to->second > from->second)
            problems.push_back(where + ", which comes after it in ARCHITECTURE.md");
        else if (!layers[from->second].may_include.contains(inc.to))
            problems.push_back(where + ", which its \"May include:\" line does not name");
    }
    return problems;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines)
        out += l + "\n";
    return out;
}

TEST(Layering, IncludesFollowArchitectureMd) {
    const fs::path root = TL_SOURCE_DIR;
    std::ifstream doc(root / "ARCHITECTURE.md");
    ASSERT_TRUE(doc) << "cannot read " << (root / "ARCHITECTURE.md");
    const std::vector<Layer> layers = read_layers(doc);
    ASSERT_FALSE(layers.empty()) << "no `## `folder/`` heading in ARCHITECTURE.md";

    std::set<std::string> folders;
    for (const auto& entry : fs::directory_iterator(root / "src/tl")) {
        if (entry.is_directory())
            folders.insert(entry.path().filename().string());
    }
    const std::vector<Include> includes = read_includes(root / "src/tl");
    ASSERT_FALSE(includes.empty());

    const std::vector<std::string> problems = check_layers(layers, folders, includes);
    EXPECT_TRUE(problems.empty()) << joined(problems);
}

// The check itself, on a small map: each kind of break is reported with the
// file, line and both folders.
TEST(Layering, ReportsEveryKindOfBreak) {
    std::istringstream doc(
        "# Architecture\n"
        "## `util/` (the base)\n"
        "May include: nothing of `src/tl/`.\n"
        "## `http/`\n"
        "text naming `cli/` in passing\n"
        "May include: `util/`.\n"
        "## `ghost/`\n"
        "May include: `util/`, `cli/`.\n"
        "## `cli/`\n"
        "May include: every folder above.\n"
        "## Tests (outside `src/`)\n"
        "May include: `cli/`.\n");
    const std::vector<Layer> layers = read_layers(doc);
    ASSERT_EQ(layers.size(), 4u);
    EXPECT_EQ(layers[1].may_include, (std::set<std::string>{"util"}));
    EXPECT_EQ(layers[3].may_include, (std::set<std::string>{"util", "http", "ghost"}));

    const std::set<std::string> folders = {"util", "http", "cli", "cache"};
    const std::vector<Include> includes = {
        {"src/tl/http/a.cpp", 3, "http", "util"},    // allowed
        {"src/tl/cli/b.cpp", 4, "cli", "http"},      // allowed
        {"src/tl/util/c.hpp", 7, "util", "util"},    // its own folder
        {"src/tl/util/d.hpp", 9, "util", "http"},    // upward
        {"src/tl/cache/e.cpp", 1, "cache", "util"},  // folder not on the map
    };
    const std::vector<std::string> problems = check_layers(layers, folders, includes);
    const std::vector<std::string> expected = {
        "ARCHITECTURE.md lists ghost/, which is not a folder of src/tl/",
        "ARCHITECTURE.md: ghost/ may include cli/, which is not listed before it",
        "src/tl/cache/ is missing from ARCHITECTURE.md",
        "src/tl/util/d.hpp:9: util/ includes http/, which comes after it in ARCHITECTURE.md",
    };
    EXPECT_EQ(problems, expected) << joined(problems);

    std::istringstream narrow(
        "## `util/`\nMay include: nothing.\n## `http/`\nno line\n"
        "## `cli/`\nMay include: `util/`.\n");
    const std::vector<std::string> more = check_layers(read_layers(narrow), {"util", "http", "cli"},
                                                       {{"src/tl/cli/f.cpp", 2, "cli", "http"}});
    const std::vector<std::string> expected_more = {
        "ARCHITECTURE.md: the section of http/ has no \"May include:\" line",
        "src/tl/cli/f.cpp:2: cli/ includes http/, which its \"May include:\" line does not name",
    };
    EXPECT_EQ(more, expected_more) << joined(more);
}

}  // namespace
