#!/usr/bin/env bash
# Cold download of a workflow-made archive from a loopback GitHub fake:
# temporal-libs (download + hash in one pass, then extract) next to the
# sequential baseline curl -o, sha256sum -c, tar -xzf on the same file; peak
# RSS of the client for that archive and for a ~1 GB one; bytes and time with
# one dropped connection at 50 %.
#   bash bench/download_bench.sh [SIZE_MB_PER_LIB=40] [RUNS=3]
source "$(dirname "$0")/common.sh"
size_mb="${1:-40}"
runs="${2:-3}"
BENCH_TMP="$(mktemp -d /tmp/tl-bench-XXXXXX)"
trap 'stop_fake; rm -rf "$BENCH_TMP"' EXIT
platform=linux-x64
tag=temporal-libs-v9.9.9
archive="$(make_release "$BENCH_TMP" "$tag" "$platform" "$size_mb")"
name="$(basename "$archive")"
bytes=$(stat -c %s "$archive")
echo "archive: $name, $(numfmt --to=iec "$bytes")"
start_fake "$BENCH_TMP"
url="$(asset_api_url "$name")"

client=(); base=(); rss=()
for i in $(seq "$runs"); do
  rm -rf "$BENCH_TMP/cache"
  read -r secs kib < <(time_rss "$tool" -q download --version "$tag" --platform "$platform" \
                        --api-url "$API_URL" --cache-dir "$BENCH_TMP/cache")
  client+=("$secs"); rss+=("$kib")
  rm -rf "$BENCH_TMP/seq" && mkdir -p "$BENCH_TMP/seq"
  t0=$(now)
  (cd "$BENCH_TMP/seq" && curl -sSL -H 'Accept: application/octet-stream' -o "$name" "$url" \
     && cp "$archive.sha256" . && sha256sum -c --quiet "$name.sha256" && mkdir x && tar -xzf "$name" -C x)
  t1=$(now); base+=("$(echo "$t1 - $t0" | bc -l)")
done
c=$(printf '%s\n' "${client[@]}" | median); b=$(printf '%s\n' "${base[@]}" | median)
r=$(printf '%s\n' "${rss[@]}" | median)
printf '\n%-48s %8s\n' "cold download, median of $runs" "seconds"
printf '%-48s %8.3f\n' "temporal-libs download" "$c"
printf '%-48s %8.3f\n' "curl -o + sha256sum -c + tar -xzf (sequential)" "$b"
printf '%-48s %8.2f\n' "ratio client / sequential" "$(echo "$c / $b" | bc -l)"
printf '%-48s %8s\n' "client peak RSS" "$(numfmt --to=iec $((r * 1024)))"

# One drop at 50 %: bytes served and time, next to the undisturbed run.
stop_fake
start_fake "$BENCH_TMP" --drop-at $((bytes / 2))
rm -rf "$BENCH_TMP/cache"
t0=$(now)
"$tool" -q download --version "$tag" --platform "$platform" --api-url "$API_URL" --cache-dir "$BENCH_TMP/cache" 2>/dev/null
t1=$(now)
stop_fake
served=$(grep -o 'storage sent [0-9]*' "$BENCH_TMP/fake.log" | grep -o '[0-9]*$')
printf '\n%-48s %8.3f s, %s served (%.3f x archive)\n' "one drop at 50 %, resumed" \
  "$(echo "$t1 - $t0" | bc -l)" "$(numfmt --to=iec "$served")" "$(echo "$served / $bytes" | bc -l)"
printf '%-48s %8.3f s, %s served (1.000 x archive)\n' "no fault" "$c" "$(numfmt --to=iec "$bytes")"

if [ "${BENCH_1GB:-1}" = 1 ]; then
  big_tag=temporal-libs-v9.9.10
  BENCH_RANDOM=0.95 make_release "$BENCH_TMP" "$big_tag" "$platform" 205 >/dev/null
  rm -rf "$BENCH_TMP/artifacts-"*
  start_fake "$BENCH_TMP"
  rm -rf "$BENCH_TMP/cache"
  read -r secs kib < <(time_rss "$tool" -q download --version "$big_tag" --platform "$platform" \
                        --api-url "$API_URL" --cache-dir "$BENCH_TMP/cache")
  printf '\n%-48s %8.3f s, peak RSS %s\n' "~1 GB archive, cold download" "$secs" "$(numfmt --to=iec $((kib * 1024)))"
fi
