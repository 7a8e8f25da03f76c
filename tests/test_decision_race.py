"""Two moderators (or a moderator and the owner) deciding the same submission at the same moment.

Exactly one decision takes effect; the other learns it lost and by whom; the record's status, the
submission's status and the audit log agree. Reproduced three ways: the exact interleaving of
issue 12 (approve paused after its status check, reject of the same submission in between), real
threads racing on one store, and separate stores (separate processes on a server database; on the
embedded DuckDB file, which allows one writing process, separate Store objects in threads).
"""

from __future__ import annotations

import json
import threading

import pytest

from mapping import moderation, submissions
from mapping.records import SubmissionStatus
from mapping.store import Store

GOOD = {
    "name": "Buurtkamer De Linde", "kind": "initiative", "themes": ["buurthulp"],
    "description": "Koffie en een luisterend oor.", "postcode": "3024", "website": "",
    "contact_name": "Fatima de Vries", "contact_email": "fatima.private@example.org", "consent": True,
}


def submit(store):
    checked = submissions.check(store, GOOD)
    assert checked.ok, checked.errors
    return submissions.create_submission(store, checked)


def decisions_in_audit(store, reference) -> list[tuple[str, str]]:
    """(action, actor) of every moderator decision on the submission, oldest first."""
    return [(action, actor) for action, actor in store.rows(
        "SELECT action, actor FROM revisions WHERE entity_type = 'submission' AND entity_id = ? "
        "AND action IN ('approve', 'reject', 'merge') ORDER BY id", [reference])]


def state_of(store, receipt) -> tuple[str, str, str | None, str]:
    """(submission status, reviewed_by, review_reason, record status)."""
    status, by, reason = store.rows("SELECT status, reviewed_by, review_reason FROM submissions WHERE id = ?",
                                    [receipt.reference])[0]
    return status, by, reason, store.scalar("SELECT status FROM records WHERE id = ?", [receipt.record_id])


def is_public(store, record_id) -> bool:
    return bool(store.scalar("SELECT count(*) FROM public_records WHERE id = ?", [record_id]))


# -- the interleaving of issue 12 ---------------------------------------------------------------------

def test_reject_between_approves_check_and_write_is_not_overwritten(store, monkeypatch):
    receipt = submit(store)
    original_check = moderation._pending_submission
    interfered = []

    def check_then_let_the_other_moderator_reject(*args, **kwargs):
        item = original_check(*args, **kwargs)
        if not interfered:          # only the first time: the approve that is "paused"
            interfered.append(True)
            # Another moderator's session (its own thread, so its own cursor and transaction).
            other = threading.Thread(target=moderation.reject,
                                     args=(store, receipt.reference, "Bram", "Geen buurtinitiatief."))
            other.start()
            other.join(timeout=30)
        return item

    monkeypatch.setattr(moderation, "_pending_submission", check_then_let_the_other_moderator_reject)
    with pytest.raises(moderation.AlreadyDecided) as lost:
        moderation.approve(store, receipt.reference, "Mila")
    assert interfered
    assert lost.value.decision.won is False and lost.value.decision.by == "Bram"
    assert lost.value.decision.status == SubmissionStatus.REJECTED
    assert "Bram" in moderation.error_text(lost.value, "nl") and "al beoordeeld" in moderation.error_text(lost.value, "nl")
    assert "already decided" in moderation.error_text(lost.value, "en")
    assert state_of(store, receipt) == ("rejected", "Bram", "Geen buurtinitiatief.", "rejected")
    assert not is_public(store, receipt.record_id)
    assert decisions_in_audit(store, receipt.reference) == [("reject", "Bram")]


def test_the_loser_of_an_approve_reject_race_changes_nothing_the_other_way_round(store, monkeypatch):
    receipt = submit(store)
    original_check = moderation._pending_submission
    interfered = []

    def check_then_let_the_other_moderator_approve(*args, **kwargs):
        item = original_check(*args, **kwargs)
        if not interfered:
            interfered.append(True)
            other = threading.Thread(target=moderation.approve, args=(store, receipt.reference, "Mila"))
            other.start()
            other.join(timeout=30)
        return item

    monkeypatch.setattr(moderation, "_pending_submission", check_then_let_the_other_moderator_approve)
    with pytest.raises(moderation.AlreadyDecided) as lost:
        moderation.reject(store, receipt.reference, "Bram", "Te laat.")
    assert lost.value.decision.by == "Mila"
    assert state_of(store, receipt) == ("approved", "Mila", None, "approved")
    assert is_public(store, receipt.record_id)
    assert decisions_in_audit(store, receipt.reference) == [("approve", "Mila")]


