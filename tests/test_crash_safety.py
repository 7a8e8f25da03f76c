"""Crash safety: `kill -9` during a burst of sign-ups loses nothing that was acknowledged.

A child process plays the dashboard: it holds the database (one ``Store``, as ``ui.get_store``
does) and several threads (sessions) sign up through the very functions the Aanmelden page calls,
``submissions.check`` and ``submissions.create_submission``. A reference code is printed only after
``create_submission`` has returned, i.e. after the commit — exactly the moment the page shows the
code to its user. The test kills the child with SIGKILL mid-burst, reopens the database (DuckDB
replays its write-ahead log) and checks that every printed code is there, complete.

Why not `streamlit run app.py` with a browser: the form's spam protection (minimum fill time, a
per-session limit) makes a burst through the real page take minutes, and the page adds nothing to
what is committed when. The child uses the same Store and write functions as the app process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from mapping import backup, queries
from mapping.store import Store

pytest.importorskip("mapping.submissions")

PROJECT = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent("""
    import sys, threading
    from datetime import datetime
    from mapping import submissions
    from mapping.store import Store

    db, checkpoint = sys.argv[1], sys.argv[2]
    store = Store(db)
    if checkpoint != "default":
        # checkpoint after almost every commit, so that the kill can also land inside a checkpoint
        store.execute(f"SET wal_autocheckpoint = '{checkpoint}'")
    print_lock = threading.Lock()
    postcodes = ("2341 AB", "3011 AB", "8261 AA")

    def session(number):
        for i in range(10_000):
            raw = {"name": f"Crashbestendig initiatief {number}-{i}", "kind": "initiative",
                   "themes": ["ontmoeting"], "description": "x" * (i % 7) * 50,
                   "postcode": postcodes[(number + i) % 3], "online": False,
                   "contact_name": f"Contact {number}-{i}", "contact_email": f"c{number}.{i}@voorbeeld.nl",
                   "consent": True}
            checked = submissions.check(store, raw)
            if not checked.ok:
                print("INVALID", checked.errors, flush=True)
                return
            receipt = submissions.create_submission(store, checked, now=datetime.now())
            with print_lock:  # acknowledged only now: after the commit, as the page does
                print("ACK", receipt.reference, receipt.record_id, flush=True)

    threads = [threading.Thread(target=session, args=(n,), daemon=True) for n in range(4)]
    for thread in threads:
        thread.start()
    print("READY", flush=True)
    for thread in threads:
        thread.join()
""")


def _burst_and_kill(db: Path, *, acknowledged_before_kill: int, checkpoint: str) -> list[tuple[str, str]]:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), checkpoint], cwd=PROJECT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acknowledged: list[tuple[str, str]] = []
    deadline = time.time() + 120
    try:
        for line in child.stdout:
            if line.startswith("INVALID"):
                pytest.fail(f"the child's sign-up was refused: {line}")
            if line.startswith("ACK "):
                _, reference, record_id = line.split()
                acknowledged.append((reference, record_id))
                if len(acknowledged) >= acknowledged_before_kill:
                    break
            if time.time() > deadline:
                break
        os.kill(child.pid, signal.SIGKILL)  # mid-burst: the other sessions are inside their writes
        # codes already printed (acknowledged) but not yet read by us count too
        rest, _ = child.communicate(timeout=30)
        acknowledged += [tuple(line.split()[1:3]) for line in rest.splitlines() if line.startswith("ACK ")]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
    assert len(acknowledged) >= acknowledged_before_kill, "the burst did not get going"
    return acknowledged


def _assert_all_present(store: Store, acknowledged: list[tuple[str, str]]) -> None:
    references = [reference for reference, _ in acknowledged]
    rows = store.rows(
        """SELECT s.id, s.record_id, s.status, r.status, c.contact_email
           FROM submissions s JOIN records r ON r.id = s.record_id
           LEFT JOIN contacts c ON c.submission_id = s.id
           WHERE s.id IN (SELECT unnest(?::VARCHAR[]))""", [references])
    found = {row[0]: row for row in rows}
    missing = sorted(set(references) - set(found))
    assert not missing, f"{len(missing)} acknowledged submissions lost after kill -9: {missing[:5]}"
    for reference, record_id in acknowledged:
        _, stored_record, status, record_status, email = found[reference]
        assert stored_record == record_id and status == "pending" and record_status == "pending"
        assert email and email.endswith("@voorbeeld.nl")
    # each acknowledged submission was written whole: its revision is there too
    assert store.scalar("SELECT count(DISTINCT entity_id) FROM revisions WHERE entity_type = 'submission' "
                        "AND entity_id IN (SELECT unnest(?::VARCHAR[]))", [references]) == len(references)


@pytest.mark.slow
def test_kill_9_during_a_burst_keeps_every_acknowledged_submission(db_path, tmp_path):
    all_acknowledged: list[tuple[str, str]] = []
    # Three crashes in a row on the same file: each restart replays the log of the one before.
    for round_number, checkpoint in enumerate(("default", "1KB", "default")):
        acknowledged = _burst_and_kill(db_path, acknowledged_before_kill=12 + 5 * round_number, checkpoint=checkpoint)
        all_acknowledged += acknowledged
        if round_number == 1:
            # Before anyone writes again: a read-only backup of the crashed file sees it all.
            archive = tmp_path / "after-crash.zip"
            reader = Store(db_path, read_only=True)
            try:
                backup.create_backup(reader, archive)
            finally:
                reader.close()
            restored = tmp_path / "restored.duckdb"
            backup.restore_backup(archive, restored)
            copy = Store(restored, read_only=True)
            try:
                _assert_all_present(copy, all_acknowledged)
            finally:
                copy.close()
            with zipfile.ZipFile(archive) as check:
                assert "submissions.parquet" in check.namelist()

    store = Store(db_path)  # opens after the crash: the write-ahead log is replayed
    try:
        _assert_all_present(store, all_acknowledged)
        # the database is fully usable: public queries run, pending sign-ups stay private, new writes work
        public = set(queries.records(store, queries.Filter())["id"])
        assert not public & {record_id for _, record_id in all_acknowledged}
        assert store.scalar("SELECT count(*) FROM submissions s LEFT JOIN records r ON r.id = s.record_id "
                            "WHERE r.id IS NULL") == 0, "a submission without its record: half-written"
        store.run_in_transaction(lambda cur: Store.add_revision(cur, "record", "zorgvrijstaat", "check", "test", {}))
        store.checkpoint()
    finally:
        store.close()
