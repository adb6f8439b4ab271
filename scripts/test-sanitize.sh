#!/usr/bin/env bash
# Builds the `sanitize` preset (gcc, Debug, ASan + UBSan, no hardening flags)
# and runs the whole suite under it. Any sanitizer report fails the run:
# UBSan does not recover (-fno-sanitize-recover) and ASan aborts on the first
# error. Two build jobs and two test jobs: CI machines have two cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh test
command -v npm >/dev/null 2>&1 || bash scripts/install-deps.sh node
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cmake --preset sanitize
cmake --build --preset sanitize -j 2
ctest --preset sanitize
