#include <algorithm>
#include <array>
#include <string>

#include "tl/scan/analyze.hpp"
#include "tl/util/strings.hpp"

namespace tl::scan::detail {

namespace {

using util::ends_with;
using util::starts_with;
using util::to_lower;

// Long commands (a 40-package apt-get install) are shortened in reports; the
// location is what matters.
constexpr std::size_t k_max_text = 240;

std::string_view basename_of(std::string_view s) {
    std::size_t slash = s.find_last_of("/\\");
    return slash == std::string_view::npos ? s : s.substr(slash + 1);
}

bool is_assignment(std::string_view w) {
    if (w.empty() || !(std::isalpha(static_cast<unsigned char>(w[0])) || w[0] == '_')) {
        return false;
    }
    for (std::size_t i = 1; i < w.size(); ++i) {
        char c = w[i];
        if (c == '=' || (c == '+' && i + 1 < w.size() && w[i + 1] == '=') || c == '[') {
            return true;
        }
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
            return false;
        }
    }
    return false;
}

// A command name hidden behind a variable: Makefiles say $(CARGO), CMake says
// ${CARGO_EXECUTABLE} or ${CMAKE_COMMAND}, scripts say "${CARGO:-cargo}".
std::string variable_command(std::string_view w) {
    if (w.empty() || w[0] != '$') {
        return {};
    }
    std::string_view v = w.substr(1);
    if (!v.empty() && (v.front() == '(' || v.front() == '{')) {
        v.remove_prefix(1);
    }
    std::size_t stop = 0;
    while (stop < v.size() &&
           (std::isalnum(static_cast<unsigned char>(v[stop])) || v[stop] == '_')) {
        ++stop;
    }
    std::string rest(v.substr(stop));
    std::string name = util::to_lower(v.substr(0, stop));
    // Only a bare reference (optionally with a default) is a command name.
    if (!(rest.empty() || rest == ")" || rest == "}" || starts_with(rest, ":-") ||
          starts_with(rest, "-"))) {
        return {};
    }
    static const std::array<std::string_view, 10> cargo = {
        "cargo",      "cargo_bin",     "cargo_exe",        "cargo_cmd",  "cargo_command",
        "cargo_path", "cargo_program", "cargo_executable", "rust_cargo", "cargo_binary"};
    if (std::find(cargo.begin(), cargo.end(), name) != cargo.end()) {
        return "cargo";
    }
    if (name == "rustc" || name == "rustc_executable" || name == "rust_compiler" ||
        name == "rustc_bin") {
        return "rustc";
    }
    if (name == "rustup" || name == "rustup_bin") {
        return "rustup";
    }
    if (name == "cmake_command") {
        return "cmake";
    }
    return {};
}

std::string command_name(const Word& w) {
    std::string var = variable_command(w.value);
    if (!var.empty()) {
        return var;
    }
    std::string base(basename_of(w.value));
    if (ends_with(base, ".exe")) {
        base.resize(base.size() - 4);
    }
    return base;
}

bool is_rustup_url(std::string_view s) {
    return s.find("sh.rustup.rs") != std::string_view::npos ||
           s.find("win.rustup.rs") != std::string_view::npos ||
           s.find("rustup-init") != std::string_view::npos ||
           s.find("static.rust-lang.org") != std::string_view::npos;
}

bool is_protoc_download(std::string_view s) {
    return s.find("protocolbuffers/protobuf/releases") != std::string_view::npos ||
           (s.find("protoc-") != std::string_view::npos && ends_with(s, ".zip"));
}

std::string package_base(std::string_view word, std::string_view manager) {
    std::string p = to_lower(word);
    if (manager == "nix-env" || manager == "nix-shell" || manager == "nix") {
        std::size_t hash = p.find('#');
        if (hash != std::string::npos) {
            p = p.substr(hash + 1);
        } else if (starts_with(p, "nixpkgs.")) {
            p = p.substr(8);
        }
    }
    std::size_t cut = p.find_first_of("=<>~:@");
    if (cut != std::string::npos && cut > 0) {
        p.resize(cut);
    }
    if (ends_with(p, ".install")) {  // chocolatey: rustup.install
        p.resize(p.size() - 8);
    }
    return p;
}

bool is_rust_package(const std::string& p) {
    static const std::array<std::string_view, 15> names = {
        "rust",        "rustc",         "cargo",       "rustup",       "rustup-init",
        "rust-all",    "rust-toolset",  "rust-src",    "rust-std",     "rustfmt",
        "rust-clippy", "rust-analyzer", "rust-stable", "rust-nightly", "rustlang.rustup"};
    if (std::find(names.begin(), names.end(), p) != names.end()) {
        return true;
    }
    if (starts_with(p, "rustlang.")) {  // winget: Rustlang.Rust.MSVC
        return true;
    }
    // Versioned packages: rustc-1.80, cargo-1.80 (Ubuntu), rust-1.80.
    for (std::string_view prefix : {"rustc-", "cargo-", "rust-"}) {
        if (starts_with(p, prefix) && p.size() > prefix.size() &&
            std::isdigit(static_cast<unsigned char>(p[prefix.size()]))) {
            return true;
        }
    }
    return false;
}

bool is_protobuf_package(const std::string& p) {
    return p == "protobuf-compiler" || p == "protobuf" || p == "protoc" || p == "protobuf-dev" ||
           p == "protobuf-devel" || p == "libprotobuf-dev";
}

// Whether `args[k]` is the subcommand that makes a package manager install.
bool installs(std::string_view manager, const std::vector<Word>& words, std::size_t first,
              std::size_t& packages_from) {
    static const std::array<std::pair<std::string_view, std::string_view>, 24> table = {{
        {"apt-get", "install"},  {"apt", "install"},   {"aptitude", "install"},
        {"apk", "add"},          {"yum", "install"},   {"dnf", "install"},
        {"microdnf", "install"}, {"tdnf", "install"},  {"zypper", "install"},
        {"zypper", "in"},        {"brew", "install"},  {"brew", "reinstall"},
        {"port", "install"},     {"choco", "install"}, {"scoop", "install"},
        {"winget", "install"},   {"snap", "install"},  {"pkg", "install"},
        {"conda", "install"},    {"mamba", "install"}, {"micromamba", "install"},
        {"mise", "install"},     {"mise", "use"},      {"asdf", "install"},
    }};
    // Options that take a value (apt-get -o X=Y, -t release) would otherwise be
    // taken for the subcommand.
    auto takes_value = [&](std::string_view opt) {
        return (manager == "apt-get" || manager == "apt") && (opt == "-o" || opt == "-t");
    };
    if (manager == "pacman") {
        for (std::size_t k = first; k < words.size(); ++k) {
            std::string_view a = words[k].value;
            if (starts_with(a, "-S") && a.find_first_not_of("Syuqvw", 1) == std::string::npos) {
                packages_from = k + 1;
                return true;
            }
        }
        return false;
    }
    if (manager == "nix-env" || manager == "nix-shell") {
        for (std::size_t k = first; k < words.size(); ++k) {
            std::string_view a = words[k].value;
            if (a == "-i" || a == "-iA" || a == "--install" ||
                (manager == "nix-shell" && a == "-p")) {
                packages_from = k + 1;
                return true;
            }
        }
        return false;
    }
    std::size_t k = first;
    while (k < words.size() && starts_with(words[k].value, "-")) {
        k += takes_value(words[k].value) ? 2 : 1;
    }
    if (k >= words.size()) {
        return false;
    }
    std::string_view sub = words[k].value;
    for (const auto& [m, s] : table) {
        if (m == manager && s == sub) {
            packages_from = k + 1;
            return true;
        }
    }
    // asdf plugin add rust / mise plugin add rust
    if ((manager == "asdf" || manager == "mise") && sub == "plugin" && k + 1 < words.size() &&
        (words[k + 1].value == "add" || words[k + 1].value == "install")) {
        packages_from = k + 2;
        return true;
    }
    return false;
}

std::string words_text(const std::vector<Word>& words, std::size_t from) {
    std::string raw;
    for (std::size_t k = from; k < words.size(); ++k) {
        if (k > from) {
            raw.push_back(' ');
        }
        const Word& w = words[k];
        // Array elements ("cargo", "build") read better as the command they make.
        if (w.literal && !w.value.empty() &&
            w.value.find_first_of(" \t\n'\"") == std::string::npos) {
            raw += w.value;
        } else {
            raw += w.raw;
        }
    }
    return display_text(raw);
}

// Wrappers that run the command given as their arguments: `sudo -u ci cargo
// build`, `timeout 10m cargo test`, `uv run --with x cargo build`.
struct Wrapper {
    std::vector<std::string_view> names = {};
    // Words that must follow the name (`uv run`, `cmake -E env`).
    std::vector<std::string_view> then = {};
    // Options of the wrapper that take a value, skipped with it.
    std::vector<std::string_view> options_with_value = {};
    // When not empty, the command starts after the first of these words
    // (`nix develop --command cargo build`); without one it is not a wrapper.
    std::vector<std::string_view> command_after = {};
    bool takes_duration = false;  // timeout: the word after the options
};

const std::vector<Wrapper>& wrappers() {
    static const std::vector<Wrapper> table = {
        {{"sudo", "doas"}, {}, {"-u", "-g", "-C", "-p", "-r", "-t", "-U", "-h", "-D", "-R"}},
        {{"env"}, {}, {"-u", "-C", "-S"}},
        {{"nice"}, {}, {"-n"}},
        {{"nohup", "time", "chronic", "eatmydata", "unbuffer", "stdbuf", "builtin"}},
        {{"exec"}, {}, {"-a"}},
        {{"timeout"}, {}, {"-s", "-k"}, {}, true},
        {{"uv", "poetry", "pdm", "hatch", "pipx"},
         {"run"},
         {"--with", "--python", "-p", "--env", "-e", "--spec"}},
        {{"cmake"}, {"-E", "env"}, {"--unset"}},
        {{"nix"}, {"develop"}, {}, {"--command", "-c"}},
        {{"nix"}, {"shell"}, {}, {"--command", "-c"}},
        {{"cargo-cp-artifact"}, {}, {}, {"--"}},  // cargo-cp-artifact [artifacts] -- cargo build
    };
    return table;
}

bool contains(const std::vector<std::string_view>& list, std::string_view s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

// Moves `i` from a wrapper's name to the command it runs; false (and `i`
// unchanged) when words[i] is not a wrapper.
bool skip_wrapper(const std::vector<Word>& words, std::size_t& i) {
    std::string name = command_name(words[i]);
    for (const Wrapper& w : wrappers()) {
        if (!contains(w.names, name) || i + w.then.size() >= words.size() ||
            !std::equal(
                w.then.begin(), w.then.end(), words.begin() + static_cast<std::ptrdiff_t>(i + 1),
                [](std::string_view want, const Word& word) { return want == word.value; })) {
            continue;
        }
        std::size_t k = i + 1 + w.then.size();
        if (!w.command_after.empty()) {
            for (; k < words.size(); ++k) {
                if (contains(w.command_after, words[k].value)) {
                    i = k + 1;
                    return true;
                }
            }
            return false;
        }
        while (k < words.size() && starts_with(words[k].value, "-") && words[k].value != "--") {
            k += contains(w.options_with_value, words[k].value) ? 2 : 1;
        }
        if (k < words.size() && words[k].value == "--") {
            ++k;
        }
        if (w.takes_duration && k < words.size()) {
            ++k;
        }
        i = k;
        return true;
    }
    return false;
}

}  // namespace

void Fragment::append(std::string_view source, std::uint32_t begin, std::uint32_t end_off) {
    for (std::uint32_t k = begin; k < end_off && k < source.size(); ++k) {
        push(source[k], k);
    }
    end = end_off;
}

Fragment verbatim(std::string_view source, std::uint32_t begin, std::uint32_t end) {
    Fragment f;
    f.text.reserve(end - begin);
    f.offs.reserve(end - begin);
    f.append(source, begin, end);
    f.end = end;
    return f;
}

Fragment fragment_of(const Word& w) {
    Fragment f;
    f.text = w.value;
    f.offs = w.offs;
    // A string literal's text ends before its closing quote.
    f.end = w.literal && w.end > w.start ? w.end - 1 : w.end;
    return f;
}

void Collector::add(Kind kind, std::uint32_t start, std::uint32_t end, std::string text,
                    bool needs_rust_nearby) {
    RawFinding f;
    f.kind = kind;
    f.start = start;
    f.end = std::max(start, end);
    f.text = std::move(text);
    f.needs_rust_nearby = needs_rust_nearby;
    f.anchors = anchors;
    m_findings.push_back(std::move(f));
}

std::string display_text(std::string_view raw) {
    std::string out;
    bool space = false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '\\' && i + 1 < raw.size() && (raw[i + 1] == '\n' || raw[i + 1] == '\r')) {
            space = true;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = true;
            continue;
        }
        if (space && !out.empty()) {
            out.push_back(' ');
        }
        space = false;
        out.push_back(c);
    }
    if (out.size() > k_max_text) {
        std::size_t cut = k_max_text;
        // Never cut a UTF-8 sequence in half.
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
            --cut;
        }
        out.resize(cut);
        out += "...";
    }
    return out;
}

