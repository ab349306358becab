#!/bin/bash
# Installs what is missing, builds, and runs every test (unit tests and the
# integration tests that start a real Dovecot). Needs root: Dovecot's master
# switches users. The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "The integration tests start Dovecot, which needs root: run this with sudo." >&2
  exit 1
fi
bash scripts/install-deps.sh || exit 1
bash scripts/build.sh || exit 1

# The core under ASan + UBSan (unit tests) and a short run of each fuzz
# target; longer runs: bash scripts/fuzz.sh 1800
bash scripts/fuzz.sh 10 || exit 1

meson test -C build --print-errorlogs --num-processes 1
status=$?
python3 scripts/test-summary.py build/meson-logs/testlog.junit.xml || status=1
exit $status
