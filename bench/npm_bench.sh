#!/usr/bin/env bash
# The npm packages from a user's side, on a local registry (verdaccio, no
# uplinks) and the GitHub fake, both on 127.0.0.1:
#   1. `bun add -d temporal-libs` into a new project with an empty Bun cache,
#      then the first `bunx temporal-libs download` (goal: <= 10 s together);
#   2. the launcher's overhead on a cache hit (`download` of a cached release,
#      no request), Node and Bun separately, over the bare binary (goal: <= 30 ms),
#      measured with hyperfine.
#   bash bench/npm_bench.sh [MB_PER_LIB=10] [RUNS=5]
# Needs node, npm, hyperfine; verdaccio and Bun come from the npm registry into
# $TL_CI_CACHE/npm-tools (see npm/dev.sh). Figures: docs/npm.md.
source "$(dirname "$0")/common.sh"
source "$bench_root/npm/dev.sh"
size_mb="${1:-10}"
runs="${2:-5}"
command -v hyperfine >/dev/null || { echo "hyperfine not found (bash scripts/install-deps.sh bench)" >&2; exit 2; }
BENCH_TMP="$(mktemp -d /tmp/tl-npm-bench-XXXXXX)"
registry_pid=""
trap 'stop_fake; [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null; rm -rf "$BENCH_TMP"' EXIT

export HOME="$BENCH_TMP/home" XDG_CONFIG_HOME="$BENCH_TMP/home/.config"
export npm_config_cache="$BENCH_TMP/npm-cache" npm_config_update_notifier=false
unset TEMPORAL_LIBS_BINARY TEMPORAL_LIBS_VERSION TEMPORAL_LIBS_CACHE_DIR
mkdir -p "$HOME"
npm_dev_tools "${TL_CI_CACHE:-/var/cache/temporal-libs-ci}/npm-tools" "$BENCH_TMP/bin"
export PATH="$BENCH_TMP/bin:$PATH"
npm_dev_packages "$tool" "$BENCH_TMP"
npm_dev_registry "$BENCH_TMP/verdaccio"
registry_pid="$NPM_DEV_REGISTRY_PID"
npm_dev_publish "$BENCH_TMP/dist/npm"
tag=temporal-libs-v1.0.0
archive="$(make_release "$BENCH_TMP" "$tag" linux-x64 "$size_mb")"
rm -rf "$BENCH_TMP/artifacts-$tag"
start_fake "$BENCH_TMP"
echo "registry $NPM_DEV_REGISTRY; release $tag: $(basename "$archive"), $(numfmt --to=iec "$(stat -c %s "$archive")")"
echo "packages: $(cd "$BENCH_TMP/dist/npm" && ls -s --block-size=K -- *.tgz | tr '\n' ' ')"

add=(); first=(); total=()
for i in $(seq "$runs"); do
  app="$BENCH_TMP/app-$i"
  mkdir -p "$app"
  printf '{"name":"app","private":true}\n' > "$app/package.json"
  export BUN_INSTALL_CACHE_DIR="$BENCH_TMP/bun-cache-$i"   # empty: every package comes from the registry
  t0=$(now)
  (cd "$app" && bun add -d temporal-libs --registry "$NPM_DEV_REGISTRY" >/dev/null 2>&1)
  t1=$(now)
  (cd "$app" && bunx temporal-libs -q download --version "$tag" --api-url "$API_URL" >/dev/null)
  t2=$(now)
  add+=("$(echo "$t1 - $t0" | bc -l)"); first+=("$(echo "$t2 - $t1" | bc -l)"); total+=("$(echo "$t2 - $t0" | bc -l)")
done
printf '\n%-58s %8s\n' "new project, empty Bun cache (median of $runs)" "seconds"
printf '%-58s %8.3f\n' "bun add -d temporal-libs" "$(printf '%s\n' "${add[@]}" | median)"
printf '%-58s %8.3f\n' "bunx temporal-libs download (first: from the fake GitHub)" "$(printf '%s\n' "${first[@]}" | median)"
printf '%-58s %8.3f   (goal <= 10)\n' "together" "$(printf '%s\n' "${total[@]}" | median)"

# Launcher overhead on a cache hit.
app="$BENCH_TMP/app-1"
bin="$app/node_modules/@temporal-libs/cli-linux-x64/bin/temporal-libs"
launcher="$app/node_modules/.bin/temporal-libs"
args="-q download --version $tag --api-url $API_URL --cache-dir $app/.temporal-libs-cache"
cd "$app"
# hyperfine -N: no shell in between. Node reads NODE_EXTRA_CA_CERTS at start
# (tens of milliseconds of CPU for a full CA bundle); when it is set here, the
# Node launcher is measured without it as well.
extra=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  extra=(-n "node, NODE_EXTRA_CA_CERTS unset" "env -u NODE_EXTRA_CA_CERTS node $launcher $args")
fi
hyperfine -N --warmup 5 --runs 40 --export-json "$BENCH_TMP/hit.json" \
  -n bare "$bin $args" \
  -n command "$launcher $args" \
  -n node "node $launcher $args" \
  "${extra[@]}" \
  -n bun "bun $launcher $args" \
  -n "bunx --bun" "bunx --bun temporal-libs $args" >/dev/null
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
python3 - "$BENCH_TMP/hit.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
r = {x["command"]: x for x in results}
base = r["bare"]
cpu = lambda x: (x["user"] + x["system"]) * 1000
print(f"\n{'cache hit (hyperfine -N, 40 runs)':<38} {'wall ms':>8} {'± sd':>6} {'overhead':>9} {'cpu ms':>7} {'overhead':>9}")
for x in results:
    name = x["command"]
    label = ("bare binary" if name == "bare" else
             "temporal-libs command (sh, exec)" if name == "command" else
             name + (" launcher" if name in ("node", "bun") else ""))
    wall, over = x["mean"] * 1000, (x["mean"] - base["mean"]) * 1000
    print(f"{label:<38} {wall:8.1f} {x['stddev'] * 1000:6.1f} {'' if name == 'bare' else f'{over:9.1f}':>9} "
          f"{cpu(x):7.1f} {'' if name == 'bare' else f'{cpu(x) - cpu(base):9.1f}':>9}")
print("goal: overhead <= 30 ms (cpu ms: user + system, what the launcher costs without waiting for a core)")
PY
