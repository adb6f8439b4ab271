#!/usr/bin/env bash
# Makes the npm packages of temporal-libs from the portable release binaries:
# one package per platform, @temporal-libs/cli-<os>-<cpu> (npm's os and cpu
# names: linux-x64, linux-arm64, darwin-arm64, darwin-x64) holding the
# executable, and the main package temporal-libs (the launcher and the typed
# API, npm/temporal-libs) whose optionalDependencies name them. All carry the
# tool's version. Writes what `npm pack` makes into OUT; see docs/npm.md.
#
#   bash scripts/npm-packages.sh [--dist DIR] [--out DIR] [--require-all]
#
# DIR (default dist/cli) holds the archives scripts/release-binaries.sh writes,
# temporal-libs-<version>-<platform>.tar.gz, each with one top directory holding
# the executable temporal-libs and licenses/. A package is made for each
# platform present; the main package always, naming the platforms present
# (--require-all: fail unless all four are, as a release must). OUT defaults to
# dist/npm and is emptied of *.tgz first. Needs node and npm.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="$root/dist/cli"
out="$root/dist/npm"
require_all=0
die() { echo "npm-packages.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist="${2:?--dist needs a directory}"; shift 2 ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    --require-all) require_all=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
command -v node >/dev/null || die "node not found (install Node.js >= 18)"
command -v npm >/dev/null || die "npm not found"

# The tool's version: CMake's project version, which `temporal-libs --version` prints.
version="$(sed -n 's/^project(temporal-libs VERSION \([0-9][0-9.]*\).*/\1/p' "$root/CMakeLists.txt")"
[ -n "$version" ] || die "no 'project(temporal-libs VERSION x.y.z' in $root/CMakeLists.txt"

# tool platform -> npm os-cpu
npm_name() {
  case "$1" in
    linux-x64) echo linux-x64 ;; linux-arm64) echo linux-arm64 ;;
    macos-arm64) echo darwin-arm64 ;; macos-x64) echo darwin-x64 ;;
    *) return 1 ;;
  esac
}

work="$(mktemp -d "${TMPDIR:-/tmp}/tl-npm-packages.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out"/*.tgz

present=()
shopt -s nullglob
for archive in "$dist"/temporal-libs-*.tar.gz; do
  base="$(basename "$archive" .tar.gz)"
  platform=""
  for p in linux-x64 linux-arm64 macos-arm64 macos-x64; do
    case "$base" in *-"$p") platform="$p" ;; esac
  done
  [ -n "$platform" ] || die "'$archive': no platform in its name (temporal-libs-<version>-<platform>.tar.gz)"
  archive_version="${base#temporal-libs-}"
  archive_version="${archive_version%-"$platform"}"
  archive_version="${archive_version#v}"
  [ "$archive_version" = "$version" ] ||
    die "'$archive' is version $archive_version but the tool is $version (CMakeLists.txt); the packages move in lockstep with the tool: rebuild the binaries"
  npm_platform="$(npm_name "$platform")"
  os="${npm_platform%-*}"; cpu="${npm_platform#*-}"

  x="$work/x-$platform"
  mkdir -p "$x"
  tar -xzf "$archive" -C "$x"
  top="$x/$base"
  [ -f "$top/temporal-libs" ] || die "'$archive' has no $base/temporal-libs"
  [ -d "$top/licenses" ] || die "'$archive' has no $base/licenses/"

  pkg="$work/pkg-$npm_platform"
  mkdir -p "$pkg/bin"
  cp "$top/temporal-libs" "$pkg/bin/temporal-libs"
  chmod 0755 "$pkg/bin/temporal-libs"
  cp -R "$top/licenses" "$pkg/licenses"

  # The executable must be what the package says it is; a host-runnable one
  # must print this version.
  if [ "$platform" = "$(case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) echo linux-x64 ;; Linux-aarch64) echo linux-arm64 ;;
      Darwin-arm64) echo macos-arm64 ;; Darwin-x86_64) echo macos-x64 ;; esac)" ]; then
    printed="$("$pkg/bin/temporal-libs" --version)" || die "'$archive': its temporal-libs does not run"
    [ "$printed" = "temporal-libs $version" ] ||
      die "'$archive': temporal-libs --version prints '$printed', not 'temporal-libs $version'"
  fi

  TL_BIN="$pkg/bin/temporal-libs" TL_OS="$os" TL_CPU="$cpu" TL_VERSION="$version" \
  TL_PLATFORM="$platform" TL_TEMPLATE="$root/npm/platform" TL_PKG="$pkg" node - <<'JS' || exit 2
const fs = require("node:fs");
const path = require("node:path");
const e = process.env;
const die = (m) => { process.stderr.write(`npm-packages.sh: ${e.TL_PLATFORM}: ${m}\n`); process.exit(2); };

