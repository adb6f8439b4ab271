#include "support/objfile_fixtures.hpp"

#include <unistd.h>

#include <stdexcept>

#include "support/test_util.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/sha256.hpp"

namespace tl::testing {

namespace {

const char* const k_header = R"(#pragma once
#include <stdint.h>

typedef struct TlThing TlThing;

/* Called when done: void tl_not_declared(void); */
typedef void (*TlCallback)(void *user_data, int32_t status);

#ifdef __cplusplus
extern "C" {
#endif

int tl_alpha(int a);

TlThing *tl_beta(const char *name,
                 TlCallback callback);

void tl_gamma(void);

#ifdef __cplusplus
}
#endif
)";

// Builds every fixture in the current directory. Each library holds the stub
// and a second object with a long name (so GNU ar writes its name table).
const char* const k_script = R"SH(
set -e
cat > stub.c <<'EOF'
typedef struct TlThing TlThing;
typedef void (*TlCallback)(void *user_data, int status);
static int helper(int a) { return a * 2; }
int tl_counter = 3;
int tl_alpha(int a) { return helper(a) + tl_counter; }
#ifndef OMIT_BETA
TlThing *tl_beta(const char *name, TlCallback callback) { (void)name; (void)callback; return 0; }
#endif
void tl_gamma(void) {}
__attribute__((weak)) int tl_weak(void) { return 1; }
extern int tl_elsewhere(void);
int tl_calls_elsewhere(void) { return tl_elsewhere(); }
EOF
cat > extra.c <<'EOF'
void tl_extra(void) {}
EOF
find_tool() {
  for t in "$@"; do
    if command -v "$t" >/dev/null 2>&1; then echo "$t"; return 0; fi
    if [ -x "/usr/lib/llvm-14/bin/$t" ]; then echo "/usr/lib/llvm-14/bin/$t"; return 0; fi
  done
  return 0
}
LLVM_AR=$(find_tool llvm-ar llvm-ar-14)
LIPO=$(find_tool llvm-lipo llvm-lipo-14 lipo)
AARCH64_CC=$(find_tool aarch64-linux-gnu-gcc)
[ -n "$AARCH64_CC" ] || AARCH64_CC="clang -target aarch64-linux-gnu"

# GNU ar, x86-64 ELF (the host toolchain)
gcc -c -O1 stub.c -o x64_stub.o
gcc -c -O1 extra.c -o x64_object_with_a_long_member_name.o
ar rcs libx64.a x64_stub.o x64_object_with_a_long_member_name.o
gcc -c -O1 -DOMIT_BETA stub.c -o x64_stub_no_beta.o
ar rcs libx64_no_beta.a x64_stub_no_beta.o
printf 'not an object\n' > notes.txt
ar rcs libx64_notes.a x64_stub.o notes.txt

# GNU ar, AArch64 ELF (the cross compiler, else clang)
$AARCH64_CC -c -O1 stub.c -o arm64_stub.o
$LLVM_AR rcs libarm64.a arm64_stub.o
$LLVM_AR rcs libmixed.a x64_stub.o arm64_stub.o

# BSD ar, Mach-O (clang cross-compiles objects for macOS)
clang -target arm64-apple-macos11 -c -O1 stub.c -o mac_arm64_stub.o
clang -target x86_64-apple-macos10.15 -c -O1 stub.c -o mac_x64_stub.o
clang -target x86_64-apple-macos10.15 -c -O1 extra.c -o mac_x64_object_with_a_long_member_name.o
$LLVM_AR --format=darwin rcs libmac_arm64.a mac_arm64_stub.o
$LLVM_AR --format=darwin rcs libmac_x64.a mac_x64_stub.o mac_x64_object_with_a_long_member_name.o
if [ -n "$LIPO" ]; then
  $LIPO -create libmac_arm64.a libmac_x64.a -output libuniversal.a
  $LIPO -create libmac_x64.a -output libuniversal_x64_only.a
  $LIPO -create mac_arm64_stub.o mac_x64_stub.o -output universal_objects.o
fi

# A Windows .lib: an ar archive of COFF objects
clang -target x86_64-pc-windows-msvc -c -O1 extra.c -o win_extra.obj
$LLVM_AR rcs libwin.lib win_extra.obj
)SH";

fs::path build_dir() {
    return fs::path(tool_path()).parent_path() / "test-fixtures";
}

fs::path build_fixtures() {
    const fs::path dir = build_dir() / ("objfile-" + util::sha256_hex(k_script).substr(0, 16));
    if (fs::exists(dir / "libx64.a")) {
        return dir;
    }
    fs::create_directories(build_dir());
    // Built beside the target and renamed into place, so parallel test
    // processes either see the whole folder or build their own copy.
    const fs::path tmp = util::unique_sibling(build_dir(), ".objfile-tmp");
    fs::create_directories(tmp);
    ProcessResult r = run_process({"sh", "-c", k_script}, {}, tmp);
    if (r.exit_code != 0) {
        util::remove_tree(tmp);
        throw std::runtime_error("building the objfile fixtures failed:\n" + r.out + r.err);
    }
    std::error_code ec;
    fs::rename(tmp, dir, ec);
    if (ec) {
        util::remove_tree(tmp);  // another process got there first
    }
    return dir;
}

}  // namespace

const fs::path& objfile_fixtures() {
    static const fs::path dir = build_fixtures();
    return dir;
}

fs::path fixture(const std::string& name) {
    return objfile_fixtures() / name;
}

bool has_fixture(const std::string& name) {
    return fs::exists(fixture(name));
}

const std::string& stub_header() {
    static const std::string header = k_header;
    return header;
}

}  // namespace tl::testing
