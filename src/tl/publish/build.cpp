#include "tl/publish/build.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <nlohmann/json.hpp>

#include "tl/util/fs.hpp"
#include "tl/util/json.hpp"
#include "tl/util/process.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::publish {

namespace {

using nlohmann::json;

json text_or_null(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

std::string text_of(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The first line a program prints, trimmed; empty when it fails.
std::string first_line_of(const std::vector<std::string>& argv, const fs::path& cwd) {
    util::Command c;
    c.argv = argv;
    c.cwd = cwd;
    c.on_stderr_line = [](std::string_view) {};
    auto r = util::run_command(c);
    if (!r || r->exit_code != 0) {
        return {};
    }
    return std::string(util::trim(r->out.substr(0, r->out.find('\n'))));
}

// What `cargo metadata` says about the workspace.
struct Workspace {
    fs::path target_directory;
    // package name -> library target name (with '-' already '_')
    std::vector<std::pair<std::string, std::string>> libraries;
};

Result<Workspace> read_workspace(const std::string& cargo, const BuildOptions& o,
                                 util::Console& console) {
    std::vector<std::string> argv = {cargo, "metadata", "--format-version", "1", "--no-deps"};
    if (o.network == Network::offline) {
        argv.push_back("--offline");
    }
    util::Command c;
    c.argv = argv;
    c.cwd = o.source;
    std::vector<std::string> err;
    c.on_stderr_line = [&](std::string_view line) { err.emplace_back(line); };
    console.debug("running " + util::shell_join(argv));
    TL_TRY_ASSIGN(r, util::run_command(c))
    if (r->exit_code != 0) {
        return fail(ErrorKind::build, "'" + util::shell_join(argv) + "' in " +
                                          util::quoted(o.source.string()) +
                                          " failed with exit code " + std::to_string(r->exit_code) +
                                          ": " + util::join(err, "\n"));
    }
    json j = util::parse_json_or_discarded(r->out);
    if (j.is_discarded() || !j.is_object()) {
        return fail(ErrorKind::build, "'" + util::shell_join(argv) + "' printed no JSON");
    }
    Workspace w;
    w.target_directory = text_of(j, "target_directory");
    auto packages = j.find("packages");
    if (packages != j.end() && packages->is_array()) {
        for (const auto& p : *packages) {
            std::string name = text_of(p, "name");
            std::string lib;
            auto targets = p.find("targets");
            if (targets != p.end() && targets->is_array()) {
                for (const auto& t : *targets) {
                    auto kinds = t.find("kind");
                    if (kinds == t.end() || !kinds->is_array()) {
                        continue;
                    }
                    for (const auto& k : *kinds) {
                        if (k.is_string() && (k == "lib" || k == "staticlib" || k == "rlib")) {
                            lib = text_of(t, "name");
                        }
                    }
                }
            }
            std::replace(lib.begin(), lib.end(), '-', '_');
            w.libraries.emplace_back(name, lib);
        }
    }
    return w;
}

Result<void> copy_atomic(const fs::path& from, const fs::path& to) {
    TL_TRY_ASSIGN(file, util::AtomicFile::create(to))
    util::UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) {
        return fail(ErrorKind::filesystem,
                    "cannot read " + util::quoted(from.string()) + ": " + std::strerror(errno));
    }
    std::vector<char> buf(1 << 20);
    for (;;) {
        ssize_t n = ::read(in.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fail(ErrorKind::filesystem,
                        "cannot read " + util::quoted(from.string()) + ": " + std::strerror(errno));
        }
        if (n == 0) {
            break;
        }
        if (auto w = file->write(std::string_view(buf.data(), static_cast<std::size_t>(n))); !w) {
            return w;
        }
    }
    return file->commit();
}

}  // namespace

const std::vector<std::string>& default_crates() {
    static const std::vector<std::string> crates = {
        "temporalio-sdk-core", "temporalio-sdk-core-c-bridge", "temporalio-client",
        "temporalio-sdk", "temporalio-common"};
    return crates;
}

std::optional<std::vector<std::string>> parse_native_static_libs(std::string_view line) {
    static constexpr std::string_view marker = "native-static-libs:";
    std::size_t at = line.find(marker);
    if (at == std::string_view::npos || line.substr(0, at).find("note") == std::string_view::npos) {
        return std::nullopt;
    }
    std::vector<std::string> args;
    for (const auto& word : util::split(util::trim(line.substr(at + marker.size())), ' ')) {
        if (!util::trim(word).empty()) {
            args.emplace_back(util::trim(word));
        }
    }
    return args;
}

Result<BuildRecord> build_libraries(const BuildOptions& o, util::Console& console) {
    auto platform = platform::from_triple(o.target);
    if (!platform) {
        return fail(ErrorKind::usage, "unknown target " + util::quoted(o.target) +
                                          ": releases are built for " +
                                          util::join(
                                              [] {
                                                  std::vector<std::string> t;
                                                  for (const auto& p : platform::all_platforms()) {
                                                      t.push_back(p.triple());
                                                  }
                                                  return t;
                                              }(),
                                              ", "));
    }
    if (!fs::is_regular_file(o.source / "Cargo.toml")) {
        return fail(ErrorKind::usage, "no Cargo.toml in " + util::quoted(o.source.string()) +
                                          ": point --source at the sdk-core checkout (the Cargo "
                                          "workspace holding the crates)");
    }
    // The cargo to run: --cargo, else PATH. rustup's proxies honour the
    // workspace's rust-toolchain file because every command runs in `source`.
    std::string cargo = o.cargo.empty() ? "cargo" : o.cargo.string();
    if (!util::find_program(cargo)) {
        return fail(
            ErrorKind::not_found,
            "cannot find " + util::quoted(cargo) + (o.cargo.empty() ? " on PATH" : "") +
                ": install Rust (rustup, or Debian's 'cargo' package) or pass --cargo PATH");
    }
    BuildRecord record;
    record.tool = std::string("temporal-libs ") + TL_VERSION;
    record.target = o.target;
    record.cargo = first_line_of({cargo, "--version"}, o.source);
    std::string rustc = "rustc";
    if (const char* env = std::getenv("RUSTC"); env != nullptr && *env != '\0') {
        rustc = env;
    }
    record.rustc = first_line_of({rustc, "--version"}, o.source);
    console.info("using " + (record.cargo.empty() ? cargo : record.cargo) + ", " +
                 (record.rustc.empty() ? rustc : record.rustc));

    // A target whose standard library is missing fails late and cryptically in
    // cargo ("can't find crate for `core`"); look before building.
    std::string sysroot = first_line_of({rustc, "--print", "sysroot"}, o.source);
    if (!sysroot.empty() && !fs::is_directory(fs::path(sysroot) / "lib" / "rustlib" / o.target)) {
        return fail(ErrorKind::not_found, "the Rust standard library for " +
                                              util::quoted(o.target) + " is not installed in " +
                                              util::quoted(sysroot) + ": run 'rustup target add " +
                                              o.target + "' (or build on a " + platform->name() +
                                              " machine)");
    }

    TL_TRY_ASSIGN(ws, read_workspace(cargo, o, console))
    std::vector<std::string> crates = o.crates.empty() ? default_crates() : o.crates;
    std::vector<std::string> available;
    for (const auto& [name, lib] : ws->libraries) {
        available.push_back(name);
    }
    fs::path target_dir = !o.target_dir.empty() ? o.target_dir : ws->target_directory;
    if (target_dir.empty()) {
        target_dir = o.source / "target";
    }
    TL_TRY(util::create_directories(o.out));
    // A record left by an earlier build would describe other libraries if this
    // one stops half way; pack must then find none.
    std::error_code stale;
    fs::remove(o.out / k_build_record_file, stale);

    for (const std::string& crate : crates) {
        std::string lib;
        for (const auto& [name, l] : ws->libraries) {
            if (name == crate) {
                lib = l;
            }
        }
        if (lib.empty()) {
            return fail(ErrorKind::usage, "crate " + util::quoted(crate) +
                                              " is not a library of the workspace in " +
                                              util::quoted(o.source.string()) +
                                              " (it has: " + util::join(available, ", ") + ")");
        }
        std::vector<std::string> argv = {cargo,      "rustc",        "-p",
                                         crate,      "--crate-type", "staticlib",
                                         "--target", o.target,       "--release"};
        if (o.network == Network::offline) {
            argv.push_back("--offline");
        }
        if (!o.target_dir.empty()) {
            argv.push_back("--target-dir");
            argv.push_back(o.target_dir.string());
        }
        argv.insert(argv.end(), {"--", "--print", "native-static-libs"});
        BuiltCrate built;
        built.crate = crate;
        built.file = "lib" + lib + ".a";
        bool have_args = false;
        std::deque<std::string> tail;  // for the error message when --quiet hid the output
        util::Command c;
        c.argv = argv;
        c.cwd = o.source;
        c.on_stderr_line = [&](std::string_view line) {
            if (auto args = parse_native_static_libs(line)) {
                built.native_link_args = std::move(*args);
                have_args = true;
            }
            tail.emplace_back(line);
            if (tail.size() > 20) {
                tail.pop_front();
            }
            console.info(line);
        };
        console.info("building " + util::quoted(crate) + ": " + util::shell_join(argv));
        TL_TRY_ASSIGN(r, util::run_command(c))
        if (r->exit_code != 0) {
            std::string said =
                console.verbosity() == util::Verbosity::quiet
                    ? "; cargo said:\n" + util::join({tail.begin(), tail.end()}, "\n")
                    : " (cargo's messages are above)";
            return fail(ErrorKind::build, "'" + util::shell_join(argv) +
                                              "' failed with exit code " +
                                              std::to_string(r->exit_code) + " in " +
                                              util::quoted(o.source.string()) + said);
        }
        if (!have_args) {
            console.warn("rustc printed no native-static-libs for " + util::quoted(crate) +
                         "; the manifest will not list its link arguments");
        }
        fs::path produced = target_dir / o.target / "release" / built.file;
        if (!fs::is_regular_file(produced)) {
            return fail(ErrorKind::build,
                        "'" + util::shell_join(argv) + "' succeeded but made no " +
                            util::quoted(produced.string()) + " (is " + util::quoted(crate) +
                            " a library crate? is --target-dir right?)");
        }
        built.path = o.out / built.file;
        TL_TRY(copy_atomic(produced, built.path));
        std::error_code ec;
        built.size = fs::file_size(built.path, ec);
        console.info("built " + util::quoted(built.file) + " (" + util::human_bytes(built.size) +
                     ")");
        record.crates.push_back(std::move(built));
    }

    record.source_repository = o.source_repository;
    record.source_revision = o.source_revision;
    if (record.source_revision.empty()) {
        record.source_revision = first_line_of({"git", "rev-parse", "HEAD"}, o.source);
    }
    if (record.source_repository.empty()) {
        record.source_repository =
            first_line_of({"git", "config", "--get", "remote.origin.url"}, o.source);
        // A URL from a CI checkout may carry a token in its user part.
        record.source_repository = util::redact_url(record.source_repository);
    }
    TL_TRY(util::write_file_atomic(o.out / k_build_record_file, to_json(record)));
    return record;
}

std::string to_json(const BuildRecord& r) {
    json crates = json::array();
    for (const auto& c : r.crates) {
        crates.push_back(
            {{"crate", c.crate}, {"file", c.file}, {"native_link_args", c.native_link_args}});
    }
    json j = {{"format_version", k_build_record_version},
              {"tool", r.tool},
              {"target", r.target},
              {"rustc", text_or_null(r.rustc)},
              {"cargo", text_or_null(r.cargo)},
              {"source",
               {{"repository", text_or_null(r.source_repository)},
                {"revision", text_or_null(r.source_revision)}}},
              {"crates", crates}};
    return j.dump(2, ' ', true, json::error_handler_t::replace) + "\n";
}

Result<std::optional<BuildRecord>> parse_build_record(std::string_view text) {
    json j = util::parse_json_or_discarded(text);
    if (j.is_discarded() || !j.is_object()) {
        return fail(ErrorKind::integrity, "damaged build record: not a JSON object");
    }
    auto v = j.find("format_version");
    if (v == j.end() || !v->is_number_integer()) {
        return fail(ErrorKind::integrity, "damaged build record: no 'format_version'");
    }
    if (v->get<std::int64_t>() != k_build_record_version) {
        return std::optional<BuildRecord>{};
    }
    BuildRecord r;
    r.tool = text_of(j, "tool");
    r.target = text_of(j, "target");
    r.rustc = text_of(j, "rustc");
    r.cargo = text_of(j, "cargo");
    if (auto src = j.find("source"); src != j.end() && src->is_object()) {
        r.source_repository = text_of(*src, "repository");
        r.source_revision = text_of(*src, "revision");
    }
    if (auto crates = j.find("crates"); crates != j.end() && crates->is_array()) {
        for (const auto& c : *crates) {
            if (!c.is_object()) {
                return fail(ErrorKind::integrity, "damaged build record: a crate is not an object");
            }
            BuiltCrate b;
            b.crate = text_of(c, "crate");
            b.file = text_of(c, "file");
            if (auto args = c.find("native_link_args"); args != c.end() && args->is_array()) {
                for (const auto& a : *args) {
                    if (a.is_string()) {
                        b.native_link_args.push_back(a.get<std::string>());
                    }
                }
            }
            r.crates.push_back(std::move(b));
        }
    }
    return std::optional<BuildRecord>(std::move(r));
}

}  // namespace tl::publish
