# Shared helpers for the benchmark scripts (sourced, not run).
set -euo pipefail
bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="$bench_root/build/temporal-libs"
fake="$bench_root/build/fake-github"
[ -x "$tool" ] && [ -x "$fake" ] || { echo "build first: cmake --preset default && cmake --build --preset default" >&2; exit 2; }

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# now in seconds with nanoseconds
now() { date +%s.%N; }

# seconds elapsed running "$@" (output discarded)
time_cmd() { local t0 t1; t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); echo "$t1 - $t0" | bc -l; }

# wall seconds and peak RSS (KiB) of "$@", as "SECONDS KIB"
time_rss() { /usr/bin/time -f "%e %M" -o "$BENCH_TMP/time.out" "$@" >/dev/null 2>&1; cat "$BENCH_TMP/time.out"; }

# Makes DIR/<tag>/ with a workflow-made archive of five static libraries of
# SIZE_MB each (half random, half repetitive: about 2:1 compression, like object
# code) and its .sha256.
make_release() {
  local dir="$1" tag="$2" platform="$3" size_mb="$4"
  local version="${tag#temporal-libs-}" art="$dir/artifacts-$tag"
  mkdir -p "$art" "$dir/releases/$tag"
  for lib in temporalio_sdk_core temporalio_sdk_core_c_bridge temporalio_client temporalio_sdk temporalio_common; do
    python3 "$bench_root/bench/make_lib.py" "$art/lib$lib.a" $((size_mb * 1024 * 1024)) "${BENCH_RANDOM:-0.5}"
  done
  local name="temporal-static-libs-$platform-$version.tar.gz"
  tar -czf "$dir/releases/$tag/$name" -C "$art" .
  (cd "$dir/releases/$tag" && sha256sum "$name" > "$name.sha256")
  echo "$dir/releases/$tag/$name"
}

# Starts fake-github on DIR/releases with extra flags; sets API_URL and FAKE_PID.
start_fake() {
  local dir="$1"; shift
  rm -f "$dir/api_url"
  "$fake" --dir "$dir/releases" --port-file "$dir/api_url" "$@" >/dev/null 2>"$dir/fake.log" &
  FAKE_PID=$!
  for _ in $(seq 200); do [ -s "$dir/api_url" ] && break; sleep 0.05; done
  API_URL="$(cat "$dir/api_url")"
}

stop_fake() { kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; }

# The storage URL an API asset redirects to (for the curl baselines).
asset_api_url() {
  local name="$1"
  curl -s "$API_URL/repos/proompteng/lab/releases?per_page=100" |
    python3 -c "import json,sys; print([a['url'] for r in json.load(sys.stdin) for a in r['assets'] if a['name']=='$name'][0])"
}