bool mentions_sdk_core(std::string_view s) {
    std::string lower = to_lower(s);
    std::size_t pos = 0;
    while ((pos = lower.find("temporalio/sdk-core", pos)) != std::string::npos) {
        std::size_t after = pos + 19;
        if (after >= lower.size()) {
            return true;
        }
        char c = lower[after];
        // temporalio/sdk-core.git, temporalio/sdk-core/tree/..., ...@ref, but not
        // temporalio/sdk-core-something.
        if (c == '.' || c == '/' || c == '@' || c == '#' || c == '?' || c == '"' || c == '\'' ||
            c == ' ' || c == ')') {
            return true;
        }
        pos = after;
    }
    return false;
}

bool mentions_retired_script(std::string_view s) {
    return s.find("run-with-rust-toolchain") != std::string_view::npos;
}

bool is_rust_image(std::string_view image) {
    std::string v = to_lower(util::trim(image));
    if (starts_with(v, "docker://")) {
        v = v.substr(9);
    }
    std::size_t at = v.find('@');
    if (at != std::string::npos) {
        v.resize(at);
    }
    std::size_t slash = v.rfind('/');
    std::size_t colon = v.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
        v.resize(colon);
    }
    std::string_view last = basename_of(v);
    return last == "rust" || starts_with(last, "rust-") || last == "muslrust";
}

