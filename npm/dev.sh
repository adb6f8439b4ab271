# Shared by tests/integration/npm.test.sh and bench/npm_bench.sh (sourced, not
# run): the pinned npm tools, packages made from a local build, and a throw-away
# npm registry on 127.0.0.1. Expects `set -euo pipefail`, node and npm.

NPM_DEV_VERDACCIO_VERSION=6.8.0   # 6.9 and later want Node 22
NPM_DEV_BUN_VERSION=1.4.5

npm_dev_fail() { echo "npm/dev.sh: $*" >&2; return 1; }

# npm_dev_tools CACHE BIN: verdaccio and Bun (@oven/bun-linux-x64) from the npm
# registry into CACHE/verdaccio-V-bun-V/ once (reused while the pins stay),
# and bun, bunx in BIN. Sets NPM_DEV_TOOLS.
npm_dev_tools() {
  local cache="$1" bin="$2"
  [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || npm_dev_fail "Bun's package here is linux-x64 only" || return 1
  NPM_DEV_TOOLS="$cache/verdaccio-$NPM_DEV_VERDACCIO_VERSION-bun-$NPM_DEV_BUN_VERSION"
  mkdir -p "$NPM_DEV_TOOLS" "$bin"
  (
    flock 9
    if [ ! -f "$NPM_DEV_TOOLS/.installed" ]; then
      rm -rf "$NPM_DEV_TOOLS/node_modules"
      printf '{"name":"tl-npm-tools","private":true}\n' > "$NPM_DEV_TOOLS/package.json"
      cd "$NPM_DEV_TOOLS"
      npm install --no-audit --no-fund --ignore-scripts --loglevel=error \
        --registry=https://registry.npmjs.org/ --userconfig=/dev/null \
        "verdaccio@$NPM_DEV_VERDACCIO_VERSION" "@oven/bun-linux-x64@$NPM_DEV_BUN_VERSION"
      touch "$NPM_DEV_TOOLS/.installed"
    fi
  ) 9>"$NPM_DEV_TOOLS/.lock"
  ln -sf "$NPM_DEV_TOOLS/node_modules/@oven/bun-linux-x64/bin/bun" "$bin/bun"
  ln -sf "$NPM_DEV_TOOLS/node_modules/@oven/bun-linux-x64/bin/bun" "$bin/bunx"
}

# npm_dev_packages BINARY WORK: packs BINARY the way scripts/release-binaries.sh
# does (WORK/dist/cli/temporal-libs-<version>-linux-x64.tar.gz: the stripped
# executable and licenses/), then runs scripts/npm-packages.sh into
# WORK/dist/npm. Sets NPM_DEV_VERSION.
npm_dev_packages() {
  local binary="$1" work="$2" root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  NPM_DEV_VERSION="$("$binary" --version | sed 's/^temporal-libs //')"
  local top="temporal-libs-$NPM_DEV_VERSION-linux-x64"
  rm -rf "$work/stage" "$work/dist"
  mkdir -p "$work/stage/$top/licenses" "$work/dist/cli"
  strip -o "$work/stage/$top/temporal-libs" "$binary" 2>/dev/null || cp "$binary" "$work/stage/$top/temporal-libs"
  echo "licenses of the local build" > "$work/stage/$top/licenses/README"
  tar -czf "$work/dist/cli/$top.tar.gz" -C "$work/stage" "$top"
  bash "$root/scripts/npm-packages.sh" --dist "$work/dist/cli" --out "$work/dist/npm" 2>"$work/npm-packages.err" \
    || { cat "$work/npm-packages.err" >&2; npm_dev_fail "scripts/npm-packages.sh failed"; return 1; }
}

# npm_dev_registry DIR: verdaccio on a free 127.0.0.1 port with its config and
# storage in DIR and no uplinks, a user made and its token written to
# $HOME/.npmrc. Sets NPM_DEV_REGISTRY (URL) and NPM_DEV_REGISTRY_PID.
npm_dev_registry() {
  local dir="$1" port token
  mkdir -p "$dir"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  NPM_DEV_REGISTRY="http://127.0.0.1:$port/"
  cat > "$dir/config.yaml" <<YAML
storage: $dir/storage
auth:
  htpasswd:
    file: $dir/htpasswd
uplinks: {}
packages:
  '**':
    access: \$all
    publish: \$authenticated
listen: 127.0.0.1:$port
log: { type: stdout, format: pretty, level: warn }
YAML
  "$NPM_DEV_TOOLS/node_modules/.bin/verdaccio" --config "$dir/config.yaml" >"$dir/log" 2>&1 &
  NPM_DEV_REGISTRY_PID=$!
  # No curl on a fresh test machine: Node's fetch.
  token="$(NPM_DEV_REGISTRY="$NPM_DEV_REGISTRY" node -e '
    const url = process.env.NPM_DEV_REGISTRY;
    (async () => {
      for (let i = 0; i < 300; i++) {
        try { if ((await fetch(url + "-/ping")).ok) break; } catch {}
        await new Promise((r) => setTimeout(r, 100));
      }
      const r = await fetch(url + "-/user/org.couchdb.user:publisher", {
        method: "PUT", headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "publisher", password: "throw-away-test-password" }),
      });
      process.stdout.write((await r.json()).token || "");
    })().catch((e) => { console.error(String(e)); process.exit(1); });')" \
    || { cat "$dir/log" >&2; npm_dev_fail "verdaccio did not start or gave no user"; return 1; }
  [ -n "$token" ] || npm_dev_fail "verdaccio gave no token" || return 1
  mkdir -p "$HOME"
  printf 'registry=%s\n//127.0.0.1:%s/:_authToken=%s\n' "$NPM_DEV_REGISTRY" "$port" "$token" > "$HOME/.npmrc"
}

# npm_dev_publish DIR: npm publish of every DIR/*.tgz to NPM_DEV_REGISTRY.
npm_dev_publish() {
  local tgz
  for tgz in "$1"/*.tgz; do
    npm publish "$tgz" --registry "$NPM_DEV_REGISTRY" --loglevel=error >/dev/null \
      || npm_dev_fail "npm publish $(basename "$tgz")" || return 1
  done
}
