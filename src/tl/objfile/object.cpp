#include "tl/objfile/object.hpp"

#include <array>
#include <cstdio>

#include "tl/objfile/bytes.hpp"

namespace tl::objfile {

namespace {

std::string hex_name(const char* what, std::uint32_t value) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s 0x%x", what, value);
    return buf;
}

// ---------------------------------------------------------------------------
// ELF (the System V gABI; field offsets differ between ELFCLASS32 and 64)

constexpr std::uint16_t k_et_rel = 1;
constexpr std::uint16_t k_et_exec = 2;
constexpr std::uint16_t k_et_dyn = 3;
constexpr std::uint32_t k_sht_symtab = 2;
constexpr std::uint8_t k_stb_global = 1;
constexpr std::uint8_t k_stb_weak = 2;
constexpr std::uint8_t k_stt_func = 2;
constexpr std::uint8_t k_stt_gnu_ifunc = 10;
constexpr std::uint16_t k_shn_undef = 0;
constexpr std::uint16_t k_shn_common = 0xfff2;

void name_elf_machine(std::uint16_t machine, ObjectId& id) {
    struct Name {
        std::uint16_t machine;
        const char* name;
        Arch arch;
    };
    static constexpr std::array<Name, 15> names{{
        {62, "x86-64", Arch::x86_64},
        {183, "AArch64", Arch::aarch64},
        {3, "i386", Arch::other},
        {40, "ARM", Arch::other},
        {243, "RISC-V", Arch::other},
        {20, "PowerPC", Arch::other},
        {21, "PowerPC64", Arch::other},
        {22, "s390", Arch::other},
        {8, "MIPS", Arch::other},
        {258, "LoongArch", Arch::other},
        {2, "SPARC", Arch::other},
        {43, "SPARC V9", Arch::other},
        {50, "IA-64", Arch::other},
        {247, "BPF", Arch::other},
        {0, "no machine", Arch::other},
    }};
    for (const auto& n : names) {
        if (n.machine == machine) {
            id.arch = n.arch;
            id.arch_name = n.name;
            return;
        }
    }
    id.arch = Arch::other;
    id.arch_name = hex_name("machine", machine);
}

// Field offsets of the two ELF classes, so one reader handles both.
struct ElfLayout {
    std::uint64_t header_size, shoff, shentsize, shnum, shstrndx;
    std::uint64_t sh_size_min, sh_type, sh_offset, sh_size, sh_link, sh_entsize;
    std::uint64_t sym_size, st_name, st_info, st_shndx;
    bool wide;  // 64-bit addresses and sizes
};

constexpr ElfLayout k_elf64{64, 40, 58, 60, 62, 64, 4, 24, 32, 40, 56, 24, 0, 4, 6, true};
constexpr ElfLayout k_elf32{52, 32, 46, 48, 50, 40, 4, 16, 20, 24, 36, 16, 0, 12, 14, false};

std::optional<std::uint64_t> read_word(const ByteReader& r, std::uint64_t offset, bool wide) {
    if (wide) {
        return r.u64(offset);
    }
    auto v = r.u32(offset);
    return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
}

struct ElfSection {
    std::uint32_t type = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::uint32_t link = 0;
    std::uint64_t entsize = 0;
};

// Reads the symbol table of a recognised ELF file into `obj`; returns the
// reason when a table lies outside the file or has impossible sizes.
std::string read_elf_symbols(const ByteReader& r, const ElfLayout& l, ObjectFile& obj) {
    auto shoff = read_word(r, l.shoff, l.wide);
    auto shentsize = r.u16(l.shentsize);
    auto shnum16 = r.u16(l.shnum);
    if (!shoff || !shentsize || !shnum16) {
        return "truncated ELF header";
    }
    if (*shoff == 0) {
        return {};  // no section headers, hence no symbols
    }
    if (*shentsize < l.sh_size_min) {
        return "section header entries are too small";
    }
    auto section = [&](std::uint64_t index) -> std::optional<ElfSection> {
        auto base = checked_mul_add(index, *shentsize, *shoff);
        if (!base || !r.contains(*base, l.sh_size_min)) {
            return std::nullopt;
        }
        ElfSection s;
        s.type = *r.u32(*base + l.sh_type);
        s.offset = *read_word(r, *base + l.sh_offset, l.wide);
        s.size = *read_word(r, *base + l.sh_size, l.wide);
        s.link = *r.u32(*base + l.sh_link);
        s.entsize = *read_word(r, *base + l.sh_entsize, l.wide);
        return s;
    };
    std::uint64_t shnum = *shnum16;
    if (shnum == 0) {
        // Extended numbering: more than 0xff00 sections keep the count in
        // section 0's sh_size.
        auto first = section(0);
        if (!first) {
            return "section header table lies past the end of the file";
        }
        shnum = first->size;
    }
    auto table_end = checked_mul_add(shnum, *shentsize, *shoff);
    if (!table_end || *table_end > r.size()) {
        return "section header table lies past the end of the file";
    }
    std::optional<ElfSection> symtab;
    for (std::uint64_t i = 0; i < shnum && !symtab; ++i) {
        auto s = section(i);
        if (s && s->type == k_sht_symtab) {
            symtab = s;
        }
    }
    if (!symtab) {
        return {};  // stripped: no symbols to count
    }
    std::uint64_t entsize = symtab->entsize == 0 ? l.sym_size : symtab->entsize;
    if (entsize < l.sym_size) {
        return "symbol table entries are too small";
    }
    if (!r.contains(symtab->offset, symtab->size)) {
        return "symbol table lies past the end of the file";
    }
    auto strtab = symtab->link < shnum ? section(symtab->link) : std::nullopt;
    if (!strtab || !r.contains(strtab->offset, strtab->size)) {
        return "symbol name table lies past the end of the file";
    }
    std::uint64_t count = symtab->size / entsize;
    // Entry 0 is the reserved null symbol.
    for (std::uint64_t i = 1; i < count; ++i) {
        std::uint64_t base = symtab->offset + i * entsize;
        std::uint8_t info = *r.u8(base + l.st_info);
        std::uint16_t shndx = *r.u16(base + l.st_shndx);
        std::uint8_t bind = info >> 4;
        std::uint8_t type = info & 0xf;
        if ((bind != k_stb_global && bind != k_stb_weak) ||
            (type != k_stt_func && type != k_stt_gnu_ifunc) || shndx == k_shn_undef ||
            shndx == k_shn_common) {
            continue;
        }
        std::uint32_t name_offset = *r.u32(base + l.st_name);
        auto name = r.c_string(strtab->offset + name_offset, strtab->offset + strtab->size);
        if (name && !name->empty() && name->size() <= k_max_symbol_name) {
            obj.functions.push_back(*name);
        }
    }
    return {};
}

std::optional<ObjectFile> read_elf(std::string_view data, bool symbols) {
    if (data.substr(0, 4) != std::string_view("\x7f"
                                              "ELF",
                                              4)) {
        return std::nullopt;
    }
    ObjectFile obj;
    obj.id.format = Format::elf;
    obj.id.arch_name = "unknown";
    if (data.size() < 6) {
        obj.problem = "truncated ELF header";
        return obj;
    }
    auto elf_class = static_cast<unsigned char>(data[4]);
    auto encoding = static_cast<unsigned char>(data[5]);
    if ((elf_class != 1 && elf_class != 2) || (encoding != 1 && encoding != 2)) {
        obj.problem = "damaged ELF header (unknown class or byte order)";
        return obj;
    }
    ByteReader r(data, encoding == 1 ? Endian::little : Endian::big);
    const ElfLayout& layout = elf_class == 2 ? k_elf64 : k_elf32;
    obj.id.is64 = elf_class == 2;
    if (!r.contains(0, layout.header_size)) {
        obj.problem = "truncated ELF header";
        return obj;
    }
    name_elf_machine(*r.u16(18), obj.id);
    switch (*r.u16(16)) {
        case k_et_rel:
            obj.type = ObjectType::relocatable;
            break;
        case k_et_exec:
            obj.type = ObjectType::executable;
            break;
        case k_et_dyn:
            obj.type = ObjectType::shared_library;
            break;
        default:
            obj.type = ObjectType::other;
            break;
    }
    if (symbols) {
        obj.problem = read_elf_symbols(r, layout, obj);
    }
    return obj;
}

// ---------------------------------------------------------------------------
// Mach-O (<mach-o/loader.h>, <mach-o/nlist.h>)

constexpr std::uint32_t k_mh_magic = 0xfeedface;
constexpr std::uint32_t k_mh_magic_64 = 0xfeedfacf;
constexpr std::uint32_t k_mh_cigam = 0xcefaedfe;
constexpr std::uint32_t k_mh_cigam_64 = 0xcffaedfe;
constexpr std::uint32_t k_mh_object = 1;
constexpr std::uint32_t k_mh_execute = 2;
constexpr std::uint32_t k_mh_dylib = 6;
constexpr std::uint32_t k_lc_segment = 0x1;
constexpr std::uint32_t k_lc_symtab = 0x2;
constexpr std::uint32_t k_lc_segment_64 = 0x19;
constexpr std::uint32_t k_s_attr_pure_instructions = 0x80000000;
constexpr std::uint32_t k_s_attr_some_instructions = 0x00000400;
constexpr std::uint8_t k_n_stab = 0xe0;
constexpr std::uint8_t k_n_type = 0x0e;
constexpr std::uint8_t k_n_sect = 0x0e;
constexpr std::uint8_t k_n_ext = 0x01;
constexpr std::size_t k_max_sect = 255;  // n_sect is one byte

}  // namespace