void classify_uses(std::string_view value, std::uint32_t start, std::uint32_t end, std::string text,
                   Collector& out) {
    std::string v = to_lower(util::trim(value));
    if (starts_with(v, "docker://")) {
        if (is_rust_image(v)) {
            out.add(Kind::toolchain_install, start, end, std::move(text));
        }
        return;
    }
    std::size_t at = v.find('@');
    std::string action = at == std::string::npos ? v : v.substr(0, at);
    static const std::array<std::string_view, 6> toolchain = {
        "dtolnay/rust-toolchain",
        "actions-rs/toolchain",
        "actions-rust-lang/setup-rust-toolchain",
        "moonrepo/setup-rust",
        "hecrj/setup-rust-action",
        "raftario/setup-rust-action"};
    static const std::array<std::string_view, 4> build = {
        "actions-rs/cargo", "houseabsolute/actions-rust-cross", "actions-rs/clippy-check",
        "actions-rs/tarpaulin"};
    if (std::find(toolchain.begin(), toolchain.end(), action) != toolchain.end()) {
        out.add(Kind::toolchain_install, start, end, std::move(text));
    } else if (std::find(build.begin(), build.end(), action) != build.end()) {
        out.add(Kind::rust_build, start, end, std::move(text));
    } else if (action == "swatinem/rust-cache") {
        out.add(Kind::build_dependency, start, end, std::move(text));
    } else if (action == "arduino/setup-protoc") {
        out.add(Kind::build_dependency, start, end, std::move(text), true);
    } else if (mentions_retired_script(action)) {
        out.add(Kind::retired_script, start, end, std::move(text));
    }
}

