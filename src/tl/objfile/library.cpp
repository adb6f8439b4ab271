#include "tl/objfile/library.hpp"

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
#include <limits>
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
constexpr std::uint64_t k_max_member_size = std::uint64_t{2} << 30;

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

// Bytes of an ar member header.
constexpr std::uint64_t k_header_size = 60;
// Bytes kept of a member too large to hold: more than any object header needs.
constexpr std::uint64_t k_head_size = 4096;
// Most bytes held of a symbol index or a long-name table (real ones hold a few MB).
constexpr std::uint64_t k_max_table_size = std::uint64_t{256} << 20;

// How a reader may hold the bytes it is given: members up to `member_cap`
// bytes are kept whole (larger ones only their first k_head_size bytes), and
// `stable` says the caller's bytes stay valid until the end, so they can be
// used in place rather than copied.
struct Budget {
    std::uint64_t member_cap = 0;
    bool stable = false;
};

// What the readers of one region (the file, or one slice of a universal
// file) find, in order, keeping the lists bounded.
class Findings {
public:
    void problem(std::string text);
    // A problem that makes the file unusable; the first one is kept as the reason.
    void damage(std::string text);
    void add_object(const ObjectFile& obj, const std::string& where, const std::string& slice);
    void count_member() { ++m_info.member_count; }
    // Appends what `later` found after what this one did.
    void absorb(Findings&& later);
    // Moves everything into `info`, with the findings about the whole.
    void finish(LibraryInfo& info);

private:
    void add_function(std::string_view name);

    LibraryInfo m_info;  // counts, groups, problems and damage only
    std::vector<std::string> m_functions;
    std::size_t m_function_bytes = 0;
    std::size_t m_hidden_problems = 0;
    bool m_functions_cut = false;
};

void Findings::problem(std::string text) {
    if (m_info.problems.size() < k_max_problems) {
        m_info.problems.push_back(std::move(text));
    } else {
        ++m_hidden_problems;
    }
}

void Findings::damage(std::string text) {
    if (m_info.damage.empty()) {
        m_info.damage = text;
    }
    problem(std::move(text));
}

void Findings::add_function(std::string_view name) {
    // Both a count and a byte budget: a hostile symbol table can point every
    // entry at the same long name.
    if (m_functions.size() >= k_max_functions || m_function_bytes > k_max_function_bytes) {
        m_functions_cut = true;
        return;
    }
    m_function_bytes += name.size();
    m_functions.emplace_back(name);
}

void Findings::add_object(const ObjectFile& obj, const std::string& where,
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
        if (m_functions_cut) {
            break;
        }
        add_function(f);
    }
}

void Findings::absorb(Findings&& later) {
    m_info.member_count += later.m_info.member_count;
    m_info.object_count += later.m_info.object_count;
    for (auto& g : later.m_info.groups) {
        auto same = std::find_if(m_info.groups.begin(), m_info.groups.end(),
                                 [&](const auto& h) { return h.slice == g.slice && h.id == g.id; });
        if (same == m_info.groups.end()) {
            m_info.groups.push_back(std::move(g));
        } else {
            same->objects += g.objects;
        }
    }
    if (m_info.damage.empty()) {
        m_info.damage = std::move(later.m_info.damage);
    }
    for (auto& p : later.m_info.problems) {
        problem(std::move(p));
    }
    m_hidden_problems += later.m_hidden_problems;
    for (const auto& f : later.m_functions) {
        if (m_functions_cut) {
            break;
        }
        add_function(f);
    }
    m_functions_cut = m_functions_cut || later.m_functions_cut;
}

