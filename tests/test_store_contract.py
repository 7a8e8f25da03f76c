"""The store contract, one suite on both engines (DuckDB file and PostgreSQL/PostGIS).

Expected values come from the raw files in data/ (read here with the csv module) or from a second
store object, never from the code under test. PostgreSQL runs skip with a reason outside CI when
no server can be started, and fail under CI=true (see ``pg_server`` in conftest).
"""

from __future__ import annotations

import csv
import threading
import time
from datetime import datetime

import pytest

from mapping import config, moderation, queries, submissions
from mapping.store import (StoreConflict, StoreError, StoreIntegrityError, StoreQueryError, StoreUnavailable)


def _csv_rows(name: str) -> list[dict]:
    with open(config.data_dir() / name, encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;")
        return list(csv.DictReader(handle, dialect=dialect))


def _form(n: int) -> dict:
    return {"name": f"Buurtsoep contract {n:03d}", "kind": "initiative", "themes": ["ontmoeting"],
            "description": "Samen soep eten", "postcode": "3011 AB", "online": False,
            "contact_name": f"Contact {n}", "contact_email": f"contract{n}@voorbeeld.nl", "consent": True}


def _sign_up(store, n: int):
    checked = submissions.check(store, _form(n))
    assert checked.ok, checked.errors
    return submissions.create_submission(store, checked, now=datetime.now())


def test_the_build_holds_every_dataset_record_and_every_gemeente(engine_store):
    records = _csv_rows("records.csv")
    gemeenten = _csv_rows("gemeenten_2025.csv")
    assert engine_store.scalar("SELECT count(*) FROM records WHERE origin = 'dataset'") == len(records)
    assert engine_store.scalar("SELECT count(*) FROM regions WHERE level = 'gemeente'") == len(gemeenten)
    # geometry arrives as geometry on both engines: every gemeente has an outline with an area
    assert engine_store.scalar("SELECT count(*) FROM regions WHERE level = 'gemeente' AND ST_Area(geom) > 0") \
        == len(gemeenten)
    assert engine_store.get_meta("built_at")


def test_a_failed_transaction_leaves_nothing(engine_store):
    before = engine_store.scalar("SELECT count(*) FROM revisions")
    with pytest.raises(RuntimeError, match="halfway"):
        with engine_store.transaction() as cur:
            engine_store.add_revision(cur, "record", "x", "update", "tester", {"a": [1, 2]})
            raise RuntimeError("halfway")
    assert engine_store.scalar("SELECT count(*) FROM revisions") == before
    with engine_store.transaction() as cur:
        engine_store.add_revision(cur, "record", "x", "update", "tester", {"a": [1, 2]})
    assert engine_store.scalar("SELECT count(*) FROM revisions") == before + 1


def test_engine_errors_reach_callers_as_store_errors(engine_store):
    with pytest.raises(StoreQueryError):
        engine_store.rows("SELECT no_such_column FROM records")
    existing = engine_store.scalar("SELECT code FROM themes ORDER BY code LIMIT 1")
    with pytest.raises(StoreIntegrityError):
        with engine_store.transaction() as cur:
            cur.execute("INSERT INTO themes (code, label_nl, label_en) VALUES (?, 'x', 'x')", [existing])
    for error in (StoreQueryError, StoreIntegrityError, StoreConflict, StoreUnavailable):
        assert issubclass(error, StoreError)


def test_compare_and_set_lets_exactly_one_of_two_concurrent_decisions_win(engine_store, engine_opener):
    receipt = _sign_up(engine_store, 1)
    opener, _where = engine_opener
    stores = [opener(), opener()]
    start = threading.Barrier(2)
    won: list[str] = []
    lock = threading.Lock()

    def decide(store, status: str) -> None:
        def work(cur):
            row = cur.execute("UPDATE submissions SET status = ?, reviewed_by = ? WHERE id = ? AND status = 'pending' "
                              "RETURNING id", [status, status, receipt.reference]).fetchone()
            return row is not None

        start.wait(timeout=20)
        if store.run_in_transaction(work):
            with lock:
                won.append(status)

    threads = [threading.Thread(target=_guard(decide), args=(store, status))
               for store, status in zip(stores, ("approved", "rejected"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(won) == 1, won
    assert engine_store.rows("SELECT status, reviewed_by FROM submissions WHERE id = ?",
                             [receipt.reference]) == [(won[0], won[0])]


def _guard(function):
    """A losing DuckDB transaction sees a write-write conflict (its retry then finds nothing
    pending); that is a lost race, not an error."""
    def run(*args):
        try:
            function(*args)
        except StoreConflict:
            pass
    return run


def test_a_sign_up_is_in_the_queue_and_an_approval_public_for_another_replica(engine_store, engine_opener):
    opener, _where = engine_opener
    replica_1, replica_2, replica_3 = opener(), opener(), opener()
    version_before = replica_3.data_version()
    receipt = _sign_up(replica_1, 2)
    # at once in the moderation queue of another replica
    assert replica_2.scalar("SELECT status FROM submissions WHERE id = ?", [receipt.reference]) == "pending"
    assert receipt.record_id not in set(queries.records(replica_3, queries.Filter())["id"])
    moderation.approve(replica_2, receipt.reference, "moderator")
    deadline = time.monotonic() + 5
    while replica_3.data_version() == version_before:
        assert time.monotonic() < deadline, "the data version did not reach the third replica within 5 s"
        time.sleep(0.1)
    assert receipt.record_id in set(queries.records(replica_3, queries.Filter())["id"])


def test_200_concurrent_sign_ups_are_all_stored_once(engine_store, engine_opener):
    opener, _where = engine_opener
    replicas = [opener() for _ in range(3)]
    before = engine_store.scalar("SELECT count(*) FROM submissions")
    errors: list[str] = []
    receipts: list = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def session(thread: int) -> None:
        store = replicas[thread % 3]
        try:
            start.wait(timeout=60)
            for k in range(10):
                receipt = _sign_up(store, 100 + thread * 10 + k)
                with lock:
                    receipts.append(receipt.reference)
        except Exception as exc:
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=session, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert errors == []
    assert len(receipts) == 200
    stored = [r for (r,) in engine_store.rows("SELECT id FROM submissions")]
    assert len(stored) == before + 200
    assert set(receipts) <= set(stored)
    assert len(set(stored)) == len(stored)


def test_a_backup_made_while_the_store_is_open_restores_every_row(engine_store, engine, tmp_path):
    from mapping import backup
    from mapping.store import Store

    receipt = _sign_up(engine_store, 3)
    expected = {table: engine_store.scalar(f"SELECT count(*) FROM {table}")
                for table in ("records", "submissions", "contacts", "revisions", "regions")}
    file = tmp_path / "backup.zip"
    if engine == "postgres":
        backup.backup_server(engine_store.url, file)
    else:
        backup.create_backup(engine_store, file)
    result = backup.restore_backup(file, tmp_path / "restored.duckdb")
    restored = Store(result.path)
    try:
        assert {table: restored.scalar(f"SELECT count(*) FROM {table}") for table in expected} == expected
        assert restored.scalar("SELECT contact_email FROM contacts WHERE submission_id = ?",
                               [receipt.reference]) == "contract3@voorbeeld.nl"
    finally:
        restored.close()
