#!/usr/bin/env bash
# Builds the fuzz preset (clang, libFuzzer, ASan + UBSan) and runs one target
# for a while:
#
#   scripts/fuzz.sh objfile 180      # tests/fuzz/fuzz_objfile.cpp for 3 minutes
#   scripts/fuzz.sh c_header 60
#
# The seed corpus tests/fuzz/corpus/TARGET is read, never written; inputs that
# reach new code are kept in build-fuzz/corpus/TARGET for the next run. A
# crashing input is written to tests/fuzz/crashes/TARGET/, where the normal
# test suite replays it (tests/test_fuzz_replay.cpp): fix the bug, keep the file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: scripts/fuzz.sh TARGET [SECONDS]   (TARGET: objfile, c_header, release_text, extract; SECONDS: 60)" >&2
  exit 2
fi
target="$1"
seconds="${2:-60}"
if [ ! -f "tests/fuzz/fuzz_$target.cpp" ]; then
  echo "fuzz.sh: no fuzz target '$target' (tests/fuzz/fuzz_$target.cpp); try objfile, c_header, release_text or extract" >&2
  exit 2
fi
cmake --preset fuzz >/dev/null
# Two jobs at most: the machines this runs on have two cores.
cmake --build build-fuzz --target "fuzz_$target" -j 2
work="build-fuzz/corpus/$target"
crashes="tests/fuzz/crashes/$target"
mkdir -p "$work" "$crashes"
exec "build-fuzz/tests/fuzz/fuzz_$target" \
  -max_total_time="$seconds" \
  -max_len=65536 \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -print_final_stats=1 \
  -artifact_prefix="$crashes/" \
  "$work" "tests/fuzz/corpus/$target"
