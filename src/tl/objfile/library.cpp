#include "tl/objfile/library.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include "tl/objfile/bytes.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/strings.hpp"

namespace tl::objfile {

namespace {

constexpr std::string_view k_ar_magic = "!<arch>\n";
constexpr std::string_view k_thin_magic = "!<thin>\n";
constexpr std::uint32_t k_fat_magic = 0xcafebabe;
constexpr std::uint32_t k_fat_magic_64 = 0xcafebabf;
// Java class files share 0xcafebabe; their next word (the version) is 45 or
// more, while no universal file has that many slices (file(1) uses the same cut).
constexpr std::uint32_t k_max_slices = 32;
// Most bytes of function names kept per library (real ones hold a few MB).
constexpr std::size_t k_max_function_bytes = std::size_t{256} << 20;
// A member larger than this is not read (no object file in a library is).
constexpr std::int64_t k_max_member_size = std::int64_t{2} << 30;

bool is_symbol_table(std::string_view name) {
    // GNU: "/" (and "/SYM64/" past 4 GiB), "//" the long-name table; BSD and
    // macOS: "__.SYMDEF" and its sorted and 64-bit variants; Windows adds
    // "/<ECSYMBOLS>/" and "/<XFGHASHMAP>/". None is an object.
    static constexpr std::array<std::string_view, 10> names{"/",
                                                            "//",
                                                            "/SYM64/",
                                                            "ARFILENAMES/",
                                                            "__.SYMDEF",
                                                            "__.SYMDEF SORTED",
                                                            "__.SYMDEF_64",
                                                            "__.SYMDEF_64 SORTED",
                                                            "/<ECSYMBOLS>/",
                                                            "/<XFGHASHMAP>/"};
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::string plural(std::size_t n, std::string_view word) {
    std::string s = std::to_string(n) + " " + std::string(word);
    if (n != 1) {
        s += "s";
    }
    return s;
}

// What a file that is none of the known containers looks like, so the message
// can say what to do (a compressed file must be extracted; an HTML page is
// usually a failed download).
std::string sniff(std::string_view data) {
    auto starts = [&](std::string_view magic) { return data.substr(0, magic.size()) == magic; };
    if (data.empty()) {
        return "the file is empty";
    }
    if (starts("\x1f\x8b")) {
        return "it is a gzip-compressed file; extract it first";
    }
    if (starts("\x28\xb5\x2f\xfd")) {
        return "it is a zstd-compressed file; extract it first";
    }
    if (starts(std::string_view("\xfd\x37\x7a\x58\x5a\x00", 6))) {
        return "it is an xz-compressed file; extract it first";
    }
    if (starts("BZh")) {
        return "it is a bzip2-compressed file; extract it first";
    }
    if (starts("PK\x03\x04")) {
        return "it is a zip file; extract it first";
    }
    if (data.size() > 262 && data.substr(257, 5) == "ustar") {
        return "it is a tar archive; extract it first";
    }
    if (starts("MZ")) {
        return "it is a Windows executable or DLL";
    }
    if (starts("\xca\xfe\xba\xbe")) {
        return "it is a Java class file";
    }
    std::string head = util::to_lower(data.substr(0, 64));
    std::string_view trimmed = util::trim(head);
    if (util::starts_with(trimmed, "<!doctype html") || util::starts_with(trimmed, "<html")) {
        return "it is an HTML page (an error page saved as the download?)";
    }
    std::string_view probe = data.substr(0, 512);
    bool text = std::all_of(probe.begin(), probe.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u == '\n' || u == '\r' || u == '\t' || (u >= 0x20 && u != 0x7f);
    });
    if (text) {
        return "it is a text file";
    }
    std::string bytes;
    for (std::size_t i = 0; i < std::min<std::size_t>(data.size(), 8); ++i) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(data[i]));
        bytes += (i == 0 ? "" : " ") + std::string(buf);
    }
    return "it is of an unknown format (it starts with bytes " + bytes + ")";
}

// The symbol index an archiver writes as its first member, in one of its forms.
enum class IndexForm { gnu32, gnu64, bsd32, bsd64 };

