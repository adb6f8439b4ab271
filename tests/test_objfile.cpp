// Static libraries as they really are: archives built at test time by gcc,
// clang, ar, llvm-ar and llvm-lipo (support/objfile_fixtures.cpp), read by
// objfile and by the inspect and abi-check commands.

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/objfile_fixtures.hpp"
#include "support/test_util.hpp"
#include "tl/objfile/abi.hpp"
#include "tl/objfile/c_header.hpp"
#include "tl/objfile/library.hpp"
#include "tl/objfile/platform_check.hpp"

using namespace tl;
using namespace tl::objfile;
using tl::testing::fixture;
using tl::testing::has_fixture;

namespace {

const platform::Platform k_linux_x64{platform::Os::linux, platform::Arch::x64};
const platform::Platform k_linux_arm64{platform::Os::linux, platform::Arch::arm64};
const platform::Platform k_macos_x64{platform::Os::macos, platform::Arch::x64};
const platform::Platform k_macos_arm64{platform::Os::macos, platform::Arch::arm64};

LibraryInfo inspect(const std::string& name) {
    auto info = inspect_library(fixture(name));
    EXPECT_TRUE(info.has_value()) << name << ": " << (info ? "" : info.error().message);
    return info ? *info : LibraryInfo{};
}

LibraryInfo inspect_bytes(std::string_view data) {
    return *inspect_library_bytes(data, "bytes.a");
}

bool has_problem(const LibraryInfo& info, std::string_view text) {
    return std::any_of(info.problems.begin(), info.problems.end(),
                       [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

std::string problems(const LibraryInfo& info) {
    std::string s;
    for (const auto& p : info.problems) {
        s += "\n  " + p;
    }
    return s;
}

const std::vector<std::string> k_stub_functions{"tl_alpha", "tl_beta", "tl_calls_elsewhere",
                                                "tl_gamma", "tl_weak"};

}  // namespace

TEST(ObjfileLibrary, ReadsGnuArchiveOfX64Elf) {
    LibraryInfo info = inspect("libx64.a");
    EXPECT_EQ(info.kind, LibraryKind::gnu_ar);
    EXPECT_EQ(info.member_count, 2u) << "the symbol table and name table are not members";
    EXPECT_EQ(info.object_count, 2u);
    EXPECT_EQ(info.formats, std::vector<std::string>{"ELF"});
    EXPECT_EQ(info.architectures, std::vector<std::string>{"x86-64"});
    // Defined global and weak functions only: not the data symbol, the static
    // helper or the undefined reference.
    std::vector<std::string> want = k_stub_functions;
    want.push_back("tl_extra");
    std::sort(want.begin(), want.end());
    EXPECT_EQ(info.functions, want);
    EXPECT_TRUE(info.problems.empty()) << problems(info);
    EXPECT_TRUE(check_static_library(info).has_value());
    EXPECT_TRUE(check_for_platform(info, k_linux_x64).has_value());
}

TEST(ObjfileLibrary, ReadsAarch64Elf) {
    LibraryInfo info = inspect("libarm64.a");
    EXPECT_EQ(info.kind, LibraryKind::gnu_ar);
    EXPECT_EQ(info.architectures, std::vector<std::string>{"AArch64"});
    EXPECT_EQ(info.functions, k_stub_functions);
    EXPECT_TRUE(check_for_platform(info, k_linux_arm64).has_value());
}

TEST(ObjfileLibrary, RejectsX64ArchiveForLinuxArm64) {
    LibraryInfo info = inspect("libx64.a");
    auto r = check_for_platform(info, k_linux_arm64);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, ErrorKind::integrity);
    const std::string& m = r.error().message;
    EXPECT_NE(m.find("'" + fixture("libx64.a").string() + "' holds ELF x86-64 objects"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("linux-arm64 needs ELF AArch64 objects"), std::string::npos) << m;
    EXPECT_NE(m.find("this library is for linux-x64"), std::string::npos) << m;
    EXPECT_FALSE(check_for_platform(info, k_macos_x64).has_value());
}

TEST(ObjfileLibrary, ReadsBsdArchivesOfMachO) {
    LibraryInfo arm = inspect("libmac_arm64.a");
    EXPECT_EQ(arm.kind, LibraryKind::bsd_ar);
    EXPECT_EQ(arm.formats, std::vector<std::string>{"Mach-O"});
    EXPECT_EQ(arm.architectures, std::vector<std::string>{"arm64"});
    // Without the leading underscore, and without the data symbol.
    EXPECT_EQ(arm.functions, k_stub_functions);
    EXPECT_TRUE(arm.problems.empty()) << problems(arm);
    EXPECT_TRUE(check_for_platform(arm, k_macos_arm64).has_value());
    auto wrong = check_for_platform(arm, k_macos_x64);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_NE(wrong.error().message.find("holds Mach-O arm64 objects"), std::string::npos);
    EXPECT_NE(wrong.error().message.find("macos-x64 needs Mach-O x86_64 objects"),
              std::string::npos);

    LibraryInfo x64 = inspect("libmac_x64.a");
    EXPECT_EQ(x64.kind, LibraryKind::bsd_ar);
    EXPECT_EQ(x64.member_count, 2u);
    EXPECT_EQ(x64.architectures, std::vector<std::string>{"x86_64"});
    EXPECT_TRUE(check_for_platform(x64, k_macos_x64).has_value());
    EXPECT_FALSE(check_for_platform(x64, k_linux_x64).has_value());
}

TEST(ObjfileLibrary, ReadsUniversalFileOfArchives) {
    if (!has_fixture("libuniversal.a")) {
        GTEST_SKIP() << "llvm-lipo is not installed (Debian package llvm-14)";
    }
    LibraryInfo info = inspect("libuniversal.a");
    EXPECT_EQ(info.kind, LibraryKind::macho_fat);
    ASSERT_EQ(info.slices.size(), 2u);
    for (const auto& s : info.slices) {
        EXPECT_EQ(s.kind, LibraryKind::bsd_ar);
    }
    EXPECT_EQ(info.member_count, 3u);
    EXPECT_TRUE(info.problems.empty()) << problems(info) << " (slices of different CPUs are fine)";
    EXPECT_TRUE(check_for_platform(info, k_macos_arm64).has_value());
    EXPECT_TRUE(check_for_platform(info, k_macos_x64).has_value());
    auto on_linux = check_for_platform(info, k_linux_x64);
    ASSERT_FALSE(on_linux.has_value());
    EXPECT_NE(on_linux.error().message.find("is a universal Mach-O file with slices"),
              std::string::npos)
        << on_linux.error().message;

    LibraryInfo x64_only = inspect("libuniversal_x64_only.a");
    EXPECT_EQ(x64_only.kind, LibraryKind::macho_fat);
    auto missing = check_for_platform(x64_only, k_macos_arm64);
    ASSERT_FALSE(missing.has_value());
    EXPECT_NE(
        missing.error().message.find("with slices x86_64, but macos-arm64 needs Mach-O arm64"),
        std::string::npos)
        << missing.error().message;

    LibraryInfo objects = inspect("universal_objects.o");
    EXPECT_EQ(objects.kind, LibraryKind::macho_fat);
    auto not_archive = check_static_library(objects);
    ASSERT_FALSE(not_archive.has_value());
    EXPECT_NE(not_archive.error().message.find("single object file, not an archive"),
              std::string::npos)
        << not_archive.error().message;
}

TEST(ObjfileLibrary, FlagsMixedArchitectures) {
    LibraryInfo info = inspect("libmixed.a");
    EXPECT_TRUE(
        has_problem(info, "mixed architectures: ELF x86-64 (1 object), ELF AArch64 (1 object)"))
        << problems(info);
    auto r = check_for_platform(info, k_linux_x64);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("holds ELF x86-64 objects and ELF AArch64 objects"),
              std::string::npos)
        << r.error().message;
}

TEST(ObjfileLibrary, RecognisesWindowsLibrary) {
    LibraryInfo info = inspect("libwin.lib");
    EXPECT_EQ(info.kind, LibraryKind::coff_lib);
    EXPECT_EQ(info.formats, std::vector<std::string>{"COFF"});
    EXPECT_EQ(std::string(kind_description(info.kind)), "Windows library (.lib)");
    auto r = check_for_platform(info, k_linux_x64);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("COFF x86-64 objects (a Windows library)"), std::string::npos)
        << r.error().message;
}

TEST(ObjfileLibrary, ReportsMembersThatAreNotObjects) {
    LibraryInfo info = inspect("libx64_notes.a");
    EXPECT_EQ(info.member_count, 2u);
    EXPECT_EQ(info.object_count, 1u);
    EXPECT_TRUE(has_problem(info, "member 'notes.txt' is not an object file")) << problems(info);
    // A stray member does not stop a linker: the library is still usable.
    EXPECT_TRUE(check_for_platform(info, k_linux_x64).has_value());
}

TEST(ObjfileLibrary, SingleObjectIsNotALibrary) {
    LibraryInfo info = inspect("x64_stub.o");
    EXPECT_EQ(info.kind, LibraryKind::object);
    EXPECT_EQ(info.architectures, std::vector<std::string>{"x86-64"});
    auto r = check_static_library(info);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("single object file"), std::string::npos);
}

