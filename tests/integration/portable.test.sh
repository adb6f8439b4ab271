#!/usr/bin/env bash
# The linux-x64 portable release binary (scripts/release-binaries.sh): built by
# the script, a static executable with no shared library at all, its size
# at most 8 MiB, and it runs a real download from the fake GitHub on 127.0.0.1
# in a Debian 11 root (debootstrap --variant=minbase, glibc 2.31, nothing
# added) and in an empty root holding only the binary and a CA bundle.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$TL_SOURCE_DIR/scripts/portable/fixtures.sh"
tl_scratch
[ "$(uname -m)" = x86_64 ] || { echo "skipped: linux-x64 is checked on an x86_64 machine"; exit 0; }

version="$(tl_project_version)"
top="temporal-libs-$version-linux-x64"
tarball="$TL_SOURCE_DIR/dist/cli/$top.tar.gz"

tl_check "bash scripts/release-binaries.sh --platform linux-x64"
start=$SECONDS
bash "$TL_SOURCE_DIR/scripts/release-binaries.sh" --platform linux-x64 >"$TL_SCRATCH/release.out" \
  || tl_fail "release-binaries.sh failed"
echo "   built in $((SECONDS - start)) s"
grep -qx "dist/cli/$top.tar.gz" "$TL_SCRATCH/release.out" || tl_fail "the script did not name $tarball"
[ -s "$tarball" ] || tl_fail "no $tarball"

tl_check "the tarball holds $top/temporal-libs (0755) and $top/licenses/*.txt, nothing else"
tar -tvzf "$tarball" >"$TL_SCRATCH/listing"
awk '{print $6}' "$TL_SCRATCH/listing" | sed 's,/$,,' | sort >"$TL_SCRATCH/names"
unexpected="$(grep -v -x -e "$top" -e "$top/temporal-libs" -e "$top/licenses" \
  -e "$top/licenses/[a-z0-9+.-]*\.txt" "$TL_SCRATCH/names" || true)"
[ -z "$unexpected" ] || tl_fail "unexpected entries: $unexpected"
grep -q "^-rwxr-xr-x .* $top/temporal-libs$" "$TL_SCRATCH/listing" \
  || tl_fail "temporal-libs is not mode 0755: $(grep "/temporal-libs$" "$TL_SCRATCH/listing")"
for lic in curl openssl libarchive libsodium zstd zlib libisal c-ares glibc libstdc++; do
  grep -qx "$top/licenses/$lic.txt" "$TL_SCRATCH/names" || tl_fail "no licenses/$lic.txt"
done
tar -xzf "$tarball" -C "$TL_SCRATCH"
bin="$TL_SCRATCH/$top/temporal-libs"
grep -q "Copyright" "$TL_SCRATCH/$top/licenses/curl.txt" || tl_fail "licenses/curl.txt has no copyright notice"

tl_check "a static executable: file, readelf (no interpreter, no NEEDED), stripped"
file "$bin" | tee "$TL_SCRATCH/file.out" | sed 's/^/   /'
grep -q "statically linked" "$TL_SCRATCH/file.out" || tl_fail "file does not call it statically linked"
grep -q 'x86-64' "$TL_SCRATCH/file.out" || tl_fail "not an x86-64 executable"
grep -q ', stripped' "$TL_SCRATCH/file.out" || tl_fail "not stripped"
tl_check_static "$bin" || tl_fail "dynamic dependencies left"

tl_check "stripped size (at most 8 MiB)"
tl_check_size "$bin" || tl_fail "the binary grew past 8 MiB"

tl_check "--version prints $version"
"$bin" --version | grep -qw "$version" || tl_fail "--version: $("$bin" --version)"

tl_check "a release on the fake GitHub (127.0.0.1)"
mkdir -p "$TL_SCRATCH/releases"
tl_fake_release linux-x64 gcc "$TL_SCRATCH/releases" 0.0.1
tl_fake_github "$TL_SCRATCH/releases"
# The server goes with the scratch directory (kept on failure, as lib.sh does).
trap 'rc=$?; kill "$TL_FAKE_PID" 2>/dev/null || true
      if [ $rc -eq 0 ]; then rm -rf "$TL_SCRATCH"; else echo "kept $TL_SCRATCH" >&2; fi' EXIT