namespace {

// One simple command being classified: its words, where its name is, and the
// collector its findings go to.
struct Call {
    const std::vector<Word>& words;
    std::size_t at;     // the command name
    std::size_t start;  // the first word a finding shows (wrappers and assignments included)
    Collector& out;

    // The word `k` places after the name, or "" past the end.
    std::string_view arg(std::size_t k) const {
        return at + k < words.size() ? std::string_view(words[at + k].value) : std::string_view();
    }
    // Records a finding spanning the whole command.
    void add(Kind kind, bool needs_rust_nearby = false) const {
        out.add(kind, words[start].start, words.back().end, words_text(words, start),
                needs_rust_nearby);
    }
    // Analyzes a string argument as shell code (`sh -c '...'`, `--run '...'`).
    void analyze(const Word& code) const {
        if (out.depth < 16) {
            ++out.depth;
            analyze_shell(fragment_of(code), out);
            --out.depth;
        }
    }
};

// sh -c 'code', sh script, or a shell reading its script from stdin.
CommandInfo shell(const Call& c) {
    const auto& words = c.words;
    std::size_t k = c.at + 1;
    bool dash_c = false;
    bool dash_s = false;
    while (k < words.size() && starts_with(words[k].value, "-") && words[k].value != "-" &&
           words[k].value != "--") {
        const std::string& opt = words[k].value;
        if (!starts_with(opt, "--") && opt.find('c') != std::string::npos) {
            dash_c = true;
        }
        if (!starts_with(opt, "--") && opt.find('s') != std::string::npos) {
            dash_s = true;
        }
        // -o option / +o option take a value.
        k += (opt == "-o" || opt == "-O") ? 2 : 1;
    }
    if (k < words.size() && words[k].value == "--") {
        ++k;
    }
    if (dash_c) {
        if (k < words.size()) {
            c.analyze(words[k]);
        }
        return {};
    }
    if (k < words.size() && !dash_s) {
        std::string_view script = words[k].value;
        if (starts_with(basename_of(script), "rustup-init") || is_rustup_url(script)) {
            c.add(Kind::toolchain_install);
        } else if (mentions_retired_script(script)) {
            c.add(Kind::retired_script);
        }
        return {};
    }
    return CommandInfo{.runs_stdin_as_script = true};
}

// curl/wget of rustup, of sdk-core, or of a protoc release.
CommandInfo download(const Call& c) {
    bool protoc = false;
    for (std::size_t k = c.at + 1; k < c.words.size(); ++k) {
        std::string_view a = c.words[k].value;
        if (is_rustup_url(a)) {
            c.add(Kind::toolchain_install);
            return {};
        }
        if (mentions_sdk_core(a)) {
            c.add(Kind::sdk_core_source);
            return {};
        }
        protoc = protoc || is_protoc_download(a);
    }
    if (protoc) {
        c.add(Kind::build_dependency, true);
    }
    return {};
}

// git clone / git submodule add of sdk-core.
CommandInfo git(const Call& c) {
    const auto& words = c.words;
    std::size_t k = c.at + 1;
    while (k < words.size() && starts_with(words[k].value, "-")) {
        k += (words[k].value == "-C" || words[k].value == "-c") ? 2 : 1;
    }
    if (k >= words.size()) {
        return {};
    }
    const std::string& sub = words[k].value;
    if (sub == "clone" ||
        (sub == "submodule" && k + 1 < words.size() && words[k + 1].value == "add")) {
        for (std::size_t m = k + 1; m < words.size(); ++m) {
            if (mentions_sdk_core(words[m].value)) {
                c.add(Kind::sdk_core_source);
                break;
            }
        }
    }
    return {};
}

// gh repo clone temporalio/sdk-core.
CommandInfo gh_repo(const Call& c) {
    if (c.arg(2) == "clone" && mentions_sdk_core(std::string(c.arg(3)) + " ")) {
        c.add(Kind::sdk_core_source);
    }
    return {};
}

// docker run [options] IMAGE [command]: compiling inside a Rust image still
// needs the toolchain, only in a container; a command run in another image is
// classified on its own.
CommandInfo container_run(const Call& c) {
    static const std::array<std::string_view, 22> with_value = {
        "-v",           "--volume",   "-w",      "--workdir",  "-e",     "--env",
        "-u",           "--user",     "-p",      "--publish",  "--name", "--network",
        "--entrypoint", "--platform", "--mount", "--env-file", "-m",     "--memory",
        "--cpus",       "-l",         "--label", "--pull"};
    const auto& words = c.words;
    for (std::size_t k = c.at + 2; k < words.size(); ++k) {
        std::string_view a = words[k].value;
        if (starts_with(a, "-")) {
            if (a.find('=') == std::string_view::npos &&
                std::find(with_value.begin(), with_value.end(), a) != with_value.end()) {
                ++k;
            }
            continue;
        }
        if (is_rust_image(a)) {
            c.add(Kind::rust_build);
        } else if (k + 1 < words.size() && c.out.depth < 16) {
            std::vector<Word> inner(words.begin() + static_cast<std::ptrdiff_t>(k + 1),
                                    words.end());
            ++c.out.depth;
            classify_command(inner, c.out);
            --c.out.depth;
        }
        break;
    }
    return {};
}

// node/npm/bun running the retired wrapper script.
CommandInfo js_runner(const Call& c) {
    for (std::size_t k = c.at + 1; k < c.words.size(); ++k) {
        if (mentions_retired_script(c.words[k].value)) {
            c.add(Kind::retired_script);
            break;
        }
    }
    return {};
}

// A package manager installing Rust (or protoc, which counts next to Rust).
CommandInfo package_install(const Call& c) {
    const auto& words = c.words;
    std::string name = command_name(words[c.at]);
    std::size_t packages_from = 0;
    if (!installs(name, words, c.at + 1, packages_from)) {
        return {};
    }
    bool rust = false;
    std::vector<const Word*> protobuf;
    for (std::size_t k = packages_from; k < words.size(); ++k) {
        if (starts_with(words[k].value, "-")) {
            continue;
        }
        std::string p = package_base(words[k].value, name);
        if (is_rust_package(p)) {
            rust = true;
        } else if (is_protobuf_package(p)) {
            protobuf.push_back(&words[k]);
        }
    }
    if (rust) {
        c.add(Kind::toolchain_install);
    }
    for (const Word* w : protobuf) {
        c.out.add(Kind::build_dependency, w->start, words.back().end, words_text(words, c.start),
                  true);
    }
    return {};
}

// nix-shell -p cargo --run "cargo build": the command, then the packages.
CommandInfo nix_shell(const Call& c) {
    for (std::size_t k = c.at + 1; k + 1 < c.words.size(); ++k) {
        if (c.words[k].value == "--run" || c.words[k].value == "--command") {
            c.analyze(c.words[k + 1]);
            break;
        }
    }
    return package_install(c);
}

// A command that is a finding of one kind whatever its arguments.
template <Kind kind>
CommandInfo record(const Call& c) {
    c.add(kind);
    return {};
}

// What a command is, by its name: the first row naming it decides. A name is
// matched exactly, or as a prefix ("rustup-init*") or a part ("*run-...*").
struct CommandRule {
    std::vector<std::string_view> names = {};
    // When not empty, only these subcommands (the first argument) count.
    std::vector<std::string_view> subcommands = {};
    CommandInfo (*classify)(const Call&) = nullptr;
};

const std::vector<CommandRule>& command_rules() {
    static const std::vector<CommandRule> table = {
        {{"*run-with-rust-toolchain*"}, {}, record<Kind::retired_script>},
        {{"cargo", "rustc", "cargo-zigbuild"}, {}, record<Kind::rust_build>},
        // Rust build front ends: maturin (Python wheels), napi-rs and wasm-pack run cargo.
        {{"maturin"}, {"build", "develop", "publish"}, record<Kind::rust_build>},
        {{"napi", "wasm-pack"}, {"build"}, record<Kind::rust_build>},
        {{"cross"},
         {"build", "test", "rustc", "check", "run", "bench", "install"},
         record<Kind::rust_build>},
        {{"rustup", "rustup-init*"}, {}, record<Kind::toolchain_install>},
        {{"sh", "bash", "dash", "zsh", "ksh", "ash"}, {}, shell},
        {{"curl", "wget", "fetch", "aria2c", "http", "https", "Invoke-WebRequest", "iwr"},
         {},
         download},
        {{"git"}, {}, git},
        {{"gh"}, {"repo"}, gh_repo},
        {{"docker", "podman", "nerdctl"}, {"run"}, container_run},
        {{"bun", "bunx", "node", "npx", "tsx", "ts-node", "deno", "pnpm", "yarn", "npm", "esno",
          "vite-node", "zx"},
         {},
         js_runner},
        {{"nix-shell"}, {}, nix_shell},
    };
    return table;
}

bool name_matches(std::string_view pattern, std::string_view name) {
    bool any_before = starts_with(pattern, "*");
    bool any_after = ends_with(pattern, "*");
    std::string_view core = pattern.substr(any_before ? 1 : 0);
    core.remove_suffix(any_after ? 1 : 0);
    if (any_before) {
        return name.find(core) != std::string_view::npos;
    }
    return any_after ? starts_with(name, core) : name == core;
}

const CommandRule* find_rule(std::string_view name) {
    for (const CommandRule& rule : command_rules()) {
        for (std::string_view pattern : rule.names) {
            if (name_matches(pattern, name)) {
                return &rule;
            }
        }
    }
    return nullptr;
}

}  // namespace