TEST(ObjfileLibrary, EmptyArchive) {
    LibraryInfo info = inspect_bytes("!<arch>\n");
    EXPECT_EQ(info.kind, LibraryKind::ar);
    EXPECT_EQ(info.member_count, 0u);
    EXPECT_TRUE(has_problem(info, "empty archive")) << problems(info);
    auto r = check_static_library(info);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, ErrorKind::integrity);
    EXPECT_NE(r.error().message.find("'bytes.a' is not a usable static library: it is an empty "
                                     "archive"),
              std::string::npos)
        << r.error().message;
}

TEST(ObjfileLibrary, TextAndOtherFilesAreNotArchives) {
    LibraryInfo text = inspect_bytes("hello, this is not a library\n");
    EXPECT_EQ(text.kind, LibraryKind::not_archive);
    ASSERT_EQ(text.problems.size(), 1u);
    EXPECT_EQ(text.problems[0], "not an archive: it is a text file");
    EXPECT_FALSE(check_static_library(text).has_value());

    EXPECT_TRUE(has_problem(inspect_bytes(""), "the file is empty"));
    EXPECT_TRUE(has_problem(inspect_bytes(std::string("\x1f\x8b\x08\x00\x00\x00", 6)),
                            "gzip-compressed file; extract it first"));
    EXPECT_TRUE(
        has_problem(inspect_bytes("<!DOCTYPE html><html>rate limited</html>"), "HTML page"));
    EXPECT_TRUE(has_problem(inspect_bytes(std::string("\x01\x02\x03\x04\x05", 5)),
                            "unknown format (it starts with bytes 01 02 03 04 05)"));
    LibraryInfo thin = inspect_bytes("!<thin>\n");
    EXPECT_EQ(thin.kind, LibraryKind::thin_ar);
    EXPECT_FALSE(check_static_library(thin).has_value());
}

