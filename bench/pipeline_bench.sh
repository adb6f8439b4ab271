#!/usr/bin/env bash
# The one-pass install pipeline against the command-line tools, side by side
# in one run (medians), cold downloads from a loopback GitHub fake:
#   1. a workflow-made .tar.gz of >= 100 MB: temporal-libs, then
#      curl -o + sha256sum -c + tar -xzf (sequential), curl | tar -xz
#      (streaming), and igzip -dc | tar -x on the local file (the floor);
#   2. the same with the storage host paced to 50 MB/s, next to the bare
#      transfer (curl -o /dev/null at that pace);
#   3. the same tar as .tar.zst: temporal-libs next to zstd -dc | tar -x on the
#      local file and curl | zstd -dc | tar -x.
# Peak RSS of every client run is reported (median and maximum).
#   bash bench/pipeline_bench.sh [SIZE_MB_PER_LIB=42] [RUNS=5]
source "$(dirname "$0")/common.sh"
size_mb="${1:-42}"
runs="${2:-5}"
rate=$((50 * 1000 * 1000))
for t in igzip zstd curl tar sha256sum; do
  command -v "$t" >/dev/null || { echo "missing $t (scripts/deps/bench.txt)" >&2; exit 2; }
done
BENCH_TMP="$(mktemp -d /tmp/tl-pipe-XXXXXX)"
trap 'stop_fake; rm -rf "$BENCH_TMP"' EXIT
platform=linux-x64
gz_tag=temporal-libs-v9.9.9
zst_tag=temporal-libs-v9.9.8
gz="$(make_release "$BENCH_TMP" "$gz_tag" "$platform" "$size_mb")"
gz_name="$(basename "$gz")"
# The same tar as zstd level 3 (what pack --format tar.zst writes), alone in its release.
zst_name="temporal-static-libs-$platform-${zst_tag#temporal-libs-}.tar.zst"
mkdir -p "$BENCH_TMP/releases/$zst_tag"
zst="$BENCH_TMP/releases/$zst_tag/$zst_name"
gzip -dc "$gz" | zstd -q -3 -o "$zst"
(cd "$BENCH_TMP/releases/$zst_tag" && sha256sum "$zst_name" > "$zst_name.sha256")
rm -rf "$BENCH_TMP/artifacts-"*
unpacked=$(gzip -dc "$gz" | wc -c)
echo "archives: $gz_name $(numfmt --to=iec "$(stat -c %s "$gz")"), $zst_name $(numfmt --to=iec "$(stat -c %s "$zst")"), tar $(numfmt --to=iec "$unpacked")"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

declare -A times
add() { times["$1"]+="$2 "; }
med() { printf '%s\n' ${times["$1"]} | median; }
maxof() { printf '%s\n' ${times["$1"]} | sort -g | tail -1; }
fresh() { rm -rf "$BENCH_TMP/out" "$BENCH_TMP/cache"; mkdir -p "$BENCH_TMP/out"; }
client() {  # KEY TAG
  fresh
  read -r secs kib < <(time_rss "$tool" -q download --version "$2" --platform "$platform" \
                        --api-url "$API_URL" --cache-dir "$BENCH_TMP/cache")
  [ -f "$BENCH_TMP/cache/$2/$platform/.temporal-libs-entry.json" ] || { echo "client run failed" >&2; exit 1; }
  add "$1" "$secs"; add "$1 rss" "$kib"
}
timed() {  # KEY COMMAND
  local key="$1"; shift
  fresh
  add "$key" "$(time_cmd bash -c "$*")"
}
row() { printf '%-52s %8.3f\n' "$1" "$2"; }
rss_row() { printf '%-52s %8s (max %s)\n' "$1" "$(numfmt --to=iec $(($(med "$2 rss") * 1024)))" "$(numfmt --to=iec $(($(maxof "$2 rss") * 1024)))"; }