void Findings::finish(LibraryInfo& info) {
    auto& groups = m_info.groups;
    // A library of COFF objects is a Windows .lib whatever its ar flavour.
    bool coff = std::any_of(groups.begin(), groups.end(),
                            [](const auto& g) { return g.id.format == Format::coff; });
    if (coff && (info.kind == LibraryKind::gnu_ar || info.kind == LibraryKind::bsd_ar ||
                 info.kind == LibraryKind::ar)) {
        info.kind = LibraryKind::coff_lib;
    }
    for (const auto& g : groups) {
        std::string format = format_name(g.id.format);
        if (std::find(info.formats.begin(), info.formats.end(), format) == info.formats.end()) {
            info.formats.push_back(format);
        }
        if (g.id.format != Format::llvm_bitcode &&
            std::find(info.architectures.begin(), info.architectures.end(), g.id.arch_name) ==
                info.architectures.end()) {
            info.architectures.push_back(g.id.arch_name);
        }
    }
    // Mixed architectures within one archive (or one slice): a linker would
    // skip or reject the objects that do not match.
    std::vector<std::string> slices;
    for (const auto& g : groups) {
        if (std::find(slices.begin(), slices.end(), g.slice) == slices.end()) {
            slices.push_back(g.slice);
        }
    }
    for (const auto& slice : slices) {
        std::vector<std::string> parts;
        for (const auto& g : groups) {
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
    for (const auto& s : info.slices) {
        for (const auto& g : groups) {
            if (g.slice == s.id.arch_name && g.id.format == Format::macho && !(g.id == s.id) &&
                g.id.arch_name != s.id.arch_name) {
                problem("slice " + s.id.arch_name + " holds " + describe(g.id) + " objects");
            }
        }
    }
    bool archive = info.kind == LibraryKind::gnu_ar || info.kind == LibraryKind::bsd_ar ||
                   info.kind == LibraryKind::coff_lib || info.kind == LibraryKind::macho_fat;
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
    info.member_count = m_info.member_count;
    info.object_count = m_info.object_count;
    info.groups = std::move(groups);
    info.problems = std::move(m_info.problems);
    info.damage = std::move(m_info.damage);
    std::sort(m_functions.begin(), m_functions.end());
    m_functions.erase(std::unique(m_functions.begin(), m_functions.end()), m_functions.end());
    info.functions = std::move(m_functions);
}

// Gathers a run of bytes that arrives in pieces, keeping its first `cap`
// bytes: a view into the input while it can be one (the input stays valid
// and the pieces are contiguous), a copy otherwise.
class Collector {
public:
    // Starts a run of `expected` bytes of which the first `cap` are kept.
    void reset(std::uint64_t cap, std::uint64_t expected) {
        m_cap = cap;
        m_expected = expected;
        m_total = 0;
        m_view = {};
        m_copy.clear();
    }
    void add(std::string_view piece, bool stable) {
        m_total += piece.size();
        std::uint64_t room = m_cap - data().size();
        piece =
            piece.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(room, piece.size())));
        if (piece.empty()) {
            return;
        }
        if (m_copy.empty()) {
            if (m_view.empty()) {
                m_view = piece;
                return;
            }
            if (stable && m_view.data() + m_view.size() == piece.data()) {
                m_view = std::string_view(m_view.data(), m_view.size() + piece.size());
                return;
            }
            detach();
        }
        m_copy.append(piece);
    }
    // The input is about to go away: copy what is only viewed.
    void detach() {
        if (!m_view.empty()) {
            // What a header claims is not trusted with more than a modest reservation.
            m_copy.reserve(
                static_cast<std::size_t>(std::min({m_cap, m_expected, std::uint64_t{64} << 20})));
            m_copy.assign(m_view);
            m_view = {};
        }
    }
    std::string_view data() const { return m_copy.empty() ? m_view : std::string_view(m_copy); }
    // True when every byte of the run is kept.
    bool whole() const { return m_total == data().size(); }
    std::uint64_t total() const { return m_total; }

private:
    std::uint64_t m_cap = 0;
    std::uint64_t m_expected = 0;
    std::uint64_t m_total = 0;
    std::string_view m_view;
    std::string m_copy;
};

// Reads an ar archive as its bytes go by (from its magic string on): the
// member headers, which must tile the whole archive, the symbol index, whose
// offsets must all be member starts, the long-name table, and every member:
// read whole as an object when it fits the budget, identified by its header
// otherwise.
class ArReader {
public:
    ArReader(Findings& found, std::string slice, Budget budget)
        : m_found(found), m_slice(std::move(slice)), m_budget(budget) {}

