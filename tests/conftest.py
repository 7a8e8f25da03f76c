"""Shared fixtures: a database built once from data/, per-test copies, AppTest and a real browser.

Browser tests use Debian's Chromium through Playwright (never a downloaded browser). Where no
Chromium is installed they skip with the reason, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mapping import ingest
from mapping.store import Store

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """A database built from data/ exactly as `python -m mapping build` does (once per session)."""
    path = tmp_path_factory.mktemp("db") / "base.duckdb"
    store = Store(path)
    ingest.build(store)
    store.checkpoint()
    store.close()
    return path


def copy_db(source: Path, target_dir: Path, name: str = "test.duckdb") -> Path:
    target = target_dir / name
    shutil.copy(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target


@pytest.fixture
def db_path(built_db, tmp_path) -> Path:
    """A private copy of the built database for one test."""
    return copy_db(built_db, tmp_path)


@pytest.fixture
def store(db_path):
    s = Store(db_path)
    yield s
    s.close()


@pytest.fixture
def app_env(db_path, monkeypatch):
    """Point the app at a private database and start with empty Streamlit caches."""
    import streamlit as st

    monkeypatch.setenv("MAPPING_DB", str(db_path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield db_path
    st.cache_data.clear()
    st.cache_resource.clear()


def page_path(name: str) -> str:
    """Absolute path of a page file, as AppTest.from_file needs."""
    return str(PROJECT / "pages" / name) if not name.endswith("app.py") else str(PROJECT / "app.py")


# -- real browser -----------------------------------------------------------------------------

def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install Debian's chromium package.")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium); browser tests skipped.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(30_000)
    tab = context.new_page()
    yield tab
    context.close()


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    def __init__(self, db: Path, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {**os.environ, "MAPPING_DB": str(db), **(env or {})}
        self.log = open(db.with_suffix(".server.log"), "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(PROJECT / "app.py"), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=PROJECT, env=environment, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {Path(self.log.name).read_text()[-2000:]}")
            with contextlib.suppress(Exception):
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            time.sleep(0.3)
        raise RuntimeError("streamlit did not become healthy in 60 s")

    def stop(self) -> None:
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        if self.process.poll() is None:
            self.process.kill()
        self.log.close()


@pytest.fixture
def app_server(db_path):
    """The real dashboard (streamlit run app.py) on a free local port with a private database."""
    server = AppServer(db_path)
    yield server
    server.stop()


def map_frame(page):
    """The iframe that holds the Leaflet map (streamlit-folium component), once markers are drawn."""
    page.wait_for_selector("iframe", timeout=60_000)
    deadline = time.time() + 60
    while time.time() < deadline:
        for frame in page.frames:
            with contextlib.suppress(Exception):
                if frame.query_selector(".leaflet-container"):
                    return frame
        time.sleep(0.5)
    raise AssertionError("no Leaflet map frame appeared")