// What the executable is: the ELF machine must match the cpu, and its program
// interpreter (none: fully static) decides the libc field.
const b = fs.readFileSync(e.TL_BIN);
let libc = null;
let libcNote = "";
if (e.TL_OS === "linux") {
  if (b.readUInt32BE(0) !== 0x7f454c46) die("bin/temporal-libs is not an ELF executable");
  if (b[4] !== 2 || b[5] !== 1) die("bin/temporal-libs is not a 64-bit little-endian ELF file");
  const machine = b.readUInt16LE(18);
  const want = { x64: 62, arm64: 183 }[e.TL_CPU];
  if (machine !== want) die(`bin/temporal-libs is for ELF machine ${machine}, not ${e.TL_CPU} (${want})`);
  const phoff = Number(b.readBigUInt64LE(32));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  let interp = null;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (b.readUInt32LE(at) === 3) { // PT_INTERP
      const off = Number(b.readBigUInt64LE(at + 8));
      const size = Number(b.readBigUInt64LE(at + 32));
      interp = b.subarray(off, off + size).toString("latin1").replace(/\0+$/, "");
    }
  }
  if (interp === null) {
    libcNote = "It is fully static (no libc needed), so the package carries no `libc` field and installs on glibc and musl systems alike.";
  } else if (/ld-musl/.test(interp)) {
    libc = ["musl"];
    libcNote = `It is linked against musl (${interp}), so the package installs on musl systems only.`;
  } else if (/ld-linux/.test(interp)) {
    libc = ["glibc"];
    libcNote = `It is linked against glibc (${interp}), so the package installs on glibc systems only.`;
  } else {
    die(`bin/temporal-libs has an unknown program interpreter '${interp}'`);
  }
} else {
  const magic = b.readUInt32LE(0);
  if (magic !== 0xfeedfacf && magic !== 0xcafebabe && magic !== 0xbebafeca) {
    die("bin/temporal-libs is not a Mach-O executable");
  }
}

const fill = (s) => s.replaceAll("OS-CPU", `${e.TL_OS}-${e.TL_CPU}`).replaceAll("VERSION", e.TL_VERSION)
  .replaceAll("TOOL_PLATFORM", e.TL_PLATFORM).replaceAll("LIBC_NOTE", libcNote);
const pkg = JSON.parse(fs.readFileSync(path.join(e.TL_TEMPLATE, "package.json"), "utf8"));
pkg.name = `@temporal-libs/cli-${e.TL_OS}-${e.TL_CPU}`;
pkg.version = e.TL_VERSION;
pkg.description = fill(pkg.description);
pkg.os = [e.TL_OS];
pkg.cpu = [e.TL_CPU];
if (libc) pkg.libc = libc;
fs.writeFileSync(path.join(e.TL_PKG, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
fs.writeFileSync(path.join(e.TL_PKG, "README.md"),
  fill(fs.readFileSync(path.join(e.TL_TEMPLATE, "README.md"), "utf8")));
JS
  (cd "$pkg" && npm pack --silent --pack-destination "$out" >/dev/null)
  present+=("$npm_platform")
  echo "@temporal-libs/cli-$npm_platform@$version (from $(basename "$archive"))"
done

if [ ${#present[@]} -lt 4 ]; then
  missing=""
  for p in linux-x64 linux-arm64 darwin-arm64 darwin-x64; do
    case " ${present[*]:-} " in *" $p "*) ;; *) missing="$missing $p" ;; esac
  done
  [ "$require_all" = 0 ] || die "--require-all: no archive in '$dist' for:$missing"
  echo "npm-packages.sh: warning: no archive in '$dist' for:$missing; the main package names only the platforms present" >&2
fi

main="$work/pkg-main"
cp -R "$root/npm/temporal-libs" "$main"
TL_VERSION="$version" TL_PLATFORMS="${present[*]:-}" TL_PKG="$main" node - <<'JS' || exit 2
const fs = require("node:fs");
const file = `${process.env.TL_PKG}/package.json`;
const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
pkg.version = process.env.TL_VERSION;
pkg.optionalDependencies = {};
for (const p of process.env.TL_PLATFORMS.split(" ").filter(Boolean)) {
  pkg.optionalDependencies[`@temporal-libs/cli-${p}`] = process.env.TL_VERSION;
}
if (pkg.scripts) {
  process.stderr.write("npm-packages.sh: npm/temporal-libs/package.json has scripts; the packages run no install scripts\n");
  process.exit(2);
}
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
JS
(cd "$main" && npm pack --silent --pack-destination "$out" >/dev/null)
echo "temporal-libs@$version (optionalDependencies: ${present[*]:-none})"
ls -1 "$out"/*.tgz
