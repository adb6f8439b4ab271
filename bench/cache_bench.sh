#!/usr/bin/env bash
# Warm downloads (cache hits): whole-process wall time of temporal-libs download
# with the fast check (target under 15 ms) next to `true` and `stat` of the same
# files, and with --verify full next to sha256sum of the same files (target
# within 1.2x).
#   bash bench/cache_bench.sh [SIZE_MB_PER_LIB=24] [RUNS=20]
source "$(dirname "$0")/common.sh"
size_mb="${1:-24}"
runs="${2:-20}"
BENCH_TMP="$(mktemp -d /tmp/tl-bench-XXXXXX)"
trap 'stop_fake; rm -rf "$BENCH_TMP"' EXIT
platform=linux-x64
tag=temporal-libs-v9.9.9
make_release "$BENCH_TMP" "$tag" "$platform" "$size_mb" >/dev/null
start_fake "$BENCH_TMP"
args=(-q download --version "$tag" --platform "$platform" --api-url "$API_URL" --cache-dir "$BENCH_TMP/cache")
"$tool" "${args[@]}"
stop_fake   # from here on any request would fail: hits must not need the server
libs=("$BENCH_TMP/cache/$tag/$platform"/lib*.a)

measure() { local out=(); for _ in $(seq "$runs"); do out+=("$(time_cmd "$@")"); done; printf '%s\n' "${out[@]}" | median; }
fast=$(measure "$tool" "${args[@]}")
tru=$(measure true)
st=$(measure stat "${libs[@]}")
full=$(measure "$tool" "${args[@]}" --verify full)
sha=$(measure sha256sum "${libs[@]}")
ms() { echo "$1 * 1000" | bc -l; }
printf '%-44s %10s\n' "warm, median of $runs" "ms"
printf '%-44s %10.2f\n' "temporal-libs download (fast check)" "$(ms "$fast")"
printf '%-44s %10.2f\n' "true" "$(ms "$tru")"
printf '%-44s %10.2f\n' "stat of the same 5 files" "$(ms "$st")"
printf '%-44s %10.2f\n' "temporal-libs download --verify full" "$(ms "$full")"
printf '%-44s %10.2f\n' "sha256sum of the same 5 files" "$(ms "$sha")"
printf '%-44s %10.2f\n' "ratio --verify full / sha256sum" "$(echo "$full / $sha" | bc -l)"
