"""Retrying a unit of work on write-write conflicts: the same rule on both engines."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

from mapping.store.errors import StoreConflict

T = TypeVar("T")


def run_in_transaction(transaction: Callable[[], contextlib.AbstractContextManager[Any]],
                       work: Callable[[Any], T], *, retries: int = 8) -> T:
    """``work(cursor)`` inside ``transaction()``, again (with growing pauses) when a concurrent
    writer made it conflict; the last conflict is raised after ``retries`` repeats."""
    delay = 0.01
    for attempt in range(retries + 1):
        try:
            with transaction() as cur:
                return work(cur)
        except StoreConflict:
            if attempt == retries:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    raise AssertionError("unreachable")
