# Shared by tests/integration/*.test.sh (sourced, not run).
set -euo pipefail
: "${TL_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${TL_BUILD_DIR:=$TL_SOURCE_DIR/build}"
: "${TL_BINARY:=$TL_BUILD_DIR/temporal-libs}"
: "${TL_CI_CACHE:=/var/cache/temporal-libs-ci}"
export TL_SOURCE_DIR TL_BUILD_DIR TL_BINARY TL_CI_CACHE

# A fresh scratch directory for this script, removed on success and kept (and
# named) on failure.
tl_scratch() {
  TL_SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/tl-integration.XXXXXX")"
  trap 'rc=$?; if [ $rc -eq 0 ]; then rm -rf "$TL_SCRATCH"; else echo "kept $TL_SCRATCH" >&2; fi' EXIT
}

# Prints a check's name; `tl_fail` ends the script with a message.
tl_check() { echo "-- $*"; }
tl_fail() { echo "FAILED: $*" >&2; exit 1; }