    void feed(std::string_view in);
    // The input ended; returns the archive's flavour.
    LibraryKind finish();

private:
    enum class State { magic, header, name, body, padding, stopped };
    enum class Role { object, index, names, skip };

    void start_member();
    void name_known();
    void end_member();
    void damage(const std::string& text) {
        m_damaged = true;
        m_found.damage(prefix() + text);
        m_state = State::stopped;
    }
    std::string prefix() const { return m_slice.empty() ? "" : "slice " + m_slice + ": "; }
    std::string where() const {
        std::string w = "member " + util::quoted(printable(m_name));
        return m_slice.empty() ? w : w + " of slice " + m_slice;
    }

    Findings& m_found;
    std::string m_slice;
    Budget m_budget;
    State m_state = State::magic;
    std::uint64_t m_offset = 0;  // of the next byte, from the archive's start
    std::string m_header;
    // The member being read: where it starts, its size, the bytes still to
    // come, its name (a BSD long name arrives first in its data) and role.
    std::uint64_t m_start = 0;
    std::uint64_t m_size = 0;
    std::uint64_t m_left = 0;
    std::uint64_t m_name_left = 0;
    std::string m_name;
    Role m_role = Role::skip;
    Collector m_body;
    std::vector<std::uint64_t> m_starts;
    std::optional<IndexForm> m_index_form;
    std::optional<std::string> m_index;
    std::optional<std::string> m_long_names;
    std::size_t m_members = 0;
    LibraryKind m_kind = LibraryKind::ar;
    bool m_damaged = false;
    bool m_cut_short = false;  // stopped at the member limit: the layout is not checked
};

void ArReader::feed(std::string_view in) {
    while (!in.empty() && m_state != State::stopped) {
        std::size_t n = 0;
        switch (m_state) {
            case State::magic:
                n = std::min<std::size_t>(in.size(), k_ar_magic.size() - m_offset);
                if (m_offset + n == k_ar_magic.size()) {
                    m_state = State::header;
                }
                break;
            case State::header:
                n = std::min<std::size_t>(in.size(), k_header_size - m_header.size());
                m_header.append(in.substr(0, n));
                break;
            case State::name:
                n = static_cast<std::size_t>(std::min<std::uint64_t>(in.size(), m_name_left));
                m_name.append(in.substr(0, n));
                m_name_left -= n;
                m_left -= n;
                break;
            case State::body:
                n = static_cast<std::size_t>(std::min<std::uint64_t>(in.size(), m_left));
                if (m_role != Role::skip) {
                    m_body.add(in.substr(0, n), m_budget.stable);
                }
                m_left -= n;
                break;
            case State::padding:
                n = 1;
                m_state = State::header;
                break;
            case State::stopped:
                break;
        }
        in.remove_prefix(n);
        m_offset += n;
        if (m_state == State::header && m_header.size() == k_header_size) {
            start_member();
        } else if (m_state == State::name && m_name_left == 0) {
            name_known();
        } else if (m_state == State::body && m_left == 0) {
            end_member();
        }
    }
    if (!m_budget.stable) {
        m_body.detach();
    }
}

