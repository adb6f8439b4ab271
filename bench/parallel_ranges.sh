#!/usr/bin/env bash
# Parallel ranged downloads, side by side in one run, against the loopback
# GitHub fake:
#   1. storage paced per connection (RATE bytes/s each, like a CDN's
#      per-connection cap): cold install with the default connections next to a
#      single-connection curl transfer of the same asset (goal <= 0.35 x);
#   2. unpaced loopback: the default next to --connections 1 (goal <= 1.05 x);
#   3. one drop in each range: bytes served over the archive (goal <= 1.05 x);
#   4. peak RSS of a cold install of a ~1 GB archive (goal <= 64 MiB).
# 3 and 4 pace each connection, since a connection faster than 128 MiB/s is
# not split into ranges (docs/benchmarks.md).
#   bash bench/parallel_ranges.sh [SIZE_MB_PER_LIB=12] [RUNS=3] [RATE=20000000]
# BENCH_1GB=0 skips the 1 GB archive (it takes a minute to build).
source "$(dirname "$0")/common.sh"
size_mb="${1:-12}"
runs="${2:-3}"
rate="${3:-20000000}"
BENCH_TMP="$(mktemp -d /tmp/tl-bench-XXXXXX)"
trap 'stop_fake; rm -rf "$BENCH_TMP"' EXIT
platform=linux-x64
tag=temporal-libs-v9.9.9
archive="$(BENCH_RANDOM=0.95 make_release "$BENCH_TMP" "$tag" "$platform" "$size_mb")"
name="$(basename "$archive")"
bytes=$(stat -c %s "$archive")
echo "archive: $name, $(numfmt --to=iec "$bytes")"

cold() {  # cold install with extra flags; prints seconds
  rm -rf "$BENCH_TMP/cache"
  time_cmd "$tool" -q download --version "$tag" --platform "$platform" --api-url "$API_URL" \
    --cache-dir "$BENCH_TMP/cache" "$@"
}

# 1. Paced per connection.
start_fake "$BENCH_TMP" --rate "$rate" --rate-per-download
url="$(asset_api_url "$name")"
par=(); one=()
for i in $(seq "$runs"); do
  par+=("$(cold)")
  rm -f "$BENCH_TMP/curl.out"
  one+=("$(time_cmd curl -sSL -H 'Accept: application/octet-stream' -o "$BENCH_TMP/curl.out" "$url")")
done
stop_fake
p=$(printf '%s\n' "${par[@]}" | median); c=$(printf '%s\n' "${one[@]}" | median)
printf '\n%-56s %8s\n' "storage paced to $(numfmt --to=si "$rate")B/s per connection, median of $runs" "seconds"
printf '%-56s %8.3f\n' "temporal-libs download, cold (default connections: 4)" "$p"
printf '%-56s %8.3f\n' "curl -o, one connection (transfer only)" "$c"
printf '%-56s %8.2f  (goal <= 0.35)\n' "ratio client / curl" "$(echo "$p / $c" | bc -l)"

# 2. Unpaced loopback.
start_fake "$BENCH_TMP"
par=(); one=()
for i in $(seq "$runs"); do
  par+=("$(cold)")
  one+=("$(cold --connections 1)")
done
stop_fake
p=$(printf '%s\n' "${par[@]}" | median); o=$(printf '%s\n' "${one[@]}" | median)
printf '\n%-56s %8s\n' "unpaced loopback, median of $runs" "seconds"
printf '%-56s %8.3f\n' "temporal-libs download, cold, default connections" "$p"
printf '%-56s %8.3f\n' "temporal-libs download, cold, --connections 1" "$o"
printf '%-56s %8.2f  (goal <= 1.05)\n' "ratio default / one connection" "$(echo "$p / $o" | bc -l)"

# 3. One drop in each range, 2 MiB into it (paced per connection, so the
#    download is split: a connection faster than 128 MiB/s is not).
start_fake "$BENCH_TMP" --drop-each-range-at $((2 << 20)) --rate "$rate" --rate-per-download
t=$(cold)
stop_fake
served=$(grep -o 'storage sent [0-9]*' "$BENCH_TMP/fake.log" | grep -o '[0-9]*$')
sums=$(stat -c %s "$archive.sha256")
printf '\n%-56s %8.3f s, %s served (%.3f x archive)  (goal <= 1.05)\n' \
  "one drop in each range, each resumed" "$t" "$(numfmt --to=iec "$served")" \
  "$(echo "($served - $sums) / $bytes" | bc -l)"

# 4. Peak RSS with a ~1 GB archive.
if [ "${BENCH_1GB:-1}" = 1 ]; then
  big_tag=temporal-libs-v9.9.10
  big="$(BENCH_RANDOM=0.95 make_release "$BENCH_TMP" "$big_tag" "$platform" 205)"
  rm -rf "$BENCH_TMP/artifacts-"*
  # 100 MB/s per connection: below the rate at which one connection is kept.
  start_fake "$BENCH_TMP" --rate 100000000 --rate-per-download
  for c in 4 1; do
    rm -rf "$BENCH_TMP/cache"
    read -r secs kib < <(time_rss "$tool" -q download --version "$big_tag" --platform "$platform" \
                          --api-url "$API_URL" --cache-dir "$BENCH_TMP/cache" --connections "$c")
    printf '%-56s %8.3f s, peak RSS %s  (goal <= 64M)\n' \
      "$(numfmt --to=iec "$(stat -c %s "$big")") archive, cold, --connections $c" "$secs" \
      "$(numfmt --to=iec $((kib * 1024)))"
  done
  stop_fake
fi
