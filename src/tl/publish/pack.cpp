#include "tl/publish/pack.hpp"

#include <algorithm>
#include <map>

#include "tl/archive/create.hpp"
#include "tl/objfile/library.hpp"
#include "tl/objfile/platform_check.hpp"
#include "tl/publish/build.hpp"
#include "tl/release/contract.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::publish {

namespace {

// "temporalio_client" and "libtemporalio_client.a" both name libtemporalio_client.a.
std::string library_file(const std::string& name) {
    if (release::is_library_file(name)) {
        return name;
    }
    return "lib" + name + ".a";
}

// The lib*.a files to pack, sorted by name.
Result<std::vector<std::string>> choose_libraries(const PackOptions& o, util::Console& console) {
    std::error_code ec;
    if (!fs::is_directory(o.input, ec)) {
        return fail(ErrorKind::not_found, "input directory " + util::quoted(o.input.string()) +
                                              " does not exist (run 'temporal-libs build --out " +
                                              o.input.string() + "' first, or pass --input)");
    }
    std::vector<std::string> present;
    for (const auto& e : fs::directory_iterator(o.input, ec)) {
        std::string name = e.path().filename().string();
        if (e.is_regular_file(ec) && release::is_library_file(name)) {
            present.push_back(name);
        } else if (name != k_build_record_file) {
            console.debug("not packed: " + util::quoted(name) + " (not a lib*.a file)");
        }
    }
    std::vector<std::string> wanted;
    std::vector<std::string> required;
    if (o.libraries.empty()) {
        wanted = present;
        for (const auto& lib : release::default_libraries()) {
            required.push_back(library_file(lib));
        }
    } else {
        for (const auto& lib : o.libraries) {
            wanted.push_back(library_file(lib));
        }
        required = wanted;
    }
    std::vector<std::string> missing;
    for (const auto& file : required) {
        if (std::find(present.begin(), present.end(), file) == present.end()) {
            missing.push_back(util::quoted(file));
        }
    }
    if (!missing.empty()) {
        return fail(ErrorKind::not_found,
                    "missing from " + util::quoted(o.input.string()) + ": " +
                        util::join(missing, ", ") +
                        (o.libraries.empty()
                             ? " (a release holds the contract's five libraries; build them with "
                               "'temporal-libs build', or name what to pack with --library)"
                             : ""));
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    return wanted;
}

}  // namespace

Result<PackResult> pack(const PackOptions& o, util::Console& console) {
    TL_TRY_ASSIGN(files, choose_libraries(o, console))

    // What the build knows and the libraries cannot tell: rustc, source, link args.
    std::optional<BuildRecord> record;
    fs::path record_path = o.input / k_build_record_file;
    if (fs::exists(record_path)) {
        TL_TRY_ASSIGN(text, util::read_file(record_path, 16u << 20))
        auto parsed = parse_build_record(*text);
        if (!parsed) {
            return fail(ErrorKind::integrity, util::quoted(record_path.string()) + ": " +
                                                  parsed.error().message +
                                                  " (remove it, or build again)");
        }
        if (!*parsed) {
            console.warn(util::quoted(record_path.string()) +
                         " is of another format version; packing without it");
        } else {
            record = std::move(**parsed);
            if (!record->target.empty() && record->target != o.platform.triple()) {
                return fail(ErrorKind::usage,
                            "the libraries in " + util::quoted(o.input.string()) +
                                " were built for " + util::quoted(record->target) + ", not " +
                                o.platform.name() + " (" + o.platform.triple() +
                                "): pass --platform " +
                                (platform::from_triple(record->target)
                                     ? platform::from_triple(record->target)->name()
                                     : std::string("<the right one>")));
            }
        }
    }

    release::Manifest m;
    m.tool = std::string("temporal-libs ") + TL_VERSION;
    m.tag = o.tag;
    m.version = release::version_label(o.tag);
    m.platform = o.platform.name();
    m.target = o.platform.triple();
    if (record) {
        m.rustc = record->rustc;
        m.source_repository = record->source_repository;
        m.source_revision = record->source_revision;
    }
    if (!o.rustc.empty()) {
        m.rustc = o.rustc;
    }
    if (!o.source_repository.empty()) {
        m.source_repository = o.source_repository;
    }
    if (!o.source_revision.empty()) {
        m.source_revision = o.source_revision;
    }

    std::vector<archive::Entry> entries;
    entries.push_back({archive::Entry::Type::directory, "./", {}, {}});
    std::vector<std::vector<std::string>> link_lists;
    for (const std::string& file : *files) {
        fs::path path = o.input / file;
        TL_TRY_ASSIGN(info, objfile::inspect_library(path))
        if (auto ok = objfile::check_for_platform(*info, o.platform); !ok) {
            return fail(ErrorKind::integrity, ok.error().message +
                                                  "; nothing was packed (build it with --target " +
                                                  o.platform.triple() + ")");
        }
        TL_TRY_ASSIGN(digest, util::sha256_file(path))
        release::ManifestLibrary lib;
        lib.file = file;
        lib.sha256 = *digest;
        std::error_code ec;
        lib.size = fs::file_size(path, ec);
        lib.format = util::join(info->formats, ", ");
        lib.architecture = util::join(info->architectures, ", ");
        if (record) {
            for (const auto& c : record->crates) {
                if (c.file == file) {
                    lib.crate = c.crate;
                    lib.native_link_args = c.native_link_args;
                    link_lists.push_back(c.native_link_args);
                }
            }
        }
        console.info("checked " + util::quoted(file) + ": " + lib.format + " " + lib.architecture +
                     ", " + util::human_bytes(lib.size));
        m.libraries.push_back(std::move(lib));
        entries.push_back({archive::Entry::Type::file, "./" + file, path, {}});
    }
    m.native_link_args = release::merge_link_args(link_lists);
    entries.push_back({archive::Entry::Type::file,
                       "./" + std::string(release::k_manifest_file),
                       {},
                       release::to_json(m)});

    TL_TRY(util::create_directories(o.out));
    std::string name = release::archive_name(o.platform, o.tag, o.format);
    PackResult result;
    result.archive = o.out / name;
    result.checksum = o.out / (name + ".sha256");
    archive::CreateOptions co;
    co.compression = o.format == release::ArchiveFormat::tar_gz ? archive::Compression::gzip
                                                                : archive::Compression::zstd;
    co.mtime = o.mtime;
    TL_TRY_ASSIGN(created, archive::create_archive(result.archive, entries, co))
    // The bytes packed must be the bytes the manifest describes.
    for (const auto& [entry_name, sha] : created->entry_sha256) {
        std::string file = entry_name.substr(2);
        if (const auto* lib = m.find(file); lib != nullptr && lib->sha256 != sha) {
            std::error_code ec;
            fs::remove(result.archive, ec);
            return fail(ErrorKind::integrity,
                        util::quoted((o.input / file).string()) +
                            " changed while it was being packed; pack again once the build is "
                            "done");
        }
    }
    // sha256sum's format, so `sha256sum -c` in the release directory checks it.
    if (auto w = util::write_file_atomic(result.checksum, created->sha256 + "  " + name + "\n");
        !w) {
        return util::unexpected(w.error());
    }
    result.sha256 = created->sha256;
    result.size = created->size;
    result.manifest = std::move(m);
    return result;
}

}  // namespace tl::publish