TEST(ObjfileLibrary, TruncatedArchiveAtEveryLength) {
    const std::string whole = tl::testing::read_file(fixture("libx64.a"));
    ASSERT_GT(whole.size(), 100u);
    // Cut in the middle of the second object: damaged, with a clear problem.
    LibraryInfo half = inspect_bytes(std::string_view(whole).substr(0, whole.size() - 100));
    EXPECT_NE(half.damage, "");
    EXPECT_TRUE(has_problem(half, "truncated or damaged archive")) << problems(half);
    auto r = check_static_library(half);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("download it again"), std::string::npos);
    // Every other cut must give some result without crashing.
    for (std::size_t n = 0; n < whole.size(); ++n) {
        LibraryInfo info = inspect_bytes(std::string_view(whole).substr(0, n));
        EXPECT_FALSE(check_static_library(info).has_value()) << "cut at " << n;
    }
}

TEST(ObjfileLibrary, CorruptedBytesNeverCrash) {
    for (const char* name : {"libx64.a", "libmac_arm64.a", "libuniversal.a", "libwin.lib"}) {
        if (!has_fixture(name)) {
            continue;
        }
        std::string data = tl::testing::read_file(fixture(name));
        for (std::size_t i = 0; i < data.size(); ++i) {
            std::string copy = data;
            copy[i] = static_cast<char>(copy[i] ^ 0xa5);
            LibraryInfo info = inspect_bytes(copy);
            (void)check_for_platform(info, k_linux_x64);
            copy[i] = '\xff';
            info = inspect_bytes(copy);
            (void)check_for_platform(info, k_macos_arm64);
        }
    }
}

