#!/bin/bash
# Builds the core with clang, AddressSanitizer and UndefinedBehaviorSanitizer,
# runs the unit tests in that build, then runs each libFuzzer target for a
# while from its seed corpus (tests/fuzz/corpus/<target>).
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 10: a CI smoke)
# Longer runs: bash scripts/fuzz.sh 1800
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
build=build-fuzz

if [[ ! -f $build/build.ninja ]]; then
  CC=clang CXX=clang++ meson setup "$build" -Dfuzz=true -Dintegration_tests=false \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$build"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== unit tests under ASan + UBSan"
"$build/tests/lnotify-unit-tests" --gtest_brief=1

# Every target with a seed corpus in tests/fuzz/corpus/ (one directory each).
for target in $(ls tests/fuzz/corpus); do
  corpus=$(mktemp -d)
  cp tests/fuzz/corpus/$target/* "$corpus/"
  echo "== $target for ${seconds}s"
  "$build/tests/fuzz/$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -print_final_stats=1 "$corpus" 2>&1 | grep -E "stat::number_of_executed_units|ERROR|SUMMARY|Done" || true
  status=${PIPESTATUS[0]}
  rm -rf "$corpus"
  if [[ $status -ne 0 ]]; then
    echo "$target failed (exit $status)" >&2
    exit 1
  fi
done
