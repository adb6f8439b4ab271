#!/usr/bin/env bash
# The linux-arm64 portable release binary: cross-compiled by
# scripts/release-binaries.sh (Debian's aarch64 cross toolchain, arm64
# multiarch -dev packages) with its arm64 .deb, a static aarch64 executable
# (at most 8 MiB), run under
# qemu-aarch64-static: --version, inspect of an arm64 library, and a download
# from the fake GitHub on 127.0.0.1 with --platform linux-arm64.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$TL_SOURCE_DIR/scripts/portable/fixtures.sh"
tl_scratch

version="$(tl_project_version)"
top="temporal-libs-$version-linux-arm64"
tarball="$TL_SOURCE_DIR/dist/cli/$top.tar.gz"

tl_check "bash scripts/release-binaries.sh --platform linux-arm64 --deb"
start=$SECONDS
bash "$TL_SOURCE_DIR/scripts/release-binaries.sh" --platform linux-arm64 --deb >"$TL_SCRATCH/release.out" \
  || tl_fail "release-binaries.sh failed"
echo "   built in $((SECONDS - start)) s"
[ -s "$tarball" ] || tl_fail "no $tarball"
deb="$TL_SOURCE_DIR/dist/cli/temporal-libs_${version}_arm64.deb"
[ -s "$deb" ] || tl_fail "no $deb"
[ "$(dpkg-deb -f "$deb" Architecture)" = arm64 ] || tl_fail "the package is not Architecture: arm64"
[ -z "$(dpkg-deb -f "$deb" Depends)" ] || tl_fail "the package declares dependencies"
tar -xzf "$tarball" -C "$TL_SCRATCH"
bin="$TL_SCRATCH/$top/temporal-libs"
[ -x "$bin" ] || tl_fail "no executable $top/temporal-libs in the tarball"

tl_check "a static aarch64 executable"
file "$bin" | tee "$TL_SCRATCH/file.out" | sed 's/^/   /'
grep -q 'ARM aarch64' "$TL_SCRATCH/file.out" || tl_fail "not an aarch64 executable"
grep -q "statically linked" "$TL_SCRATCH/file.out" || tl_fail "file does not call it statically linked"
tl_check_static "$bin" aarch64-linux-gnu-readelf || tl_fail "dynamic dependencies left"
tl_check "stripped size (at most 8 MiB)"
tl_check_size "$bin" || tl_fail "the binary grew past 8 MiB"

qemu=(qemu-aarch64-static)
tl_check "--version under qemu-aarch64-static"
"${qemu[@]}" "$bin" --version | tee "$TL_SCRATCH/version.out" | sed 's/^/   /'
grep -qw "$version" "$TL_SCRATCH/version.out" || tl_fail "--version does not print $version"

tl_check "inspect of an arm64 static library (aarch64-linux-gnu-gcc + ar)"
echo 'int tl_arm64_probe(int x) { return x * 2; }' >"$TL_SCRATCH/probe.c"
aarch64-linux-gnu-gcc -c -O2 "$TL_SCRATCH/probe.c" -o "$TL_SCRATCH/probe.o"
aarch64-linux-gnu-ar rcs "$TL_SCRATCH/libprobe.a" "$TL_SCRATCH/probe.o"
"${qemu[@]}" "$bin" inspect "$TL_SCRATCH/libprobe.a" --functions --platform linux-arm64 --json >"$TL_SCRATCH/inspect.json" \
  || tl_fail "inspect failed: $(cat "$TL_SCRATCH/inspect.json")"
grep -q 'tl_arm64_probe' "$TL_SCRATCH/inspect.json" || tl_fail "inspect does not list tl_arm64_probe"
grep -q '"AArch64"' "$TL_SCRATCH/inspect.json" || tl_fail "inspect does not name the architecture"
echo "   AArch64, tl_arm64_probe, --platform linux-arm64 ok"

tl_check "download --platform linux-arm64 from the fake GitHub (127.0.0.1) under qemu"
mkdir -p "$TL_SCRATCH/releases"
tl_fake_release linux-arm64 aarch64-linux-gnu-gcc "$TL_SCRATCH/releases" 0.0.1
tl_fake_github "$TL_SCRATCH/releases"
trap 'rc=$?; kill "$TL_FAKE_PID" 2>/dev/null || true
      if [ $rc -eq 0 ]; then rm -rf "$TL_SCRATCH"; else echo "kept $TL_SCRATCH" >&2; fi' EXIT
env -i PATH=/usr/bin:/bin HOME="$TL_SCRATCH" TEMPORAL_LIBS_API_URL="$TL_FAKE_API" \
  TEMPORAL_LIBS_CACHE_DIR="$TL_SCRATCH/cache" "${qemu[@]}" "$bin" download --version v0.0.1 \
  --platform linux-arm64 >"$TL_SCRATCH/download.out" 2>&1 \
  || { cat "$TL_SCRATCH/download.out" >&2; tl_fail "download under qemu failed"; }
[ -s "$TL_SCRATCH/cache/temporal-libs-v0.0.1/linux-arm64/libtemporalio_sdk_core_c_bridge.a" ] \
  || { cat "$TL_SCRATCH/download.out" >&2; tl_fail "the library is not in the cache"; }
echo "portable linux-arm64: ok"
