#!/usr/bin/env bash
# Configure + build of examples/cmake-consumer from an empty build directory:
# prebuilt libraries (warm cache; and cold, downloaded from build/fake-github)
# next to building them from source with cargo (USE_PREBUILT_LIBS=OFF, a cold
# cargo target directory each run), with the ratio; plus a re-configure of a
# configured tree with a warm cache.
#   bash bench/cmake_consumer_bench.sh [RUNS=3]
# The sample crates have no dependencies, so their source build is seconds;
# sdk-core's takes about 15 minutes while the prebuilt path stays the same, so
# the ratio printed here is a lower bound of the real one.
source "$(dirname "$0")/common.sh"
runs="${1:-3}"
BENCH_TMP="$(mktemp -d /tmp/tl-bench-XXXXXX)"
trap 'stop_fake; rm -rf "$BENCH_TMP"' EXIT
command -v cargo >/dev/null || { echo "cargo is needed for the from-source side" >&2; exit 2; }
case "$(uname -m)" in aarch64 | arm64) platform=linux-arm64 triple=aarch64-unknown-linux-gnu ;;
  *) platform=linux-x64 triple=x86_64-unknown-linux-gnu ;; esac
tag=temporal-libs-v1.0.2
sample="$bench_root/examples/sample-core"
consumer="$bench_root/examples/cmake-consumer"

# A release of the sample crates, built the way the publisher builds them.
"$tool" -q build --source "$sample" --target "$triple" --out "$BENCH_TMP/artifacts" \
  --target-dir "$BENCH_TMP/target-release" --offline >/dev/null
rm -f "$BENCH_TMP/artifacts/temporal-libs-build.json"
mkdir -p "$BENCH_TMP/releases/$tag"
name="temporal-static-libs-$platform-${tag#temporal-libs-}.tar.gz"
tar -czf "$BENCH_TMP/releases/$tag/$name" -C "$BENCH_TMP/artifacts" .
(cd "$BENCH_TMP/releases/$tag" && sha256sum "$name" > "$name.sha256")
start_fake "$BENCH_TMP"
export TEMPORAL_LIBS_API_URL="$API_URL" TEMPORAL_LIBS_FALLBACK=none
unset GITHUB_TOKEN GH_TOKEN TEMPORAL_LIBS_VERSION FORCE_PLATFORM FORCE_ARCH USE_PREBUILT_LIBS || true

# configure + build in a fresh directory; extra arguments go to the configure
consumer_build() {
  local dir="$BENCH_TMP/b-$RANDOM$RANDOM"
  cmake -S "$consumer" -B "$dir" -G Ninja -DTemporalLibs_DIR="$bench_root/cmake" \
    -DTEMPORAL_LIBS_EXECUTABLE="$tool" -DTEMPORAL_LIBS_VERSION=v1.0.2 "$@" &&
    cmake --build "$dir" && "$dir/consumer"
}
cold_prebuilt() { TEMPORAL_LIBS_CACHE_DIR="$BENCH_TMP/cold-$RANDOM$RANDOM" consumer_build; }
warm_prebuilt() { TEMPORAL_LIBS_CACHE_DIR="$BENCH_TMP/warm" consumer_build; }
from_source() { CARGO_TARGET_DIR="$BENCH_TMP/target-$RANDOM$RANDOM" consumer_build -DUSE_PREBUILT_LIBS=OFF; }

warm_prebuilt >/dev/null 2>&1 || { echo "the prebuilt consumer build failed" >&2; warm_prebuilt; exit 1; }
from_source >/dev/null 2>&1 || { echo "the from-source consumer build failed" >&2; exit 1; }

measure() { local out=(); for _ in $(seq "$runs"); do out+=("$(time_cmd "$@")"); done; printf '%s\n' "${out[@]}" | median; }
warm=$(measure warm_prebuilt)
cold=$(measure cold_prebuilt)
source_s=$(measure from_source)
configured="$BENCH_TMP/configured"
TEMPORAL_LIBS_CACHE_DIR="$BENCH_TMP/warm" cmake -S "$consumer" -B "$configured" -G Ninja \
  -DTemporalLibs_DIR="$bench_root/cmake" -DTEMPORAL_LIBS_EXECUTABLE="$tool" \
  -DTEMPORAL_LIBS_VERSION=v1.0.2 >/dev/null
reconf=$(measure env TEMPORAL_LIBS_CACHE_DIR="$BENCH_TMP/warm" cmake "$configured")
reconf_plain=$(measure env TEMPORAL_LIBS_CACHE_DIR="$BENCH_TMP/warm" "$tool" -q download --version v1.0.2)

printf '%-58s %10s\n' "examples/cmake-consumer, median of $runs" "seconds"
printf '%-58s %10.3f\n' "configure + build, prebuilt, warm cache" "$warm"
printf '%-58s %10.3f\n' "configure + build, prebuilt, cold cache (fake GitHub)" "$cold"
printf '%-58s %10.3f\n' "configure + build, from source (cargo, cold target dir)" "$source_s"
printf '%-58s %10.2f\n' "ratio from source / prebuilt warm" "$(echo "$source_s / $warm" | bc -l)"
printf '%-58s %10.3f\n' "re-configure of a configured tree, warm cache" "$reconf"
printf '%-58s %10.3f\n' "  of which one temporal-libs download (cache hit)" "$reconf_plain"