void ArReader::start_member() {
    const std::string header = std::move(m_header);
    m_header.clear();
    std::string_view h = header;
    m_start = m_offset - k_header_size;
    auto size = util::parse_u64(util::trim(h.substr(48, 10)));
    if (h.substr(58, 2) != "`\n" || !size) {
        damage("damaged archive: no valid member header at offset " + std::to_string(m_start));
        return;
    }
    m_starts.push_back(m_start);
    m_size = *size;
    m_left = *size;
    std::string_view raw = h.substr(0, 16);
    while (!raw.empty() && raw.back() == ' ') {
        raw.remove_suffix(1);
    }
    m_name.assign(raw);
    if (raw == "/" || raw == "//" || raw == "/SYM64/") {
        m_kind = LibraryKind::gnu_ar;
    } else if (raw.size() > 1 && raw[0] == '/' &&
               std::isdigit(static_cast<unsigned char>(raw[1]))) {
        // A GNU long name: an offset into the "//" table, where it ends with "/\n".
        m_kind = LibraryKind::gnu_ar;
        auto at = util::parse_u64(raw.substr(1));
        if (!at || !m_long_names || *at >= m_long_names->size()) {
            damage("damaged archive: the member at offset " + std::to_string(m_start) +
                   " names a long name its name table does not hold");
            return;
        }
        std::string_view names = *m_long_names;
        std::string_view name = names.substr(static_cast<std::size_t>(*at));
        m_name.assign(name.substr(0, name.find_first_of("/\n")));
    } else if (util::starts_with(raw, "#1/")) {
        // A BSD long name: its length here, the name first in the data.
        m_kind = LibraryKind::bsd_ar;
        auto length = util::parse_u64(raw.substr(3));
        if (!length || *length > m_size) {
            damage("damaged archive: the member at offset " + std::to_string(m_start) +
                   " has a name longer than its data");
            return;
        }
        m_name.clear();
        m_name_left = *length;
        m_state = State::name;
        if (m_name_left == 0) {
            name_known();
        }
        return;
    } else if (util::starts_with(raw, "__.SYMDEF")) {
        m_kind = LibraryKind::bsd_ar;
    } else if (raw.size() > 1 && raw.back() == '/') {
        m_name.pop_back();  // GNU ends short names with '/'
    }
    name_known();
}

void ArReader::name_known() {
    m_name = m_name.substr(0, m_name.find('\0'));
    m_state = State::body;
    m_role = Role::skip;
    if (m_name == "//") {
        m_role = Role::names;
    } else if (is_symbol_table(m_name)) {
        // The index comes first; later ones (and other tables) are skipped.
        if (m_starts.size() == 1) {
            if (m_name == "/") {
                m_index_form = IndexForm::gnu32;
            } else if (m_name == "/SYM64/") {
                m_index_form = IndexForm::gnu64;
            } else if (util::starts_with(m_name, "__.SYMDEF")) {
                m_index_form =
                    m_name.find("_64") != std::string::npos ? IndexForm::bsd64 : IndexForm::bsd32;
            }
            if (m_index_form) {
                m_role = Role::index;
            }
        }
    } else if (m_members >= k_max_members) {
        m_found.problem(prefix() + "more than " + std::to_string(k_max_members) +
                        " members: the rest were not read");
        m_cut_short = true;
        m_state = State::stopped;
        return;
    } else if (m_left > k_max_member_size) {
        m_found.problem(prefix() + "member " + util::quoted(printable(m_name)) +
                        " is too large to be an object file");
        ++m_members;
        m_found.count_member();
    } else {
        m_role = Role::object;
    }
    std::uint64_t cap = 0;
    if (m_role == Role::object) {
        cap = m_left <= m_budget.member_cap ? m_left : std::min(m_left, k_head_size);
    } else if (m_role != Role::skip) {
        cap = std::min(m_left, k_max_table_size);
    }
    m_body.reset(cap, m_left);
    if (m_left == 0) {
        end_member();
    }
}

void ArReader::end_member() {
    std::string_view data = m_body.data();
    switch (m_role) {
        case Role::object: {
            ++m_members;
            m_found.count_member();
            std::string w = where();
            if (data.substr(0, k_ar_magic.size()) == k_ar_magic) {
                m_found.problem(w + " is a nested archive, which linkers do not read");
            } else if (auto obj = m_body.whole() ? read_object(data)
                                                 : identify_object(data, m_body.total())) {
                m_found.add_object(*obj, w, m_slice);
            } else {
                m_found.problem(w + " is not an object file");
            }
            break;
        }
        case Role::index:
            if (m_body.whole()) {
                m_index.emplace(data);
            }
            break;
        case Role::names:
            m_long_names.emplace(data);
            break;
        case Role::skip:
            break;
    }
    m_body.reset(0, 0);
    // Members start at even offsets; the last one may lack its padding byte.
    m_state = m_size % 2 != 0 ? State::padding : State::header;
}

