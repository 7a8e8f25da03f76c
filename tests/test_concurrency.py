"""Many users at once: 200 sign-ups from 50 threads while others filter the map.

Each thread stands for one Streamlit session: it calls exactly what the Aanmelden page calls
(``submissions.check`` then ``submissions.create_submission``) on the app's one shared ``Store``,
which gives every thread its own DuckDB cursor (a connection object is not thread-safe, duckdb
#13498). Write conflicts between the transactions are retried by ``Store.run_in_transaction``.
Meanwhile reader threads run the map's queries with filters. Nothing may be lost, no thread may see
an error, and no pending sign-up may ever show up in a public query.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import datetime

import pytest

from mapping import moderation, queries
from mapping.store import Store

submissions = pytest.importorskip("mapping.submissions")

THREADS = 50
PER_THREAD = 4
READERS = 4
# Real PC4 areas in three gemeenten (Oegstgeest, Rotterdam, Kampen) so that region assignment runs.
POSTCODES = ("2341 AB", "2342 BC", "3011 AB", "3021 BA", "8261 AA", "8262 AB")
WORDS = ("Buurt", "Samen", "Thuis", "Hof", "Zorg", "Dorps", "Wijk", "Hart", "Tafel", "Cirkel", "Soep", "Moestuin")


def _form(thread: int, number: int) -> dict:
    """What one person types into the form (distinct per submission)."""
    rng = random.Random(thread * 1000 + number)
    name = f"{rng.choice(WORDS)}{rng.choice(WORDS).lower()} {thread:02d}-{number} {rng.choice(WORDS)}"
    return {
        "name": name, "kind": "initiative", "themes": ["ontmoeting"], "description": f"Aangemeld door sessie {thread}",
        "postcode": POSTCODES[(thread + number) % len(POSTCODES)], "online": False,
        "contact_name": f"Contact {thread}-{number}", "contact_email": f"sessie{thread}.{number}@voorbeeld.nl",
        "consent": True,
    }


def test_200_submissions_from_50_threads_with_readers_lose_nothing(store):
    before_submissions = store.scalar("SELECT count(*) FROM submissions")
    before_records = store.scalar("SELECT count(*) FROM records")
    public_before = set(queries.records(store, queries.Filter())["id"])
    start = threading.Barrier(THREADS + READERS)
    writers_done = threading.Event()
    receipts: list = []
    errors: list[str] = []
    rejected: list[str] = []
    reader_runs = [0]
    leaked: set[str] = set()
    lock = threading.Lock()

    def writer(thread: int) -> None:
        try:
            start.wait(timeout=60)
            for number in range(PER_THREAD):
                checked = submissions.check(store, _form(thread, number))
                if not checked.ok:
                    with lock:
                        rejected.append(f"{thread}-{number}: {checked.errors}")
                    continue
                receipt = submissions.create_submission(store, checked, now=datetime.now())
                with lock:
                    receipts.append(receipt)
        except Exception as exc:  # any exception is an error a user would have seen
            with lock:
                errors.append(f"writer {thread}: {type(exc).__name__}: {exc}")

    filters = [
        queries.Filter(),
        queries.Filter(gemeente="GM0579"),
        queries.Filter(gemeente="GM0599", kinds=("initiative",)),
        queries.Filter(themes=("ontmoeting",), search="buurt"),
        queries.Filter(provincie="PV28", search="samen"),
        queries.Filter(zorgkantoorregio="ZK20"),
    ]

    def reader(index: int) -> None:
        try:
            start.wait(timeout=60)
            step = index
            while not writers_done.is_set():
                flt = filters[step % len(filters)]
                found = queries.records(store, flt)
                queries.counts_by_kind(store, flt)
                queries.links_for(store, flt)
                new_public = set(found["id"]) - public_before
                with lock:
                    reader_runs[0] += 1
                    leaked.update(new_public)
                step += 1
        except Exception as exc:
            with lock:
                errors.append(f"reader {index}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=writer, args=(i,), name=f"writer-{i}") for i in range(THREADS)]
    threads += [threading.Thread(target=reader, args=(i,), name=f"reader-{i}") for i in range(READERS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads[:THREADS]:
        thread.join(timeout=240)
    writers_done.set()
    for thread in threads[THREADS:]:
        thread.join(timeout=60)
    elapsed = time.perf_counter() - began

    assert not [t.name for t in threads if t.is_alive()], "threads hung"
    assert errors == [], errors[:5]
    assert rejected == [], rejected[:5]
    assert len(receipts) == THREADS * PER_THREAD == 200
    assert reader_runs[0] >= READERS, "the readers must have run while the writers wrote"
    assert leaked == set(), "pending sign-ups appeared in a public query"

    # Every acknowledged submission is stored, exactly once, with its pending record and contact.
    references = [r.reference for r in receipts]
    assert len(set(references)) == 200
    assert store.scalar("SELECT count(*) FROM submissions") == before_submissions + 200
    assert store.scalar("SELECT count(*) FROM records") == before_records + 200
    stored = store.rows(
        """SELECT s.id, s.status, r.status, c.contact_email, r.gemeente_code
           FROM submissions s JOIN records r ON r.id = s.record_id
           LEFT JOIN contacts c ON c.submission_id = s.id
           WHERE s.id IN (SELECT unnest(?::VARCHAR[]))""", [references])
    assert len(stored) == 200
    assert {(row[1], row[2]) for row in stored} == {("pending", "pending")}
    assert all(row[3] and row[3].endswith("@voorbeeld.nl") for row in stored)
    assert {row[4] for row in stored} == {"GM0579", "GM0599", "GM0166"}
    assert store.scalar("SELECT count(*) FROM revisions WHERE entity_type = 'submission' AND action = 'submit' "
                        "AND entity_id IN (SELECT unnest(?::VARCHAR[]))", [references]) == 200
    # the moderators see all 200 in their queue
    queue = moderation.queue(store, include_stale=False)
    assert set(references) <= set(queue.loc[queue["item_type"] == "submission", "item_id"])
    print(f"200 submissions from {THREADS} threads with {READERS} readers ({reader_runs[0]} reads) "
          f"in {elapsed:.1f} s")


def test_concurrent_moderation_decisions_and_submissions_do_not_conflict_visibly(store):
    """Moderators approving while people sign up: every approval lands, every sign-up is stored."""
    seeded = []
    for number in range(10):
        checked = submissions.check(store, _form(99, number))
        assert checked.ok, checked.errors
        seeded.append(submissions.create_submission(store, checked))
    errors: list[str] = []
    created: list = []
    lock = threading.Lock()
    start = threading.Barrier(10 + 10)

    def approve(receipt) -> None:
        try:
            start.wait(timeout=60)
            moderation.approve(store, receipt.reference, "moderator-test")
        except Exception as exc:
            with lock:
                errors.append(f"approve: {type(exc).__name__}: {exc}")

    def sign_up(thread: int) -> None:
        try:
            start.wait(timeout=60)
            checked = submissions.check(store, _form(200 + thread, 0))
            receipt = submissions.create_submission(store, checked)
            with lock:
                created.append(receipt)
        except Exception as exc:
            with lock:
                errors.append(f"sign-up: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=approve, args=(r,)) for r in seeded]
    threads += [threading.Thread(target=sign_up, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [], errors[:5]
    assert len(created) == 10
    public = set(queries.records(store, queries.Filter())["id"])
    assert {r.record_id for r in seeded} <= public
    assert not ({r.record_id for r in created} & public)
    assert store.scalar("SELECT count(*) FROM submissions WHERE status = 'approved' AND id IN "
                        "(SELECT unnest(?::VARCHAR[]))", [[r.reference for r in seeded]]) == 10


def test_stores_of_one_file_opened_at_once_in_one_process_all_open(built_db, tmp_path):
    """The pages' store and the API's store are opened by the warm-up thread and the first request
    at the same moment: each applies the schema, which DuckDB refuses concurrently (catalog
    write-write conflict) unless the store serialises it per file."""
    import threading

    from conftest import copy_db

    for attempt in range(3):
        path = copy_db(built_db, tmp_path, f"race{attempt}.duckdb")
        errors: list[BaseException] = []
        opened: list[Store] = []
        start = threading.Barrier(4)

        def open_one() -> None:
            start.wait()
            try:
                opened.append(Store(path, lazy_spatial=True))
            except BaseException as exc:  # noqa: BLE001 — collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=open_one) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [] and len(opened) == 4
        assert {store.scalar("SELECT count(*) FROM records") for store in opened} == \
            {opened[0].scalar("SELECT count(*) FROM records")}
        for store in opened:
            store.close()
