"""Issue 15: rows imported "as pending" are sign-ups a moderator decides in the queue, like the form's."""

from __future__ import annotations

import os

from streamlit.testing.v1 import AppTest

from mapping import imports, moderation
from mapping.store import Store
from test_page_import import FIXTURE, fresh_auth_state, signed_in, upload  # noqa: F401  (fixture reused)

# The four good rows of the fixture (its fifth row is rejected, see test_page_import).
GOOD_NAMES = {"Hofjes Achter de Kerk", "Zorgcoöperatie Hart van Kampen", "Inloop Bijeenkomst Oost",
              "Stichting Welzijn Zuid"}


def _store() -> Store:
    return Store(os.environ["MAPPING_DB"])


def test_browser_import_as_pending_lands_in_the_queue_and_approving_publishes(app_env):
    at = upload(signed_in(), "regio.csv", FIXTURE.read_bytes())
    at.radio(key="imp_status").set_value("pending").run()
    at.button(key="imp_go").click().run()
    assert not at.exception
    store = _store()
    references = dict(store.rows("SELECT r.name, s.id FROM submissions s JOIN records r ON r.id = s.record_id "
                                 "WHERE s.status = 'pending' AND r.origin = 'import'"))
    store.close()
    assert set(references) == GOOD_NAMES
    # the queue's picker lists each imported row under its own reference and name
    labels = at.selectbox(key="mod_pick").options
    for name, reference in references.items():
        assert any(label.startswith(f"{reference} — {name} [") for label in labels), (name, labels)
    hofjes = references["Hofjes Achter de Kerk"]
    at.selectbox(key="mod_pick").set_value(hofjes).run()
    assert not at.exception
    at.button(key=f"mod_approve_{hofjes}").click().run()
    assert not at.exception
    store = _store()
    try:
        assert store.scalar("SELECT count(*) FROM public_records WHERE name = 'Hofjes Achter de Kerk'") == 1
        assert store.scalar("SELECT count(*) FROM public_records WHERE name = 'Inloop Bijeenkomst Oost'") == 0
        assert store.scalar("SELECT status FROM submissions WHERE id = ?", [hofjes]) == "approved"
        assert store.scalar("SELECT actor FROM revisions WHERE entity_type = 'submission' AND entity_id = ? "
                            "AND action = 'approve'", [hofjes]) == "Mila"
    finally:
        store.close()
    assert not any(label.startswith(hofjes) for label in at.selectbox(key="mod_pick").options)


PENDING_FILE = ("naam;soort;thema's;postcode;plaats;contactpersoon;email\n"
                "Buurtkamer Noordhoek;initiatief;buurthulp;3024;;Piet;piet.private@example.org\n"
                "Koffie op de Hoek;initiatief;ontmoeting;2341;;;\n").encode("utf-8")


def _queued(store: Store) -> dict[str, list[str]]:
    items = moderation.queue(store, include_stale=False)
    return {row.name: list(row.reasons) for row in items.itertuples(index=False)}


def test_pending_import_queues_each_row_keeps_contacts_private_and_undo_empties_the_queue(store):
    report = imports.import_file(store, "lijst.csv", content=PENDING_FILE, actor="beheer", status="pending")
    assert len(report.imported) == 2 and set(report.submissions) == set(report.imported)
    assert _queued(store) == {"Buurtkamer Noordhoek": ["new"], "Koffie op de Hoek": ["new"]}
    noordhoek = next(r for r, ref in report.submissions.items() if "noordhoek" in r)
    detail = moderation.submission_detail(store, report.submissions[noordhoek])
    assert detail.contact["contact_email"] == "piet.private@example.org" and detail.contact["consent_at"] is None
    assert "piet.private" not in store.scalar("SELECT payload FROM submissions WHERE id = ?",
                                              [report.submissions[noordhoek]])
    assert store.scalar("SELECT count(*) FROM public_records WHERE name = 'Buurtkamer Noordhoek'") == 0

    undone = imports.undo_batch(store, report.batch_id, actor="beheer")
    assert sorted(undone.withdrawn) == sorted(report.imported)
    assert _queued(store) == {}
    assert store.rows("SELECT DISTINCT status FROM submissions WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                      [list(report.submissions.values())]) == [("withdrawn",)]


def test_undo_keeps_a_pending_import_a_moderator_already_approved(store):
    report = imports.import_file(store, "lijst.csv", content=PENDING_FILE, actor="beheer", status="pending")
    approved_id = report.imported[0]
    moderation.approve(store, report.submissions[approved_id], "Mila")
    undone = imports.undo_batch(store, report.batch_id, actor="beheer")
    assert undone.kept == [approved_id]
    assert store.scalar("SELECT status FROM records WHERE id = ?", [approved_id]) == "approved"
    assert store.scalar("SELECT status FROM submissions WHERE id = ?", [report.submissions[approved_id]]) == "approved"


def test_an_approved_import_creates_no_sign_ups(store):
    report = imports.import_file(store, "lijst.csv", content=PENDING_FILE, actor="beheer")
    assert len(report.imported) == 2 and report.submissions == {}
    assert _queued(store) == {}


def test_cli_import_pending_rows_are_in_the_queue_and_approving_publishes(db_path, tmp_path, capsys):
    from mapping import cli

    file = tmp_path / "aanmeldingen.csv"
    file.write_bytes(PENDING_FILE.replace(b";;;\n", b";;Els;els@example.org\n"))
    assert cli.main(["--db", str(db_path), "import", "--pending", str(file), "--actor", "beheer"]) == 0
    capsys.readouterr()
    store = Store(db_path)
    try:
        assert _queued(store) == {"Buurtkamer Noordhoek": ["new"], "Koffie op de Hoek": ["new"]}
        reference = moderation.queue(store, include_stale=False).set_index("name").loc["Koffie op de Hoek", "item_id"]
        moderation.approve(store, reference, "Mila")
        assert store.scalar("SELECT count(*) FROM public_records WHERE name = 'Koffie op de Hoek'") == 1
        assert store.scalar("SELECT count(*) FROM public_records WHERE name = 'Buurtkamer Noordhoek'") == 0
    finally:
        store.close()


def test_rejecting_a_pending_import_keeps_it_off_the_map_with_the_reason_in_the_history(store):
    report = imports.import_file(store, "lijst.csv", content=PENDING_FILE, actor="beheer", status="pending")
    record_id = report.imported[0]
    reference = report.submissions[record_id]
    moderation.reject(store, reference, "Mila", "Bestaat niet meer")
    assert store.scalar("SELECT count(*) FROM public_records WHERE id = ?", [record_id]) == 0
    assert store.scalar("SELECT status FROM submissions WHERE id = ?", [reference]) == "rejected"
    assert store.scalar("SELECT actor FROM revisions WHERE entity_type = 'submission' AND entity_id = ? "
                        "AND action = 'reject'", [reference]) == "Mila"
    assert reference not in set(moderation.queue(store, include_stale=False)["item_id"])