ObjectId macho_cpu_type(std::uint32_t cputype) {
    ObjectId id;
    id.format = Format::macho;
    switch (cputype) {
        case 0x01000007:
            id.arch = Arch::x86_64;
            id.arch_name = "x86_64";
            return id;
        case 0x0100000c:
            id.arch = Arch::aarch64;
            id.arch_name = "arm64";
            return id;
        case 7:
            id.arch_name = "i386";
            break;
        case 12:
            id.arch_name = "arm";
            break;
        case 0x0200000c:
            id.arch_name = "arm64_32";
            break;
        case 18:
            id.arch_name = "ppc";
            break;
        case 0x01000012:
            id.arch_name = "ppc64";
            break;
        default:
            id.arch_name = hex_name("cputype", cputype);
            break;
    }
    id.arch = Arch::other;
    return id;
}

namespace {

// Reads the load commands of a recognised Mach-O file: the sections holding
// code (nlist has no symbol type, so a function is a symbol in such a section)
// and the symbol table. Returns the reason when something lies outside the file.
std::string read_macho_symbols(const ByteReader& r, bool is64, ObjectFile& obj) {
    const std::uint64_t header_size = is64 ? 32 : 28;
    std::uint32_t ncmds = *r.u32(16);
    std::uint32_t sizeofcmds = *r.u32(20);
    if (!r.contains(header_size, sizeofcmds)) {
        return "load commands lie past the end of the file";
    }
    const std::uint64_t commands_end = header_size + sizeofcmds;
    std::array<bool, k_max_sect + 1> code_section{};
    std::size_t section_count = 0;
    std::optional<std::array<std::uint32_t, 4>> symtab;  // symoff, nsyms, stroff, strsize
    std::uint64_t offset = header_size;
    for (std::uint32_t i = 0; i < ncmds; ++i) {
        if (offset + 8 > commands_end) {
            return "load commands lie past the end of the file";
        }
        std::uint32_t cmd = *r.u32(offset);
        std::uint32_t cmdsize = *r.u32(offset + 4);
        if (cmdsize < 8 || cmdsize > commands_end - offset) {
            return "damaged load command";
        }
        if (cmd == k_lc_segment || cmd == k_lc_segment_64) {
            bool wide = cmd == k_lc_segment_64;
            const std::uint64_t segment_size = wide ? 72 : 56;
            const std::uint64_t section_size = wide ? 80 : 68;
            const std::uint64_t flags_at = wide ? 64 : 56;
            if (cmdsize < segment_size) {
                return "damaged segment command";
            }
            std::uint32_t nsects = *r.u32(offset + (wide ? 64 : 48));
            if (nsects > (cmdsize - segment_size) / section_size) {
                return "damaged segment command";
            }
            for (std::uint32_t s = 0; s < nsects; ++s) {
                ++section_count;
                std::uint32_t flags = *r.u32(offset + segment_size + s * section_size + flags_at);
                if (section_count <= k_max_sect) {
                    code_section[section_count] =
                        (flags & (k_s_attr_pure_instructions | k_s_attr_some_instructions)) != 0;
                }
            }
        } else if (cmd == k_lc_symtab && !symtab) {
            if (cmdsize < 24) {
                return "damaged symbol table command";
            }
            symtab = {*r.u32(offset + 8), *r.u32(offset + 12), *r.u32(offset + 16),
                      *r.u32(offset + 20)};
        }
        offset += cmdsize;
    }
    if (!symtab) {
        return {};
    }
    auto [symoff, nsyms, stroff, strsize] = *symtab;
    const std::uint64_t nlist_size = is64 ? 16 : 12;
    if (!r.contains(symoff, std::uint64_t{nsyms} * nlist_size)) {
        return "symbol table lies past the end of the file";
    }
    if (!r.contains(stroff, strsize)) {
        return "symbol name table lies past the end of the file";
    }
    for (std::uint32_t i = 0; i < nsyms; ++i) {
        std::uint64_t base = symoff + std::uint64_t{i} * nlist_size;
        std::uint8_t type = *r.u8(base + 4);
        std::uint8_t sect = *r.u8(base + 5);
        if ((type & k_n_stab) != 0 || (type & k_n_type) != k_n_sect || (type & k_n_ext) == 0 ||
            !code_section[sect]) {
            continue;
        }
        std::uint32_t strx = *r.u32(base);
        auto name = r.c_string(std::uint64_t{stroff} + strx, std::uint64_t{stroff} + strsize);
        if (!name || name->empty() || name->size() > k_max_symbol_name) {
            continue;
        }
        // C names carry a leading underscore on Darwin.
        if (name->front() == '_') {
            name->remove_prefix(1);
        }
        if (!name->empty()) {
            obj.functions.push_back(*name);
        }
    }
    return {};
}

std::optional<ObjectFile> read_macho(std::string_view data, bool symbols) {
    ByteReader probe(data, Endian::little);
    auto magic = probe.u32(0);
    if (!magic || (*magic != k_mh_magic && *magic != k_mh_magic_64 && *magic != k_mh_cigam &&
                   *magic != k_mh_cigam_64)) {
        return std::nullopt;
    }
    bool is64 = *magic == k_mh_magic_64 || *magic == k_mh_cigam_64;
    bool big = *magic == k_mh_cigam || *magic == k_mh_cigam_64;
    ByteReader r(data, big ? Endian::big : Endian::little);
    ObjectFile obj;
    obj.id.format = Format::macho;
    obj.id.is64 = is64;
    obj.id.arch_name = "unknown";
    if (!r.contains(0, is64 ? 32 : 28)) {
        obj.problem = "truncated Mach-O header";
        return obj;
    }
    obj.id = macho_cpu_type(*r.u32(4));
    obj.id.is64 = is64;
    switch (*r.u32(12)) {
        case k_mh_object:
            obj.type = ObjectType::relocatable;
            break;
        case k_mh_execute:
            obj.type = ObjectType::executable;
            break;
        case k_mh_dylib:
            obj.type = ObjectType::shared_library;
            break;
        default:
            obj.type = ObjectType::other;
            break;
    }
    if (symbols) {
        obj.problem = read_macho_symbols(r, is64, obj);
    }
    return obj;
}

// ---------------------------------------------------------------------------
// COFF (Windows objects and the import members of .lib files). Only the machine
// is read: enough to say "this is a Windows library".

struct CoffMachine {
    std::uint16_t machine;
    const char* name;
    Arch arch;
};

constexpr std::array<CoffMachine, 8> k_coff_machines{{
    {0x8664, "x86-64", Arch::x86_64},
    {0xaa64, "ARM64", Arch::aarch64},
    {0x14c, "i386", Arch::other},
    {0x1c0, "ARM", Arch::other},
    {0x1c4, "ARMv7", Arch::other},
    {0xa641, "ARM64EC", Arch::other},
    {0xa64e, "ARM64X", Arch::other},
    {0x200, "IA-64", Arch::other},
}};

const CoffMachine* find_coff_machine(std::uint16_t machine) {
    for (const auto& m : k_coff_machines) {
        if (m.machine == machine) {
            return &m;
        }
    }
    return nullptr;
}

std::optional<ObjectFile> read_coff(std::string_view data, std::uint64_t size) {
    ByteReader r(data, Endian::little);
    if (!r.contains(0, 20)) {
        return std::nullopt;
    }
    std::uint16_t sig1 = *r.u16(0);
    std::uint16_t sig2 = *r.u16(2);
    std::uint16_t machine = 0;
    if (sig1 == 0 && sig2 == 0xffff) {
        // An import object (short import library member) or a /bigobj
        // object: both start with IMAGE_FILE_MACHINE_UNKNOWN, 0xffff.
        machine = *r.u16(6);
    } else {
        // A plain COFF object has no magic number: accept only a known machine,
        // no optional header (objects have none) and a symbol table inside the file.
        machine = sig1;
        std::uint16_t sections = sig2;
        std::uint32_t symbols_at = *r.u32(8);
        std::uint16_t optional_header = *r.u16(16);
        if (find_coff_machine(machine) == nullptr || optional_header != 0 || sections == 0 ||
            symbols_at > size) {
            return std::nullopt;
        }
    }
    ObjectFile obj;
    obj.id.format = Format::coff;
    const CoffMachine* known = find_coff_machine(machine);
    obj.id.arch = known != nullptr ? known->arch : Arch::other;
    obj.id.arch_name = known != nullptr ? known->name : hex_name("machine", machine);
    obj.id.is64 = machine == 0x8664 || machine == 0xaa64 || machine == 0xa641 || machine == 0x200;
    return obj;
}

// ---------------------------------------------------------------------------
// LLVM bitcode (objects of a link-time-optimised build): raw or wrapped.

std::optional<ObjectFile> read_bitcode(std::string_view data) {
    ByteReader r(data, Endian::little);
    auto magic = r.u32(0);
    if (!magic || (*magic != 0xdec04342 && *magic != 0x0b17c0de)) {
        return std::nullopt;
    }
    ObjectFile obj;
    obj.id.format = Format::llvm_bitcode;
    obj.id.arch_name = "unknown";
    return obj;
}

}  // namespace

