#!/usr/bin/env bash
# The portable release binaries (scripts/release-binaries.sh):
#   1. stripped size per platform next to the 8 MiB goal;
#   2. a warm cache hit of the static linux-x64 binary next to the default
#      (dynamic) build/temporal-libs, side by side with hyperfine: `download` of
#      a cached release (plain and --json), `flags --json`, `cache path` and
#      `config show --json` (the CMake package's re-configure calls), with `stat`
#      of the five library files as the floor (goal: 5 ms median);
#   3. what a hit still costs: system calls (strace -c) and instructions
#      (valgrind's callgrind), when those tools are installed.
#   bash bench/portable_bench.sh [RUNS=50]
# Builds the linux-x64 binary first when dist/cli/ has none; linux-arm64 is
# reported when built (bash scripts/release-binaries.sh --platform all).
source "$(dirname "$0")/common.sh"
runs="${1:-50}"
command -v hyperfine >/dev/null || { echo "hyperfine is needed (scripts/deps/bench.txt)" >&2; exit 2; }
version="$(sed -n 's/^project(temporal-libs VERSION \([0-9][0-9.]*\).*/\1/p' "$bench_root/CMakeLists.txt")"
dist="$bench_root/dist/cli"
[ -x "$dist/temporal-libs-$version-linux-x64" ] \
  || bash "$bench_root/scripts/release-binaries.sh" --platform linux-x64 >/dev/null

echo "== stripped size per platform (goal <= 8 MiB = 8388608 bytes)"
printf '%-14s %12s %9s %8s\n' platform bytes MiB goal
for p in linux-x64 linux-arm64; do
  [ -f "$dist/temporal-libs-$version-$p" ] || { printf '%-14s %12s\n' "$p" "not built"; continue; }
  s="$(stat -c %s "$dist/temporal-libs-$version-$p")"
  printf '%-14s %12d %9.2f %8s\n' "$p" "$s" "$(echo "$s / 1048576" | bc -l)" \
    "$([ "$s" -le 8388608 ] && echo met || echo missed)"
done
for p in linux-x64 linux-arm64; do
  t="$dist/temporal-libs-$version-$p.tar.gz"
  [ -f "$t" ] && printf '%-14s %12d bytes as .tar.gz\n' "$p" "$(stat -c %s "$t")"
done

[ "$(uname -m)" = x86_64 ] || { echo "the warm-hit comparison needs an x86_64 machine"; exit 0; }
BENCH_TMP="$(mktemp -d /tmp/tl-bench-XXXXXX)"
trap 'stop_fake; rm -rf "$BENCH_TMP"' EXIT
static="$dist/temporal-libs-$version-linux-x64"
platform=linux-x64
tag=temporal-libs-v9.9.9
make_release "$BENCH_TMP" "$tag" "$platform" 8 >/dev/null
start_fake "$BENCH_TMP"
common=(--version "$tag" --platform "$platform" --api-url "$API_URL" --cache-dir "$BENCH_TMP/cache")
"$tool" -q download "${common[@]}"
stop_fake   # from here on a request would fail: the hits must not need the server
libs=("$BENCH_TMP/cache/$tag/$platform"/lib*.a)
[ "${#libs[@]}" -eq 5 ] || { echo "expected 5 libraries in the cache" >&2; exit 1; }
"$static" -q download "${common[@]}" >/dev/null   # the static binary hits the same cache

echo
echo "== linked shared libraries"
printf '%-34s %s\n' "build/temporal-libs (default)" "$(ldd "$tool" | wc -l) (ldd lines; libcurl is dlopened only on a miss)"
printf '%-34s %s\n' "temporal-libs-$version-linux-x64" "$(ldd "$static" 2>&1 | head -1)"

echo
echo "== warm cache hit, $runs runs each (hyperfine, shell none; goal <= 5 ms median)"
# The hit path of every call a build makes on a configured project: download
# (and its --json, which the CMake package runs), flags --json, cache path and
# config show --json (the package's re-configure calls).
calls=("-q download ${common[*]}" "download --json ${common[*]}" "flags --json ${common[*]}"
       "cache path --version $tag --platform $platform --cache-dir $BENCH_TMP/cache"
       "config show --json --cache-dir $BENCH_TMP/cache")
names=("download" "download --json" "flags --json" "cache path" "config show --json")
args=()
for i in "${!calls[@]}"; do
  args+=(-n "${names[$i]}, dynamic build/temporal-libs" "$tool ${calls[$i]}")
  args+=(-n "${names[$i]}, static $version-linux-x64" "$static ${calls[$i]}")
done
hyperfine -N -w 5 -r "$runs" --export-json "$BENCH_TMP/hit.json" "${args[@]}" \
  -n "stat of the five libraries (floor)" "stat ${libs[*]}" >/dev/null
# Median and minimum: on a shared machine the mean mostly measures the neighbours.
python3 - "$BENCH_TMP/hit.json" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
print(f"| {'command':<40} | median ms | min ms | mean ms |")
print(f"|{'-' * 42}|----------:|-------:|--------:|")
for r in results:
    t = r["times"]
    print(f"| {r['command']:<40} | {statistics.median(t) * 1e3:9.2f} | {min(t) * 1e3:6.2f} | {r['mean'] * 1e3:7.2f} |")
PY

echo
echo "== what one hit costs (download, fast verify)"
if command -v strace >/dev/null; then
  for b in "$tool" "$static"; do
    strace -f -c -o "$BENCH_TMP/strace.out" "$b" -q download "${common[@]}" >/dev/null 2>&1
    printf '%-60s %s system calls\n' "$b" "$(awk '$NF == "total" {print $4}' "$BENCH_TMP/strace.out")"
  done
fi
if command -v valgrind >/dev/null; then
  for b in "$tool" "$static"; do
    ir="$(valgrind --tool=callgrind --callgrind-out-file="$BENCH_TMP/cg.out" "$b" -q download "${common[@]}" 2>&1 >/dev/null |
          sed -n 's/.*Collected : \([0-9]*\).*/\1/p')"
    printf '%-60s %s instructions\n' "$b" "$ir"
  done
fi
