#!/usr/bin/env python3
"""Fails when a file of the core includes a part above its own.

The core's parts, each a folder of src/ (and of include/lnotify/ for its
public headers), depend on each other in one direction only:

    core <- metadata <- request <- payload, spool <- dispatcher
         <- channels/common <- channels/<driver> <- service <- capi

A channel driver uses channels/common and what lies below, never another
driver; service (the dispatcher's configuration and its table of drivers)
and capi (the C seams) sit on top. The build runs this check, so a
wrong-way #include fails it: static libraries alone would not notice a
header-only dependency.

Usage: check-layers.py SOURCE_ROOT [STAMP_FILE]
"""

import os
import re
import sys

LOWER = {
    "core": set(),
    "metadata": {"core"},
    "request": {"core", "metadata"},
    "payload": {"core", "metadata", "request"},
    "spool": {"core", "metadata", "request"},
    "dispatcher": {"core", "metadata", "request", "payload", "spool"},
    "channels/common": {"core", "metadata", "request", "payload", "spool", "dispatcher"},
}
DRIVER_BASE = LOWER["channels/common"] | {"channels/common"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def part_of(path):
    """The part a path (relative to src/ or include/lnotify/) belongs to."""
    pieces = path.split("/")
    if pieces[0] == "channels" and len(pieces) > 2:
        return "channels/" + pieces[1]
    if len(pieces) > 1:
        return pieces[0]
    return None  # lnotify.h, the C seam, or a file of the folder itself


def allowed(part, drivers):
    if part in LOWER:
        return LOWER[part]
    if part.startswith("channels/"):
        return DRIVER_BASE
    below = DRIVER_BASE | drivers
    if part == "service":
        return below
    if part == "capi":
        return below | {"service"}
    raise SystemExit(f"check-layers: unknown part {part!r}: add it to scripts/check-layers.py")


def main():
    root = sys.argv[1]
    drivers = {
        "channels/" + d
        for d in os.listdir(os.path.join(root, "src", "channels"))
        if d != "common" and os.path.isdir(os.path.join(root, "src", "channels", d))
    }
    errors = []
    for base in ("src", os.path.join("include", "lnotify")):
        top = os.path.join(root, base)
        for folder, _, files in os.walk(top):
            for name in files:
                if not name.endswith((".cpp", ".h")):
                    continue
                path = os.path.join(folder, name)
                part = part_of(os.path.relpath(path, top))
                if part is None:
                    continue
                ok = allowed(part, drivers) | {part}
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                for target in INCLUDE.findall(text):
                    if target == "lnotify/lnotify.h":
                        used = "capi" if part != "capi" else None
                    else:
                        used = part_of(target.removeprefix("lnotify/"))
                    if used is not None and used not in ok:
                        errors.append(f"{os.path.relpath(path, root)}: {part} must not include "
                                      f"{target} ({used} lies above it or beside it)")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            f.write("ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