TEST(ObjfileLibrary, LyingOffsetsBecomeProblems) {
    auto patch = [](std::string data, std::size_t at, std::string_view bytes) {
        data.replace(at, bytes.size(), bytes);
        return data;
    };
    // ELF: e_shoff (64-bit, little-endian, at 40) far past the end.
    std::string elf = tl::testing::read_file(fixture("x64_stub.o"));
    LibraryInfo e = inspect_bytes(patch(elf, 40, std::string("\0\0\0\0\xff\xff\0\0", 8)));
    EXPECT_EQ(e.kind, LibraryKind::object);
    EXPECT_EQ(
        e.damage,
        "the file is a damaged ELF object: section header table lies past the end of the file");
    // Mach-O: sizeofcmds (at 20) larger than the file.
    std::string macho = tl::testing::read_file(fixture("mac_arm64_stub.o"));
    LibraryInfo m = inspect_bytes(patch(macho, 20, std::string("\xff\xff\xff\0", 4)));
    EXPECT_EQ(m.architectures, std::vector<std::string>{"arm64"});
    EXPECT_NE(m.damage.find("load commands lie past the end of the file"), std::string::npos)
        << m.damage;
    // Universal file: the first slice's offset (big-endian, at 16) past the end.
    if (has_fixture("libuniversal.a")) {
        std::string fat = tl::testing::read_file(fixture("libuniversal.a"));
        LibraryInfo f = inspect_bytes(patch(fat, 16, std::string("\xff\xff\xff\0", 4)));
        EXPECT_EQ(f.kind, LibraryKind::macho_fat);
        EXPECT_NE(f.damage.find("lies past the end of the file"), std::string::npos) << f.damage;
        EXPECT_FALSE(check_for_platform(f, k_macos_arm64).has_value());
    }
}

// Everything a LibraryInfo says, for comparing two readings of one file.
std::string describe_all(const LibraryInfo& i) {
    std::string s = std::string(kind_name(i.kind)) + " members " + std::to_string(i.member_count) +
                    " objects " + std::to_string(i.object_count);
    for (const auto& g : i.groups) {
        s += " [" + g.slice + " " + describe(g.id) + " x" + std::to_string(g.objects) + "]";
    }
    for (const auto& sl : i.slices) {
        s += " {" + sl.id.arch_name + " " + kind_name(sl.kind) + "}";
    }
    s += " damage: " + i.damage + problems(i);
    for (const auto& f : i.functions) {
        s += " " + f;
    }
    return s;
}

TEST(ObjfileLibrary, StreamInPiecesReadsWhatTheWholeFileSays) {
    // The install reads libraries as they are extracted, in whatever pieces
    // arrive: with members held whole, any split gives the same reading as the
    // mapped file; identified by headers only, the same kind, objects and CPUs
    // (without functions). Cuts must be caught both ways.
    for (const char* name :
         {"libx64.a", "libarm64.a", "libmixed.a", "libx64_notes.a", "libmac_arm64.a",
          "libmac_x64.a", "libuniversal.a", "libwin.lib", "x64_stub.o"}) {
        if (!has_fixture(name)) {
            continue;
        }
        const std::string data = tl::testing::read_file(fixture(name));
        for (std::size_t cut : {data.size(), data.size() - 1, data.size() / 2, std::size_t{70}}) {
            std::string_view bytes = std::string_view(data).substr(0, cut);
            LibraryInfo whole = inspect_bytes(bytes);
            for (std::size_t piece :
                 {std::size_t{1}, std::size_t{7}, std::size_t{61}, std::size_t{4096}}) {
                LibraryStream held("bytes.a", std::uint64_t{1} << 30);
                LibraryStream headers("bytes.a");
                for (std::size_t at = 0; at < bytes.size(); at += piece) {
                    held.feed(bytes.substr(at, piece));
                    headers.feed(bytes.substr(at, piece));
                }
                LibraryInfo h = held.finish();
                EXPECT_EQ(describe_all(h), describe_all(whole))
                    << name << " cut at " << cut << " in pieces of " << piece;
                LibraryInfo o = headers.finish();
                EXPECT_EQ(o.kind, whole.kind) << name;
                EXPECT_EQ(o.object_count, whole.object_count) << name;
                EXPECT_EQ(o.architectures, whole.architectures) << name;
                EXPECT_EQ(check_static_library(o).has_value(),
                          check_static_library(whole).has_value())
                    << name << " cut at " << cut << " in pieces of " << piece;
            }
        }
    }
}

