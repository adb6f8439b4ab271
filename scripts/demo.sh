#!/usr/bin/env bash
# The main job, end to end, on this machine only (no internet):
#   1. install dependencies and build temporal-libs and the fake GitHub server;
#   2. temporal-libs build: the sample core crates with cargo, exactly as the
#      release workflow builds sdk-core (cargo rustc -p <crate> --crate-type
#      staticlib --release), offline;
#   3. temporal-libs pack: check them and package them reproducibly, with their
#      .sha256 and manifest;
#   4. temporal-libs publish: create the release on a GitHub-compatible server on
#      127.0.0.1, upload, verify, publish (and again: nothing to do);
#   5. temporal-libs download: resolve, download, verify, extract into the cache;
#   6. compile a C program against the cached libraries and run it;
#   7. download again: a cache hit with no network request.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"

step() { printf '\n==> %s\n' "$*"; }

step "installing dependencies"
if command -v cargo >/dev/null 2>&1; then
  bash scripts/install-deps.sh test
else
  bash scripts/install-deps.sh test demo
fi

step "building temporal-libs"
cmake --preset default >/dev/null
cmake --build --preset default

work="$(mktemp -d /tmp/temporal-libs-demo-XXXXXX)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT

version="v0.1.0-demo"
tag="temporal-libs-$version"
case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "demo: unsupported CPU $(uname -m)" >&2; exit 2 ;;
esac
case "$(uname -s)" in
  Linux) platform="linux-$arch" ;;
  Darwin) platform="macos-$arch" ;;
  *) echo "demo: unsupported OS $(uname -s)" >&2; exit 2 ;;
esac

step "temporal-libs build: the sample core crates with cargo (the release workflow's command)"
triple="$(case "$platform" in
  linux-x64) echo x86_64-unknown-linux-gnu ;; linux-arm64) echo aarch64-unknown-linux-gnu ;;
  macos-arm64) echo aarch64-apple-darwin ;; macos-x64) echo x86_64-apple-darwin ;; esac)"
build/temporal-libs build --source examples/sample-core --target "$triple" --offline \
  --target-dir "$work/target" --out "$work/artifacts"
ls -l "$work/artifacts"

step "temporal-libs pack: $platform $version"
SOURCE_DATE_EPOCH="$(git log -1 --format=%ct 2>/dev/null || echo 0)" \
  build/temporal-libs pack --input "$work/artifacts" --out "$work/dist" \
  --platform "$platform" --version "$version"
cat "$work/dist/"*.sha256

step "serving an empty GitHub-compatible API on 127.0.0.1"
mkdir -p "$work/releases"
build/fake-github --dir "$work/releases" --port-file "$work/api_url" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/api_url" ] && break; sleep 0.05; done
api_url="$(cat "$work/api_url")"
echo "API at $api_url"

export TEMPORAL_LIBS_API_URL="$api_url"
export TEMPORAL_LIBS_CACHE_DIR="$work/cache"

step "temporal-libs publish: create $tag, upload, verify, publish"
# The local server accepts any token; a real run uses the workflow's GITHUB_TOKEN.
GITHUB_TOKEN=demo-token-for-the-local-server build/temporal-libs publish \
  --version "$version" --dir "$work/dist"

step "temporal-libs publish again: nothing to upload"
GITHUB_TOKEN=demo-token-for-the-local-server build/temporal-libs publish \
  --version "$version" --dir "$work/dist"

step "temporal-libs download --version $version"
build/temporal-libs download --version "$version"

step "linking a C program against the cached libraries"
libdir="$work/cache/$tag/$platform"
cc -o "$work/consumer" examples/sample-core/consumer.c -Iexamples/sample-core/include \
   "$libdir/libtemporalio_sdk_core_c_bridge.a" -lpthread -ldl -lm
"$work/consumer"

step "downloading again: served from the cache, no request"
build/temporal-libs download --version "$version" --json

step "done"
echo "cache: $work/cache (latest -> $(readlink "$work/cache/latest"))"
