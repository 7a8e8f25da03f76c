"""The load generator keeps working: a few websocket sessions for a few seconds against the real
dashboard (`streamlit run app.py` on a free local port). Functional, never timed: the full run is
`make bench-load` (bench/load/run.py)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bench.load import scenario
from bench.load.drive import drive


def test_sessions_walk_the_kaart_script_without_errors(app_server):
    # one pass each, however long the (shared CI) machine takes; duration is only the upper bound
    # in a thread of its own: after browser tests, Playwright's event loop still runs in this one
    session_walk = drive(app_server.url, 2, duration=180.0, ramp=0.5, think=(0.1, 0.3), max_passes=1,
                         linger=False, server_pids=[app_server.process.pid])
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(asyncio.run, session_walk).result()

    assert getattr(result, "failures", []) == []
    assert result.disconnects == 0
    steps = result.steps()
    assert [s.error for s in steps if not s.ok] == []
    # both sessions opened Kaart, filtered, searched and downloaded; each step timed from send to finish
    assert sum(1 for s in steps if s.step == "open") == 2
    assert sum(log.completed_scripts for log in result.logs) == 2
    names = {s.step for s in steps}
    assert {"open", "provincie", "gemeente", "theme", "search", "download"} <= names
    assert all(s.seconds > 0 for s in steps)
    # a finished run drew the page: Kaart has its filters, map, table and downloads (dozens of elements)
    assert all(s.elements >= 20 for s in steps if s.step in ("open", *scenario.FILTER_STEPS))
    # a completed download brought the CSV (header line at least)
    assert all(s.bytes_received > 0 for s in steps if s.step == "download")
    # the server was sampled: memory is the dashboard process's, CPU time was spent
    assert result.rss_peak > 50 * 2**20 and result.cpu_seconds > 0
