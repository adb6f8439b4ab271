#!/usr/bin/env bash
# The npm packages (scripts/npm-packages.sh) through a real registry and real
# package managers: verdaccio on 127.0.0.1 with no uplinks (nothing comes from
# outside) gets dist/npm/*.tgz published to it; npm and Bun install temporal-libs
# from it into fresh directories; the command and the API run against a local
# fake GitHub (build/fake-github). The packages are made from build/temporal-libs
# packed the way scripts/release-binaries.sh packs it.
#
# verdaccio and Bun (@oven/bun-linux-x64) come from the npm registry once, into
# $TL_CI_CACHE/npm-tools/<pins>/, and are reused while the pins in npm/dev.sh stay.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tl_scratch
S="$TL_SCRATCH"

source "$TL_SOURCE_DIR/npm/dev.sh"

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "npm.test.sh: skipped: Bun's npm package used here is for linux-x64"; exit 0; }
command -v node >/dev/null || tl_fail "node not found (bash scripts/install-deps.sh node)"
command -v npm >/dev/null || tl_fail "npm not found (bash scripts/install-deps.sh node)"
[ -x "$TL_BINARY" ] || tl_fail "no $TL_BINARY: build first"
fake="$TL_BUILD_DIR/fake-github"
[ -x "$fake" ] || tl_fail "no $fake: build first"

pids=()
cleanup_servers() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap 'rc=$?; cleanup_servers; if [ $rc -eq 0 ]; then rm -rf "$S"; else echo "kept $S" >&2; fi' EXIT

# Package managers see only this run's configuration and caches.
export HOME="$S/home" XDG_CONFIG_HOME="$S/home/.config" BUN_INSTALL_CACHE_DIR="$S/bun-cache"
export npm_config_cache="$S/npm-cache" npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false
unset NODE_OPTIONS npm_config_registry TEMPORAL_LIBS_BINARY TEMPORAL_LIBS_VERSION TEMPORAL_LIBS_CACHE_DIR
mkdir -p "$HOME"

# --- tools -------------------------------------------------------------------
tl_check "verdaccio $NPM_DEV_VERDACCIO_VERSION and bun $NPM_DEV_BUN_VERSION (cached in $TL_CI_CACHE/npm-tools)"
npm_dev_tools "$TL_CI_CACHE/npm-tools" "$S/bin" || tl_fail "installing the npm tools"
export PATH="$S/bin:$PATH"
[ "$(bun --version)" = "$NPM_DEV_BUN_VERSION" ] || tl_fail "bun --version is not $NPM_DEV_BUN_VERSION"

# --- packages ------------------------------------------------------------------
tl_check "dist/npm from a release-binaries archive of build/temporal-libs"
npm_dev_packages "$TL_BINARY" "$S" || tl_fail "making the packages"
version="$NPM_DEV_VERSION"
[ -f "$S/dist/npm/temporal-libs-$version.tgz" ] || tl_fail "no temporal-libs-$version.tgz"
[ -f "$S/dist/npm/temporal-libs-cli-linux-x64-$version.tgz" ] || tl_fail "no temporal-libs-cli-linux-x64-$version.tgz"
main_json="$(tar -xzOf "$S/dist/npm/temporal-libs-$version.tgz" package/package.json)"
plat_json="$(tar -xzOf "$S/dist/npm/temporal-libs-cli-linux-x64-$version.tgz" package/package.json)"
node -e '
  const [m, p, v] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2]), process.argv[3]];
  const ok = (c, what) => { if (!c) { console.error("package.json: " + what); process.exit(1); } };
  ok(m.version === v && p.version === v, "versions are not both " + v);
  ok(m.optionalDependencies["@temporal-libs/cli-linux-x64"] === v, "main package does not pin the platform package");
  ok(!m.scripts && !p.scripts, "a package has scripts");
  ok(p.os[0] === "linux" && p.cpu[0] === "x64", "platform package os/cpu");
  ok(JSON.stringify(p.libc) === "[\"glibc\"]", "a glibc-linked binary must say libc glibc, got " + JSON.stringify(p.libc));
  ok(m.bin["temporal-libs"] === "bin/temporal-libs.cjs", "bin");
