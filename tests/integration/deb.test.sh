#!/usr/bin/env bash
# The Debian package of the portable binary (scripts/release-binaries.sh --deb,
# CPack): temporal-libs_<version>_amd64.deb, no dependency declared (the
# executable is static), installs with dpkg -i in a Debian 11 root
# (debootstrap --variant=minbase bullseye) and runs a download there from the
# fake GitHub on 127.0.0.1.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$TL_SOURCE_DIR/scripts/portable/fixtures.sh"
tl_scratch
[ "$(uname -m)" = x86_64 ] || { echo "skipped: the amd64 package is checked on an x86_64 machine"; exit 0; }

version="$(tl_project_version)"
deb="$TL_SOURCE_DIR/dist/cli/temporal-libs_${version}_amd64.deb"

tl_check "bash scripts/release-binaries.sh --platform linux-x64 --deb"
bash "$TL_SOURCE_DIR/scripts/release-binaries.sh" --platform linux-x64 --deb >"$TL_SCRATCH/release.out" \
  || tl_fail "release-binaries.sh --deb failed"
grep -qx "dist/cli/temporal-libs_${version}_amd64.deb" "$TL_SCRATCH/release.out" \
  || tl_fail "the script did not name the package"
[ -s "$deb" ] || tl_fail "no $deb"

tl_check "control: temporal-libs $version amd64, no Depends"
dpkg-deb -f "$deb" Package Version Architecture Depends >"$TL_SCRATCH/control"
sed 's/^/   /' "$TL_SCRATCH/control"
grep -qx "Package: temporal-libs" "$TL_SCRATCH/control" || tl_fail "wrong package name"
grep -qx "Version: $version" "$TL_SCRATCH/control" || tl_fail "wrong version"
grep -qx "Architecture: amd64" "$TL_SCRATCH/control" || tl_fail "wrong architecture"
! grep -q "^Depends:" "$TL_SCRATCH/control" || tl_fail "a static executable declares dependencies"
dpkg-deb -c "$deb" >"$TL_SCRATCH/contents"
grep -q ' ./usr/bin/temporal-libs$' "$TL_SCRATCH/contents" || tl_fail "no /usr/bin/temporal-libs"
grep -q ' ./usr/share/doc/temporal-libs/licenses/curl.txt$' "$TL_SCRATCH/contents" \
  || tl_fail "no licence notices in /usr/share/doc/temporal-libs/licenses"

tl_check "dpkg -i in a Debian 11 root"
root="$TL_SCRATCH/bullseye"
tl_bullseye_root "$root" || tl_fail "no Debian 11 root"
cp "$deb" "$root/tmp/"
chroot "$root" dpkg -i "/tmp/${deb##*/}" >"$TL_SCRATCH/dpkg.out" 2>&1 \
  || { cat "$TL_SCRATCH/dpkg.out" >&2; tl_fail "dpkg -i failed"; }
chroot "$root" dpkg-query -W -f='${Status}\n' temporal-libs | grep -qx "install ok installed" \
  || tl_fail "not installed"
chroot "$root" temporal-libs --version | grep -qw "$version" || tl_fail "temporal-libs --version"

tl_check "download from the fake GitHub (127.0.0.1) with the installed binary"
mkdir -p "$TL_SCRATCH/releases"
tl_fake_release linux-x64 gcc "$TL_SCRATCH/releases" 0.0.1
tl_fake_github "$TL_SCRATCH/releases"
trap 'rc=$?; kill "$TL_FAKE_PID" 2>/dev/null || true
      if [ $rc -eq 0 ]; then rm -rf "$TL_SCRATCH"; else echo "kept $TL_SCRATCH" >&2; fi' EXIT
env -i PATH=/usr/bin:/bin HOME=/root TEMPORAL_LIBS_API_URL="$TL_FAKE_API" \
  TEMPORAL_LIBS_CACHE_DIR=/var/cache/tl "$(command -v chroot)" "$root" temporal-libs download --version v0.0.1 \
  >"$TL_SCRATCH/download.out" 2>&1 || { cat "$TL_SCRATCH/download.out" >&2; tl_fail "download failed"; }
[ -s "$root/var/cache/tl/temporal-libs-v0.0.1/linux-x64/libtemporalio_sdk_core_c_bridge.a" ] \
  || { cat "$TL_SCRATCH/download.out" >&2; tl_fail "the library is not in the cache"; }

tl_check "dpkg -r removes it"
chroot "$root" dpkg -r temporal-libs >/dev/null 2>&1 || tl_fail "dpkg -r failed"
[ ! -e "$root/usr/bin/temporal-libs" ] || tl_fail "/usr/bin/temporal-libs left behind"
echo "deb: ok"