def test_a_decision_on_what_the_moderator_saw_refuses_when_the_owner_changed_it_meanwhile(store):
    receipt = submit(store)
    seen = moderation.submission_detail(store, receipt.reference).submission["updated_at"]
    submissions.owner_update(store, receipt.reference, receipt.token, {**GOOD, "description": "Nu met soep."})
    with pytest.raises(moderation.AlreadyDecided) as lost:
        moderation.approve(store, receipt.reference, "Mila", expected_updated_at=seen)
    assert lost.value.code == "moderatie.error.changed_meanwhile"
    assert state_of(store, receipt)[0] == "pending" and not is_public(store, receipt.record_id)
    # Looking again (the new version) and deciding works.
    fresh = moderation.submission_detail(store, receipt.reference).submission["updated_at"]
    decision = moderation.approve(store, receipt.reference, "Mila", expected_updated_at=fresh)
    assert decision.won and decision.by == "Mila"
    assert json.loads(store.scalar("SELECT payload FROM submissions WHERE id = ?",
                                   [receipt.reference]))["description"] == "Nu met soep."


def test_an_owner_edit_crossing_an_approval_does_not_reopen_or_rewrite_it(store, monkeypatch):
    receipt = submit(store)
    view = submissions.owner_view(store, receipt.reference, receipt.token)
    assert view.current["status"] == "pending"
    original_view = submissions.owner_view
    interfered = []

    def view_then_moderator_approves(*args, **kwargs):
        seen = original_view(*args, **kwargs)
        if not interfered:
            interfered.append(True)
            other = threading.Thread(target=moderation.approve, args=(store, receipt.reference, "Mila"))
            other.start()
            other.join(timeout=30)
        return seen

    monkeypatch.setattr(submissions, "owner_view", view_then_moderator_approves)
    with pytest.raises(submissions.SubmissionError) as lost:
        submissions.owner_update(store, receipt.reference, receipt.token, {**GOOD, "description": "Anders."})
    assert lost.value.code == "mijn.error.changed_meanwhile"
    status, by, _, record_status = state_of(store, receipt)
    assert (status, by, record_status) == ("approved", "Mila", "approved")
    assert store.scalar("SELECT description FROM records WHERE id = ?", [receipt.record_id]) == GOOD["description"]


# -- real concurrency -----------------------------------------------------------------------------------

RACERS = 8


def _decide(store: Store, reference: str, number: int) -> str:
    """One moderator's click: even numbers approve, odd numbers reject. Returns 'won:…' or 'lost:…'."""
    actor = f"moderator-{number}"
    try:
        if number % 2:
            moderation.reject(store, reference, actor, f"Afgewezen door {actor}")
        else:
            moderation.approve(store, reference, actor)
    except moderation.AlreadyDecided as exc:
        return f"lost:{actor}:{exc.decision.by}"
    return f"won:{actor}"


def _assert_one_consistent_winner(store, receipt, outcomes: list[str]) -> None:
    winners = [o.split(":")[1] for o in outcomes if o.startswith("won:")]
    assert len(winners) == 1, outcomes
    winner = winners[0]
    # every loser was told who won
    assert all(o.split(":")[2] == winner for o in outcomes if o.startswith("lost:")), outcomes
    status, by, reason, record_status = state_of(store, receipt)
    approved = int(winner.rsplit("-", 1)[1]) % 2 == 0
    assert by == winner
    assert (status, record_status) == (("approved", "approved") if approved else ("rejected", "rejected"))
    assert reason == (None if approved else f"Afgewezen door {winner}")
    assert is_public(store, receipt.record_id) is approved
    assert decisions_in_audit(store, receipt.reference) == [("approve" if approved else "reject", winner)]


def test_eight_moderator_threads_on_one_store_exactly_one_decision(store):
    for _ in range(3):           # a few rounds: different winners, same guarantees
        receipt = submit(store)
        start = threading.Barrier(RACERS)
        outcomes: list[str] = []
        lock = threading.Lock()

        def racer(number: int) -> None:
            start.wait(timeout=30)
            outcome = _decide(store, receipt.reference, number)
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(outcomes) == RACERS
        _assert_one_consistent_winner(store, receipt, outcomes)


