#!/bin/bash
# Sets everything up on a fresh Debian 12 machine and runs the main job:
# a sandboxed Dovecot with lnotify and its dispatcher on loopback, a sample
# delivery, and the EMN wake-up shown as it arrives. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
  echo "The demo starts Dovecot, which needs root: run this with sudo." >&2
  exit 1
fi
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
exec python3 scripts/demo.py
