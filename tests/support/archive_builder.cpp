#include "support/archive_builder.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cstdio>
#include <stdexcept>

#include "support/test_util.hpp"
#include "tl/release/contract.hpp"

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

namespace {

template <typename T>
void put(std::string& out, T value) {
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        out.push_back(static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xff));
    }
}

std::string elf_object(std::uint16_t machine, const std::string& payload) {
    const std::string shstrtab("\0.data\0.shstrtab\0", 17);
    std::uint64_t data_off = 64;
    std::uint64_t str_off = data_off + payload.size();
    std::uint64_t sh_off = (str_off + shstrtab.size() + 7) & ~std::uint64_t{7};
    std::string o = std::string(
        "\x7f"
        "ELF",
        4);
    o += std::string("\x02\x01\x01\x00", 4);  // 64-bit, little endian, version 1, SysV
    o += std::string(8, '\0');
    put<std::uint16_t>(o, 1);        // ET_REL
    put<std::uint16_t>(o, machine);  // e_machine
    put<std::uint32_t>(o, 1);        // e_version
    put<std::uint64_t>(o, 0);        // e_entry
    put<std::uint64_t>(o, 0);        // e_phoff
    put<std::uint64_t>(o, sh_off);   // e_shoff
    put<std::uint32_t>(o, 0);        // e_flags
    put<std::uint16_t>(o, 64);       // e_ehsize
    put<std::uint16_t>(o, 0);        // e_phentsize
    put<std::uint16_t>(o, 0);        // e_phnum
    put<std::uint16_t>(o, 64);       // e_shentsize
    put<std::uint16_t>(o, 3);        // e_shnum
    put<std::uint16_t>(o, 2);        // e_shstrndx
    o += payload;
    o += shstrtab;
    o.resize(sh_off, '\0');
    auto section = [&](std::uint32_t name, std::uint32_t type, std::uint64_t flags,
                       std::uint64_t offset, std::uint64_t size) {
        put<std::uint32_t>(o, name);
        put<std::uint32_t>(o, type);
        put<std::uint64_t>(o, flags);
        put<std::uint64_t>(o, 0);  // sh_addr
        put<std::uint64_t>(o, offset);
        put<std::uint64_t>(o, size);
        put<std::uint32_t>(o, 0);  // sh_link
        put<std::uint32_t>(o, 0);  // sh_info
        put<std::uint64_t>(o, 1);  // sh_addralign
        put<std::uint64_t>(o, 0);  // sh_entsize
    };
    section(0, 0, 0, 0, 0);
    section(1, 1, 3, data_off, payload.size());  // .data: PROGBITS, WA
    section(7, 3, 0, str_off, shstrtab.size());  // .shstrtab: STRTAB
    return o;
}

}  // namespace

std::string make_static_library(const std::string& platform, const std::string& payload) {
    std::uint16_t machine = platform == "linux-arm64" ? 183 : 62;  // EM_AARCH64 : EM_X86_64
    std::string object = elf_object(machine, payload);
    char header[61];
    std::snprintf(header, sizeof header, "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", "payload.o/", "0", "0",
                  "0", "644", object.size());
    std::string lib = "!<arch>\n";
    lib.append(header, 60);
    lib += object;
    if (lib.size() % 2 != 0) {
        lib.push_back('\n');
    }
    return lib;
}

std::map<std::string, std::string> contract_libraries(const std::string& salt) {
    std::map<std::string, std::string> libs;
    for (std::string_view n : release::k_default_libraries) {
        std::string payload;
        for (int i = 0; i < 200; ++i) {
            payload += std::string(n) + salt + " object " + std::to_string(i) + "\n";
        }
        libs[std::string(n)] = make_static_library("linux-x64", payload);
    }
    return libs;
}

}  // namespace tl::testing