# Separate Store objects, each with its own connection. On a server engine (i12b's PostgreSQL
# fixture adds a 'processes' case here) every racer is its own process; a DuckDB file allows one
# writing process, so on DuckDB the racers are threads, each with a Store of its own.

def _race_in_process(open_spec: str, reference: str, number: int, start, results) -> None:
    """One racer process: a store (connection) of its own, then the click at the barrier."""
    from mapping.store import open_store

    racer_store = open_store(open_spec)
    try:
        _race(racer_store, reference, number, start, results)
    finally:
        racer_store.close()


def _race(racer_store: Store, reference: str, number: int, start, results) -> None:
    start.wait(timeout=60)
    results.put(_decide(racer_store, reference, number))


@pytest.fixture(params=["duckdb-threads"])
def separate_stores(request, db_path):
    """(open_spec, runner): how to open a store of one's own, and whether racers are threads or processes."""
    return str(db_path), "threads"


def test_racers_with_stores_of_their_own_exactly_one_decision(separate_stores):
    open_spec, runner = separate_stores
    from mapping.store import open_store

    store = open_store(open_spec)
    racer_stores: list[Store] = []
    try:
        receipt = submit(store)
        if runner == "processes":
            import multiprocessing

            context = multiprocessing.get_context("spawn")
            start, results = context.Barrier(RACERS), context.Queue()
            workers = [context.Process(target=_race_in_process, args=(open_spec, receipt.reference, n, start, results))
                       for n in range(RACERS)]
        else:
            import queue

            start, results = threading.Barrier(RACERS), queue.Queue()
            # One Store (connection) per racer, opened one after the other before the race.
            racer_stores = [open_store(open_spec) for _ in range(RACERS)]
            workers = [threading.Thread(target=_race, args=(racer_stores[n], receipt.reference, n, start, results))
                       for n in range(RACERS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        outcomes = [results.get(timeout=5) for _ in range(RACERS)]
        _assert_one_consistent_winner(store, receipt, outcomes)
    finally:
        for racer_store in racer_stores:
            racer_store.close()
        store.close()


# -- link edits ------------------------------------------------------------------------------------------

LINK = "jottem__part_of__gemiva"      # a link in data/links.csv


def test_two_moderators_editing_one_link_at_once_one_edit_wins(store):
    from mapping import links_admin
    from mapping.links_admin import LinkError

    start = threading.Barrier(RACERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def racer(number: int) -> None:
        start.wait(timeout=30)
        try:
            if number % 2:
                links_admin.remove_link(store, LINK, actor=f"moderator-{number}", reason="Opgeheven")
            else:
                links_admin.update_link(store, LINK, actor=f"moderator-{number}", note=f"Notitie {number}")
            outcome = f"won:{number}"
        except LinkError as exc:
            outcome = f"lost:{exc.code}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == RACERS
    won = [int(o.split(":")[1]) for o in outcomes if o.startswith("won:")]
    history = store.rows("SELECT action, actor FROM revisions WHERE entity_type = 'link' AND entity_id = ? ORDER BY id",
                         [LINK])
    # Every success is in the audit log, in order, and nothing else is; a removal ends the story.
    assert sorted(actor for _, actor in history) == sorted(f"moderator-{n}" for n in won)
    actions = [action for action, _ in history]
    assert "remove" not in actions[:-1]
    status, note = store.rows("SELECT status, note FROM record_links WHERE id = ?", [LINK])[0]
    last_action, last_actor = history[-1]
    if last_action == "remove":
        assert status == "archived"
    else:
        assert status == "approved" and note == f"Notitie {last_actor.rsplit('-', 1)[1]}"
    assert all(o.split(":")[1] in ("network.error.changed_meanwhile", "network.error.unknown_link")
               for o in outcomes if o.startswith("lost:"))


def test_a_link_edit_on_what_was_shown_refuses_when_it_changed_meanwhile(store):
    from mapping import links_admin
    from mapping.links_admin import LinkError

    seen = store.scalar("SELECT updated_at FROM record_links WHERE id = ?", [LINK])
    links_admin.update_link(store, LINK, actor="Bram", note="Eerst")
    with pytest.raises(LinkError) as lost:
        links_admin.remove_link(store, LINK, actor="Mila", reason="Weg", expected_updated_at=seen)
    assert lost.value.code == "network.error.changed_meanwhile" and "Bram" in lost.value.message("nl")
    assert store.rows("SELECT status, note FROM record_links WHERE id = ?", [LINK]) == [("approved", "Eerst")]
