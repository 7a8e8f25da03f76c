"""How long the dashboard takes from ``streamlit run app.py`` to a usable first page.

Starts the real server on a free port against a given database (which already exists) and
measures, from the moment the process is launched:

* ``health``: the server answers ``/_stcore/health``;
* ``served``: ``/`` returns the app's HTML;
* ``first_content``: headless Chromium shows the first page's title (``h1``);
* ``complete``: the first page's script has finished (Streamlit's "running" indicator is gone and
  the map frame is on the page).

The browser is started before the clock (it is the visitor's, not the app's). Requests that leave
127.0.0.1 are aborted, as offline. Without Chromium only ``health`` and ``served`` are measured.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
RUNNING_INDICATOR = '[data-testid="stStatusWidget"]'
POLL = 0.05


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status, response.read()


def start_server(db: Path, port: int, log_path: Path) -> subprocess.Popen:
    environment = {**os.environ, "MAPPING_DB": str(db)}
    log = open(log_path, "w")
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=PROJECT, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)
    if process.poll() is None:
        process.kill()
        process.wait(5)


def measure_first_page(db: Path, *, timeout: float = 120, browser=None, log_dir: Path | None = None) -> dict:
    """Seconds from launch to each milestone (see module docs); None where not reached."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = (log_dir or db.parent) / f"{db.stem}.server-{port}.log"
    result: dict = {"health": None, "served": None, "first_content": None, "complete": None}
    context = browser.new_context(viewport={"width": 1400, "height": 1000}) if browser is not None else None
    started = time.perf_counter()
    process = start_server(db, port, log_path)
    try:
        deadline = started + timeout
        while time.perf_counter() < deadline and result["health"] is None:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {log_path.read_text()[-2000:]}")
            with contextlib.suppress(Exception):
                if _get(f"{url}/_stcore/health")[0] == 200:
                    result["health"] = time.perf_counter() - started
                    break
            time.sleep(POLL)
        if result["health"] is None:
            raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f} s")
        status, body = _get(url + "/")
        if status == 200 and b"<html" in body.lower():
            result["served"] = time.perf_counter() - started
        if context is not None:
            page = context.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
                       else route.abort())
            remaining = max(1.0, deadline - time.perf_counter())
            page.goto(url, wait_until="commit", timeout=remaining * 1000)
            page.wait_for_selector("h1", timeout=remaining * 1000)
            result["first_content"] = time.perf_counter() - started
            result["complete"] = _wait_until_idle(page, started, deadline)
    finally:
        stop_server(process)
        if context is not None:
            context.close()
    return result


def _wait_until_idle(page, started: float, deadline: float) -> float | None:
    """Time at which the page's script had finished: the map frame is there and the running
    indicator has been absent for two polls in a row."""
    idle_since = None
    while time.perf_counter() < deadline:
        busy = page.query_selector(RUNNING_INDICATOR) is not None
        has_map = page.query_selector("iframe") is not None
        now = time.perf_counter()
        if busy or not has_map:
            idle_since = None
        elif idle_since is None:
            idle_since = now
        elif now - idle_since >= 2 * POLL:
            return idle_since - started
        time.sleep(POLL)
    return None


@contextlib.contextmanager
def chromium():
    """A headless Chromium (Debian's, never a downloaded one), or None when it is not installed."""
    if not chromium_available():
        yield None
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
