#!/usr/bin/env bash
# Installs what the tests need, builds with the default preset and runs the
# whole suite under CTest (2 jobs: the suite is sized for a 2-core machine).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh test
command -v npm >/dev/null 2>&1 || bash scripts/install-deps.sh node
cmake --preset default
cmake --build --preset default
ctest --preset default
