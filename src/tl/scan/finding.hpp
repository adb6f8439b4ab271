#pragma once

// What the migration scanner reports: one Finding per command (or per
// configuration entry) that installs a Rust toolchain, compiles Rust, fetches
// the sdk-core sources, pulls a Rust-only build dependency or calls the retired
// run-with-rust-toolchain.ts wrapper.

#include <cstdint>
#include <string>
#include <string_view>

namespace tl::scan {

// What a finding is about; each kind is one rule in SARIF output.
enum class Kind {
    toolchain_install,  // rustup, sh.rustup.rs, FROM rust, apt-get install cargo, ...
    rust_build,         // cargo build/test/install/rustc, rustc, cross build, ...
    build_dependency,   // protobuf compiler or Rust cache next to a Rust build
    sdk_core_source,    // git clone / submodule / checkout of temporalio/sdk-core
    retired_script,     // run-with-rust-toolchain.ts
};

// How serious a finding is; every allowed finding is `info`.
enum class Severity { error, warning, info };

// Whether a finding still has to be migrated or is meant to stay (allow comment or allow list).
enum class Status { found, allowed };

// The kinds of files the scanner understands; anything else is not read.
enum class FileType {
    dockerfile,
    github_workflow,
    github_action,
    gitlab_ci,
    shell,
    makefile,
    justfile,
    package_json,
    javascript,
    python,
    zig_build,
    cmake,
    devcontainer,
    gitmodules,
};

// One location to migrate (or allowed to stay).
struct Finding {
    std::string path;  // relative to the scanned root, '/'-separated
    int line = 0;      // 1-based line of the command start
    int column = 0;    // 1-based column (Unicode code points) of the command start
    int end_line = 0;  // last line of the command (continuations, block scalars)
    Kind kind = Kind::rust_build;
    Severity severity = Severity::error;
    Status status = Status::found;
    FileType file_type = FileType::shell;
    std::string text;         // the command as written, continuations joined
    std::string why;          // why it matters
    std::string replacement;  // what to use instead
    std::string allowed_by;   // for allowed findings: the comment line or the --allow glob
};

// A script the scan found installing Rust, by the file name other files use to run it.
struct ScriptReference {
    std::string name;  // "install-rust.ts"
    std::string path;  // "scripts/install-rust.ts", relative to the scanned root
};

// "toolchain-install", "rust-build", ...: the stable name used in every output format.
const char* kind_name(Kind kind);

// "error", "warning" or "info".
const char* severity_name(Severity severity);

// "found" or "allowed".
const char* status_name(Status status);

// "Dockerfile", "GitHub workflow", ...: a label for people.
const char* file_type_label(FileType type);

// "dockerfile", "github-workflow", ...: a stable name for JSON.
const char* file_type_name(FileType type);

// The severity a kind has when it is not allowed.
Severity default_severity(Kind kind);

// One sentence on what a kind of finding is, for rule descriptions.
const char* kind_summary(Kind kind);

// Why a finding of this kind matters; `text` refines it (protobuf vs Rust cache).
std::string why_text(Kind kind, std::string_view text);

// What to use instead, worded for the file the finding is in.
std::string replacement_text(Kind kind, FileType type);

}  // namespace tl::scan
