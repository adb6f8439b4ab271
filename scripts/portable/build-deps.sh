#!/usr/bin/env bash
# Builds the static libraries Debian does not ship as usable .a files, from
# Debian's own source packages (apt-get source, bookworm), for one target
# architecture, and prints the prefix each one was installed into:
#
#   bash scripts/portable/build-deps.sh amd64|arm64
#
# - curl: Debian's libcurl.a needs LDAP, Kerberos, libssh2, RTMP, IDN, PSL and
#   nghttp2, which have no static libraries; rebuilt with OpenSSL, zlib, zstd
#   and c-ares (name resolution without glibc's NSS, see
#   docs/portable-binaries.md) and nothing else.
# - libarchive: Debian's libarchive.a needs libxml2 (and ICU), nettle, lzma,
#   bzip2, lz4, acl; the tool only reads and writes tar with gzip or zstd, so
#   rebuilt with zlib and zstd only.
# - libisal: libisal-dev has no .a; built with its own Makefile.unx (igzip and
#   crc, what src/tl/archive/inflate.cpp calls).
#
# OpenSSL, libsodium, zstd, zlib and c-ares come as .a files from the -dev
# packages (scripts/deps/portable.txt). Results are cached under
# $TL_CI_CACHE/portable/<arch>/<pkg>-<debian version>-<recipe>/, so a second
# run prints the prefixes at once. Progress goes to stderr; stdout is one
# line per library: <pkg> <prefix>.
set -euo pipefail
arch="${1:?usage: build-deps.sh amd64|arm64}"
: "${TL_CI_CACHE:=/var/cache/temporal-libs-ci}"
jobs="${TL_JOBS:-$(nproc)}"
# Bump when a recipe below changes, so stale caches are not reused.
recipe=r2

case "$arch" in
  amd64) triplet=x86_64-linux-gnu; isal_cpu=x86_64 ;;
  arm64) triplet=aarch64-linux-gnu; isal_cpu=aarch64 ;;
  *) echo "build-deps: unknown architecture '$arch' (amd64 or arm64)" >&2; exit 2 ;;
esac
build_triplet="$(dpkg-architecture -qDEB_BUILD_MULTIARCH)"
cc="gcc"; ar="ar"; host_flag=()
if [ "$triplet" != "$build_triplet" ]; then
  cc="$triplet-gcc"; ar="$triplet-ar"; host_flag=(--host="$triplet")
fi
cache="$TL_CI_CACHE/portable/$arch"
mkdir -p "$cache"
libdir="/usr/lib/$triplet"
log() { echo "build-deps: $*" >&2; }

# The deb-src line apt-get source needs, in a file of its own.
ensure_deb_src() {
  local f=/etc/apt/sources.list.d/temporal-libs-bookworm-src.sources
  [ -f "$f" ] && return 0
  log "adding Debian bookworm source packages ($f)"
  cat > "$f" <<'EOF'
# Source packages for scripts/release-binaries.sh (apt-get source).
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt-get -o DPkg::Lock::Timeout=600 update -qq
}

# The Debian version apt-get source would fetch for a source package.
src_version() {
  local dsc
  dsc="$(apt-get source --print-uris "$1" 2>/dev/null | grep -o "'[^']*\.dsc'" | head -1 | tr -d "'")"
  dsc="${dsc##*/}"; dsc="${dsc%.dsc}"; dsc="${dsc#*_}"
  # URIs escape '+' and '~' (%2b, %7e).
  dsc="${dsc//%2b/+}"; dsc="${dsc//%2B/+}"; dsc="${dsc//%7e/\~}"; dsc="${dsc//%7E/\~}"
  printf '%s\n' "$dsc"
}

# Unpacks a source package (with Debian's patches) into a scratch dir; prints
# the scratch dir.
unpack() {
  local pkg="$1" work
  work="$(mktemp -d "${TMPDIR:-/tmp}/tl-portable-src.XXXXXX")"
  (cd "$work" && apt-get source -qq "$pkg" >/dev/null 2>&1) \
    || { log "apt-get source $pkg failed"; rm -rf "$work"; exit 1; }
  printf '%s\n' "$work"
}

