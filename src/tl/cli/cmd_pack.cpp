// `pack`: built libraries -> the release archive, its .sha256 and its manifest.

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tl/archive/create.hpp"
#include "tl/cli/commands.hpp"
#include "tl/cli/session.hpp"
#include "tl/publish/pack.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

namespace {

struct PackFlags {
    std::string input = "artifacts";
    std::string out = "dist";
    std::string platform;
    std::string version;
    std::string format = "tar.gz";
    std::vector<std::string> libraries;
    std::string rustc;
    std::string source_repository;
    std::string source_revision;
    bool json = false;
};

nlohmann::json result_json(const publish::PackResult& r) {
    nlohmann::json libs = nlohmann::json::array();
    for (const auto& lib : r.manifest.libraries) {
        libs.push_back({{"file", lib.file},
                        {"sha256", lib.sha256},
                        {"size", lib.size},
                        {"format", lib.format},
                        {"architecture", lib.architecture}});
    }
    nlohmann::json j = {{"archive", r.archive.string()},
                        {"checksum_file", r.checksum.string()},
                        {"sha256", r.sha256},
                        {"size", r.size},
                        {"tag", r.manifest.tag},
                        {"version", r.manifest.version},
                        {"platform", r.manifest.platform},
                        {"target", r.manifest.target},
                        {"native_link_args", r.manifest.native_link_args},
                        {"libraries", libs}};
    return j;
}

void run_pack(Context& ctx, const PackFlags& f) {
    {
        publish::PackOptions o;
        o.input = f.input;
        o.out = f.out;
        auto plat = platform::parse_platform(f.platform);
        if (!plat) {
            throw Error(ErrorKind::usage, "unknown platform " + util::quoted(f.platform) +
                                              " (supported: " + platform::supported_list() + ")");
        }
        o.platform = *plat;
        if (release::is_latest(f.version)) {
            throw Error(ErrorKind::usage,
                        "pack needs a real version such as 'v1.0.2', not 'latest'");
        }
        o.tag = value_or_throw(release::normalize_tag(f.version));
        o.format = f.format == "tar.zst" ? release::ArchiveFormat::tar_zst
                                         : release::ArchiveFormat::tar_gz;
        o.libraries = f.libraries;
        o.rustc = f.rustc;
        o.source_repository = f.source_repository;
        o.source_revision = f.source_revision;
        o.mtime = value_or_throw(archive::source_date_epoch());
        auto r = value_or_throw(publish::pack(o, ctx.console));
        ctx.console.info("packed " + util::quoted(r.archive.filename().string()) + " (" +
                         util::human_bytes(r.size) + ", " +
                         std::to_string(r.manifest.libraries.size()) + " libraries)");
        if (f.json) {
            print_json(ctx, result_json(r));
        } else {
            std::printf("%s  %s\n", r.sha256.c_str(), r.archive.string().c_str());
        }
    }
}

}  // namespace

void add_pack_command(CLI::App& app, Context& ctx) {
    auto f = std::make_shared<PackFlags>();
    CLI::App* cmd = add_command(
        app, "pack",
        "Package built libraries into a release archive with its checksum\n\n"
        "Checks every lib*.a in the input directory (a static library whose objects all\n"
        "match the platform's format and CPU), then writes into the output directory:\n"
        "  temporal-static-libs-<platform>-<version>.tar.gz   the libraries and manifest.json\n"
        "  temporal-static-libs-<platform>-<version>.tar.gz.sha256   in sha256sum format\n"
        "The archive is reproducible: sorted entries named like 'tar -C artifacts .' makes\n"
        "them (./libX.a), every mtime SOURCE_DATE_EPOCH (or 0), owner 0:0, no extended\n"
        "attributes; the same input gives the same bytes. manifest.json records the tool,\n"
        "platform, target, each library's SHA-256, size and architecture, the native link\n"
        "arguments, rustc and the source revision (from temporal-libs-build.json when\n"
        "'temporal-libs build' made the input; see docs/publishing.md).\n\n"
        "Examples:\n"
        "  temporal-libs pack --input artifacts --platform linux-x64 --version v1.0.3\n"
        "  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) \\\n"
        "    temporal-libs pack --platform macos-arm64 --version v1.0.3 --out dist --json\n"
        "  temporal-libs pack --platform linux-arm64 --version v1.0.3 --format tar.zst",
        [&ctx, f] { run_pack(ctx, *f); });
    cmd->add_option("--input", f->input, "Directory holding the built lib*.a files")
        ->capture_default_str();
    cmd->add_option("--out", f->out, "Directory to write the archive and checksum into")
        ->capture_default_str();
    cmd->add_option("--platform", f->platform,
                    "linux-x64, linux-arm64, macos-arm64 or macos-x64 (or a target triple)")
        ->required();
    cmd->add_option("--version", f->version, "Release version: v1.0.3 or temporal-libs-v1.0.3")
        ->required();
    cmd->add_option("--format", f->format, "Archive format")
        ->check(CLI::IsMember({"tar.gz", "tar.zst"}))
        ->capture_default_str();
    cmd->add_option("--library", f->libraries,
                    "Pack only this library (temporalio_client or libtemporalio_client.a); "
                    "repeatable");
    cmd->add_option("--rustc", f->rustc, "rustc version for the manifest (default: build record)");
    cmd->add_option("--source-repository", f->source_repository,
                    "Source repository URL for the manifest (default: build record)");
    cmd->add_option("--source-revision", f->source_revision,
                    "Source commit for the manifest (default: build record)");
    cmd->add_flag("--json", f->json, "Print one JSON object on stdout");
}

}  // namespace tl::cli