const char* format_name(Format format) {
    switch (format) {
        case Format::elf:
            return "ELF";
        case Format::macho:
            return "Mach-O";
        case Format::coff:
            return "COFF";
        case Format::llvm_bitcode:
            return "LLVM bitcode";
    }
    return "unknown";
}

std::string describe(const ObjectId& id) {
    if (id.format == Format::llvm_bitcode) {
        return format_name(id.format);
    }
    std::string format = format_name(id.format);
    // x32 and ILP32 objects name a 64-bit machine but are not 64-bit objects.
    if (id.format == Format::elf && !id.is64 && id.arch != Arch::other) {
        format += "32";
    }
    return format + " " + id.arch_name;
}

namespace {

std::optional<ObjectFile> read_any(std::string_view data, bool symbols, std::uint64_t size) {
    if (auto obj = read_elf(data, symbols)) {
        return obj;
    }
    if (auto obj = read_macho(data, symbols)) {
        return obj;
    }
    if (auto obj = read_bitcode(data)) {
        return obj;
    }
    return read_coff(data, size);
}

}  // namespace

std::optional<ObjectFile> read_object(std::string_view data) {
    return read_any(data, true, data.size());
}

std::optional<ObjectFile> identify_object(std::string_view head, std::uint64_t size) {
    return read_any(head, false, size);
}

}  // namespace tl::objfile
