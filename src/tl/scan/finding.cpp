#include "tl/scan/finding.hpp"

#include <iterator>

namespace tl::scan {

const char* kind_name(Kind kind) {
    switch (kind) {
        case Kind::toolchain_install:
            return "toolchain-install";
        case Kind::rust_build:
            return "rust-build";
        case Kind::build_dependency:
            return "build-dependency";
        case Kind::sdk_core_source:
            return "sdk-core-source";
        case Kind::retired_script:
            return "retired-script";
    }
    return "unknown";
}

const char* severity_name(Severity severity) {
    switch (severity) {
        case Severity::error:
            return "error";
        case Severity::warning:
            return "warning";
        case Severity::info:
            return "info";
    }
    return "unknown";
}

const char* status_name(Status status) {
    return status == Status::found ? "found" : "allowed";
}

namespace {

// Each file type's name in JSON and SARIF and its label for people.
struct FileTypeNames {
    FileType type;
    const char* name;
    const char* label;
};

constexpr FileTypeNames k_file_types[] = {
    {FileType::dockerfile, "dockerfile", "Dockerfile"},
    {FileType::github_workflow, "github-workflow", "GitHub workflow"},
    {FileType::github_action, "github-action", "GitHub composite action"},
    {FileType::gitlab_ci, "gitlab-ci", "GitLab CI"},
    {FileType::shell, "shell", "shell script"},
    {FileType::makefile, "makefile", "Makefile"},
    {FileType::justfile, "justfile", "justfile"},
    {FileType::package_json, "package-json", "package.json"},
    {FileType::javascript, "javascript", "JS/TS script"},
    {FileType::python, "python", "Python script"},
    {FileType::zig_build, "zig-build", "build.zig"},
    {FileType::cmake, "cmake", "CMake"},
    {FileType::devcontainer, "devcontainer", "devcontainer"},
    {FileType::gitmodules, "gitmodules", ".gitmodules"},
};
static_assert(std::size(k_file_types) == static_cast<std::size_t>(FileType::gitmodules) + 1,
              "every file type has a row");

const FileTypeNames* names_of(FileType type) {
    for (const FileTypeNames& n : k_file_types) {
        if (n.type == type) {
            return &n;
        }
    }
    return nullptr;
}

}  // namespace

const char* file_type_label(FileType type) {
    const FileTypeNames* n = names_of(type);
    return n != nullptr ? n->label : "file";
}

const char* file_type_name(FileType type) {
    const FileTypeNames* n = names_of(type);
    return n != nullptr ? n->name : "file";
}

Severity default_severity(Kind kind) {
    return kind == Kind::build_dependency ? Severity::warning : Severity::error;
}

const char* kind_summary(Kind kind) {
    switch (kind) {
        case Kind::toolchain_install:
            return "Installs a Rust toolchain (rustup, a rust image, a package manager)";
        case Kind::rust_build:
            return "Compiles Rust with cargo or rustc";
        case Kind::build_dependency:
            return "Installs a Rust-only build dependency (protobuf compiler, Rust cache)";
        case Kind::sdk_core_source:
            return "Fetches the Temporal sdk-core sources to compile them";
        case Kind::retired_script:
            return "Calls the retired run-with-rust-toolchain.ts wrapper";
    }
    return "";
}

std::string why_text(Kind kind, std::string_view text) {
    switch (kind) {
        case Kind::toolchain_install:
            return "installs a Rust toolchain only to compile sdk-core; the prebuilt static "
                   "libraries need none";
        case Kind::rust_build:
            return "runs cargo or rustc, which needs a Rust toolchain in every job and image; "
                   "compiling sdk-core takes about 15 minutes where the prebuilt libraries "
                   "download in seconds";
        case Kind::build_dependency:
            if (text.find("rust-cache") != std::string_view::npos) {
                return "caches Rust build output, which is useless once nothing compiles Rust";
            }
            return "the protobuf compiler is needed only to compile sdk-core from source";
        case Kind::sdk_core_source:
            return "fetches the sdk-core sources to compile them; the prebuilt libraries make "
                   "the checkout unnecessary";
        case Kind::retired_script:
            return "run-with-rust-toolchain.ts is retired: it ran cargo under a Rust toolchain";
    }
    return "";
}

std::string replacement_text(Kind kind, FileType type) {
    if (kind == Kind::build_dependency) {
        return "remove it together with the Rust toolchain";
    }
    if (kind == Kind::sdk_core_source) {
        if (type == FileType::gitmodules) {
            return "remove the submodule; `temporal-libs download` fetches the prebuilt "
                   "libraries";
        }
        return "remove the checkout; `temporal-libs download` fetches the prebuilt libraries";
    }
    switch (type) {
        case FileType::dockerfile:
            return "`RUN temporal-libs download` in the image (or copy the libraries from a "
                   "stage that ran it) and drop the Rust toolchain";
        case FileType::github_workflow:
        case FileType::github_action:
            return "the temporal-libs action or a `temporal-libs download` step before the "
                   "build, without a Rust toolchain";
        case FileType::gitlab_ci:
            return "`temporal-libs download` in the job's script, on an image without Rust";
        case FileType::cmake:
            return "the temporal-libs CMake package (find_package) or `temporal-libs "
                   "download`, instead of running cargo";
        case FileType::zig_build:
            return "link the libraries fetched by `temporal-libs download` "
                   "(TEMPORAL_CORE_LIB_DIR) instead of running cargo";
        case FileType::devcontainer:
            return "drop the Rust feature or image and run `temporal-libs download` in "
                   "postCreateCommand";
        default:
            return "`temporal-libs download`, then link the libraries from its cache "
                   "(TEMPORAL_CORE_LIB_DIR)";
    }
}

}  // namespace tl::scan
