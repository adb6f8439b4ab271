#include "tl/scan/finding.hpp"

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

const char* file_type_label(FileType type) {
    switch (type) {
        case FileType::dockerfile:
            return "Dockerfile";
        case FileType::github_workflow:
            return "GitHub workflow";
        case FileType::github_action:
            return "GitHub composite action";
        case FileType::gitlab_ci:
            return "GitLab CI";
        case FileType::shell:
            return "shell script";
        case FileType::makefile:
            return "Makefile";
        case FileType::justfile:
            return "justfile";
        case FileType::package_json:
            return "package.json";
        case FileType::javascript:
            return "JS/TS script";
        case FileType::python:
            return "Python script";
        case FileType::zig_build:
            return "build.zig";
        case FileType::cmake:
            return "CMake";
        case FileType::devcontainer:
            return "devcontainer";
        case FileType::gitmodules:
            return ".gitmodules";
    }
    return "file";
}

const char* file_type_name(FileType type) {
    switch (type) {
        case FileType::dockerfile:
            return "dockerfile";
        case FileType::github_workflow:
            return "github-workflow";
        case FileType::github_action:
            return "github-action";
        case FileType::gitlab_ci:
            return "gitlab-ci";
        case FileType::shell:
            return "shell";
        case FileType::makefile:
            return "makefile";
        case FileType::justfile:
            return "justfile";
        case FileType::package_json:
            return "package-json";
        case FileType::javascript:
            return "javascript";
        case FileType::python:
            return "python";
        case FileType::zig_build:
            return "zig-build";
        case FileType::cmake:
            return "cmake";
        case FileType::devcontainer:
            return "devcontainer";
        case FileType::gitmodules:
            return "gitmodules";
    }
    return "file";
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

std::string replacement_text(Kind kind, FileType type, std::string_view text) {
    (void)text;
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