LibraryKind ArReader::finish() {
    if (m_state == State::header && !m_header.empty()) {
        damage("truncated or damaged archive after " + plural(m_members, "member") +
               ": the member header at offset " + std::to_string(m_offset - m_header.size()) +
               " is cut short");
    } else if (m_state == State::name || m_state == State::body) {
        damage("truncated or damaged archive in member " + util::quoted(printable(m_name)) +
               ": it needs " + std::to_string(m_size) + " bytes, only " +
               std::to_string(m_size - m_left) + " are there");
    }
    if (!m_damaged && !m_cut_short && m_index_form && m_index) {
        if (auto problem = index_problem(*m_index_form, *m_index, m_starts)) {
            damage(*problem);
        }
    }
    if (m_members == 0 && !m_damaged) {
        m_found.problem(prefix() + "empty archive: it has no members");
    }
    return m_kind;
}

// Reads what a region holds (the file, or one slice of a universal file) as
// its bytes go by: an ar archive, a thin archive, or anything else, kept up to
// the budget to be read as a single object (or described) at the end.
class ContentsReader {
public:
    ContentsReader(Findings& found, std::string slice, Budget budget)
        : m_found(found), m_slice(std::move(slice)), m_budget(budget) {}

    void feed(std::string_view in);
    // The input ended; returns what the region holds (not_archive: nothing known).
    LibraryKind finish();
    // The region's first bytes (up to k_head_size), to describe an unknown file.
    std::string_view head() const {
        return m_mode == Mode::undecided ? std::string_view(m_head)
                                         : m_rest.data().substr(0, k_head_size);
    }

private:
    enum class Mode { undecided, ar, thin, other };
    void decide(std::string_view magic);
    void dispatch(std::string_view in);

    Findings& m_found;
    std::string m_slice;
    Budget m_budget;
    Mode m_mode = Mode::undecided;
    std::string m_head;  // the first bytes, while fewer than a magic string
    std::unique_ptr<ArReader> m_ar;
    Collector m_rest;
};

void ContentsReader::decide(std::string_view magic) {
    if (magic == k_ar_magic) {
        m_mode = Mode::ar;
        m_ar = std::make_unique<ArReader>(m_found, m_slice, m_budget);
    } else if (magic == k_thin_magic) {
        m_mode = Mode::thin;
        m_found.problem("thin archive: its members are separate files, not inside it");
    } else {
        m_mode = Mode::other;
        // A single object is read whole when the budget allows.
        m_rest.reset(std::max(m_budget.member_cap, k_head_size), 0);
    }
}

void ContentsReader::dispatch(std::string_view in) {
    if (m_mode == Mode::ar) {
        m_ar->feed(in);
    } else if (m_mode == Mode::other) {
        m_rest.add(in, m_budget.stable);
    }
}

void ContentsReader::feed(std::string_view in) {
    if (m_mode == Mode::undecided) {
        if (m_head.empty() && in.size() >= k_ar_magic.size()) {
            decide(in.substr(0, k_ar_magic.size()));
        } else {
            std::size_t n = std::min(in.size(), k_ar_magic.size() - m_head.size());
            m_head.append(in.substr(0, n));
            in.remove_prefix(n);
            if (m_head.size() < k_ar_magic.size()) {
                return;
            }
            decide(m_head);
            dispatch(m_head);
            if (m_mode == Mode::other) {
                m_rest.detach();  // m_head is not contiguous with what follows
            }
        }
    }
    dispatch(in);
    if (m_mode == Mode::other && !m_budget.stable) {
        m_rest.detach();
    }
}