// Checks that every member offset the symbol index names is the start of a
// member. A file cut exactly between two members is otherwise a valid, shorter
// archive; its index still names the members that were lost.
std::optional<std::string> index_problem(IndexForm form, std::string_view index,
                                         const std::vector<std::uint64_t>& starts) {
    const bool gnu = form == IndexForm::gnu32 || form == IndexForm::gnu64;
    const std::uint64_t word = form == IndexForm::gnu64 || form == IndexForm::bsd64 ? 8 : 4;
    // GNU indexes are big-endian; BSD ones use the target's byte order, which is
    // little-endian on every Mac since Intel (a big-endian one is not checked).
    ByteReader r(index, gnu ? Endian::big : Endian::little);
    auto read = [&](std::uint64_t at) -> std::optional<std::uint64_t> {
        if (word == 8) {
            return r.u64(at);
        }
        auto v = r.u32(at);
        return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
    };
    auto first = read(0);
    if (!first) {
        return "damaged archive: its symbol index is cut short";
    }
    std::vector<std::uint64_t> offsets;
    if (gnu) {
        // A count, then that many member offsets, then the names.
        if (*first > (r.size() - word) / word) {
            return "damaged archive: its symbol index is cut short";
        }
        for (std::uint64_t i = 0; i < *first; ++i) {
            offsets.push_back(*read(word + i * word));
        }
    } else {
        // The size in bytes of an array of (name, member offset) pairs.
        if (*first > r.size() - word) {
            return std::nullopt;
        }
        for (std::uint64_t at = word; at + 2 * word <= word + *first; at += 2 * word) {
            offsets.push_back(*read(at + word));
        }
    }
    for (std::uint64_t offset : offsets) {
        if (!std::binary_search(starts.begin(), starts.end(), offset)) {
            return "truncated or damaged archive: its symbol index names a member at offset " +
                   std::to_string(offset) + ", where none starts";
        }
    }
    return std::nullopt;
}

// Walks the member headers of an ar archive to check that they tile the whole
// file and match its symbol index. libarchive takes a partial header at the
// end for the end of the archive, so a file cut there would otherwise pass as
// whole.
std::optional<std::string> ar_layout_problem(std::string_view data) {
    constexpr std::uint64_t k_header_size = 60;
    std::uint64_t offset = k_ar_magic.size();
    std::vector<std::uint64_t> starts;
    std::optional<std::pair<IndexForm, std::string_view>> index;
    while (offset < data.size()) {
        if (starts.size() > k_max_members) {
            return std::nullopt;  // the member limit is reported elsewhere
        }
        std::uint64_t left = data.size() - offset;
        if (left < k_header_size) {
            return "truncated archive: the member header at offset " + std::to_string(offset) +
                   " is cut short";
        }
        std::string_view header = data.substr(static_cast<std::size_t>(offset), k_header_size);
        auto size = util::parse_u64(util::trim(header.substr(48, 10)));
        if (header.substr(58, 2) != "`\n" || !size) {
            return "damaged archive: no valid member header at offset " + std::to_string(offset);
        }
        if (*size > left - k_header_size) {
            return "truncated archive: the member at offset " + std::to_string(offset) + " needs " +
                   std::to_string(*size) + " bytes, only " + std::to_string(left - k_header_size) +
                   " are left";
        }
        starts.push_back(offset);
        std::string_view body = data.substr(static_cast<std::size_t>(offset + k_header_size),
                                            static_cast<std::size_t>(*size));
        std::string_view name = util::trim(header.substr(0, 16));
        if (!index && starts.size() == 1) {
            if (name == "/") {
                index = {{IndexForm::gnu32, body}};
            } else if (name == "/SYM64/") {
                index = {{IndexForm::gnu64, body}};
            } else if (util::starts_with(name, "#1/")) {
                // BSD: the name is the first bytes of the member's data.
                auto length = util::parse_u64(name.substr(3));
                if (length && *length <= body.size()) {
                    std::string_view long_name = body.substr(0, static_cast<std::size_t>(*length));
                    long_name = long_name.substr(0, long_name.find('\0'));
                    if (util::starts_with(long_name, "__.SYMDEF")) {
                        index = {{long_name.find("_64") != std::string_view::npos
                                      ? IndexForm::bsd64
                                      : IndexForm::bsd32,
                                  body.substr(static_cast<std::size_t>(*length))}};
                    }
                }
            } else if (util::starts_with(name, "__.SYMDEF")) {
                index = {{IndexForm::bsd32, body}};
            }
        }
        // Members start at even offsets; the last one may lack its padding byte.
        offset += k_header_size + *size + (*size % 2);
    }
    if (index) {
        return index_problem(index->first, index->second, starts);
    }
    return std::nullopt;
}

