#!/usr/bin/env bash
# From nothing to a first successful `download` through the installer: a fresh
# HOME and a PATH with no compiler (only sh, curl, tar, gzip, sha256sum and the
# text tools install.sh uses), install.sh run under dash against the loopback
# fake GitHub serving a signed CLI release and a library release, then
# `temporal-libs download` of that library release. Printed beside today's
# build from source on a fresh 2-core Debian 12 machine (about 950 s: the -dev
# packages and the C++ build; a stated baseline, not measured here). Goal <= 10 s.
#   bash bench/installer_bench.sh [MB_PER_LIB=10] [RUNS=3]
# The CLI archive is dist/cli/temporal-libs-<version>-linux-x64.tar.gz when
# scripts/release-binaries.sh made one, else build/temporal-libs stripped and
# packed the same way.
source "$(dirname "$0")/common.sh"
size_mb="${1:-10}"
runs="${2:-3}"
BENCH_TMP="$(mktemp -d /tmp/tl-bench-XXXXXX)"
trap 'stop_fake; rm -rf "$BENCH_TMP"' EXIT
platform=linux-x64
version="$("$tool" --version | awk '{ print $2 }')"
cli_tag="temporal-libs-cli-v$version"
lib_tag=temporal-libs-v9.9.9
baseline=950

make_release "$BENCH_TMP" "$lib_tag" "$platform" "$size_mb" >/dev/null
rel="$BENCH_TMP/releases/$cli_tag"
mkdir -p "$rel"
archive="temporal-libs-$version-$platform.tar.gz"
if [ -f "$bench_root/dist/cli/$archive" ]; then
  cp "$bench_root/dist/cli/$archive" "$rel/"
  from="dist/cli/$archive (scripts/release-binaries.sh)"
else
  top="temporal-libs-$version-$platform"
  mkdir -p "$BENCH_TMP/pack/$top/licenses"
  strip -o "$BENCH_TMP/pack/$top/temporal-libs" "$tool"
  echo "licence notices" > "$BENCH_TMP/pack/$top/licenses/README"
  tar -czf "$rel/$archive" -C "$BENCH_TMP/pack" "$top"
  from="build/temporal-libs stripped (no dist/cli archive; its libraries are dynamic)"
fi
minisign -G -W -p "$BENCH_TMP/k.pub" -s "$BENCH_TMP/k.key" >/dev/null
"$tool" -q sign --key "$BENCH_TMP/k.key" --dir "$rel" >/dev/null
start_fake "$BENCH_TMP"

# The PATH of a machine with no toolchain.
bin="$BENCH_TMP/path"
mkdir -p "$bin"
for c in sh dash uname ls mkdir tar gzip sha256sum awk sed tr mktemp rm cat cp chmod mv grep curl minisign; do
  ln -s "$(command -v "$c")" "$bin/$c"
done
for c in cc gcc g++ c++ clang cmake make; do
  [ ! -e "$bin/$c" ] || { echo "a compiler is on the bench PATH: $c" >&2; exit 1; }
done

times=()
for i in $(seq "$runs"); do
  home="$BENCH_TMP/home-$i"
  mkdir -p "$home/project"
  t0=$(now)
  env -i PATH="$bin" HOME="$home" TMPDIR="$BENCH_TMP" \
    TEMPORAL_LIBS_API_URL="$API_URL" TEMPORAL_LIBS_CLI_PUBLIC_KEY="$(sed -n 2p "$BENCH_TMP/k.pub")" \
    dash "$bench_root/install.sh" >"$BENCH_TMP/install.out" 2>"$BENCH_TMP/install.err" ||
    { cat "$BENCH_TMP/install.err" >&2; exit 1; }
  (cd "$home/project" && env -i PATH="$home/.local/bin:$bin" HOME="$home" \
    TEMPORAL_LIBS_API_URL="$API_URL" "$home/.local/bin/temporal-libs" -q download \
    --version "$lib_tag" --platform "$platform") >/dev/null 2>"$BENCH_TMP/download.err" ||
    { cat "$BENCH_TMP/download.err" >&2; exit 1; }
  t1=$(now)
  times+=("$(echo "$t1 - $t0" | bc -l)")
  # A folder that is no project (no temporal-libs.toml, lockfile or git work
  # tree): the libraries go to the user cache.
  [ -f "$home/.cache/temporal-libs/$lib_tag/$platform/libtemporalio_sdk_core.a" ] ||
    { echo "the download left no libraries in $home/.cache/temporal-libs" >&2; exit 1; }
done
t=$(printf '%s\n' "${times[@]}" | median)
echo "CLI archive: $from, $(numfmt --to=iec "$(stat -c %s "$rel/$archive")")"
echo "library archive: $lib_tag $platform, $(numfmt --to=iec "$(stat -c %s "$BENCH_TMP/releases/$lib_tag/"*.tar.gz)")"
grep '^checked:' "$BENCH_TMP/install.err"
printf '\n%-60s %8s\n' "fresh HOME, no compiler -> first download, median of $runs" "seconds"
printf '%-60s %8.2f\n' "install.sh (dash, curl, minisign) + temporal-libs download" "$t"
printf '%-60s %8d\n' "build from source on a fresh 2-core machine (stated baseline)" "$baseline"
printf '%-60s %8.0fx\n' "speed-up" "$(echo "$baseline / $t" | bc -l)"
printf '%-60s %8s\n' "goal" "<= 10 s"