' "$main_json" "$plat_json" "$version" || tl_fail "package metadata"
listing="$(tar -tvzf "$S/dist/npm/temporal-libs-cli-linux-x64-$version.tgz")"
grep -q '^-rwxr-xr-x.*package/bin/temporal-libs$' <<<"$listing" \
  || tl_fail "the platform package's bin/temporal-libs is not executable in the tarball"

# A version that is not the tool's is refused (lockstep).
mkdir -p "$S/dist-bad"
cp "$S/dist/cli/temporal-libs-$version-linux-x64.tar.gz" "$S/dist-bad/temporal-libs-9.9.9-linux-x64.tar.gz"
if bash "$TL_SOURCE_DIR/scripts/npm-packages.sh" --dist "$S/dist-bad" --out "$S/npm-bad" 2>"$S/bad.err"; then
  tl_fail "npm-packages.sh accepted an archive of another version"
fi
grep -q "lockstep" "$S/bad.err" || tl_fail "version mismatch message: $(cat "$S/bad.err")"
# --require-all (the release workflow's) refuses a partial set.
if bash "$TL_SOURCE_DIR/scripts/npm-packages.sh" --dist "$S/dist/cli" --out "$S/npm-bad" --require-all 2>"$S/bad.err"; then
  tl_fail "npm-packages.sh --require-all accepted one platform of four"
fi
grep -q "linux-arm64 darwin-arm64 darwin-x64" "$S/bad.err" || tl_fail "--require-all message: $(cat "$S/bad.err")"

# --- registry ------------------------------------------------------------------
npm_dev_registry "$S/verdaccio" || tl_fail "starting verdaccio"
pids+=("$NPM_DEV_REGISTRY_PID")
R="$NPM_DEV_REGISTRY"
tl_check "verdaccio on $R (no uplinks): publishing dist/npm"
npm_dev_publish "$S/dist/npm" || tl_fail "publishing"
[ "$(npm view temporal-libs version --registry "$R")" = "$version" ] || tl_fail "temporal-libs@$version is not on the registry"
# Nothing comes from outside: a package that is not published is not found.
if npm view left-pad version --registry "$R" >/dev/null 2>&1; then tl_fail "the registry proxies to outside"; fi

# --- fake GitHub with one release --------------------------------------------------
tag=temporal-libs-v1.0.0
make_release() {  # DIR TAG SIZE_BYTES
  local dir="$1" tag="$2" size="$3" v="${2#temporal-libs-}" art="$S/art-$2"
  mkdir -p "$art" "$dir/$tag"
  for lib in temporalio_sdk_core temporalio_sdk_core_c_bridge temporalio_client temporalio_sdk temporalio_common; do
    python3 "$TL_SOURCE_DIR/bench/make_lib.py" "$art/lib$lib.a" "$size" 0.9
  done
  local name="temporal-static-libs-linux-x64-$v.tar.gz"
  tar -czf "$dir/$tag/$name" -C "$art" .
  (cd "$dir/$tag" && sha256sum "$name" > "$name.sha256")
}
start_fake() {  # DIR [FLAGS...]; prints the API URL
  local dir="$1"; shift
  "$fake" --dir "$dir" --port-file "$dir.url" "$@" >"$dir.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do [ -s "$dir.url" ] && break; sleep 0.05; done
  [ -s "$dir.url" ] || tl_fail "fake-github did not start: $(cat "$dir.log")"
}
make_release "$S/releases" "$tag" 65536
start_fake "$S/releases"
export TEMPORAL_LIBS_API_URL="$(cat "$S/releases.url")"

