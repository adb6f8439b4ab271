#pragma once

// One object file: which format and CPU architecture it is for, and which
// functions it defines for the linker. Reads ELF (32/64-bit, either byte order),
// thin Mach-O (32/64-bit), recognises COFF objects and import members of
// Windows .lib files, and LLVM bitcode. Every read is bounds-checked: a damaged
// or hostile object yields a problem string, never a read outside its bytes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tl::objfile {

// Longest symbol name kept; longer names (no C function has one) are skipped.
inline constexpr std::size_t k_max_symbol_name = 4096;

// The container format of an object file.
enum class Format { elf, macho, coff, llvm_bitcode };

// The architectures the supported platforms need; every other one is `other`
// and is told apart by ObjectId::arch_name.
enum class Arch { x86_64, aarch64, other };

// What an object file is built for.
struct ObjectId {
    Format format = Format::elf;
    Arch arch = Arch::other;
    // The name the format's own tools use: "x86-64", "AArch64" for ELF, "x86_64",
    // "arm64" for Mach-O, "x86-64", "ARM64" for COFF, "machine 0x1234" when unknown.
    std::string arch_name;
    bool is64 = true;

    bool operator==(const ObjectId&) const = default;
};

// What kind of linker input the file is.
enum class ObjectType { relocatable, executable, shared_library, other };

// A recognised object file: its identity and its defined global functions.
struct ObjectFile {
    ObjectId id;
    ObjectType type = ObjectType::relocatable;
    // Defined global (or weak) function symbols, in file order, possibly repeated;
    // Mach-O names lose their leading underscore. Views into the bytes read.
    std::vector<std::string_view> functions;
    // Empty, or why the symbols could not all be read ("symbol table lies past the end").
    std::string problem;
};

// "ELF", "Mach-O", "COFF", "LLVM bitcode".
const char* format_name(Format format);

// "ELF x86-64", "Mach-O arm64", "ELF32 x86-64" (a 32-bit object of a 64-bit
// machine), "LLVM bitcode": how messages name what a library holds.
std::string describe(const ObjectId& id);

// The Mach-O identity of a CPU type as written in a header or in a universal
// file's slice table ("arm64", "x86_64", "cputype 0x1234" when unknown).
ObjectId macho_cpu_type(std::uint32_t cputype);

// Recognises an object file by its header and reads its functions; empty when
// the bytes are not an object file of a known format (a problem string in the
// result means it was recognised but is damaged).
std::optional<ObjectFile> read_object(std::string_view data);

// Recognises an object file from its first bytes alone (`head`, at least the
// header; `size` is the whole object's size): its identity and type, without
// its functions or any check of the rest. For an object too large to hold in
// memory while it streams past (see LibraryStream).
std::optional<ObjectFile> identify_object(std::string_view head, std::uint64_t size);

}  // namespace tl::objfile