// libarchive's message for its last failure, safe to print.
std::string archive_error(archive* a) {
    const char* why = archive_error_string(a);
    return printable(why != nullptr ? why : "unknown error");
}

struct ArchiveFree {
    void operator()(archive* a) const { archive_read_free(a); }
};

// Gathers what the readers find into a LibraryInfo, keeping the lists bounded.
class Inspector {
public:
    explicit Inspector(LibraryInfo& info) : m_info(info) {}

    void read_file(std::string_view data);
    void finish();

private:
    LibraryKind read_contents(std::string_view data, const std::string& slice);
    LibraryKind read_archive(std::string_view data, const std::string& slice);
    void read_fat(std::string_view data, bool wide, std::uint32_t count);
    void read_member(std::string_view name, std::string_view data, const std::string& slice);
    void add_object(const ObjectFile& obj, const std::string& where, const std::string& slice);
    void problem(std::string text);
    void damage(std::string text);

    LibraryInfo& m_info;
    std::vector<std::string> m_functions;
    std::size_t m_function_bytes = 0;
    std::size_t m_hidden_problems = 0;
    bool m_functions_cut = false;
};

void Inspector::problem(std::string text) {
    if (m_info.problems.size() < k_max_problems) {
        m_info.problems.push_back(std::move(text));
    } else {
        ++m_hidden_problems;
    }
}

// A problem that makes the file unusable; the first one is kept as the reason.
void Inspector::damage(std::string text) {
    if (m_info.damage.empty()) {
        m_info.damage = text;
    }
    problem(std::move(text));
}

void Inspector::add_object(const ObjectFile& obj, const std::string& where,
                           const std::string& slice) {
    ++m_info.object_count;
    auto group = std::find_if(m_info.groups.begin(), m_info.groups.end(),
                              [&](const auto& g) { return g.slice == slice && g.id == obj.id; });
    if (group == m_info.groups.end()) {
        m_info.groups.push_back(ObjectGroup{slice, obj.id, 0});
        group = std::prev(m_info.groups.end());
    }
    ++group->objects;
    if (!obj.problem.empty()) {
        damage(where + " is a damaged " + format_name(obj.id.format) + " object: " + obj.problem);
    }
    if (obj.type == ObjectType::shared_library) {
        problem(where + " is a shared library, not a static one");
    } else if (obj.type == ObjectType::executable) {
        problem(where + " is an executable, not an object file");
    }
    for (std::string_view f : obj.functions) {
        // Both a count and a byte budget: a hostile symbol table can point
        // every entry at the same long name.
        if (m_functions.size() >= k_max_functions || m_function_bytes > k_max_function_bytes) {
            m_functions_cut = true;
            break;
        }
        m_function_bytes += f.size();
        m_functions.emplace_back(f);
    }
}

void Inspector::read_member(std::string_view name, std::string_view data,
                            const std::string& slice) {
    std::string where = "member " + util::quoted(printable(name));
    if (!slice.empty()) {
        where += " of slice " + slice;
    }
    if (data.substr(0, k_ar_magic.size()) == k_ar_magic) {
        problem(where + " is a nested archive, which linkers do not read");
        return;
    }
    if (auto obj = read_object(data)) {
        add_object(*obj, where, slice);
        return;
    }
    problem(where + " is not an object file");
}

