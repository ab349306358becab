#!/bin/bash
# Configures (once) and builds lnotify in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build/build.ninja ]]; then
  meson setup build
fi
ninja -C build
