#!/usr/bin/env bash
# The main job, end to end, on this machine only (no internet):
#   1. install dependencies and build temporal-libs and the fake GitHub server;
#   2. build the sample core crates with cargo, exactly as the release workflow
#      does (cargo rustc -p <crate> --crate-type staticlib --release);
#   3. package them like the workflow (tar -czf NAME -C artifacts ., sha256sum);
#   4. serve that release from a GitHub-compatible server on 127.0.0.1;
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

step "building the sample core crates with cargo (the release workflow's command)"
export CARGO_TARGET_DIR="$work/target"
mkdir -p "$work/artifacts"
for crate in temporalio-sdk-core temporalio-sdk-core-c-bridge temporalio-client temporalio-sdk temporalio-common; do
  (cd examples/sample-core && cargo rustc --offline -q -p "$crate" --crate-type staticlib --release)
  cp "$CARGO_TARGET_DIR/release/lib${crate//-/_}.a" "$work/artifacts/"
done
ls -l "$work/artifacts"

step "packaging $tag for $platform like the release workflow"
archive="temporal-static-libs-$platform-$version.tar.gz"
mkdir -p "$work/dist/$tag"
(cd "$work" && tar -czf "dist/$tag/$archive" -C artifacts . \
   && cd "dist/$tag" && sha256sum "$archive" > "$archive.sha256" && cat "$archive.sha256")

step "serving the release from a GitHub-compatible API on 127.0.0.1"
build/fake-github --dir "$work/dist" --port-file "$work/api_url" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/api_url" ] && break; sleep 0.05; done
api_url="$(cat "$work/api_url")"
echo "API at $api_url"

export TEMPORAL_LIBS_API_URL="$api_url"
export TEMPORAL_LIBS_CACHE_DIR="$work/cache"

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
