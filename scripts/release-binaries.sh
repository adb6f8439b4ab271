#!/usr/bin/env bash
# Builds the portable release binaries of temporal-libs: one static executable
# per platform, no run-time dependency (not even the C library), and writes
#
#   dist/cli/temporal-libs-<version>-<platform>.tar.gz
#       temporal-libs-<version>-<platform>/temporal-libs   (stripped, 0755)
#       temporal-libs-<version>-<platform>/licenses/<component>.txt
#   dist/cli/temporal-libs-<version>-<platform>             (the same binary)
#   dist/cli/temporal-libs_<version>_<arch>.deb             (with --deb)
#
# Usage: bash scripts/release-binaries.sh [--platform linux-x64|linux-arm64|all] [--deb]
#
# linux-arm64 is cross-compiled (g++-aarch64-linux-gnu, arm64 multiarch -dev
# packages). How it works, what is linked and why: docs/portable-binaries.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
: "${TL_CI_CACHE:=/var/cache/temporal-libs-ci}"
export TL_CI_CACHE

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

host_platform() {
  local os cpu
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=macos ;; *) os=unknown ;; esac
  case "$(uname -m)" in x86_64|amd64) cpu=x64 ;; aarch64|arm64) cpu=arm64 ;; *) cpu=unknown ;; esac
  echo "$os-$cpu"
}

platform=""
deb=0
while [ $# -gt 0 ]; do
  case "$1" in
    --platform) platform="${2:?--platform needs a value}"; shift 2 ;;
    --platform=*) platform="${1#*=}"; shift ;;
    --deb) deb=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "release-binaries: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$platform" ] || platform="$(host_platform)"
case "$platform" in
  all) platforms=(linux-x64 linux-arm64) ;;
  linux-x64|linux-arm64) platforms=("$platform") ;;
  macos-arm64|macos-x64)
    echo "release-binaries: $platform is built on a macOS runner by the release workflow; this script builds linux-x64 and linux-arm64" >&2
    exit 2 ;;
  *) echo "release-binaries: unsupported platform '$platform' (linux-x64, linux-arm64 or all)" >&2; exit 2 ;;
esac
[ "$(uname -s)" = Linux ] && command -v dpkg >/dev/null \
  || { echo "release-binaries: needs a Debian or Ubuntu machine (dpkg, apt-get source)" >&2; exit 2; }

version="$(sed -n 's/^project(temporal-libs VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)"
[ -n "$version" ] || { echo "release-binaries: no version in CMakeLists.txt's project()" >&2; exit 1; }

step() { printf '==> %s\n' "$*" >&2; }

step "installing the build dependencies (scripts/deps/portable.txt)"
bash scripts/install-deps.sh portable >&2

# One licence notice per third-party component linked into the executable:
# <name in licenses/> <Debian packages whose copyright file it is, first found>.
# curl, libarchive and libisal are rebuilt from source; their notices come from
# the source packages (build-deps.sh keeps them beside the libraries).
system_licenses=(
  "openssl libssl3 libssl-dev"
  "libsodium libsodium23 libsodium-dev"
  "zstd libzstd1 libzstd-dev"
  "zlib zlib1g zlib1g-dev"
  "c-ares libc-ares2 libc-ares-dev"
  "glibc libc6 libc6-dev"
  "libstdc++ libstdc++6 gcc-12-base"
  "nlohmann-json nlohmann-json3-dev"
  "cli11 libcli11-dev"
  "tomlplusplus libtomlplusplus-dev libtomlplusplus3"
)

build_one() {
  local plat="$1" arch preset strip_tool
  case "$plat" in
    linux-x64) arch=amd64; strip_tool="strip" ;;
    linux-arm64) arch=arm64; strip_tool=aarch64-linux-gnu-strip ;;
  esac
  preset="portable-$plat"

  step "$plat: static libraries (cache: $TL_CI_CACHE/portable/$arch)"
  local deps prefixes=() name prefix
  deps="$(bash scripts/portable/build-deps.sh "$arch")"
  while read -r name prefix; do prefixes+=("$prefix"); done <<<"$deps"
  local joined
  joined="$(IFS=';'; echo "${prefixes[*]}")"

  step "$plat: building temporal-libs $version (preset $preset)"
  local launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  local stage="$root/build-portable-$plat/stage"
  local top="temporal-libs-$version-$plat"
  rm -rf "$stage"
  mkdir -p "$stage/$top/licenses"

  # Licence notices first: the .deb installs them too.
  while read -r name prefix; do
    cp "$prefix/share/copyright" "$stage/$top/licenses/$name.txt"
  done <<<"$deps"
  local entry lic pkg found
  for entry in "${system_licenses[@]}"; do
    read -r lic pkg <<<"$entry"
    found=""
    for pkg in ${entry#* }; do
      if [ -f "/usr/share/doc/$pkg/copyright" ]; then found="/usr/share/doc/$pkg/copyright"; break; fi
    done
    [ -n "$found" ] || { echo "release-binaries: no copyright file for $lic (looked in /usr/share/doc/{${entry#* }})" >&2; exit 1; }
    cp "$found" "$stage/$top/licenses/$lic.txt"
  done
  chmod 644 "$stage/$top/licenses/"*.txt

  cmake --preset "$preset" -DTL_PORTABLE_DEPS="$joined" \
    -DTL_PORTABLE_LICENSES="$stage/$top/licenses" "${launcher[@]}" >&2
  # The manual page and shell completions the package installs are written by
  # the built tool (temporal-libs-docs), so only where it runs: not when
  # cross-compiling, where CMakeLists.txt leaves them out of install().
  local targets=(temporal-libs)
  [ "$plat" = "$(host_platform)" ] && targets+=(temporal-libs-docs)
  cmake --build --preset "$preset" -j"${TL_JOBS:-$(nproc)}" --target "${targets[@]}" >&2

  local bin="$root/build-portable-$plat/temporal-libs"
  install -m 755 "$bin" "$stage/$top/temporal-libs"
  "$strip_tool" --strip-all "$stage/$top/temporal-libs"

  mkdir -p dist/cli
  local tarball="dist/cli/$top.tar.gz"
  # Reproducible: fixed owner, order and time (the commit's, when there is one).
  local mtime
  mtime="@$(git log -1 --format=%ct 2>/dev/null || echo 0)"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" \
    -C "$stage" -cf - "$top" | gzip -n -9 > "$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  install -m 755 "$stage/$top/temporal-libs" "dist/cli/$top"
  step "$plat: $(stat -c %s "dist/cli/$top") bytes stripped -> $tarball"
  echo "$tarball"

  if [ "$deb" -eq 1 ]; then
    step "$plat: Debian package (CPack)"
    (cd "build-portable-$plat" && cpack -G DEB -B "$root/build-portable-$plat/cpack" >&2)
    local debfile="temporal-libs_${version}_${arch}.deb"
    mv "build-portable-$plat/cpack/$debfile" "dist/cli/$debfile"
    echo "dist/cli/$debfile"
  fi
}

for p in "${platforms[@]}"; do
  build_one "$p"
done
