#!/bin/sh
# Installs the temporal-libs command-line tool from its own GitHub release
# (tag temporal-libs-cli-v<version>): no compiler, no package manager.
#
#   curl -fsSL https://raw.githubusercontent.com/proompteng/lab/main/install.sh | sh
#   curl -fsSL .../install.sh | sh -s -- --version 0.1.0 --prefix /usr/local
#
# It picks the archive for this machine (linux-x64, linux-arm64, macos-arm64,
# macos-x64), checks its SHA-256 against the release's SHA256SUMS, checks the
# minisign signature of SHA256SUMS when minisign is installed, and moves the
# executable into PREFIX/bin (default ~/.local/bin) in one rename, so an
# existing temporal-libs is replaced whole or not at all.
#
# POSIX sh; needs curl or wget, tar, gzip, and sha256sum (or shasum, or openssl).
# Settings shared with temporal-libs itself:
#   TEMPORAL_LIBS_REPO        repository holding the releases (default proompteng/lab)
#   TEMPORAL_LIBS_API_URL     GitHub API (default https://api.github.com)
#   GITHUB_TOKEN / GH_TOKEN   token, sent to the API host only
#   TEMPORAL_LIBS_ALLOW_HTTP  true: allow plain http to hosts other than loopback
#   FORCE_PLATFORM / FORCE_ARCH  linux|darwin and x64|arm64, instead of uname
# Exit codes as the tool's: 2 usage or unsupported platform, 3 release or asset
# not found, 4 network, 5 checksum or signature, 6 install directory.

set -u

# The minisign public key the release workflow signs SHA256SUMS with
# (keys/temporal-libs-cli.pub in the repository).
PUBLIC_KEY_ID='6AF3C32D2631C59F'
PUBLIC_KEY='RWSfxTEmLcPzauGjkZAJCXpBQU+a7HfQQw+BS2Jnx1kQUw2gbrOp5R5i'

TAG_PREFIX='temporal-libs-cli-v'
SUPPORTED='linux-x64, linux-arm64, macos-arm64, macos-x64'

say() { printf '%s\n' "$*" >&2; }
die() {
    code=$1
    shift
    printf 'error: %s\n' "$*" >&2
    exit "$code"
}

usage() {
    cat <<'EOF'
usage: install.sh [--version VERSION] [--prefix DIR] [--platform PLATFORM] [--require-signature]

Installs temporal-libs from the newest temporal-libs-cli-v* release (or the
pinned VERSION: 0.1.0, v0.1.0 or temporal-libs-cli-v0.1.0) into DIR/bin
(default ~/.local/bin), after checking it against the release's SHA256SUMS and,
when minisign is installed, the signature of SHA256SUMS.

  --version VERSION     install this release instead of the newest
  --prefix DIR          install into DIR/bin (default ~/.local)
  --platform PLATFORM   one of linux-x64, linux-arm64, macos-arm64, macos-x64
  --repo OWNER/NAME     repository holding the releases [env TEMPORAL_LIBS_REPO]
  --require-signature   fail unless the signature was checked (needs minisign)

Examples:
  curl -fsSL https://raw.githubusercontent.com/proompteng/lab/main/install.sh | sh
  sh install.sh --version 0.1.0 --prefix /usr/local
EOF
}

version=''
prefix=''
platform=''
require_signature=0
repo="${TEMPORAL_LIBS_REPO:-proompteng/lab}"
api_url="${TEMPORAL_LIBS_API_URL:-https://api.github.com}"
api_url="${api_url%/}"
token="${GITHUB_TOKEN:-${GH_TOKEN:-}}"

need_value() {
    [ "$2" -ge 2 ] || die 2 "$1 needs a value (see --help)"
}
while [ $# -gt 0 ]; do
    case "$1" in
    --version) need_value "$1" $#; version=$2; shift 2 ;;
    --version=*) version=${1#*=}; shift ;;
    --prefix) need_value "$1" $#; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --platform) need_value "$1" $#; platform=$2; shift 2 ;;
    --platform=*) platform=${1#*=}; shift ;;
    --repo) need_value "$1" $#; repo=$2; shift 2 ;;
    --repo=*) repo=${1#*=}; shift ;;
    --require-signature) require_signature=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die 2 "unknown option '$1' (see --help)" ;;
    esac
