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


# -- both engines: the store contract runs on DuckDB and on PostgreSQL --------------------------

def _pg_unavailable(reason: str):
    """Outside CI a missing PostgreSQL skips (with the reason); under CI=true it fails."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL tests must run in CI: {reason}")
    pytest.skip(f"PostgreSQL not available ({reason}); set MAPPING_TEST_DATABASE_URL or install "
                "postgresql and postgresql-15-postgis-3 to run the server-mode tests too")


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for tests: ``MAPPING_TEST_DATABASE_URL`` (``.ci/run`` starts one), else a
    throwaway cluster started here when the binaries are installed. Yields an admin URL."""
    import pg_cluster

    url = os.environ.get("MAPPING_TEST_DATABASE_URL")
    if url:
        yield None, url
        return
    try:
        cluster = pg_cluster.start_cluster()
    except Exception as exc:  # initdb/pg_ctl failed: say why
        _pg_unavailable(f"could not start a throwaway cluster: {exc}")
    if cluster is None:
        _pg_unavailable("no MAPPING_TEST_DATABASE_URL and no initdb/pg_ctl on this machine")
    try:
        yield cluster, cluster.url
    finally:
        cluster.remove()


def _admin(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _database_url(admin_url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def pg_template(pg_server) -> str:
    """A PostgreSQL database built once from data/ (``build`` in server mode), used as a template."""
    from mapping.store import postgres_sync
    from mapping.store.postgres import PostgresStore

    _cluster, admin_url = pg_server
    name = f"zbk_template_{os.getpid()}"
    with _admin(admin_url) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    store = PostgresStore(_database_url(admin_url, name))
    postgres_sync.build(store)
    store.close()
    return name


_PG_COUNTER = [0]


@pytest.fixture
def pg_url(pg_server, pg_template):
    """A fresh copy of the built PostgreSQL database for one test (CREATE DATABASE … TEMPLATE)."""
    _cluster, admin_url = pg_server
    _PG_COUNTER[0] += 1
    name = f"zbk_test_{os.getpid()}_{_PG_COUNTER[0]}"
    with _admin(admin_url) as con:
        con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield _database_url(admin_url, name)
    with _admin(admin_url) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["duckdb", "postgres"])
def engine(request) -> str:
    return request.param


@pytest.fixture
def engine_store(engine, request):
    """The built database on each engine, behind the same store API (one suite, two engines)."""
    from mapping.store import open_store

    if engine == "duckdb":
        opened = Store(request.getfixturevalue("db_path"))
    else:
        opened = open_store(database_url=request.getfixturevalue("pg_url"))
    yield opened
    opened.close()


@pytest.fixture
def engine_opener(engine, request):
    """A function opening one more store on the same database (another replica / thread / process);
    for DuckDB that is the same file (embedded: one process owns it)."""
    from mapping.store import open_store

    if engine == "duckdb":
        path = request.getfixturevalue("db_path")
        shared = Store(path)
        yield lambda: shared, str(path)
        shared.close()
    else:
        url = request.getfixturevalue("pg_url")
        opened = []

        def open_one():
            opened.append(open_store(database_url=url))
            return opened[-1]

        yield open_one, url
        for one in opened:
            one.close()
