#!/usr/bin/env bash
# Builds the fuzz preset (clang, libFuzzer, ASan + UBSan) and runs one target
# for a while:
#
#   scripts/fuzz.sh objfile 180      # tests/fuzz/fuzz_objfile.cpp for 3 minutes
#   scripts/fuzz.sh c_header 60
#   scripts/fuzz.sh all 180          # every target in turn, 3 minutes each
#
# The seed corpus tests/fuzz/corpus/TARGET is read, never written; inputs that
# reach new code are kept in build-fuzz/corpus/TARGET for the next run. A
# crashing input is written to tests/fuzz/crashes/TARGET/, where the normal
# test suite replays it (tests/test_fuzz_replay.cpp): fix the bug, keep the file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: scripts/fuzz.sh TARGET|all [SECONDS]   (TARGET: $(ls tests/fuzz/fuzz_*.cpp | sed 's|.*/fuzz_||; s|\.cpp$||' | tr '\n' ' '); SECONDS: 60)" >&2
  exit 2
fi
target="$1"
seconds="${2:-60}"
if [ "$target" = all ]; then
  # Each target in turn, one after the other; a crash stops the run.
  for src in tests/fuzz/fuzz_*.cpp; do
    name="$(basename "$src" .cpp)"
    name="${name#fuzz_}"
    echo "=== fuzz_$name for ${seconds}s" >&2
    "$0" "$name" "$seconds"
  done
  exit 0
fi
if [ ! -f "tests/fuzz/fuzz_$target.cpp" ]; then
  echo "fuzz.sh: no fuzz target '$target' (tests/fuzz/fuzz_$target.cpp); try: $(ls tests/fuzz/fuzz_*.cpp | sed 's|.*/fuzz_||; s|\.cpp$||' | tr '\n' ' ')" >&2
  exit 2
fi
cmake --preset fuzz >/dev/null
# Two jobs at most: the machines this runs on have two cores.
cmake --build build-fuzz --target "fuzz_$target" -j 2
work="build-fuzz/corpus/$target"
crashes="tests/fuzz/crashes/$target"
mkdir -p "$work" "$crashes"
"build-fuzz/tests/fuzz/fuzz_$target" \
  -max_total_time="$seconds" \
  -max_len=65536 \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -print_final_stats=1 \
  -artifact_prefix="$crashes/" \
  "$work" "tests/fuzz/corpus/$target"
