#!/bin/bash
# Installs what is missing, builds, and runs every test: the Debian package
# test (scripts/package-test.sh), then the unit tests and the integration
# tests that start a real Dovecot. Needs root: Dovecot's master switches
# users, and the package test installs and purges dovecot-lnotify. The last
# line is "N passed, N failed"; the exit status is non-zero when anything
# failed, the package test included.
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "The integration tests start Dovecot, which needs root: run this with sudo." >&2
  exit 1
fi
bash scripts/install-deps.sh || exit 1
bash scripts/build.sh || exit 1

# The Debian package (build, lintian, install, autopkgtest, purge) first, so
# that the meson summary stays the last line.
package_status=0
bash scripts/package-test.sh || package_status=1

# The core under ASan + UBSan (unit tests) and a short run of each fuzz
# target; longer runs: bash scripts/fuzz.sh 1800
bash scripts/fuzz.sh 10 || exit 1

meson test -C build --print-errorlogs --num-processes 1
status=$?
[[ $package_status -eq 0 ]] || { echo "scripts/package-test.sh FAILED (see above)"; status=1; }
python3 scripts/test-summary.py build/meson-logs/testlog.junit.xml || status=1
exit $status