CommandInfo classify_command(const std::vector<Word>& words, Collector& out) {
    std::size_t i = 0;
    // Reserved words that start a list are not part of the command.
    static const std::vector<std::string_view> reserved = {"!",  "{",  "then",  "else",  "elif",
                                                           "do", "if", "while", "until", "coproc"};
    while (i < words.size() && contains(reserved, words[i].value)) {
        ++i;
    }
    const std::size_t start = i;
    // Assignments and wrappers (sudo, env, timeout, ...) come before the command.
    do {
        while (i < words.size() && is_assignment(words[i].value)) {
            ++i;
        }
        if (i >= words.size()) {
            return {};
        }
    } while (skip_wrapper(words, i));
    const Call call{words, i, start, out};
    const CommandRule* rule = find_rule(command_name(words[i]));
    if (rule == nullptr) {
        return package_install(call);
    }
    if (!rule->subcommands.empty() && !contains(rule->subcommands, call.arg(1))) {
        return {};
    }
    return rule->classify(call);
}

std::vector<Line> split_lines(std::string_view source) {
    std::vector<Line> lines;
    std::size_t pos = 0;
    while (pos < source.size()) {
        std::size_t nl = source.find('\n', pos);
        std::size_t stop = nl == std::string_view::npos ? source.size() : nl;
        std::string_view text = source.substr(pos, stop - pos);
        if (!text.empty() && text.back() == '\r') {
            text.remove_suffix(1);
        }
        lines.push_back(Line{static_cast<std::uint32_t>(pos), text});
        if (nl == std::string_view::npos) {
            break;
        }
        pos = nl + 1;
    }
    return lines;
}

}  // namespace tl::scan::detail