TEST(ObjfileLibrary, MissingFileIsNotFound) {
    auto r = inspect_library("/nonexistent/libnothing.a");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, ErrorKind::not_found);
    EXPECT_EQ(r.error().message,
              "cannot open library '/nonexistent/libnothing.a': no such file or directory; check "
              "the path");
}

TEST(ObjfileLibrary, PrintableEscapesControlBytes) {
    EXPECT_EQ(printable("a\x1b[31mb"), "a\\x1b[31mb");
    EXPECT_EQ(printable(std::string(300, 'x')).size(), 203u);
}

TEST(ObjfileAbi, StubLibraryImplementsHeader) {
    tl::testing::TestDir dir;
    tl::testing::write_file(dir / "api.h", tl::testing::stub_header());
    EXPECT_EQ(parse_header_functions(tl::testing::stub_header()),
              (std::vector<std::string>{"tl_alpha", "tl_beta", "tl_gamma"}));
    auto ok = abi_check_files(dir / "api.h", {fixture("libx64.a")});
    ASSERT_TRUE(ok.has_value()) << ok.error().message;
    EXPECT_TRUE(ok->ok());
    EXPECT_EQ(ok->functions.size(), 3u);

    auto macho = abi_check_files(dir / "api.h", {fixture("libmac_arm64.a")});
    ASSERT_TRUE(macho.has_value());
    EXPECT_TRUE(macho->ok()) << "Mach-O names are compared without their underscore";

    auto missing = abi_check_files(dir / "api.h", {fixture("libx64_no_beta.a")});
    ASSERT_TRUE(missing.has_value());
    EXPECT_EQ(missing->missing, std::vector<std::string>{"tl_beta"});

    // A function may live in any of the libraries.
    auto split = abi_check_files(dir / "api.h", {fixture("libx64_no_beta.a"), fixture("libx64.a")});
    ASSERT_TRUE(split.has_value());
    EXPECT_TRUE(split->ok());
}

TEST(ObjfileAbi, FailsOnBadInputs) {
    tl::testing::TestDir dir;
    tl::testing::write_file(dir / "empty.h", "/* nothing */\n#define X 1\n");
    tl::testing::write_file(dir / "api.h", tl::testing::stub_header());
    tl::testing::write_file(dir / "text.a", "text\n");
    auto none = abi_check_files(dir / "empty.h", {fixture("libx64.a")});
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().kind, ErrorKind::usage);
    EXPECT_NE(none.error().message.find("declares no function"), std::string::npos);
    auto no_header = abi_check_files(dir / "missing.h", {fixture("libx64.a")});
    ASSERT_FALSE(no_header.has_value());
    EXPECT_EQ(no_header.error().kind, ErrorKind::not_found);
    auto bad_lib = abi_check_files(dir / "api.h", {dir / "text.a"});
    ASSERT_FALSE(bad_lib.has_value());
    EXPECT_EQ(bad_lib.error().kind, ErrorKind::integrity);
}

// ---------------------------------------------------------------------------
// The commands, through the real binary.

namespace {

tl::testing::ProcessResult tool(std::vector<std::string> args) {
    args.insert(args.begin(), tl::testing::tool_path());
    return tl::testing::run_process(args);
}

}  // namespace