done

case "$repo" in
*/*) ;;
*) die 2 "repository '$repo' is not owner/name (TEMPORAL_LIBS_REPO or --repo)" ;;
esac

# --- platform ---------------------------------------------------------------

detect_platform() {
    os="${FORCE_PLATFORM:-}"
    arch="${FORCE_ARCH:-}"
    if [ -z "$os" ]; then
        os=$(uname -s 2>/dev/null || echo unknown)
    fi
    if [ -z "$arch" ]; then
        arch=$(uname -m 2>/dev/null || echo unknown)
    fi
    case "$os" in
    Linux | linux) os=linux ;;
    Darwin | darwin | macos) os=macos ;;
    *) die 2 "no temporal-libs binary for operating system '$os'; supported platforms: $SUPPORTED (or build from source: see README.md)" ;;
    esac
    case "$arch" in
    x86_64 | amd64 | x64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die 2 "no temporal-libs binary for architecture '$arch'; supported platforms: $SUPPORTED (or build from source: see README.md)" ;;
    esac
    if [ "$os" = linux ] && [ -z "${FORCE_PLATFORM:-}" ] &&
        ls /lib/ld-musl-* >/dev/null 2>&1 && ! ls /lib*/ld-linux* /lib/*/ld-linux* >/dev/null 2>&1; then
        die 2 "this host uses the musl C library and the linux binaries need glibc; supported platforms: $SUPPORTED (glibc), or build from source: see README.md"
    fi
    platform="$os-$arch"
}

if [ -n "$platform" ]; then
    case "$platform" in
    linux-x64 | linux-arm64 | macos-arm64 | macos-x64) ;;
    *) die 2 "unknown platform '$platform'; supported platforms: $SUPPORTED" ;;
    esac
else
    detect_platform
fi

# --- install directory: checked before anything is downloaded ---------------

if [ -z "$prefix" ]; then
    [ -n "${HOME:-}" ] || die 6 "HOME is not set; choose where to install with --prefix DIR"
    prefix="$HOME/.local"
fi
bindir="${prefix%/}/bin"
if ! mkdir -p "$bindir" 2>/dev/null || [ ! -d "$bindir" ] || [ ! -w "$bindir" ]; then
    die 6 "cannot write to $bindir; choose another directory with --prefix DIR (the binary goes into DIR/bin) or run with permission to write there"
fi
case "$bindir" in
/*) ;;
*) bindir="$(cd "$bindir" && pwd)" ;;
esac

# --- tools -------------------------------------------------------------------

if command -v curl >/dev/null 2>&1; then
    fetcher=curl
elif command -v wget >/dev/null 2>&1; then
    fetcher=wget
else
    die 2 "neither curl nor wget is installed; install one of them and run this again"
fi
for t in tar gzip; do
    command -v "$t" >/dev/null 2>&1 || die 2 "$t is not installed; install it and run this again"
done
if command -v sha256sum >/dev/null 2>&1; then
    sha256() { sha256sum "$1" | awk '{ print $1 }'; }
elif command -v shasum >/dev/null 2>&1; then
    sha256() { shasum -a 256 "$1" | awk '{ print $1 }'; }
elif command -v openssl >/dev/null 2>&1; then
    sha256() { openssl dgst -sha256 "$1" | awk '{ print $NF }'; }
else
    die 2 "no SHA-256 tool (sha256sum, shasum or openssl) is installed; install one and run this again"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/temporal-libs-install.XXXXXX") ||
    die 6 "cannot create a temporary directory in ${TMPDIR:-/tmp}"
staged=''
cleanup() {
    rm -rf "$tmp"
    if [ -n "$staged" ]; then rm -f "$staged"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- http --------------------------------------------------------------------

# scheme://host[:port] of a URL.
origin_of() {
    printf '%s\n' "$1" | sed -n 's#^\([A-Za-z][A-Za-z0-9+.-]*://[^/?#]*\).*#\1#p' | tr '[:upper:]' '[:lower:]'
}
api_origin=$(origin_of "$api_url")

# Plain http only to loopback hosts, unless TEMPORAL_LIBS_ALLOW_HTTP is set.
check_url() {
    case "$1" in
    https://*) return 0 ;;
    http://127.* | http://localhost | http://localhost[:/]* | http://\[::1\]*) return 0 ;;
    http://*)
        case "${TEMPORAL_LIBS_ALLOW_HTTP:-}" in
        1 | true | yes | on) return 0 ;;
        esac
        die 2 "refusing plain HTTP to $(origin_of "$1"): use an https:// URL, or set TEMPORAL_LIBS_ALLOW_HTTP=true if this network is trusted"
        ;;
    *) die 2 "not an http(s) URL: $1" ;;
    esac
}

# request URL OUT HEADERS ACCEPT FOLLOW: one GET; prints the final HTTP status
# (000 when no answer came). The token goes only to the API's origin and only
# on the first hop: redirects are followed (FOLLOW=1) without it.
request() {
    r_url=$1 out=$2 hdr=$3 accept=$4 follow=$5
    check_url "$r_url"
    auth=''
    if [ -n "$token" ] && [ "$(origin_of "$r_url")" = "$api_origin" ] && [ "$follow" = 0 ]; then
        auth="Authorization: Bearer $token"
    fi
    : >"$out"
    : >"$hdr"
    if [ "$fetcher" = curl ]; then
        set -- -sS -o "$out" -D "$hdr" --connect-timeout 15 --retry 2 \
            -H "Accept: $accept" -H 'User-Agent: temporal-libs-install.sh' \
            -H 'X-GitHub-Api-Version: 2022-11-28'
        if [ "$follow" = 1 ]; then
            set -- "$@" -L --max-redirs 10
            case "$r_url" in https://*) set -- "$@" --proto-redir =https ;; esac
        fi
        if [ -n "$auth" ]; then
            # From stdin, so the token never shows in the process list.
            printf 'header = "%s"\n' "$auth" | curl "$@" -K - "$r_url" 2>"$tmp/fetch.err"
        else
            curl "$@" "$r_url" 2>"$tmp/fetch.err"
        fi
        # A transfer cut short is a network failure, whatever status came first.
        # shellcheck disable=SC2181
        if [ $? -ne 0 ]; then
            echo 000
            return 0
        fi
        # -D holds every hop's headers; the last status line is the answer.
        http_status "$hdr"
    else
        set -- -nv -S -O "$out" --timeout=15 --tries=3 \
            --header="Accept: $accept" --header='User-Agent: temporal-libs-install.sh' \
            --header='X-GitHub-Api-Version: 2022-11-28'
        if [ "$follow" = 1 ]; then
            set -- "$@" --max-redirect=10
            case "$r_url" in https://*) set -- "$@" --https-only ;; esac
        else
            set -- "$@" --max-redirect=0
        fi
        if [ -n "$auth" ]; then
            # From a private file, so the token never shows in the process list.
            (umask 077 && printf 'header = %s\n' "$auth" >"$tmp/wgetrc")
            WGETRC="$tmp/wgetrc" wget "$@" "$r_url" 2>"$hdr"
            rm -f "$tmp/wgetrc"
        else
            wget "$@" "$r_url" 2>"$hdr"
        fi
        rc=$?
        # -S writes each response's headers to stderr, indented, beside errors.
        cp "$hdr" "$tmp/fetch.err"
        # 4: network failure, 5: TLS failure (8 is an HTTP error status: read it).
        if [ $rc -eq 4 ] || [ $rc -eq 5 ]; then
            echo 000
            return 0
        fi
        http_status "$hdr"
    fi
}

http_status() { # HEADERS: the last status line's code, 000 when none came
    awk '{ sub(/^[ \t]+/, "") } /^HTTP\// { s = $2 } END { print (s == "" ? "000" : s) }' "$1"
}

header_value() { # HEADERS NAME: the last value of a header
    awk -v name="$2" 'BEGIN { name = tolower(name) ":" }
        { line = $0; sub(/\r$/, "", line); sub(/^[ \t]+/, "", line) }
        tolower(substr(line, 1, length(name))) == name {
            v = substr(line, length(name) + 1); sub(/^[ \t]+/, "", v); value = v }
        END { print value }' "$1"
}

network_error() { # what, status
    if [ "$2" = 000 ]; then
        detail=$(grep -v '^ ' "$tmp/fetch.err" 2>/dev/null | sed -n '$p')
        die 4 "$1 failed: no answer from $(origin_of "$3")${detail:+ ($detail)}; check the network or TEMPORAL_LIBS_API_URL"
    fi
    case "$2" in
    401) die 4 "$1 failed: HTTP 401 bad credentials (check GITHUB_TOKEN/GH_TOKEN)" ;;
    403 | 429) die 4 "$1 failed: HTTP $2 (rate limited? set GITHUB_TOKEN to raise the limit)" ;;
    *) die 4 "$1 failed: HTTP $2 from $(origin_of "$3")" ;;
    esac
}

# --- the release list: one line per release -----------------------------------
# R<TAB>tag<TAB>draft<TAB>prerelease, then A<TAB>name<TAB>api-url per asset.
# JSON strings cannot hold raw newlines, so each line splits on '"' into
# alternating outside/inside parts (a part ending in an odd run of '\' was an
# escaped quote).
parse_releases() {
    awk '
    function value(v) {
        if (depth == 2) {
            if (key[2] == "tag_name") tag = v
            else if (key[2] == "draft") draft = v
            else if (key[2] == "prerelease") pre = v
        } else if (depth == 4 && key[2] == "assets") {
            if (key[4] == "name") aname = v
            else if (key[4] == "url") aurl = v
        }
    }
    function jopen(c) {
        depth++; type[depth] = c; expect_key = (c == "{"); key[depth] = ""
        if (depth == 2 && c == "{") { tag = ""; draft = ""; pre = ""; assets = "" }
        if (depth == 4 && c == "{") { aname = ""; aurl = "" }
    }
    function jclose() {
        if (depth == 4 && type[4] == "{" && key[2] == "assets")
            assets = assets "A\t" aname "\t" aurl "\n"
        if (depth == 2 && type[2] == "{") printf "R\t%s\t%s\t%s\n%s", tag, draft, pre, assets
        depth--
        expect_key = 0
    }
    function literal() {
        if (lit != "") { value(lit); lit = "" }
    }
    function outside(s,    i, c) {
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "{" || c == "[") { literal(); jopen(c) }
            else if (c == "}" || c == "]") { literal(); jclose() }
            else if (c == ",") { literal(); expect_key = (type[depth] == "{") }
            else if (c == ":") { literal(); expect_key = 0 }
            else if (c != " " && c != "\t" && c != "\r") lit = lit c
        }
    }
    function str(s) {
        gsub(/\\\//, "/", s)
        if (expect_key) key[depth] = s
        else value(s)
    }
    {
        n = split($0, p, "\"")
        i = 1
        while (i <= n) {
            outside(p[i])
            i++
            if (i > n) break
            s = p[i]
            while (i < n && match(s, /\\+$/) && RLENGTH % 2 == 1) { i++; s = s "\"" p[i] }
            str(s)
            i++
        }
    }'
}

api_get() { # URL OUT what: GET an API URL, die on failure; sets next_url from Link
    request "$1" "$2" "$tmp/hdr" application/vnd.github+json 0 >"$tmp/status"
    status=$(cat "$tmp/status")
    case "$status" in
    200) ;;
    404) return 3 ;;
    *) network_error "$3" "$status" "$1" ;;
    esac
    next_url=$(header_value "$tmp/hdr" link | tr ',' '\n' |
        sed -n 's/^[ ]*<\([^>]*\)>;[ ]*rel="next".*/\1/p')
    return 0
}