LibraryKind Inspector::read_archive(std::string_view data, const std::string& slice) {
    std::string prefix = slice.empty() ? std::string() : "slice " + slice + ": ";
    std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
    if (!a) {
        throw std::bad_alloc();
    }
    // Only the ar reader: nothing else (no decompression, no other format) may
    // be tried on these bytes.
    archive_read_support_format_ar(a.get());
    if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK) {
        damage(prefix + "damaged archive: " + archive_error(a.get()));
        return LibraryKind::ar;
    }
    LibraryKind kind = LibraryKind::ar;
    std::string buffer;
    std::size_t members = 0;
    bool archive_damaged = false;
    for (;;) {
        archive_entry* entry = nullptr;
        int rc = archive_read_next_header(a.get(), &entry);
        if (rc == ARCHIVE_EOF) {
            break;
        }
        if (rc < ARCHIVE_WARN) {
            archive_damaged = true;
            damage(prefix + "truncated or damaged archive after " + plural(members, "member") +
                   ": " + archive_error(a.get()));
            break;
        }
        int format = archive_format(a.get());
        if (format == ARCHIVE_FORMAT_AR_GNU) {
            kind = LibraryKind::gnu_ar;
        } else if (format == ARCHIVE_FORMAT_AR_BSD) {
            kind = LibraryKind::bsd_ar;
        }
        const char* raw_name = archive_entry_pathname(entry);
        std::string_view name = raw_name != nullptr ? raw_name : "";
        if (is_symbol_table(name)) {
            archive_read_data_skip(a.get());
            continue;
        }
        if (members >= k_max_members) {
            problem(prefix + "more than " + std::to_string(k_max_members) +
                    " members: the rest were not read");
            break;
        }
        std::int64_t size = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0;
        if (size < 0 || size > k_max_member_size) {
            problem(prefix + "member " + util::quoted(printable(name)) +
                    " is too large to be an object file");
            ++members;
            ++m_info.member_count;
            archive_read_data_skip(a.get());
            continue;
        }
        // Reading from memory, libarchive hands out pointers into `data`: a
        // member arriving in one block is used in place, otherwise it is copied.
        std::string_view member;
        buffer.clear();
        bool in_place = false;
        bool failed = false;
        for (;;) {
            const void* block = nullptr;
            std::size_t block_size = 0;
            la_int64_t offset = 0;
            int r = archive_read_data_block(a.get(), &block, &block_size, &offset);
            if (r == ARCHIVE_EOF) {
                break;
            }
            if (r < ARCHIVE_WARN || offset < 0 ||
                static_cast<std::uint64_t>(offset) != buffer.size() + member.size() ||
                static_cast<std::uint64_t>(offset) + block_size >
                    static_cast<std::uint64_t>(size)) {
                failed = true;
                break;
            }
            std::string_view piece(static_cast<const char*>(block), block_size);
            if (offset == 0 && !in_place && buffer.empty()) {
                member = piece;
                in_place = true;
            } else {
                if (in_place) {
                    buffer.assign(member);
                    member = {};
                    in_place = false;
                }
                buffer.append(piece);
            }
        }
        if (failed) {
            const char* why = archive_error_string(a.get());
            archive_damaged = true;
            damage(prefix + "truncated or damaged archive in member " +
                   util::quoted(printable(name)) + ": " +
                   printable(why != nullptr ? why : "its data does not match its header"));
            break;
        }
        ++members;
        ++m_info.member_count;
        read_member(name, in_place ? member : std::string_view(buffer), slice);
    }
    if (!archive_damaged) {
        if (auto layout = ar_layout_problem(data)) {
            archive_damaged = true;
            damage(prefix + *layout);
        }
    }
    if (members == 0 && !archive_damaged) {
        problem(prefix + "empty archive: it has no members");
    }
    return kind;
}

void Inspector::read_fat(std::string_view data, bool wide, std::uint32_t count) {
    // The slice table is big-endian whatever the slices hold.
    ByteReader r(data, Endian::big);
    const std::uint64_t entry_size = wide ? 32 : 20;
    for (std::uint32_t i = 0; i < count; ++i) {
        std::uint64_t base = 8 + i * entry_size;
        if (!r.contains(base, entry_size)) {
            damage("truncated universal file: its slice table is cut short");
            return;
        }
        Slice slice;
        slice.id = macho_cpu_type(*r.u32(base));
        std::uint64_t offset = wide ? *r.u64(base + 8) : *r.u32(base + 8);
        std::uint64_t size = wide ? *r.u64(base + 16) : *r.u32(base + 12);
        auto bytes = r.bytes(offset, size);
        if (!bytes) {
            damage("slice " + slice.id.arch_name + " lies past the end of the file");
            m_info.slices.push_back(slice);
            continue;
        }
        slice.kind = read_contents(*bytes, slice.id.arch_name);
        m_info.slices.push_back(slice);
        if (slice.kind == LibraryKind::not_archive) {
            problem("slice " + slice.id.arch_name + " is not an archive or an object file");
        }
    }
}

