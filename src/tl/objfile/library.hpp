#pragma once

// What a static library is: its container (GNU or BSD ar archive, a universal
// Mach-O file of archives, a Windows .lib), the format and CPU architecture of
// every object in it, the functions it defines, and what is wrong with it.
//
// The bytes are untrusted (they come from a download): ar headers, object
// headers and symbol tables are read with bounds-checked readers, and counts and
// held bytes are capped, so a hostile file can only produce problems, never a
// crash.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tl/objfile/object.hpp"
#include "tl/platform/platform.hpp"
#include "tl/util/error.hpp"

namespace tl::objfile {

namespace fs = std::filesystem;

// Largest library file inspect_library reads.
inline constexpr std::uint64_t k_max_library_size = std::uint64_t{4} << 30;
// Most archive members read; the rest are reported as a problem.
inline constexpr std::size_t k_max_members = 200000;
// Most function names kept per library; the rest are reported as a problem.
inline constexpr std::size_t k_max_functions = 2000000;
// Most problems listed per library; one last line counts the others.
inline constexpr std::size_t k_max_problems = 20;

// What the file is, as a whole.
enum class LibraryKind {
    not_archive,  // none of the below: text, a compressed file, an unknown format
    object,       // a single object file (or a shared library), not an archive
    ar,           // an ar archive whose flavour cannot be told (it has no members)
    gnu_ar,       // a GNU/SysV ar archive (Linux)
    bsd_ar,       // a BSD ar archive (macOS)
    thin_ar,      // a GNU thin archive: its members are separate files, not inside
    coff_lib,     // an ar archive of COFF objects: a Windows .lib
    macho_fat,    // a universal Mach-O file: one slice per architecture
};

// The name of a kind in --json output: "gnu_ar", "macho_fat".
const char* kind_name(LibraryKind kind);

// The kind for people: "GNU ar archive", "universal Mach-O file".
const char* kind_description(LibraryKind kind);

// Objects of one format and architecture, counted, and the universal-file
// slice they were found in.
struct ObjectGroup {
    std::string slice;  // the slice's architecture ("arm64"); empty outside a universal file
    ObjectId id;
    std::size_t objects = 0;
};

// One slice of a universal Mach-O file.
struct Slice {
    ObjectId id;                                  // the CPU type the slice table declares
    LibraryKind kind = LibraryKind::not_archive;  // what it holds (bsd_ar, gnu_ar, object)
};

// Everything inspect_library learns about one file.
struct LibraryInfo {
    std::string path;
    LibraryKind kind = LibraryKind::not_archive;
    std::vector<Slice> slices;  // universal files only
    // Archive members, without the symbol tables and the long-name table.
    std::size_t member_count = 0;
    std::size_t object_count = 0;
    std::vector<ObjectGroup> groups;
    // Distinct formats ("ELF") and architectures ("x86-64") of the objects, in
    // the order first seen.
    std::vector<std::string> formats;
    std::vector<std::string> architectures;
    // Defined global function names, sorted and unique (Mach-O without the
    // leading underscore).
    std::vector<std::string> functions;
    // What is wrong, one line each: "mixed architectures: ...", "empty archive",
    // "member 'x' is not an object file", "truncated archive: ..."; empty when
    // nothing is.
    std::vector<std::string> problems;
    // Why the file cannot be read to its end or an object in it is damaged (the
    // first such problem); empty when nothing is damaged.
    std::string damage;
};

// Reads a library file (mapped, not copied, and read in place by the same
// reader as LibraryStream); not_found when it does not exist,
// filesystem when it cannot be read, integrity when it is larger than
// k_max_library_size. Any content, even garbage, gives a LibraryInfo: what is
// wrong with it is in its kind and problems.
Result<LibraryInfo> inspect_library(const fs::path& path);

// Inspects bytes already in memory; `name` is used as the path in the result.
// Never fails on content; the Result is for symmetry with inspect_library.
Result<LibraryInfo> inspect_library_bytes(std::string_view data, std::string name);

// Learns what inspect_library does from a library's bytes as they go by, in
// pieces of any size, so a library being written (the install pipeline
// extracting a release) is checked without being read back. Members of up to
// `max_buffered` bytes are held and read whole (their functions, any damage
// inside them); larger ones are identified by their first bytes (format, CPU,
// type), so memory stays bounded. The ar layout, the symbol index and the
// universal-file slices are checked as fully as inspect_library does.
class LibraryStream {
public:
    // The install check's default: members are identified by their headers.
    static constexpr std::uint64_t k_header_only = 0;

    explicit LibraryStream(std::string name, std::uint64_t max_buffered = k_header_only);
    ~LibraryStream();
    LibraryStream(LibraryStream&&) noexcept;
    LibraryStream& operator=(LibraryStream&&) noexcept;

    // The next bytes of the file; they need not outlive the call.
    void feed(std::string_view bytes);
    // The end of the file: what it is. Call once.
    LibraryInfo finish();

    struct Impl;  // library.cpp; inspect_library_bytes uses it directly

private:
    std::unique_ptr<Impl> m_impl;
};

// Makes a name read from a file safe to print: control and non-ASCII bytes
// become \xNN and very long names are cut.
std::string printable(std::string_view name);

}  // namespace tl::objfile