# --- npm --------------------------------------------------------------------------
fresh() { rm -rf "$S/$1"; mkdir -p "$S/$1"; printf '{"name":"%s","private":true}\n' "$1" > "$S/$1/package.json"; cd "$S/$1"; }

tl_check "npm install temporal-libs (from the local registry only)"
fresh npm-app
npm install temporal-libs --registry "$R" --loglevel=error >/dev/null || tl_fail "npm install"
[ -x node_modules/@temporal-libs/cli-linux-x64/bin/temporal-libs ] || tl_fail "npm did not install the platform package"
if grep -q '"hasInstallScript"' package-lock.json; then tl_fail "a package has an install script"; fi

tl_check "npx temporal-libs --version"
out="$(npx --registry "$R" temporal-libs --version)" || tl_fail "npx temporal-libs --version"
[ "$out" = "temporal-libs $version" ] || tl_fail "npx printed '$out'"

tl_check "npx temporal-libs download: the libraries from the fake GitHub"
npx temporal-libs download --version v1.0.0 --cache-dir "$S/cache-npm" >"$S/out" 2>"$S/err" \
  || { cat "$S/err"; tl_fail "npx temporal-libs download"; }
grep -q "^$tag linux-x64: 5 libraries in $S/cache-npm/$tag/linux-x64 (downloaded" "$S/out" || tl_fail "download said: $(cat "$S/out")"

tl_check "exit codes and --json pass through unchanged (node launcher)"
compare() {  # NAME LAUNCHER... -- ARGS...: same stdout and exit code as the bare binary
  local name="$1"; shift
  local launcher=(); while [ "$1" != -- ]; do launcher+=("$1"); shift; done; shift
  local a=0 b=0
  "${launcher[@]}" "$@" >"$S/$name.l.out" 2>/dev/null || a=$?
  node_modules/@temporal-libs/cli-linux-x64/bin/temporal-libs "$@" >"$S/$name.b.out" 2>/dev/null || b=$?
  [ "$a" = "$b" ] || tl_fail "$name: exit $a through the launcher, $b bare"
  cmp -s "$S/$name.l.out" "$S/$name.b.out" || tl_fail "$name: stdout differs: $(diff "$S/$name.l.out" "$S/$name.b.out")"
  echo "   $name: exit $a, identical stdout"
}
compare hit node node_modules/.bin/temporal-libs -- download --version v1.0.0 --cache-dir "$S/cache-npm" --json
grep -q '"from_cache": true' "$S/hit.l.out" || tl_fail "the second download is not a cache hit"
compare missing node node_modules/.bin/temporal-libs -- download --version v9.9.9 --cache-dir "$S/cache-npm" --json
grep -Eq '"kind": ?"not_found"' "$S/missing.l.out" || tl_fail "no not_found error object: $(cat "$S/missing.l.out")"
compare usage node node_modules/.bin/temporal-libs -- download --no-such-flag
compare notcached node node_modules/.bin/temporal-libs -- cache path --version v9.9.9 --cache-dir "$S/cache-npm"
code=0; node node_modules/.bin/temporal-libs cache path --version v9.9.9 --cache-dir "$S/cache-npm" 2>/dev/null || code=$?
[ "$code" = 3 ] || tl_fail "cache path of a missing version: exit $code, not 3"

tl_check "the command itself exec()s the executable: same exit codes and --json, no runtime between"
compare direct-hit node_modules/.bin/temporal-libs -- download --version v1.0.0 --cache-dir "$S/cache-npm" --json
compare direct-missing node_modules/.bin/temporal-libs -- download --version v9.9.9 --cache-dir "$S/cache-npm" --json
compare direct-usage node_modules/.bin/temporal-libs -- download --no-such-flag