if [ -n "$version" ]; then
    case "$version" in
    latest) version='' ;;
    "$TAG_PREFIX"*) tag=$version ;;
    v[0-9]*) tag="temporal-libs-cli-$version" ;;
    [0-9]*) tag="$TAG_PREFIX$version" ;;
    *) die 2 "version '$version' is not like 0.1.0, v0.1.0 or ${TAG_PREFIX}0.1.0" ;;
    esac
fi
if [ -n "$version" ]; then
    case "$tag" in
    *[!A-Za-z0-9._+-]*) die 2 "version '$version' has characters a release tag cannot have" ;;
    esac
    say "temporal-libs: release $tag of $repo ($platform)"
    if ! api_get "$api_url/repos/$repo/releases/tags/$tag" "$tmp/page" "looking up release $tag"; then
        die 3 "release '$tag' not found in $repo (check --version; the releases are at https://github.com/$repo/releases)"
    fi
    { printf '['; cat "$tmp/page"; printf ']'; } | parse_releases >"$tmp/releases"
    awk -F '\t' '$1 == "R" && $3 == "true" { bad = 1 } END { exit !bad }' "$tmp/releases" &&
        die 3 "release '$tag' in $repo is a draft: it is not published yet"
else
    say "temporal-libs: newest ${TAG_PREFIX}* release of $repo ($platform)"
    url="$api_url/repos/$repo/releases?per_page=100"
    pages=0
    : >"$tmp/releases"
    tag=''
    while [ -n "$url" ] && [ $pages -lt 200 ]; do
        pages=$((pages + 1))
        if ! api_get "$url" "$tmp/page" "listing the releases of $repo"; then
            die 3 "repository '$repo' not found at $api_url (check TEMPORAL_LIBS_REPO; a private repository needs GITHUB_TOKEN)"
        fi
        parse_releases <"$tmp/page" >"$tmp/list"
        tag=$(awk -F '\t' -v p="$TAG_PREFIX" '$1 == "R" && $3 != "true" && $4 != "true" &&
            substr($2, 1, length(p)) == p { print $2; exit }' "$tmp/list")
        if [ -n "$tag" ]; then
            awk -F '\t' -v t="$tag" '$1 == "R" { keep = ($2 == t) } keep' "$tmp/list" >"$tmp/releases"
            break
        fi
        url=$next_url
    done
    [ -n "$tag" ] || die 3 "no published ${TAG_PREFIX}* release in $repo (drafts and pre-releases are skipped); pin one with --version, or build from source: see README.md"
fi

release_version=${tag#"$TAG_PREFIX"}
archive="temporal-libs-$release_version-$platform.tar.gz"
asset_url() {
    awk -F '\t' -v n="$1" '$1 == "A" && $2 == n { print $3; exit }' "$tmp/releases"
}
archive_url=$(asset_url "$archive")
sums_url=$(asset_url SHA256SUMS)
sig_url=$(asset_url SHA256SUMS.minisig)
if [ -z "$archive_url" ]; then
    have=$(awk -F '\t' '$1 == "A" && $2 ~ /\.tar\.gz$/ { sub(/^temporal-libs-[^-]*-/, "", $2); sub(/\.tar\.gz$/, "", $2); printf "%s%s", sep, $2; sep = ", " }' "$tmp/releases")
    die 3 "release $tag has no binary for $platform (it has: ${have:-none}); build from source: see README.md"
fi
[ -n "$sums_url" ] || die 5 "release $tag has no SHA256SUMS: the archive cannot be checked, so it is not installed"

# Downloads a release asset: the API answers with a redirect to storage, which
# is followed without the token.
download() { # URL OUT NAME
    request "$1" "$2" "$tmp/hdr" application/octet-stream 0 >"$tmp/status"
    status=$(cat "$tmp/status")
    case "$status" in
    200) return 0 ;;
    301 | 302 | 303 | 307 | 308)
        location=$(header_value "$tmp/hdr" location)
        [ -n "$location" ] || die 4 "downloading $3 failed: a redirect without a Location"
        request "$location" "$2" "$tmp/hdr" application/octet-stream 1 >"$tmp/status"
        status=$(cat "$tmp/status")
        [ "$status" = 200 ] || network_error "downloading $3" "$status" "$location"
        ;;
    *) network_error "downloading $3" "$status" "$1" ;;
    esac
}