# run_download <root> <cache dir in the root> <binary in the root>: a real
# download from the fake GitHub, run with chroot (same network namespace).
run_download() {
  local root="$1" cache="$2" exe="$3"
  chroot "$root" "$exe" --version >/dev/null || return 1
  env -i PATH=/usr/bin:/bin HOME=/nonexistent TEMPORAL_LIBS_API_URL="$TL_FAKE_API" \
    TEMPORAL_LIBS_CACHE_DIR="$cache" "$(command -v chroot)" "$root" "$exe" download --version v0.0.1 \
    --platform linux-x64 >"$TL_SCRATCH/download.out" 2>&1 || { cat "$TL_SCRATCH/download.out" >&2; return 1; }
  [ -s "$root$cache/temporal-libs-v0.0.1/linux-x64/libtemporalio_sdk_core_c_bridge.a" ] \
    || { cat "$TL_SCRATCH/download.out" >&2; ls -R "$root$cache" >&2; return 1; }
}

tl_check "Debian 11 root (debootstrap --variant=minbase bullseye, cached in $TL_CI_CACHE)"
tl_bullseye_root "$TL_SCRATCH/bullseye" || { tl_fail "no Debian 11 root"; }
glibc="$(chroot "$TL_SCRATCH/bullseye" dpkg-query -W -f='${Version}' libc6)"
echo "   libc6 $glibc in the root"
case "$glibc" in 2.31-*) ;; *) tl_fail "the root's glibc is $glibc, not 2.31" ;; esac
install -m 755 "$bin" "$TL_SCRATCH/bullseye/usr/local/bin/temporal-libs"
run_download "$TL_SCRATCH/bullseye" /tmp/tl-cache /usr/local/bin/temporal-libs \
  || { tl_fail "download in the Debian 11 root failed"; }
echo "   downloaded into the root's /tmp/tl-cache"

tl_check "empty root: only the binary and a CA bundle"
empty="$TL_SCRATCH/empty"
mkdir -p "$empty/etc/ssl/certs" "$empty/tmp"
install -m 755 "$bin" "$empty/temporal-libs"
cp /etc/ssl/certs/ca-certificates.crt "$empty/etc/ssl/certs/"
run_download "$empty" /tmp/tl-cache /temporal-libs || { tl_fail "download in an empty root failed"; }
find "$empty" -type f | sed "s,^$empty,   ," | sort | head -20

tl_check "TLS: verification on, the CA search list (RHEL's path), SSL_CERT_FILE honoured"
# A self-signed certificate for 127.0.0.1 served by openssl s_server: the
# handshake must fail against the distribution bundle, and pass (the reply is
# then not the API's JSON) when the certificate is the bundle a RHEL-like root
# keeps in /etc/pki/tls/certs/ca-bundle.crt, or is named by SSL_CERT_FILE.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -days 2 -nodes -keyout "$TL_SCRATCH/key.pem" \
  -out "$TL_SCRATCH/cert.pem" 2>/dev/null || tl_fail "openssl req failed"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
openssl s_server -accept "127.0.0.1:$port" -cert "$TL_SCRATCH/cert.pem" -key "$TL_SCRATCH/key.pem" \
  -www -quiet >/dev/null 2>&1 &
tls_pid=$!
trap 'rc=$?; kill "$TL_FAKE_PID" "$tls_pid" 2>/dev/null || true
      if [ $rc -eq 0 ]; then rm -rf "$TL_SCRATCH"; else echo "kept $TL_SCRATCH" >&2; fi' EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
tls_try() {  # tls_try <root> [VAR=value...]: the tool's one-line error
  local root="$1"; shift
  env -i PATH=/usr/bin:/bin HOME=/nonexistent "$@" "$(command -v chroot)" "$root" /temporal-libs \
    download --version v0.0.1 --platform linux-x64 --cache-dir /tmp/tls-cache --retries 1 \
    --api-url "https://127.0.0.1:$port" 2>&1 || true
}
out="$(tls_try "$empty")"
echo "   distribution bundle: $out"
grep -q "self-signed certificate" <<<"$out" || tl_fail "an untrusted certificate was not refused"
cp "$TL_SCRATCH/cert.pem" "$empty/cert.pem"
out="$(tls_try "$empty" SSL_CERT_FILE=/cert.pem)"
echo "   SSL_CERT_FILE=/cert.pem: $out"
grep -q "not valid JSON" <<<"$out" || tl_fail "SSL_CERT_FILE was not used"
rhel="$TL_SCRATCH/rhel"
mkdir -p "$rhel/etc/pki/tls/certs" "$rhel/tmp"
install -m 755 "$bin" "$rhel/temporal-libs"
cp "$TL_SCRATCH/cert.pem" "$rhel/etc/pki/tls/certs/ca-bundle.crt"
out="$(tls_try "$rhel")"
echo "   /etc/pki/tls/certs/ca-bundle.crt: $out"
grep -q "not valid JSON" <<<"$out" || tl_fail "the RHEL bundle path was not searched"

echo "portable linux-x64: ok"