run_set() {  # SUFFIX  (times the gzip and zstd sets against the running fake)
  local s="$1" gz_url zst_url
  gz_url="$(asset_api_url "$gz_name")"
  zst_url="$(asset_api_url "$zst_name")"
  local get="curl -sSfL -H 'Accept: application/octet-stream'"
  for _ in $(seq "$runs"); do
    client "gz client$s" "$gz_tag"
    timed "gz sequential$s" "cd $BENCH_TMP/out && $get -o a.tar.gz '$gz_url' && cp '$gz.sha256' a.sha && sed -i 's/ .*/  a.tar.gz/' a.sha && sha256sum -c --quiet a.sha && mkdir x && tar -xzf a.tar.gz -C x"
    timed "gz streaming$s" "$get '$gz_url' | tar -xz -C $BENCH_TMP/out"
    timed "transfer$s" "$get -o /dev/null '$gz_url'"
    client "zst client$s" "$zst_tag"
    timed "zst streaming$s" "$get '$zst_url' | zstd -dc | tar -x -C $BENCH_TMP/out"
    if [ -z "$s" ]; then
      timed "gz floor" "igzip -dc '$gz' | tar -x -C $BENCH_TMP/out"
      timed "gz gzip floor" "gzip -dc '$gz' | tar -x -C $BENCH_TMP/out"
      timed "zst floor" "zstd -dc '$zst' | tar -x -C $BENCH_TMP/out"
    fi
  done
}

start_fake "$BENCH_TMP"
run_set ""
stop_fake
start_fake "$BENCH_TMP" --rate "$rate"
run_set " paced"
stop_fake

ratio() { echo "$1 / $2" | bc -l; }
echo
printf '%-52s %8s\n' "cold download .tar.gz, loopback, median of $runs" "seconds"
row "temporal-libs download" "$(med 'gz client')"
row "curl -o + sha256sum -c + tar -xzf (sequential)" "$(med 'gz sequential')"
row "curl | tar -xz (streaming)" "$(med 'gz streaming')"
row "igzip -dc | tar -x, local file (the floor)" "$(med 'gz floor')"
row "gzip -dc | tar -x, local file" "$(med 'gz gzip floor')"
row "curl -o /dev/null (transfer alone)" "$(med 'transfer')"
printf '%-52s %8.2f  (goal <= 1.15)\n' "ratio client / floor" "$(ratio "$(med 'gz client')" "$(med 'gz floor')")"
printf '%-52s %8.2f  (goal >= 2)\n' "speed-up over sequential" "$(ratio "$(med 'gz sequential')" "$(med 'gz client')")"
rss_row "client peak RSS" "gz client"
echo
printf '%-52s %8s\n' "storage paced to 50 MB/s, median of $runs" "seconds"
row "temporal-libs download" "$(med 'gz client paced')"
row "curl -o /dev/null (bare transfer)" "$(med 'transfer paced')"
row "curl -o + sha256sum -c + tar -xzf (sequential)" "$(med 'gz sequential paced')"
row "curl | tar -xz (streaming)" "$(med 'gz streaming paced')"
printf '%-52s %8.2f  (goal <= 1.05)\n' "ratio client / bare transfer" "$(ratio "$(med 'gz client paced')" "$(med 'transfer paced')")"
rss_row "client peak RSS" "gz client paced"
echo
printf '%-52s %8s\n' "the same tar as .tar.zst, median of $runs" "seconds"
row "temporal-libs download (loopback)" "$(med 'zst client')"
row "curl | zstd -dc | tar -x (loopback)" "$(med 'zst streaming')"
row "zstd -dc | tar -x, local file (the floor)" "$(med 'zst floor')"
printf '%-52s %8.2f\n' "ratio client / floor" "$(ratio "$(med 'zst client')" "$(med 'zst floor')")"
rss_row "client peak RSS" "zst client"
row "temporal-libs download (paced 50 MB/s)" "$(med 'zst client paced')"
row "curl | zstd -dc | tar -x (paced 50 MB/s)" "$(med 'zst streaming paced')"
rss_row "client peak RSS (paced)" "zst client paced"