say "downloading $archive"
download "$sums_url" "$tmp/SHA256SUMS" SHA256SUMS
download "$archive_url" "$tmp/$archive" "$archive"

# --- checks --------------------------------------------------------------------

expected=$(awk -v n="$archive" '($2 == n || $2 == "*" n) { print tolower($1); exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die 5 "SHA256SUMS of $tag does not list $archive: nothing installed"
actual=$(sha256 "$tmp/$archive")
if [ "$actual" != "$expected" ]; then
    die 5 "checksum mismatch for $archive (SHA256SUMS says $expected, the download is $actual): nothing installed"
fi
checks="sha256 of $archive matches SHA256SUMS"

# TEMPORAL_LIBS_CLI_PUBLIC_KEY trusts another key (a fork's own releases).
key=${TEMPORAL_LIBS_CLI_PUBLIC_KEY:-$PUBLIC_KEY}
key_name="the temporal-libs release key $PUBLIC_KEY_ID"
[ "$key" = "$PUBLIC_KEY" ] || key_name="the key in TEMPORAL_LIBS_CLI_PUBLIC_KEY"
if command -v minisign >/dev/null 2>&1; then
    [ -n "$sig_url" ] || die 5 "release $tag has no SHA256SUMS.minisig, so its SHA256SUMS cannot be trusted: nothing installed"
    download "$sig_url" "$tmp/SHA256SUMS.minisig" SHA256SUMS.minisig
    if ! minisign -V -q -P "$key" -m "$tmp/SHA256SUMS" -x "$tmp/SHA256SUMS.minisig" >"$tmp/minisign.out" 2>&1; then
        die 5 "bad signature: SHA256SUMS of $tag is not signed by $key_name ($(sed -n '$p' "$tmp/minisign.out")): nothing installed"
    fi
    checks="$checks; SHA256SUMS signature verified with minisign ($key_name)"
elif [ "$require_signature" = 1 ]; then
    die 5 "--require-signature: minisign is not installed, so the signature cannot be checked; install minisign and run this again"
else
    checks="$checks; signature not checked (install minisign to check SHA256SUMS.minisig)"
fi

# --- install -------------------------------------------------------------------

if ! { mkdir "$tmp/x" && tar -xzf "$tmp/$archive" -C "$tmp/x"; }; then
    die 5 "$archive is not a readable .tar.gz: nothing installed"
fi
top="temporal-libs-$release_version-$platform"
[ -f "$tmp/x/$top/temporal-libs" ] ||
    die 5 "$archive holds no $top/temporal-libs: nothing installed"

target="$bindir/temporal-libs"
staged="$bindir/.temporal-libs.new.$$"
if ! { cp "$tmp/x/$top/temporal-libs" "$staged" && chmod 755 "$staged"; }; then
    die 6 "cannot write to $bindir; choose another directory with --prefix DIR"
fi
if ! installed_version=$("$staged" --version 2>"$tmp/run.err"); then
    die 2 "the $platform binary of $tag does not run here ($(sed -n '1p' "$tmp/run.err")); nothing installed; build from source: see README.md"
fi
mv -f "$staged" "$target" || die 6 "cannot replace $target; nothing installed"
staged=''

say "checked: $checks"
printf 'installed %s to %s\n' "$installed_version" "$target"
case ":${PATH:-}:" in
*":$bindir:"*) ;;
*) say "note: $bindir is not on PATH; add it (e.g. export PATH=\"$bindir:\$PATH\")" ;;
esac