# build_one <source package> <function>: runs the recipe unless cached.
build_one() {
  local pkg="$1" fn="$2" ver prefix work dir
  ensure_deb_src
  ver="$(src_version "$pkg")"
  [ -n "$ver" ] || { log "no source package '$pkg' (is the deb-src line in place?)"; exit 1; }
  prefix="$cache/$pkg-$ver-$recipe"
  if [ -f "$prefix/.done" ]; then
    echo "$pkg $prefix"
    return 0
  fi
  log "building $pkg $ver for $arch (cold cache)"
  rm -rf "$prefix"
  work="$(unpack "$pkg")"
  dir="$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -1)"
  mkdir -p "$prefix/share"
  # The copyright file travels with the library into the release tarball.
  cp "$dir/debian/copyright" "$prefix/share/copyright"
  # A subshell of its own with errexit on (inside `cmd || ...` bash ignores it).
  local rc=0
  set +e
  (set -e; cd "$dir"; "$fn" "$prefix") >"$work/build.log" 2>&1
  rc=$?
  set -e
  if [ "$rc" -ne 0 ] || ! ls "$prefix"/lib/lib*.a >/dev/null 2>&1; then
    tail -40 "$work/build.log" >&2
    log "building $pkg failed (log: $work/build.log)"
    exit 1
  fi
  touch "$prefix/.done"
  rm -rf "$work"
  echo "$pkg $prefix"
}

# Size first (docs/portable-binaries.md): curl and libarchive are glue around
# OpenSSL, zlib and zstd, so -Os costs no measurable speed; every function and
# object in its own section for the executable's --gc-sections. ISA-L's hot
# loops are assembly; its C stays at -O2.
common_cflags="-Os -fPIE -ffunction-sections -fdata-sections"

recipe_curl() {
  local prefix="$1"
  CC="$cc" CFLAGS="$common_cflags" CPPFLAGS="-DCARES_STATICLIB" \
  PKG_CONFIG_LIBDIR="$libdir/pkgconfig:/usr/share/pkgconfig" \
  LIBS="-lzstd -lz -lpthread" \
  ./configure "${host_flag[@]}" --prefix="$prefix" \
    --disable-shared --enable-static --disable-dependency-tracking \
    --with-openssl --with-zlib --with-zstd --enable-ares \
    --without-libpsl --without-libidn2 --without-nghttp2 --without-nghttp3 \
    --without-ngtcp2 --without-brotli --without-libssh2 --without-libssh \
    --without-librtmp --without-gssapi --without-winidn --without-hyper \
    --disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet \
    --disable-tftp --disable-pop3 --disable-imap --disable-smtp --disable-smb \
    --disable-gopher --disable-mqtt --disable-manual --disable-docs \
    --disable-ftp --disable-file --disable-ntlm --disable-ntlm-wb --disable-kerberos-auth \
    --disable-cookies --disable-mime --disable-netrc --disable-alt-svc --disable-hsts \
    --disable-doh --disable-dateparse --disable-aws --disable-headers-api \
    --disable-get-easy-options --disable-progress-meter --disable-socketpair \
    --disable-bindlocal \
    --without-ca-bundle --without-ca-path --without-ca-fallback
  make -j"$jobs" -C lib
  make -C lib install
  make -C include install
}

recipe_libarchive() {
  local prefix="$1"
  # Debian's patches touch configure.ac and Makefile.am (as dh_autoreconf does).
  autoreconf -fi
  CC="$cc" CFLAGS="$common_cflags" \
  ./configure "${host_flag[@]}" --prefix="$prefix" \
    --disable-shared --enable-static --disable-dependency-tracking \
    --disable-bsdtar --disable-bsdcpio --disable-bsdcat --disable-acl --disable-xattr \
    --with-zlib --with-zstd --without-bz2lib --without-libb2 --without-iconv \
    --without-lz4 --without-lzma --without-cng --without-mbedtls --without-nettle \
    --without-openssl --without-xml2 --without-expat
  make -j"$jobs" libarchive.la
  mkdir -p "$prefix/lib" "$prefix/include"
  cp .libs/libarchive.a "$prefix/lib/"
  cp libarchive/archive.h libarchive/archive_entry.h "$prefix/include/"
}

recipe_libisal() {
  local prefix="$1"
  make -f Makefile.unx -j"$jobs" lib units="igzip crc" host_cpu="$isal_cpu" \
    CC="$cc" AR="$ar" CFLAGS_="-Wall -O2 -fPIE -ffunction-sections -fdata-sections"
  mkdir -p "$prefix/lib" "$prefix/include/isa-l"
  cp bin/isa-l.a "$prefix/lib/libisal.a"
  cp include/*.h "$prefix/include/isa-l/"
}

build_one curl recipe_curl
build_one libarchive recipe_libarchive
build_one libisal recipe_libisal