tl_check "TEMPORAL_LIBS_BINARY points the launcher at another executable"
printf '#!/bin/sh\necho "other binary: $*"\nexit 7\n' > "$S/other"; chmod +x "$S/other"
code=0; out="$(TEMPORAL_LIBS_BINARY="$S/other" npx temporal-libs a 'b c')" || code=$?
[ "$code" = 7 ] && [ "$out" = "other binary: a b c" ] || tl_fail "override: exit $code, '$out'"

tl_check "the API from a Node script"
cat > "$S/api.mjs" <<'JS'
import { download, flags, cachePath, binaryPath, TemporalLibsError, EXIT_CODES } from "temporal-libs";
const cacheDir = process.argv[2];
const r = await download({ version: "v1.0.0", cacheDir });
const f = await flags({ version: "v1.0.0", cacheDir });
const p = await cachePath({ version: "v1.0.0", cacheDir });
const errors = [];
for (const call of [
  () => download({ version: "v9.9.9", cacheDir }),
  () => cachePath({ version: "v9.9.9", cacheDir }),
  () => flags({ version: "v1.0.0", cacheDir, platform: "windows-x64" }),
]) {
  try { await call(); errors.push("no error"); } catch (e) {
    errors.push({ isError: e instanceof TemporalLibsError, kind: e.kind, exitCode: e.exitCode, message: e.message });
  }
}
let unknown;
try { await download({ versoin: "v1" }); } catch (e) { unknown = e instanceof TypeError; }
console.log(JSON.stringify({ r, f, p, errors, unknown, binary: binaryPath(), codes: EXIT_CODES }));
JS
cp "$S/api.mjs" ./api.mjs
node api.mjs "$S/cache-api-node" > "$S/api-node.json" || tl_fail "node api.mjs"
check_api() {  # FILE CACHE
  node -e '
    const [file, cache, tag] = process.argv.slice(1);
    const j = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const ok = (c, what) => { if (!c) { console.error(what + ": " + JSON.stringify(j, null, 1)); process.exit(1); } };
    ok(j.r.tag === tag && j.r.platform === "linux-x64" && j.r.libDir === `${cache}/${tag}/linux-x64`, "download result");
    ok(j.r.libraries.length === 5 && j.r.libraries.every((l) => l.startsWith(j.r.libDir + "/lib")), "libraries");
    ok(j.r.fromCache === false, "first download is not from the cache");
    ok(j.f.libDir === j.r.libDir && j.f.libs.includes(`-L${j.r.libDir}`) && j.f.libraries.length === 5, "flags");
    ok(j.p === j.r.libDir, "cachePath");
    const [dl, cp, usage] = j.errors;
    ok(dl.isError && dl.kind === "not_found" && dl.exitCode === 3 && /v9\.9\.9/.test(dl.message), "download error");
    ok(cp.isError && cp.kind === "not_found" && cp.exitCode === 3 && /not installed/.test(cp.message), "cachePath error");
    ok(usage.isError && usage.kind === "usage" && usage.exitCode === 2 && usage.message.length > 0, "usage error");
    ok(j.unknown === true, "an unknown option is not a TypeError");
    ok(j.binary.endsWith("/@temporal-libs/cli-linux-x64/bin/temporal-libs") && j.codes.integrity === 5, "binaryPath");
  ' "$1" "$2" "$tag" || tl_fail "API results ($1)"
}
check_api "$S/api-node.json" "$S/cache-api-node"

tl_check "npm install --ignore-scripts still gives a working command"
fresh npm-ignore
npm install --ignore-scripts temporal-libs --registry "$R" --loglevel=error >/dev/null || tl_fail "npm install --ignore-scripts"
[ "$(npx temporal-libs --version)" = "temporal-libs $version" ] || tl_fail "after --ignore-scripts"