// What a slice of a universal file (or the file itself) holds: an archive or a
// single object. Universal files do not nest.
LibraryKind Inspector::read_contents(std::string_view data, const std::string& slice) {
    if (data.substr(0, k_ar_magic.size()) == k_ar_magic) {
        return read_archive(data, slice);
    }
    if (data.substr(0, k_thin_magic.size()) == k_thin_magic) {
        problem("thin archive: its members are separate files, not inside it");
        return LibraryKind::thin_ar;
    }
    if (auto obj = read_object(data)) {
        add_object(*obj, slice.empty() ? std::string("the file") : "slice " + slice, slice);
        return LibraryKind::object;
    }
    return LibraryKind::not_archive;
}

void Inspector::read_file(std::string_view data) {
    ByteReader r(data, Endian::big);
    auto magic = r.u32(0);
    auto count = r.u32(4);
    if (magic && count && (*magic == k_fat_magic || *magic == k_fat_magic_64) && *count > 0 &&
        *count <= k_max_slices) {
        m_info.kind = LibraryKind::macho_fat;
        read_fat(data, *magic == k_fat_magic_64, *count);
        return;
    }
    m_info.kind = read_contents(data, "");
    if (m_info.kind == LibraryKind::not_archive) {
        problem("not an archive: " + sniff(data));
    }
}

void Inspector::finish() {
    // A library of COFF objects is a Windows .lib whatever its ar flavour.
    bool coff = std::any_of(m_info.groups.begin(), m_info.groups.end(),
                            [](const auto& g) { return g.id.format == Format::coff; });
    if (coff && (m_info.kind == LibraryKind::gnu_ar || m_info.kind == LibraryKind::bsd_ar ||
                 m_info.kind == LibraryKind::ar)) {
        m_info.kind = LibraryKind::coff_lib;
    }
    for (const auto& g : m_info.groups) {
        std::string format = format_name(g.id.format);
        if (std::find(m_info.formats.begin(), m_info.formats.end(), format) ==
            m_info.formats.end()) {
            m_info.formats.push_back(format);
        }
        if (g.id.format != Format::llvm_bitcode &&
            std::find(m_info.architectures.begin(), m_info.architectures.end(), g.id.arch_name) ==
                m_info.architectures.end()) {
            m_info.architectures.push_back(g.id.arch_name);
        }
    }
    // Mixed architectures within one archive (or one slice): a linker would
    // skip or reject the objects that do not match.
    std::vector<std::string> slices;
    for (const auto& g : m_info.groups) {
        if (std::find(slices.begin(), slices.end(), g.slice) == slices.end()) {
            slices.push_back(g.slice);
        }
    }
    for (const auto& slice : slices) {
        std::vector<std::string> parts;
        for (const auto& g : m_info.groups) {
            if (g.slice == slice) {
                parts.push_back(describe(g.id) + " (" + plural(g.objects, "object") + ")");
            }
        }
        if (parts.size() > 1) {
            problem("mixed architectures" + (slice.empty() ? "" : " in slice " + slice) + ": " +
                    util::join(parts, ", "));
        }
    }
    // A slice whose objects are not for the CPU its table entry names.
    for (const auto& s : m_info.slices) {
        for (const auto& g : m_info.groups) {
            if (g.slice == s.id.arch_name && g.id.format == Format::macho && !(g.id == s.id) &&
                g.id.arch_name != s.id.arch_name) {
                problem("slice " + s.id.arch_name + " holds " + describe(g.id) + " objects");
            }
        }
    }
    bool archive = m_info.kind == LibraryKind::gnu_ar || m_info.kind == LibraryKind::bsd_ar ||
                   m_info.kind == LibraryKind::coff_lib || m_info.kind == LibraryKind::macho_fat;
    if (archive && m_info.damage.empty() && m_info.member_count > 0 && m_info.object_count == 0) {
        problem("no object files among its " + plural(m_info.member_count, "member"));
    }
    if (m_functions_cut) {
        problem("more than " + std::to_string(k_max_functions) +
                " functions: the list of names is cut");
    }
    if (m_hidden_problems > 0) {
        m_info.problems.push_back("and " + plural(m_hidden_problems, "more problem"));
    }
    std::sort(m_functions.begin(), m_functions.end());
    m_functions.erase(std::unique(m_functions.begin(), m_functions.end()), m_functions.end());
    m_info.functions = std::move(m_functions);
}

// A read-only mapping of a whole file: large libraries are read in place
// rather than copied into memory.
class MappedFile {
public:
    MappedFile() = default;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile() {
        if (m_addr != nullptr) {
            ::munmap(m_addr, m_size);
        }
    }
    Result<void> open(const fs::path& path);
    std::string_view data() const { return {static_cast<const char*>(m_addr), m_size}; }

private:
    void* m_addr = nullptr;
    std::size_t m_size = 0;
};

