"""Progress reporting for long work (build, import, demo), independent of the UI.

Domain code calls a ``ProgressFn(done, total, message)``; the CLI passes a text bar, the app a
Streamlit progress widget, tests nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

ProgressFn = Callable[[int, int, str], None]


def silent(done: int, total: int, message: str) -> None:
    return None


class TextBar:
    """``[########------------]  40%  loading wijken (3.2 s)`` on stderr, one line per step."""

    def __init__(self, stream=None, width: int = 24):
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int, message: str) -> None:
        total = max(total, 1)
        filled = int(self.width * min(done, total) / total)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.perf_counter() - self.started
        self.stream.write(f"[{bar}] {100 * done // total:3d}%  {message} ({elapsed:.1f} s)\n")
        self.stream.flush()