tl_check "npm install --omit=optional: the clear error naming the platform package"
fresh npm-omit
npm install --omit=optional temporal-libs --registry "$R" --loglevel=error >/dev/null || tl_fail "npm install --omit=optional"
[ ! -e node_modules/@temporal-libs/cli-linux-x64 ] || tl_fail "--omit=optional installed the platform package"
code=0; npx temporal-libs --version >"$S/out" 2>"$S/err" || code=$?
[ "$code" = 3 ] || tl_fail "missing platform package: exit $code, not 3"
grep -q "the platform package @temporal-libs/cli-linux-x64 is not installed" "$S/err" || tl_fail "message: $(cat "$S/err")"
grep -q -- "--omit=optional" "$S/err" || tl_fail "message does not name --omit=optional: $(cat "$S/err")"
grep -q "TEMPORAL_LIBS_BINARY" "$S/err" || tl_fail "message does not name TEMPORAL_LIBS_BINARY"
sed 's/^/   | /' "$S/err" | head -3
node -e 'import("temporal-libs").then((m) => m.download()).then(() => process.exit(1), (e) =>
  process.exit(e.name === "TemporalLibsError" && e.kind === "not_found" && /cli-linux-x64/.test(e.message) ? 0 : 1))' \
  || tl_fail "the API without the platform package does not throw a not_found TemporalLibsError"
code=0; TEMPORAL_LIBS_BINARY="$S/other" npx temporal-libs x >/dev/null || code=$?
[ "$code" = 7 ] || tl_fail "TEMPORAL_LIBS_BINARY does not stand in for the missing package"

# --- Bun --------------------------------------------------------------------------
tl_check "bun add temporal-libs (from the local registry only)"
fresh bun-app
bun add temporal-libs --registry "$R" >"$S/bun.out" 2>&1 || { cat "$S/bun.out"; tl_fail "bun add"; }
[ -x node_modules/@temporal-libs/cli-linux-x64/bin/temporal-libs ] || tl_fail "bun did not install the platform package"
grep -q '"temporal-libs"' package.json || tl_fail "bun add did not record the dependency"

tl_check "bunx temporal-libs download (node launcher, then Bun's runtime with --bun)"
bunx temporal-libs download --version v1.0.0 --cache-dir "$S/cache-bun" >"$S/out" 2>"$S/err" \
  || { cat "$S/err"; tl_fail "bunx temporal-libs download"; }
grep -q "^$tag linux-x64: 5 libraries in $S/cache-bun/$tag/linux-x64 (downloaded" "$S/out" || tl_fail "bunx download said: $(cat "$S/out")"
bunx --bun temporal-libs download --version v1.0.0 --cache-dir "$S/cache-bun" >"$S/out" 2>"$S/err" \
  || { cat "$S/err"; tl_fail "bunx --bun temporal-libs download"; }
grep -q "(cache hit, no download)" "$S/out" || tl_fail "bunx --bun download again said: $(cat "$S/out")"

tl_check "exit codes and --json pass through unchanged (Bun runtime)"
compare bun-hit bun node_modules/.bin/temporal-libs -- download --version v1.0.0 --cache-dir "$S/cache-bun" --json
compare bun-missing bun node_modules/.bin/temporal-libs -- download --version v9.9.9 --cache-dir "$S/cache-bun" --json
compare bun-usage bun node_modules/.bin/temporal-libs -- flags --platform nowhere

tl_check "the API from a Bun script"
cp "$S/api.mjs" ./api.mjs
bun api.mjs "$S/cache-api-bun" > "$S/api-bun.json" || tl_fail "bun api.mjs"
check_api "$S/api-bun.json" "$S/cache-api-bun"

tl_check "bun add --ignore-scripts still gives a working command"
fresh bun-ignore
bun add --ignore-scripts temporal-libs --registry "$R" >/dev/null 2>&1 || tl_fail "bun add --ignore-scripts"
[ "$(bunx temporal-libs --version)" = "temporal-libs $version" ] || tl_fail "after bun add --ignore-scripts"