std::string os_error(int err) {
    std::string s = std::strerror(err);
    if (!s.empty()) {
        s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    }
    return s;
}

Result<void> MappedFile::open(const fs::path& path) {
    util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        int err = errno;
        return fail(err == ENOENT ? ErrorKind::not_found : ErrorKind::filesystem,
                    "cannot open library " + util::quoted(path.string()) + ": " + os_error(err) +
                        (err == ENOENT ? "; check the path" : ""));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return fail(ErrorKind::filesystem,
                    "cannot read library " + util::quoted(path.string()) + ": " + os_error(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return fail(ErrorKind::filesystem, "cannot read library " + util::quoted(path.string()) +
                                               ": it is not a regular file");
    }
    auto size = static_cast<std::uint64_t>(st.st_size);
    if (size > k_max_library_size) {
        return fail(ErrorKind::integrity,
                    "library " + util::quoted(path.string()) + " is " + util::human_bytes(size) +
                        ", more than the " + util::human_bytes(k_max_library_size) +
                        " a static library is expected to be: check that it is the right file");
    }
    if (size == 0) {
        return {};
    }
    void* addr =
        ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (addr == MAP_FAILED) {
        return fail(ErrorKind::filesystem,
                    "cannot read library " + util::quoted(path.string()) + ": " + os_error(errno));
    }
    m_addr = addr;
    m_size = static_cast<std::size_t>(size);
    return {};
}

bool is_usable_archive_kind(LibraryKind kind) {
    return kind == LibraryKind::gnu_ar || kind == LibraryKind::bsd_ar ||
           kind == LibraryKind::coff_lib || kind == LibraryKind::macho_fat;
}

// The supported platform objects of this identity are for; empty for others.
std::string platform_of(const ObjectId& id) {
    if (!id.is64 || id.arch == Arch::other) {
        return {};
    }
    platform::Platform p;
    if (id.format == Format::elf) {
        p.os = platform::Os::linux;
    } else if (id.format == Format::macho) {
        p.os = platform::Os::macos;
    } else {
        return {};
    }
    p.arch = id.arch == Arch::x86_64 ? platform::Arch::x64 : platform::Arch::arm64;
    return p.name();
}

std::string what_it_holds(const std::vector<const ObjectGroup*>& groups) {
    std::vector<std::string> parts;
    for (const auto* g : groups) {
        std::string d = describe(g->id) + " objects";
        if (std::find(parts.begin(), parts.end(), d) == parts.end()) {
            parts.push_back(d);
        }
    }
    return util::join(parts, " and ");
}

}  // namespace

const char* kind_name(LibraryKind kind) {
    switch (kind) {
        case LibraryKind::not_archive:
            return "not_archive";
        case LibraryKind::object:
            return "object";
        case LibraryKind::ar:
            return "ar";
        case LibraryKind::gnu_ar:
            return "gnu_ar";
        case LibraryKind::bsd_ar:
            return "bsd_ar";
        case LibraryKind::thin_ar:
            return "thin_ar";
        case LibraryKind::coff_lib:
            return "coff_lib";
        case LibraryKind::macho_fat:
            return "macho_fat";
    }
    return "unknown";
}

const char* kind_description(LibraryKind kind) {
    switch (kind) {
        case LibraryKind::not_archive:
            return "not a library";
        case LibraryKind::object:
            return "single object file";
        case LibraryKind::ar:
            return "ar archive";
        case LibraryKind::gnu_ar:
            return "GNU ar archive";
        case LibraryKind::bsd_ar:
            return "BSD ar archive";
        case LibraryKind::thin_ar:
            return "GNU thin archive";
        case LibraryKind::coff_lib:
            return "Windows library (.lib)";
        case LibraryKind::macho_fat:
            return "universal Mach-O file";
    }
    return "unknown";
}

std::string printable(std::string_view name) {
    constexpr std::size_t k_max_printed = 200;
    std::string out;
    for (char c : name.substr(0, k_max_printed)) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    if (name.size() > k_max_printed) {
        out += "...";
    }
    return out;
}

Result<LibraryInfo> inspect_library_bytes(std::string_view data, std::string name) {
    LibraryInfo info;
    info.path = std::move(name);
    Inspector inspector(info);
    inspector.read_file(data);
    inspector.finish();
    return info;
}

