# shellcheck shell=bash
# Shared by the checks of the portable binaries (tests/integration/portable*.test.sh,
# deb.test.sh, bench/portable_bench.sh); sourced, not run. Needs TL_SOURCE_DIR,
# TL_BUILD_DIR, TL_BINARY and TL_CI_CACHE (tests/integration/lib.sh sets them).

# The Debian 11 root: `debootstrap --variant=minbase bullseye` from Debian's
# archive, nothing added, kept as $TL_CI_CACHE/bullseye-minbase.tar and built
# when absent (about two minutes). Extracts a fresh copy into $1.
tl_bullseye_root() {
  local dir="$1" tar="$TL_CI_CACHE/bullseye-minbase.tar"
  local mirror="${TL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  if [ ! -s "$tar" ]; then
    echo "-- building the Debian 11 root (debootstrap --variant=minbase bullseye $mirror)"
    local tmp
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/tl-bullseye.XXXXXX")"
    debootstrap --variant=minbase bullseye "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1 \
      || { tail -20 "$tmp/debootstrap.log" >&2; echo "debootstrap failed" >&2; return 1; }
    mkdir -p "$TL_CI_CACHE"
    tar -C "$tmp/root" --numeric-owner -cf "$tar.tmp" .
    mv "$tar.tmp" "$tar"
    rm -rf "$tmp"
  fi
  mkdir -p "$dir"
  tar -C "$dir" --numeric-owner -xf "$tar"
}

# Five tiny static libraries for <platform>, compiled with <cc> and packed by
# the default build as release v<version> into <releases dir>/temporal-libs-v<version>/,
# the layout build/fake-github serves.
tl_fake_release() {
  local platform="$1" cc="$2" releases="$3" version="$4" work
  work="$(mktemp -d "${TMPDIR:-/tmp}/tl-fake-release.XXXXXX")"
  mkdir -p "$work/in"
  echo 'int tl_portable_probe(void) { return 42; }' >"$work/probe.c"
  "$cc" -c -O2 "$work/probe.c" -o "$work/probe.o"
  local ar="${cc%gcc}ar"
  for n in sdk_core_c_bridge sdk_core client sdk common; do
    "$ar" rcs "$work/in/libtemporalio_$n.a" "$work/probe.o"
  done
  SOURCE_DATE_EPOCH=0 "$TL_BINARY" --quiet pack --input "$work/in" \
    --out "$releases/temporal-libs-v$version" --platform "$platform" --version "v$version" >/dev/null
  rm -rf "$work"
}

# Starts build/fake-github on 127.0.0.1 serving <releases dir>; sets
# TL_FAKE_API (its URL) and TL_FAKE_PID.
# shellcheck disable=SC2034  # TL_FAKE_PID and TL_FAKE_API are for the caller
tl_fake_github() {
  local releases="$1" portfile
  portfile="$(mktemp "${TMPDIR:-/tmp}/tl-fake-api.XXXXXX")"
  rm -f "$portfile"
  "$TL_BUILD_DIR/fake-github" --dir "$releases" --port-file "$portfile" >/dev/null 2>&1 &
  TL_FAKE_PID=$!
  for _ in $(seq 200); do [ -s "$portfile" ] && break; sleep 0.05; done
  [ -s "$portfile" ] || { echo "fake-github did not start" >&2; return 1; }
  TL_FAKE_API="$(cat "$portfile")"
  rm -f "$portfile"
}

# The version `temporal-libs --version` prints: CMakeLists.txt's project().
tl_project_version() {
  sed -n 's/^project(temporal-libs VERSION \([0-9][0-9.]*\).*/\1/p' "$TL_SOURCE_DIR/CMakeLists.txt"
}

# Fails unless <binary> is a static executable: no program interpreter, no
# shared library needed.
tl_check_static() {
  local bin="$1" readelf="${2:-readelf}"
  if "$readelf" -lW "$bin" | grep -q 'Requesting program interpreter'; then
    echo "$bin has a program interpreter:" >&2
    "$readelf" -lW "$bin" | grep interpreter >&2
    return 1
  fi
  if "$readelf" -dW "$bin" 2>/dev/null | grep -q '(NEEDED)'; then
    echo "$bin needs shared libraries:" >&2
    "$readelf" -dW "$bin" | grep NEEDED >&2
    return 1
  fi
}

# Prints <binary>'s stripped size; fails above the 8 MiB goal (8,388,608
# bytes), which the release binaries meet (docs/portable-binaries.md,
# "Stripped size per platform"): a dependency or a flag that pulls in more
# fails the test instead of growing the download unnoticed.
tl_check_size() {
  local bin="$1" size limit=$((8 * 1024 * 1024))
  size="$(stat -c %s "$bin")"
  echo "   $size bytes ($(awk "BEGIN { printf \"%.2f\", $size / 1048576 }") MiB); limit 8 MiB ($limit bytes)"
  [ "$size" -le "$limit" ] || { echo "$size bytes is over the 8 MiB limit ($limit bytes)" >&2; return 1; }
}
