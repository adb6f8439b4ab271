#!/usr/bin/env bash
# Times `temporal-libs scan` on a generated git checkout of >= 20,000 files (a
# monorepo-like mix of TypeScript, C, docs, binary assets and build files, a few
# of which still install Rust or run cargo), next to `git grep -E` with
# comparable patterns on the same tree. Prints the median of RUNS runs of each,
# side by side, with the ratio.
#
#   bench/scan_bench.sh                 # uses build/temporal-libs
#   RUNS=9 TL_BIN=path/to/temporal-libs bench/scan_bench.sh
#   KEEP=1 bench/scan_bench.sh          # keep the generated tree
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="$(realpath "${TL_BIN:-build/temporal-libs}")"
runs="${RUNS:-7}"
[ -x "$bin" ] || { echo "scan_bench: $bin not built (cmake --build build)" >&2; exit 2; }
command -v git >/dev/null || { echo "scan_bench: git not found" >&2; exit 2; }

tree="$(mktemp -d "${TMPDIR:-/tmp}/tl-scan-bench-XXXXXX")"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$tree"' EXIT

# ---- generate -------------------------------------------------------------
# Bash builtins write every file (no process per file); @A@ and @B@ in a
# template are replaced by the numbers that make each file different.
fill() {  # fill TEMPLATE A [B]
  local out="${1//@A@/$2}"
  printf '%s' "${out//@B@/${3:-}}"
}
ts_body='import { Client } from "@temporalio/client";
// Workflow helpers for package @A@, module @B@.
// Note: the native bridge is no longer built with cargo here.
export interface Options@B@ { retries: number; timeoutMs: number; label: string }
export async function run@B@(client: Client, opts: Options@B@): Promise<string> {
  const handle = await client.workflow.start("wf@B@", { taskQueue: "q@A@", args: [opts] });
  for (let i = 0; i < opts.retries; i++) {
    if (await handle.result()) { return `done ${opts.label} after ${i} tries`; }
  }
  throw new Error("workflow @B@ failed after " + opts.retries + " retries");
}
'
c_body='/* Native helper @A@: part of the C shim around the core bridge. */
#include <stdint.h>
#include <string.h>

int shim_@A@_checksum(const uint8_t* data, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; ++i) { h = (h ^ data[i]) * 16777619u; }
    return (int)(h & 0x7fffffff);
}
'
md_body='# Notes @A@

This page explains module @A@. Earlier guides said to run `cargo build --release`
and to install rustup with `curl https://sh.rustup.rs | sh`; neither is needed now.

- step one: `temporal-libs download`
- step two: link the libraries from the cache
'
mkdir -p "$tree/.github/workflows" "$tree/native" "$tree/docs" "$tree/assets"
npkg=150
for ((p = 0; p < npkg; p++)); do
  d="$tree/packages/pkg$p"
  mkdir -p "$d/src" "$d/test" "$d/docs" "$d/scripts"
  for ((m = 0; m < 70; m++)); do fill "$ts_body" "$p" "$m" > "$d/src/mod$m.ts"; done
  for ((m = 0; m < 25; m++)); do fill "$ts_body" "$p" "t$m" > "$d/test/mod$m.test.ts"; done
  for ((m = 0; m < 10; m++)); do fill "$md_body" "$p-$m" > "$d/docs/page$m.md"; done
  native=''
  (( p % 20 == 0 )) && native=',
    "build:native": "cargo build --release -p temporal-sdk-core-c-bridge"'
  printf '{\n  "name": "@acme/pkg%s",\n  "version": "1.0.%s",\n  "scripts": {\n    "build": "tsc -p .",\n    "test": "bun test"%s\n  }\n}\n' "$p" "$p" "$native" > "$d/package.json"
  printf '{ "extends": "../../tsconfig.base.json", "include": ["src"] }\n' > "$d/tsconfig.json"
  fill "$md_body" "pkg$p" > "$d/README.md"
  if (( p % 8 == 0 )); then
    if (( p % 16 == 0 )); then
      printf 'FROM rust:1.80 AS build\nRUN apt-get update && apt-get install -y protobuf-compiler\nRUN cargo build --release\nFROM debian:bookworm-slim\nCOPY --from=build /out /out\n' > "$d/Dockerfile"
    else
      printf 'FROM node:20-slim\n# no cargo build here any more\nRUN npm ci && npm run build\nCMD ["node", "dist/index.js"]\n' > "$d/Dockerfile"
    fi
  fi
  if (( p % 4 == 0 )); then
    printf '#!/usr/bin/env bash\nset -euo pipefail\necho "building pkg%s (cargo no longer needed)"\nnpm run build\n' "$p" > "$d/scripts/build.sh"
  fi
  if (( p % 10 == 5 )); then
    printf 'build:\n\tnpm run build\n\ntest:\n\tcargo test --workspace\n' > "$d/Makefile"
  fi