Result<LibraryInfo> inspect_library(const fs::path& path) {
    MappedFile file;
    if (auto opened = file.open(path); !opened) {
        return util::Unexpected<Failure>{opened.error()};
    }
    return inspect_library_bytes(file.data(), path.string());
}

Result<void> check_static_library(const LibraryInfo& info) {
    const std::string name = util::quoted(info.path);
    const std::string hint = "; download it again, or check that the release asset is right";
    auto unusable = [&](const std::string& why) {
        return fail(ErrorKind::integrity, name + " is not a usable static library: " + why);
    };
    switch (info.kind) {
        case LibraryKind::not_archive:
            return unusable(info.problems.empty() ? "not an archive" : info.problems.front());
        case LibraryKind::object:
            return unusable("it is a single object file, not an archive of them");
        case LibraryKind::thin_ar:
            return unusable(
                "it is a thin archive, whose members are separate files; build it with 'ar rcs' "
                "instead of 'ar rcsT'");
        default:
            break;
    }
    if (!info.damage.empty()) {
        return unusable(info.damage + hint);
    }
    for (const auto& s : info.slices) {
        if (!is_usable_archive_kind(s.kind)) {
            std::string what =
                s.kind == LibraryKind::not_archive
                    ? std::string("neither an archive nor an object file")
                    : std::string("a ") + kind_description(s.kind) + ", not an archive";
            return unusable("it is a universal file whose slice " + s.id.arch_name + " is " + what);
        }
    }
    if (info.member_count == 0) {
        return unusable("it is an empty archive" + hint);
    }
    if (info.object_count == 0) {
        return unusable("it holds no object files" + hint);
    }
    return {};
}

Result<void> check_for_platform(const LibraryInfo& info, const platform::Platform& platform) {
    if (auto usable = check_static_library(info); !usable) {
        return usable;
    }
    ObjectId want;
    want.format = platform.os == platform::Os::linux ? Format::elf : Format::macho;
    want.arch = platform.arch == platform::Arch::x64 ? Arch::x86_64 : Arch::aarch64;
    if (want.format == Format::elf) {
        want.arch_name = want.arch == Arch::x86_64 ? "x86-64" : "AArch64";
    } else {
        want.arch_name = want.arch == Arch::x86_64 ? "x86_64" : "arm64";
    }
    const std::string name = util::quoted(info.path);
    const std::string needs = platform.name() + " needs " + describe(want) + " objects";
    std::string slice;
    if (info.kind == LibraryKind::macho_fat) {
        auto found = std::find_if(info.slices.begin(), info.slices.end(), [&](const Slice& s) {
            return s.id.arch == want.arch && s.id.arch_name == want.arch_name;
        });
        if (found == info.slices.end() || want.format != Format::macho) {
            std::vector<std::string> names;
            for (const auto& s : info.slices) {
                names.push_back(s.id.arch_name);
            }
            return fail(ErrorKind::integrity, name + " is a universal Mach-O file with slices " +
                                                  util::join(names, ", ") + ", but " + needs +
                                                  ": use the library built for " + platform.name());
        }
        slice = found->id.arch_name;
    }
    std::vector<const ObjectGroup*> considered;
    bool all_match = true;
    for (const auto& g : info.groups) {
        if (g.slice != slice) {
            continue;
        }
        considered.push_back(&g);
        bool match = g.id.format == want.format && g.id.arch == want.arch && g.id.is64;
        all_match = all_match && match;
    }
    if (considered.empty()) {
        return fail(ErrorKind::integrity, name + (slice.empty() ? "" : " (slice " + slice + ")") +
                                              " holds no object files, but " + needs);
    }
    if (!all_match) {
        std::string built_for = considered.size() == 1 ? platform_of(considered[0]->id) : "";
        std::string what = info.kind == LibraryKind::coff_lib ? " (a Windows library)" : "";
        std::string advice = built_for.empty() ? ": use the library built for " + platform.name()
                                               : ": this library is for " + built_for +
                                                     "; use the " + platform.name() + " one";
        return fail(ErrorKind::integrity, name + (slice.empty() ? "" : " (slice " + slice + ")") +
                                              " holds " + what_it_holds(considered) + what +
                                              ", but " + needs + advice);
    }
    return {};
}

}  // namespace tl::objfile
