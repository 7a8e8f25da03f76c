"""Server mode under faults, for real: PostgreSQL stopped while the app serves, a sign-up process
killed with SIGKILL mid-stream, 200 sign-ups from three processes at once.

These need a cluster of their own (it is stopped and started), so they start one with the
installed binaries (``tests/pg_cluster.py``); outside CI they skip when PostgreSQL is not installed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import PROJECT, _pg_unavailable, page_path

UNAVAILABLE_NL = "tijdelijk niet beschikbaar"
WORKER = Path(__file__).with_name("signup_worker.py")


@pytest.fixture(scope="module")
def own_cluster():
    import pg_cluster

    try:
        cluster = pg_cluster.start_cluster()
    except Exception as exc:
        _pg_unavailable(f"could not start a throwaway cluster: {exc}")
    if cluster is None:
        _pg_unavailable("initdb/pg_ctl are not installed")
    from mapping.store import postgres_sync
    from mapping.store.postgres import PostgresStore

    url = cluster.create_database("zbk")
    store = PostgresStore(url)
    postgres_sync.build(store)
    store.close()
    try:
        yield cluster, url
    finally:
        cluster.remove()


@pytest.fixture
def server_env(own_cluster, monkeypatch):
    import streamlit as st

    cluster, url = own_cluster
    monkeypatch.setenv("MAPPING_DATABASE_URL", url)
    monkeypatch.delenv("MAPPING_DB", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield cluster, url
    if not _up(url):
        cluster.start()
    st.cache_data.clear()
    st.cache_resource.clear()


def _up(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        return False


def _messages(at: AppTest) -> str:
    return " ".join(str(w.value) for w in at.warning) + " " + " ".join(str(e.value) for e in at.error)


PAGES = ["overzicht.py", "kaart.py", "verbindingen.py", "witte_vlekken.py", "aanmelden.py",
         "mijn_aanmelding.py", "moderatie.py", "privacy.py"]


def test_every_page_says_temporarily_unavailable_while_postgres_is_down_and_recovers(server_env):
    cluster, url = server_env
    cluster.stop()
    try:
        for name in PAGES:
            at = AppTest.from_file(page_path("app.py"), default_timeout=60)
            at.switch_page(f"pages/{name}").run()
            assert not at.exception, (name, at.exception)
            if name != "privacy.py":  # a static page may still render fully; no page shows a traceback
                assert UNAVAILABLE_NL in _messages(at), name
    finally:
        cluster.start()
    at = AppTest.from_file(page_path("app.py"), default_timeout=60)
    at.switch_page("pages/kaart.py").run()
    assert not at.exception
    assert UNAVAILABLE_NL not in _messages(at)


def test_an_open_store_recovers_by_itself_when_postgres_is_back(server_env):
    from mapping.store import StoreUnavailable, open_store

    cluster, url = server_env
    store = open_store()
    try:
        before = store.scalar("SELECT count(*) FROM records")
        cluster.stop()
        with pytest.raises(StoreUnavailable):
            store.scalar("SELECT count(*) FROM records")
        with pytest.raises(StoreUnavailable):
            store.bump_data_version()
        cluster.start()
        assert store.scalar("SELECT count(*) FROM records") == before   # read path rebuilt
        store.bump_data_version()                                       # pool reconnected
    finally:
        store.close()


def _worker(url: str, first: int, count: int, threads: int) -> subprocess.Popen:
    env = dict(os.environ, MAPPING_DATABASE_URL=url, PYTHONPATH=str(PROJECT / "src"))
    return subprocess.Popen([sys.executable, str(WORKER), str(first), str(count), str(threads)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=PROJECT)


def _stored(url: str) -> list[str]:
    from mapping.store import open_store

    store = open_store(database_url=url)
    try:
        return [r for (r,) in store.rows("SELECT id FROM submissions")]
    finally:
        store.close()


def test_kill_9_during_a_stream_of_sign_ups_keeps_every_acknowledged_one(own_cluster):
    _cluster, url = own_cluster
    process = _worker(url, 5000, 400, 4)
    acknowledged: list[str] = []
    deadline = time.monotonic() + 120
    while len(acknowledged) < 25:
        line = process.stdout.readline()
        assert line, process.stderr.read()
        assert time.monotonic() < deadline
        acknowledged.append(json.loads(line)["reference"])
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    stored = set(_stored(url))
    assert set(acknowledged) <= stored


def test_200_sign_ups_from_three_processes_are_all_stored_once(own_cluster):
    _cluster, url = own_cluster
    before = _stored(url)
    workers = [_worker(url, 10_000 + n * 100, count, 8) for n, count in enumerate((67, 67, 66))]
    acknowledged: list[str] = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        acknowledged += [json.loads(line)["reference"] for line in out.splitlines()]
    stored = _stored(url)
    assert len(acknowledged) == 200
    assert len(stored) == len(before) + 200
    assert len(set(stored)) == len(stored)
    assert set(acknowledged) <= set(stored)