LibraryKind ContentsReader::finish() {
    if (m_mode == Mode::undecided) {
        m_mode = Mode::other;
        m_rest.reset(k_head_size, m_head.size());
        m_rest.add(m_head, false);
    }
    switch (m_mode) {
        case Mode::ar:
            return m_ar->finish();
        case Mode::thin:
            return LibraryKind::thin_ar;
        default:
            break;
    }
    std::string_view data = m_rest.data();
    auto obj = m_rest.whole() ? read_object(data) : identify_object(data, m_rest.total());
    if (!obj) {
        return LibraryKind::not_archive;
    }
    m_found.add_object(*obj, m_slice.empty() ? std::string("the file") : "slice " + m_slice,
                       m_slice);
    return LibraryKind::object;
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

}  // namespace

// Reads the file as its bytes go by: a universal Mach-O file's slice table
// first (then every slice reads its own bytes; their findings are gathered in
// table order at the end, whatever their order in the file), or else the file
// as one region.
struct LibraryStream::Impl {
    struct SliceReader {
        Slice slice;
        std::uint64_t offset = 0;
        std::uint64_t size = 0;
        Findings found;
        std::unique_ptr<ContentsReader> reader;
    };

    Impl(std::string name, Budget b) : budget(b) { info.path = std::move(name); }

    void feed(std::string_view in);
    LibraryInfo finish();

private:
    void decide(std::string_view first);
    void route(std::string_view piece, std::uint64_t at);
    bool read_table();
    void feed_slices(std::string_view piece, std::uint64_t at);

    Budget budget;
    LibraryInfo info;
    Findings found;
    std::uint64_t total = 0;
    enum class Mode { undecided, fat, plain } mode = Mode::undecided;
    // The first bytes while they are fewer than 8, or a universal file's
    // slice table while it is incomplete; never changed once used.
    std::string prefix;
    bool wide = false;
    std::uint32_t count = 0;
    bool table_read = false;
    std::vector<SliceReader> slices;
    std::unique_ptr<ContentsReader> plain;
};

void LibraryStream::Impl::decide(std::string_view first) {
    ByteReader r(first, Endian::big);
    std::uint32_t magic = *r.u32(0);
    count = *r.u32(4);
    // Java class files share 0xcafebabe: see k_max_slices.
    if ((magic == k_fat_magic || magic == k_fat_magic_64) && count > 0 && count <= k_max_slices) {
        mode = Mode::fat;
        wide = magic == k_fat_magic_64;
    } else {
        mode = Mode::plain;
        plain = std::make_unique<ContentsReader>(found, "", budget);
    }
}

bool LibraryStream::Impl::read_table() {
    // The slice table is big-endian whatever the slices hold.
    ByteReader r(prefix, Endian::big);
    const std::uint64_t entry_size = wide ? 32 : 20;
    bool whole = true;
    for (std::uint32_t i = 0; i < count; ++i) {
        std::uint64_t base = 8 + i * entry_size;
        if (!r.contains(base, entry_size)) {
            whole = false;
            break;
        }
        SliceReader s;
        s.slice.id = macho_cpu_type(*r.u32(base));
        s.offset = wide ? *r.u64(base + 8) : *r.u32(base + 8);
        s.size = wide ? *r.u64(base + 16) : *r.u32(base + 12);
        slices.push_back(std::move(s));
    }
    // Each reader refers to its slice's findings: made once the vector is final.
    for (auto& s : slices) {
        s.reader = std::make_unique<ContentsReader>(s.found, s.slice.id.arch_name, budget);
    }
    table_read = true;
    return whole;
}

void LibraryStream::Impl::feed_slices(std::string_view piece, std::uint64_t at) {
    const std::uint64_t piece_end = at + piece.size();
    for (auto& s : slices) {
        if (s.size == 0 || s.offset >= piece_end) {
            continue;
        }
        std::uint64_t end = s.size > std::numeric_limits<std::uint64_t>::max() - s.offset
                                ? std::numeric_limits<std::uint64_t>::max()
                                : s.offset + s.size;
        if (end <= at) {
            continue;
        }
        std::uint64_t from = std::max(at, s.offset);
        std::uint64_t to = std::min(piece_end, end);
        s.reader->feed(
            piece.substr(static_cast<std::size_t>(from - at), static_cast<std::size_t>(to - from)));
    }
}

