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

bool is_shell(std::string_view name) {
    return name == "sh" || name == "bash" || name == "dash" || name == "zsh" || name == "ksh" ||
           name == "ash";
}

bool is_js_runner(std::string_view name) {
    static const std::array<std::string_view, 13> names = {
        "bun",  "bunx", "node", "npx",  "tsx",       "ts-node", "deno",
        "pnpm", "yarn", "npm",  "esno", "vite-node", "zx"};
    return std::find(names.begin(), names.end(), name) != names.end();
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

// Wrappers that run the command given as their arguments.
bool skip_wrapper(const std::vector<Word>& words, std::size_t& i) {
    std::string name = command_name(words[i]);
    auto skip_options = [&](std::initializer_list<std::string_view> with_value) {
        while (i < words.size() && starts_with(words[i].value, "-") && words[i].value != "--") {
            bool takes =
                std::find(with_value.begin(), with_value.end(), words[i].value) != with_value.end();
            i += takes ? 2 : 1;
        }
        if (i < words.size() && words[i].value == "--") {
            ++i;
        }
    };
    if (name == "sudo" || name == "doas") {
        ++i;
        skip_options({"-u", "-g", "-C", "-p", "-r", "-t", "-U", "-h", "-D", "-R"});
        return true;
    }
    if (name == "env") {
        ++i;
        skip_options({"-u", "-C", "-S"});
        return true;
    }
    if (name == "nice") {
        ++i;
        skip_options({"-n"});
        return true;
    }
    if (name == "nohup" || name == "time" || name == "chronic" || name == "eatmydata" ||
        name == "unbuffer" || name == "stdbuf" || name == "builtin") {
        ++i;
        skip_options({});
        return true;
    }
    if (name == "nix" && i + 1 < words.size() &&
        (words[i + 1].value == "develop" || words[i + 1].value == "shell")) {
        // nix develop [flake] --command cargo build
        for (std::size_t k = i + 2; k < words.size(); ++k) {
            if (words[k].value == "--command" || words[k].value == "-c") {
                i = k + 1;
                return true;
            }
        }
        return false;
    }
    if (name == "exec") {
        ++i;
        skip_options({"-a"});
        return true;
    }
    if (name == "timeout") {
        ++i;
        skip_options({"-s", "-k"});
        if (i < words.size()) {
            ++i;  // the duration
        }
        return true;
    }
    if ((name == "uv" || name == "poetry" || name == "pdm" || name == "hatch" || name == "pipx") &&
        i + 1 < words.size() && words[i + 1].value == "run") {
        i += 2;
        skip_options({"--with", "--python", "-p", "--env", "-e", "--spec"});
        return true;
    }
    if (name == "cargo-cp-artifact") {
        // cargo-cp-artifact [artifacts] -- cargo build ...
        for (std::size_t k = i + 1; k < words.size(); ++k) {
            if (words[k].value == "--") {
                i = k + 1;
                return true;
            }
        }
        return false;
    }
    if (name == "cmake" && i + 2 < words.size() && words[i + 1].value == "-E" &&
        words[i + 2].value == "env") {
        i += 3;
        skip_options({"--unset"});
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

CommandInfo classify_command(const std::vector<Word>& words, Collector& out) {
    CommandInfo info;
    std::size_t i = 0;
    // Reserved words that start a list are not part of the command.
    while (i < words.size()) {
        const std::string& w = words[i].value;
        if (w == "!" || w == "{" || w == "then" || w == "else" || w == "elif" || w == "do" ||
            w == "if" || w == "while" || w == "until" || w == "coproc") {
            ++i;
            continue;
        }
        break;
    }
    if (i >= words.size()) {
        return info;
    }
    const std::size_t start = i;
    for (;;) {
        while (i < words.size() && is_assignment(words[i].value)) {
            ++i;
        }
        if (i >= words.size()) {
            return info;
        }
        if (!skip_wrapper(words, i)) {
            break;
        }
        if (i >= words.size()) {
            return info;
        }
    }
    const std::string first = words[i].value;
    if (first == "for" || first == "select" || first == "function" || first == "case" ||
        first == "[[" || first == "[" || first == "}" || first == "fi" || first == "done" ||
        first == "esac") {
        return info;
    }
    const std::string name = command_name(words[i]);
    if (name == "command" && i + 1 < words.size() &&
        (words[i + 1].value == "-v" || words[i + 1].value == "-V")) {
        return info;  // a lookup, not a run
    }
    const std::uint32_t begin = words[start].start;
    const std::uint32_t finish = words.back().end;
    auto text = [&] { return words_text(words, start); };
    auto arg = [&](std::size_t k) -> std::string_view {
        return i + k < words.size() ? std::string_view(words[i + k].value) : std::string_view();
    };

    if (mentions_retired_script(name)) {
        out.add(Kind::retired_script, begin, finish, text());
        return info;
    }
    // Rust build front ends: maturin (Python wheels), napi-rs and wasm-pack run cargo.
    if ((name == "maturin" && (arg(1) == "build" || arg(1) == "develop" || arg(1) == "publish")) ||
        (name == "napi" && arg(1) == "build") || (name == "wasm-pack" && arg(1) == "build")) {
        out.add(Kind::rust_build, begin, finish, text());
        return info;
    }
    if (name == "cargo" || name == "rustc" || name == "cargo-zigbuild") {
        out.add(Kind::rust_build, begin, finish, text());
        return info;
    }
    if (name == "cross") {
        std::string_view sub = arg(1);
        if (sub == "build" || sub == "test" || sub == "rustc" || sub == "check" || sub == "run" ||
            sub == "bench" || sub == "install") {
            out.add(Kind::rust_build, begin, finish, text());
        }
        return info;
    }
    if (name == "rustup" || starts_with(name, "rustup-init")) {
        out.add(Kind::toolchain_install, begin, finish, text());
        return info;
    }
    if (is_shell(name)) {
        std::size_t k = i + 1;
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
            if (k < words.size() && out.depth < 16) {
                ++out.depth;
                analyze_shell(fragment_of(words[k]), out);
                --out.depth;
            }
            return info;
        }
        if (k < words.size() && !dash_s) {
            std::string_view script = words[k].value;
            if (starts_with(basename_of(script), "rustup-init") || is_rustup_url(script)) {
                out.add(Kind::toolchain_install, begin, finish, text());
            } else if (mentions_retired_script(script)) {
                out.add(Kind::retired_script, begin, finish, text());
            }
            return info;
        }
        info.runs_stdin_as_script = true;
        return info;
    }
    if (name == "curl" || name == "wget" || name == "fetch" || name == "aria2c" || name == "http" ||
        name == "https" || name == "Invoke-WebRequest" || name == "iwr") {
        bool protoc = false;
        for (std::size_t k = i + 1; k < words.size(); ++k) {
            std::string_view a = words[k].value;
            if (is_rustup_url(a)) {
                out.add(Kind::toolchain_install, begin, finish, text());
                return info;
            }
            if (mentions_sdk_core(a)) {
                out.add(Kind::sdk_core_source, begin, finish, text());
                return info;
            }
            protoc = protoc || is_protoc_download(a);
        }
        if (protoc) {
            out.add(Kind::build_dependency, begin, finish, text(), true);
        }
        return info;
    }
    if (name == "git") {
        std::size_t k = i + 1;
        while (k < words.size() && starts_with(words[k].value, "-")) {
            const std::string& opt = words[k].value;
            k += (opt == "-C" || opt == "-c") ? 2 : 1;
        }
        if (k >= words.size()) {
            return info;
        }
        const std::string& sub = words[k].value;
        bool fetches = sub == "clone" ||
                       (sub == "submodule" && k + 1 < words.size() && words[k + 1].value == "add");
        if (fetches) {
            for (std::size_t m = k + 1; m < words.size(); ++m) {
                if (mentions_sdk_core(words[m].value)) {
                    out.add(Kind::sdk_core_source, begin, finish, text());
                    break;
                }
            }
        }
        return info;
    }
    if (name == "gh") {
        if (arg(1) == "repo" && arg(2) == "clone" && mentions_sdk_core(std::string(arg(3)) + " ")) {
            out.add(Kind::sdk_core_source, begin, finish, text());
        }
        return info;
    }
    if ((name == "docker" || name == "podman" || name == "nerdctl") && arg(1) == "run") {
        // docker run [options] IMAGE [command]: compiling inside a Rust image
        // still needs the toolchain, only in a container.
        static const std::array<std::string_view, 22> with_value = {
            "-v",           "--volume",   "-w",      "--workdir",  "-e",     "--env",
            "-u",           "--user",     "-p",      "--publish",  "--name", "--network",
            "--entrypoint", "--platform", "--mount", "--env-file", "-m",     "--memory",
            "--cpus",       "-l",         "--label", "--pull"};
        for (std::size_t k = i + 2; k < words.size(); ++k) {
            std::string_view a = words[k].value;
            if (starts_with(a, "-")) {
                if (a.find('=') == std::string_view::npos &&
                    std::find(with_value.begin(), with_value.end(), a) != with_value.end()) {
                    ++k;
                }
                continue;
            }
            if (is_rust_image(a)) {
                out.add(Kind::rust_build, begin, finish, text());
            } else if (k + 1 < words.size() && out.depth < 16) {
                // The command run in the container: docker run img sh -c 'cargo build'.
                std::vector<Word> inner(words.begin() + static_cast<std::ptrdiff_t>(k + 1),
                                        words.end());
                ++out.depth;
                classify_command(inner, out);
                --out.depth;
            }
            break;
        }
        return info;
    }
    if (is_js_runner(name)) {
        for (std::size_t k = i + 1; k < words.size(); ++k) {
            if (mentions_retired_script(words[k].value)) {
                out.add(Kind::retired_script, begin, finish, text());
                break;
            }
        }
        return info;
    }
    if (name == "nix-shell") {
        // nix-shell -p cargo --run "cargo build": the packages and the command.
        for (std::size_t k = i + 1; k + 1 < words.size(); ++k) {
            if ((words[k].value == "--run" || words[k].value == "--command") && out.depth < 16) {
                ++out.depth;
                analyze_shell(fragment_of(words[k + 1]), out);
                --out.depth;
                break;
            }
        }
    }
    std::size_t packages_from = 0;
    if (installs(name, words, i + 1, packages_from)) {
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
            out.add(Kind::toolchain_install, begin, finish, text());
        }
        for (const Word* w : protobuf) {
            out.add(Kind::build_dependency, w->start, finish, text(), true);
        }
    }
    return info;
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
