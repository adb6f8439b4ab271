#include "support/archive_builder.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <stdexcept>

#include "support/test_util.hpp"

namespace tl::testing {

void write_tar(const std::filesystem::path& out, const std::vector<TarEntry>& entries,
               Compression compression) {
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (compression == Compression::gzip) {
        archive_write_add_filter_gzip(a);
    } else if (compression == Compression::zstd) {
        archive_write_add_filter_zstd(a);
    }
    if (archive_write_open_filename(a, out.c_str()) != ARCHIVE_OK) {
        throw std::runtime_error("cannot write " + out.string());
    }
    for (const auto& e : entries) {
        struct archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, e.path.c_str());
        archive_entry_set_perm(entry, 0644);
        archive_entry_set_mtime(entry, 0, 0);
        std::string body = e.content;
        switch (e.type) {
            case TarEntry::Type::file:
                archive_entry_set_filetype(entry, AE_IFREG);
                if (e.declared_size > body.size()) {
                    body.resize(e.declared_size, '\0');
                }
                archive_entry_set_size(entry, static_cast<la_int64_t>(body.size()));
                break;
            case TarEntry::Type::dir:
                archive_entry_set_filetype(entry, AE_IFDIR);
                archive_entry_set_perm(entry, 0755);
                break;
            case TarEntry::Type::symlink:
                archive_entry_set_filetype(entry, AE_IFLNK);
                archive_entry_set_symlink(entry, e.link_target.c_str());
                break;
            case TarEntry::Type::hardlink:
                archive_entry_set_filetype(entry, AE_IFREG);
                archive_entry_set_hardlink(entry, e.link_target.c_str());
                archive_entry_set_size(entry, 0);
                break;
            case TarEntry::Type::char_device:
                archive_entry_set_filetype(entry, AE_IFCHR);
                archive_entry_set_rdev(entry, 0x0103);
                break;
            case TarEntry::Type::fifo:
                archive_entry_set_filetype(entry, AE_IFIFO);
                break;
        }
        archive_write_header(a, entry);
        if (e.type == TarEntry::Type::file && !body.empty()) {
            archive_write_data(a, body.data(), body.size());
        }
        archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
}

std::filesystem::path make_workflow_release(const std::filesystem::path& dir,
                                            const std::string& archive_name,
                                            const std::map<std::string, std::string>& libs) {
    std::filesystem::path artifacts = dir / "artifacts";
    std::filesystem::create_directories(artifacts);
    for (const auto& [name, content] : libs) {
        write_file(artifacts / ("lib" + name + ".a"), content);
    }
    auto r = run_process({"sh", "-c",
                          "tar -czf '" + archive_name + "' -C artifacts . && sha256sum '" +
                              archive_name + "' > '" + archive_name + ".sha256'"},
                         {}, dir);
    if (r.exit_code != 0) {
        throw std::runtime_error("workflow packing failed: " + r.err);
    }
    return dir / archive_name;
}

std::map<std::string, std::string> contract_libraries(const std::string& salt) {
    std::map<std::string, std::string> libs;
    for (const char* n : {"temporalio_sdk_core", "temporalio_sdk_core_c_bridge",
                          "temporalio_client", "temporalio_sdk", "temporalio_common"}) {
        std::string content = "!<arch>\n";
        for (int i = 0; i < 200; ++i) {
            content += std::string(n) + salt + " object " + std::to_string(i) + "\n";
        }
        libs[n] = content;
    }
    return libs;
}

}  // namespace tl::testing