done
for ((n = 0; n < 3200; n++)); do fill "$c_body" "$n" > "$tree/native/shim$n.c"; done
for ((n = 0; n < 800; n++)); do fill "$md_body" "doc$n" > "$tree/docs/doc$n.md"; done
for ((n = 0; n < 600; n++)); do printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR%s\0\0' "$n" > "$tree/assets/icon$n.png"; done
for ((w = 0; w < 12; w++)); do
  if (( w < 3 )); then
    printf 'name: wf%s\non: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n      - uses: dtolnay/rust-toolchain@stable\n      - run: |\n          cargo build --release \\\n            -p temporal-sdk-core-c-bridge\n' "$w" > "$tree/.github/workflows/wf$w.yml"
  else
    printf 'name: wf%s\non: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n      - run: echo "no cargo build needed"\n' "$w" > "$tree/.github/workflows/wf$w.yml"
  fi
done
printf 'all:\n\tnpm run build\n' > "$tree/Makefile"
git -C "$tree" init -q
git -C "$tree" add -A
git -C "$tree" -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false commit -q -m tree
files=$(git -C "$tree" ls-files | wc -l)

# ---- time -----------------------------------------------------------------
patterns=(-e 'cargo +(build|rustc|install|test|check|run|fetch|clippy)' -e 'rustup'
          -e 'sh\.rustup\.rs' -e 'rustup-init' -e 'dtolnay/rust-toolchain' -e 'actions-rs/'
          -e '^FROM +rust' -e 'temporalio/sdk-core' -e 'run-with-rust-toolchain'
          -e 'protobuf-compiler' -e '(apt-get|apk|brew|dnf|yum) .*(cargo|rustc|rust)')
run_scan() { "$bin" scan --format json "$tree" > /dev/null 2>&1; }
run_grep() { git -C "$tree" grep -E -n -I "${patterns[@]}" > /dev/null || [ $? -eq 1 ]; }

median() {  # median of the numbers on stdin
  sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# time_runs FUNCTION: after a warm-up run, "median-wall median-cpu" in seconds
# over $runs runs; cpu is user + system time, steadier than wall time on a
# machine shared with other work.
time_runs() {
  "$1"
  local samples
  samples=$(for ((i = 0; i < runs; i++)); do
    TIMEFORMAT='%R %U %S'
    { time "$1"; } 2>&1
  done)
  echo "$(awk '{ print $1 }' <<< "$samples" | median) $(awk '{ print $2 + $3 }' <<< "$samples" | median)"
}
read -r scan_s scan_cpu <<< "$(time_runs run_scan)"
read -r grep_s grep_cpu <<< "$(time_runs run_grep)"

summary=$("$bin" scan --format json "$tree" 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin)["summary"]; print(d["files_scanned"], d["findings"])')
read -r scanned findings <<< "$summary"
grep_lines=$(git -C "$tree" grep -E -n -I "${patterns[@]}" | wc -l)

printf '\ntree: %s files tracked by git (%s build files read by scan), %s runs each, medians\n\n' "$files" "$scanned" "$runs"
printf '  %-36s %8s %8s  %s\n' "command" "wall" "cpu" "result"
printf '  %-36s %7.3fs %7.3fs  %s findings (commands, with kind and position)\n' "temporal-libs scan --format json" "$scan_s" "$scan_cpu" "$findings"
printf '  %-36s %7.3fs %7.3fs  %s matching lines (comments, docs and echo included)\n' "git grep -E -n -I (11 patterns)" "$grep_s" "$grep_cpu" "$grep_lines"
printf '\n  scan / git grep: wall %.2f, cpu %.2f (load average: %s)\n' \
  "$(awk -v a="$scan_s" -v b="$grep_s" 'BEGIN { print a / b }')" \
  "$(awk -v a="$scan_cpu" -v b="$grep_cpu" 'BEGIN { print a / b }')" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
