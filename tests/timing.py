"""Time bounds for "refused quickly" tests that hold on a busy machine.

A bound is stated for an idle machine and stretched by the load average per core, so a test that
guards against unbounded work (a zip bomb, a billion-laughs document) still fails on a hang but not
because other jobs share the cores.
"""

from __future__ import annotations

import os


def budget(seconds: float) -> float:
    try:
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:  # pragma: no cover - no load average on this platform
        load = 1.0
    return seconds * max(1.0, load)