TEST(InspectCommand, DescribesLibrary) {
    auto r = tool({"inspect", fixture("libx64.a").string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(": GNU ar archive\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  architectures x86-64\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  members       2\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  objects       2 (2 ELF x86-64)\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  functions     6 defined global functions\n"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("  problems      none\n"), std::string::npos) << r.out;
    EXPECT_EQ(r.err, "");
}

TEST(InspectCommand, PlatformMismatchExitsIntegrity) {
    auto ok = tool({"inspect", "--platform", "linux-x64", fixture("libx64.a").string()});
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_NE(ok.out.find("platform      linux-x64: matches"), std::string::npos) << ok.out;

    auto r = tool({"inspect", "--platform", "linux-arm64", fixture("libx64.a").string()});
    EXPECT_EQ(r.exit_code, 5);
    EXPECT_NE(r.out.find("platform      linux-arm64: does not match"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("holds ELF x86-64 objects, but linux-arm64 needs "
                         "ELF AArch64 objects: this library is for linux-x64; use the linux-arm64 "
                         "one"),
              std::string::npos)
        << r.err;

    auto bad = tool({"inspect", "--platform", "windows-x64", fixture("libx64.a").string()});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("unknown platform 'windows-x64'"), std::string::npos) << bad.err;
}

TEST(InspectCommand, JsonDocument) {
    tl::testing::TestDir dir;
    tl::testing::write_file(dir / "text.a", "not a library\n");
    auto r = tool({"inspect", "--json", "--functions", fixture("libarm64.a").string(),
                   (dir / "text.a").string()});
    EXPECT_EQ(r.exit_code, 5) << "one of the files is not a library";
    auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["libraries"].size(), 2u);
    const auto& lib = doc["libraries"][0];
    EXPECT_EQ(lib["kind"], "gnu_ar");
    EXPECT_EQ(lib["architectures"], nlohmann::json::array({"AArch64"}));
    EXPECT_EQ(lib["functions"], 5);
    EXPECT_EQ(lib["function_names"][0], "tl_alpha");
    EXPECT_EQ(lib["ok"], true);
    const auto& text = doc["libraries"][1];
    EXPECT_EQ(text["kind"], "not_archive");
    EXPECT_EQ(text["ok"], false);
    EXPECT_EQ(text["error"]["kind"], "integrity");
    EXPECT_EQ(doc["ok"], false);
    EXPECT_NE(r.err.find("is not a usable static library: not an archive: it is a text file"),
              std::string::npos)
        << r.err;
}

TEST(InspectCommand, MissingFileExitsNotFound) {
    auto r = tool({"inspect", "/nonexistent/lib.a"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("cannot open library '/nonexistent/lib.a'"), std::string::npos) << r.err;
}

TEST(InspectCommand, HelpTeaches) {
    auto r = tool({"inspect", "--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("--platform"), std::string::npos);
    EXPECT_NE(r.out.find("Examples:"), std::string::npos);
    EXPECT_NE(r.out.find("mixed architectures"), std::string::npos);
    auto abi = tool({"abi-check", "--help"});
    EXPECT_EQ(abi.exit_code, 0);
    EXPECT_NE(abi.out.find("--header"), std::string::npos);
    EXPECT_NE(abi.out.find("temporal-libs abi-check --header"), std::string::npos);
}

TEST(AbiCheckCommand, PassesAndFails) {
    tl::testing::TestDir dir;
    const std::string header = (dir / "api.h").string();
    tl::testing::write_file(header, tl::testing::stub_header());

    auto ok = tool({"abi-check", "--header", header, "--lib", fixture("libx64.a").string()});
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_EQ(ok.out, "ok: all 3 functions declared in '" + header + "' are defined in '" +
                          fixture("libx64.a").string() + "'\n");

    auto missing =
        tool({"abi-check", "--header", header, "--lib", fixture("libx64_no_beta.a").string()});
    EXPECT_EQ(missing.exit_code, 7);
    EXPECT_EQ(missing.out, "missing: tl_beta\n");
    EXPECT_NE(missing.err.find("1 of 3 functions declared in '" + header + "' is not defined in"),
              std::string::npos)
        << missing.err;

    auto json =
        tool({"abi-check", "--json", "--header", header, "--lib",
              fixture("libx64_no_beta.a").string(), "--lib", fixture("libmac_arm64.a").string()});
    EXPECT_EQ(json.exit_code, 0) << json.err;
    auto doc = nlohmann::json::parse(json.out);
    EXPECT_EQ(doc["ok"], true);
    EXPECT_EQ(doc["functions"], 3);
    EXPECT_TRUE(doc["missing"].empty());
}
