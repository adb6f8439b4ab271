#!/usr/bin/env bash
# Runs the integration tests (CTest label "integration", tests/integration/):
# a Debian 11 root, qemu, a real npm registry, the portable binaries. Expects
# the default build (scripts/test.sh builds it) and builds it if absent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh test integration
command -v npm >/dev/null 2>&1 || bash scripts/install-deps.sh node
[ -f build/CMakeCache.txt ] || cmake --preset default
cmake --build --preset default
ctest --preset integration
