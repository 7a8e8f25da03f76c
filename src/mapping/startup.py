"""Server start: warm the process before the first visitor arrives.

``streamlit run app.py`` finds the ASGI app defined in ``app.py`` (``st.App``) and serves it. The
app's :func:`lifespan` starts one background thread as soon as Streamlit's runtime is up. It
imports the libraries the first page needs, opens the database and fills the first page's caches
(about half a second on an idle machine), all while the first visitor's browser is still loading
Streamlit's frontend (a second or more), instead of after it, at a lower CPU priority so that the
browser keeps its pace. The first page needs neither folium
nor the spatial extension (:mod:`mapping.overview` keeps its map ready in the database); those are
loaded a few seconds later for the other pages, once the first page has had the machine to itself
(``streamlit_folium`` excepted: it must be imported inside a session).

A database that does not exist yet is left alone: the first visitor sees it being built, with
progress, as before. A failing warm-up is logged and never stops the server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

from streamlit.logger import get_logger

LOG = get_logger("mapping.startup")
THREAD_NAME = "mapping-warm-up"
REST_DELAY = 5.0           # seconds after the first page is warm before the other pages' libraries
WARM_UP_NICENESS = 10
# Streamlit warns about a "missing ScriptRunContext" or "No runtime found" whenever cached
# functions run outside a session; for the warm-up thread that is expected.
QUIET_LOGGERS = ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api", "streamlit.runtime.caching.cache_resource_api")

_thread: threading.Thread | None = None


class _NotFromWarmUp(logging.Filter):
    """Drops log records of the warm-up thread (only of that thread)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD_NAME


def warm_up(*, rest_delay: float | None = None) -> dict[str, float]:
    """Warm the first page, then (after ``rest_delay`` seconds; None = not at all) the others.
    Call it with Streamlit's runtime running (its caches live there). Returns seconds per step."""
    steps: dict[str, float] = {}
    mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps[name] = round(now - mark, 3)
        mark = now

    import pandas  # noqa: F401  (every query result)
    import pyarrow  # noqa: F401  (how Streamlit sends tables)
    from mapping import listing, ui  # noqa: F401
    with contextlib.suppress(ImportError):   # the tab icon is checked against Streamlit's emoji list
        import streamlit.emojis  # noqa: F401
    step("imports")
    _streamlit_first_use()
    store = ui.warm_up()
    step("first_page")
    LOG.info("warm-up: first page ready (seconds per step: %s)", steps)
    if rest_delay is None or store is None:
        return steps
    time.sleep(rest_delay)
    mark = time.perf_counter()
    import folium  # noqa: F401
    # Not streamlit_folium: imported outside a session it declares its component so that the
    # browser never shows it (display: none on every later page). Sessions import it themselves.
    from mapping import maps  # noqa: F401
    store.ensure_spatial()
    step("other_pages")
    LOG.info("warm-up: other pages ready in %.1f s", steps["other_pages"])
    return steps


def _streamlit_first_use() -> None:
    """Streamlit inspects the whole call stack the first time any element is drawn in a process
    (to see whether it runs in a REPL): 0.1–0.2 s, paid here instead of by the first visitor.
    A private helper, so looked up defensively."""
    from streamlit import delta_generator

    first_use = getattr(delta_generator, "_maybe_print_use_warning", None)
    if callable(first_use):
        first_use()


def _lower_priority() -> None:
    """Run this thread at a lower CPU priority: the browser loading the frontend on the same
    machine then keeps its pace (measured: the first page is ready ~0.2–0.5 s sooner on two
    cores). Linux only: there ``setpriority`` on a thread id concerns that thread alone,
    elsewhere it would slow the whole server."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WARM_UP_NICENESS)


def _run() -> None:
    _lower_priority()
    quiet = _NotFromWarmUp()
    for name in QUIET_LOGGERS:
        logging.getLogger(name).addFilter(quiet)
    try:
        warm_up(rest_delay=REST_DELAY)
    except Exception:  # the first visitor simply pays the cost instead
        LOG.warning("warm-up failed; the first page will load the slow way", exc_info=True)
    finally:
        for name in QUIET_LOGGERS:
            logging.getLogger(name).removeFilter(quiet)


def begin() -> bool:
    """Start the warm-up thread (once per process); False when it was already started."""
    global _thread
    if _thread is not None:
        return False
    _thread = threading.Thread(target=_run, name=THREAD_NAME, daemon=True)
    _thread.start()
    return True


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The ``st.App`` lifespan: Streamlit's runtime (and so its caches) exists from here on."""
    begin()
    yield
