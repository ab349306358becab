"""Prints every integration test case as "short name<TAB>unittest id".

meson.build registers each as its own test, so `meson test --list` shows them
and one can be run alone: meson test -C build 'integration/Capabilities.test_...'
"""

import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)


def test_ids(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from test_ids(item)
        else:
            yield item.id()


suite = unittest.TestLoader().discover(here, pattern="test_*.py", top_level_dir=here)
for test_id in test_ids(suite):
    if test_id.startswith("unittest.loader._FailedTest"):
        sys.exit(f"cannot load integration test module: {test_id}")
    module, rest = test_id.split(".", 1)
    print(f"{module.removeprefix('test_')}/{rest}\t{test_id}")