void LibraryStream::Impl::route(std::string_view piece, std::uint64_t at) {
    if (mode == Mode::plain) {
        plain->feed(piece);
        return;
    }
    if (!table_read) {
        // Hold the first bytes until the slice table is whole.
        const std::uint64_t table_end = 8 + std::uint64_t{count} * (wide ? 32 : 20);
        auto n = static_cast<std::size_t>(
            std::min<std::uint64_t>(piece.size(), table_end - prefix.size()));
        prefix.append(piece.substr(0, n));
        if (prefix.size() < table_end) {
            return;
        }
        read_table();
        feed_slices(prefix, 0);
        piece.remove_prefix(n);
        at += n;
    }
    feed_slices(piece, at);
}

void LibraryStream::Impl::feed(std::string_view in) {
    std::uint64_t at = total;
    total += in.size();
    if (mode == Mode::undecided) {
        // Eight bytes tell a universal file from anything else.
        if (prefix.empty() && in.size() >= 8) {
            decide(in.substr(0, 8));
        } else {
            std::size_t n = std::min(in.size(), std::size_t{8} - prefix.size());
            prefix.append(in.substr(0, n));
            in.remove_prefix(n);
            at += n;
            if (prefix.size() < 8) {
                return;
            }
            decide(prefix);
            if (mode == Mode::plain) {
                route(prefix, 0);
            }
        }
    }
    route(in, at);
}

LibraryInfo LibraryStream::Impl::finish() {
    if (mode == Mode::undecided) {
        // Fewer than 8 bytes in all.
        mode = Mode::plain;
        plain = std::make_unique<ContentsReader>(found, "", budget);
        plain->feed(prefix);
    }
    if (mode == Mode::plain) {
        info.kind = plain->finish();
        if (info.kind == LibraryKind::not_archive) {
            found.problem("not an archive: " + sniff(plain->head()));
        }
    } else {
        info.kind = LibraryKind::macho_fat;
        bool whole_table = true;
        if (!table_read) {
            // The file ends inside its slice table: all of it is in `prefix`.
            whole_table = read_table();
            feed_slices(prefix, 0);
        }
        for (auto& s : slices) {
            if (s.size > total || s.offset > total - s.size) {
                found.damage("slice " + s.slice.id.arch_name + " lies past the end of the file");
                info.slices.push_back(s.slice);
                continue;
            }
            s.slice.kind = s.reader->finish();
            found.absorb(std::move(s.found));
            info.slices.push_back(s.slice);
            if (s.slice.kind == LibraryKind::not_archive) {
                found.problem("slice " + s.slice.id.arch_name +
                              " is not an archive or an object file");
            }
        }
        if (!whole_table) {
            found.damage("truncated universal file: its slice table is cut short");
        }
    }
    found.finish(info);
    return std::move(info);
}

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

LibraryStream::LibraryStream(std::string name, std::uint64_t max_buffered)
    : m_impl(std::make_unique<Impl>(std::move(name), Budget{max_buffered, false})) {}

LibraryStream::~LibraryStream() = default;
LibraryStream::LibraryStream(LibraryStream&&) noexcept = default;
LibraryStream& LibraryStream::operator=(LibraryStream&&) noexcept = default;

void LibraryStream::feed(std::string_view bytes) {
    m_impl->feed(bytes);
}

LibraryInfo LibraryStream::finish() {
    return m_impl->finish();
}

Result<LibraryInfo> inspect_library_bytes(std::string_view data, std::string name) {
    // The bytes stay put: every member is read in place, whole.
    LibraryStream::Impl reader(std::move(name), Budget{k_max_member_size, true});
    reader.feed(data);
    return reader.finish();
}

Result<LibraryInfo> inspect_library(const fs::path& path) {
    MappedFile file;
    if (auto opened = file.open(path); !opened) {
        return util::Unexpected<Failure>{opened.error()};
    }
    return inspect_library_bytes(file.data(), path.string());
}

}  // namespace tl::objfile