tl_check "examples/bun: bun run build prints libDir"
rm -rf "$S/example"; cp -R "$TL_SOURCE_DIR/examples/bun" "$S/example"; cd "$S/example"
bun install --registry "$R" >/dev/null 2>&1 || tl_fail "bun install in examples/bun"
lib_dir="$(TEMPORAL_LIBS_VERSION=v1.0.0 bun run --silent build 2>"$S/err")" || { cat "$S/err"; tl_fail "bun run build"; }
[ "$lib_dir" = "$S/example/.temporal-libs-cache/$tag/linux-x64" ] || tl_fail "bun run build printed '$lib_dir'"
ls "$lib_dir"/libtemporalio_sdk_core_c_bridge.a >/dev/null || tl_fail "no libraries in $lib_dir"

# --- Ctrl-C ----------------------------------------------------------------------
tl_check "SIGINT and SIGTERM to the launcher stop the download, leaving no process"
make_release "$S/slow" temporal-libs-v2.0.0 1048576
start_fake "$S/slow" --rate 20000
cd "$S/bun-app"
# Children of PID named NAME, from /proc (procps may be absent).
children() {
  local f pid comm state ppid rest
  for f in /proc/[0-9]*/stat; do
    read -r pid comm state ppid rest 2>/dev/null <"$f" || continue
    if [ "$ppid" = "$1" ] && [ "$comm" = "($2)" ]; then echo "$pid"; fi
  done
}
for run in "node SIGINT 130" "bun SIGINT 130" "node SIGTERM 143" "bun SIGTERM 143"; do
  set -- $run
  rt="$1" sig="$2" want="$3"
  "$rt" node_modules/.bin/temporal-libs download --version v2.0.0 --api-url "$(cat "$S/slow.url")" \
    --cache-dir "$S/cache-slow-$rt" >/dev/null 2>&1 &
  launcher=$!
  child=""
  for _ in $(seq 100); do child="$(children "$launcher" temporal-libs)"; [ -n "$child" ] && break; sleep 0.05; done
  [ -n "$child" ] || tl_fail "$rt: the launcher started no temporal-libs"
  sleep 0.5
  kill -0 "$child" 2>/dev/null || tl_fail "$rt: the download ended before the signal (not slow enough)"
  kill -s "$sig" "$launcher"
  code=0; wait "$launcher" || code=$?
  [ "$code" = "$want" ] || tl_fail "$rt $sig: launcher ended with $code, not $want"
  for _ in $(seq 40); do kill -0 "$child" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$child" 2>/dev/null; then tl_fail "$rt $sig: temporal-libs ($child) still runs"; fi
  echo "   $rt $sig: launcher $code, child gone"
done
for run in "SIGINT 130" "SIGTERM 143"; do
  set -- $run
  sig="$1" want="$2"
  # A script's background job starts with SIGINT ignored (no job control),
  # and an ignored signal stays ignored across exec: env puts it back to the
  # default a terminal's foreground job has.
  env --default-signal=INT,TERM node_modules/.bin/temporal-libs download --version v2.0.0 \
    --api-url "$(cat "$S/slow.url")" --cache-dir "$S/cache-slow-direct" >/dev/null 2>&1 &
  pid=$!
  exe=""
  for _ in $(seq 100); do
    exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
    case "$exe" in */temporal-libs) break ;; esac
    sleep 0.05
  done
  case "$exe" in */temporal-libs) ;; *) tl_fail "direct: the command did not exec temporal-libs ($exe)" ;; esac
  sleep 0.5
  kill -0 "$pid" 2>/dev/null || tl_fail "direct: the download ended before the signal (not slow enough)"
  kill -s "$sig" "$pid"
  code=0; wait "$pid" || code=$?
  [ "$code" = "$want" ] || tl_fail "direct $sig: the command ended with $code, not $want"
  echo "   direct $sig: $code, the executable itself was signalled"
done
if grep -qsEz -- "$S/cache-slow-(node|bun|direct)\$" /proc/[0-9]*/cmdline; then
  tl_fail "a download process is left over"
fi

echo "npm: all checks passed"
