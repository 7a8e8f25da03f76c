"""Moderation decisions, the queue, freshness, the audit history and `python -m mapping moderate`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date

import pytest

from mapping import auth, cli, moderation, submissions
from mapping.store import Store

GOOD = {
    "name": "Buurtkamer De Linde", "kind": "initiative", "themes": ["buurthulp"],
    "description": "Koffie en een luisterend oor.", "postcode": "3024", "website": "",
    "contact_name": "Fatima de Vries", "contact_email": "fatima.private@example.org", "consent": True,
}


def submit(store, **changes):
    checked = submissions.check(store, {**GOOD, **changes})
    assert checked.ok, checked.errors
    return submissions.create_submission(store, checked)


def revision_ids(store) -> list[int]:
    return [r[0] for r in store.rows("SELECT id FROM revisions ORDER BY id")]


def is_public(store, record_id) -> bool:
    return bool(store.scalar("SELECT count(*) FROM public_records WHERE id = ?", [record_id]))


# -- freshness --------------------------------------------------------------------------------------

def test_stale_means_not_confirmed_within_12_months():
    today = date(2026, 3, 15)
    assert moderation.is_stale(None, today)
    assert moderation.is_stale(date(2025, 3, 14), today)
    assert not moderation.is_stale(date(2025, 3, 15), today)
    assert not moderation.is_stale("2026-01-01", today)
    assert moderation.stale_cutoff(date(2024, 2, 29)) == date(2023, 2, 28)


def test_stale_records_are_listed_in_the_queue(store):
    today = date(2026, 11, 1)
    stale = moderation.stale_records(store, today)
    assert "het-8ste-werk" in set(stale["id"])            # never confirmed
    assert "zorgvrijstaat" in set(stale["id"])            # confirmed 2023
    items = moderation.queue(store, today)
    row = items[items["item_id"] == "het-8ste-werk"].iloc[0]
    assert row["item_type"] == "record" and row["reasons"] == ["stale"]
    moderation.confirm_record(store, "het-8ste-werk", "moderator", today=today)
    assert "het-8ste-werk" not in set(moderation.queue(store, today)["item_id"])
    assert store.scalar("SELECT last_verified FROM public_records WHERE id = 'het-8ste-werk'") == today


# -- the queue ---------------------------------------------------------------------------------------

def test_the_queue_says_why_each_item_needs_attention(store):
    new = submit(store)
    vague = submit(store, name="Iets in Oegstgeest", postcode="", place="Oegstgeest", contact_email="a@example.org")
    double = submit(store, name="Wijkpaleis", lat=51.9160, lon=4.4600, location_precision="address",
                    contact_email="b@example.org")
    same_sender = submit(store, name="Nog een initiatief", postcode="8261")
    change_checked = submissions.check(store, {**GOOD, "name": "Het Wijkpaleis", "postcode": "3025",
                                               "contact_email": "c@example.org"})
    change = submissions.create_submission(store, change_checked, target_record_id="het-wijkpaleis")
    items = moderation.queue(store, include_stale=False).set_index("item_id")
    assert items.loc[new.reference, "reasons"] == ["new"]
    assert items.loc[vague.reference, "reasons"] == ["new", "uncertain_location"]
    assert items.loc[double.reference, "reasons"] == ["new", "possible_duplicate"]
    assert items.loc[same_sender.reference, "reasons"] == ["new", "possible_duplicate"]   # same e-mail as `new`
    assert items.loc[change.reference, "reasons"][0] == "change"
    assert list(items.index[:1]) == [new.reference]        # oldest first


def test_detail_shows_diff_duplicates_and_the_private_contact(store):
    receipt = submit(store, name="Wijkpaleis", lat=51.9160, lon=4.4600, location_precision="address",
                     partners=["zorgvrijstaat"], partners_text="de bakker op de hoek")
    detail = moderation.submission_detail(store, receipt.reference)
    assert ("name", None, "Wijkpaleis") in detail.diff
    assert [c.id for c in detail.duplicates] == ["het-wijkpaleis"]
    assert detail.contact["contact_email"] == GOOD["contact_email"]
    assert detail.partners == [{"id": "zorgvrijstaat", "name": "Zorgvrijstaat"}]
    assert detail.proposed["partners_text"] == "de bakker op de hoek"


# -- decisions ---------------------------------------------------------------------------------------

def test_approve_publishes_records_revisions_and_partner_links(store):
    receipt = submit(store, partners=["het-wijkpaleis"])
    before = revision_ids(store)
    record_id = moderation.approve(store, receipt.reference, "Mila (moderator)", today=date(2026, 2, 2)).record_id
    assert record_id == receipt.record_id and is_public(store, record_id)
    assert store.rows("SELECT status, reviewed_by FROM submissions WHERE id = ?", [receipt.reference]) == \
        [("approved", "Mila (moderator)")]
    revisions = store.rows("SELECT entity_type, action, actor, changes FROM revisions WHERE id > ? ORDER BY id",
                           [before[-1]])
    assert [(e, a, who) for e, a, who, _ in revisions] == [
        ("record", "approve", "Mila (moderator)"), ("link", "create", "Mila (moderator)"),
        ("submission", "approve", "Mila (moderator)")]
    changes = json.loads(revisions[0][3])
    assert changes["status"] == ["pending", "approved"] and changes["last_verified"] == [None, "2026-02-02"]
    assert revision_ids(store)[: len(before)] == before
    with pytest.raises(submissions.SubmissionError) as twice:
        moderation.approve(store, receipt.reference, "moderator")
    assert twice.value.code == "moderatie.error.already_decided"


def test_reject_needs_a_reason_and_tells_the_submitter(store):
    receipt = submit(store)
    with pytest.raises(submissions.SubmissionError) as no_reason:
        moderation.reject(store, receipt.reference, "moderator", "   ")
    assert no_reason.value.code == "moderatie.error.reason_required"
    moderation.reject(store, receipt.reference, "moderator", "Geen zorgzame buurt: webwinkel.")
    assert store.scalar("SELECT status FROM records WHERE id = ?", [receipt.record_id]) == "rejected"
    assert not is_public(store, receipt.record_id)
    view = submissions.owner_view(store, receipt.reference, receipt.token)
    assert view.status == "rejected" and view.current["review_reason"] == "Geen zorgzame buurt: webwinkel."
    # the owner may fix and resubmit: pending again
    checked, again = submissions.owner_update(store, receipt.reference, receipt.token,
                                              {**GOOD, "description": "Buurthulp, geen winkel."})
    assert again == receipt.reference
    assert store.scalar("SELECT status FROM submissions WHERE id = ?", [receipt.reference]) == "pending"


def test_edit_before_approving_uses_the_form_rules(store):
    receipt = submit(store)
    bad = moderation.save_edits(store, receipt.reference, "moderator",
                                {**moderation.edit_form_values(store, receipt.reference), "website": "ftp://x"})
    assert [(e.field, e.code) for e in bad.errors] == [("website", "error.url")]
    assert store.scalar("SELECT website FROM records WHERE id = ?", [receipt.record_id]) is None
    values = moderation.edit_form_values(store, receipt.reference)
    values.update(name="Buurtkamer De Linde (Delfshaven)", website="https://delinde.example.nl")
    assert moderation.save_edits(store, receipt.reference, "Mila", values).ok
    assert not is_public(store, receipt.record_id)         # edited, still pending
    moderation.approve(store, receipt.reference, "Mila")
    assert store.rows("SELECT name, website FROM public_records WHERE id = ?", [receipt.record_id]) == \
        [("Buurtkamer De Linde (Delfshaven)", "https://delinde.example.nl")]
    edit = store.rows("SELECT actor, changes FROM revisions WHERE entity_id = ? AND action = 'edit'",
                      [receipt.reference])
    assert edit[0][0] == "Mila" and json.loads(edit[0][1])["website"] == [None, "https://delinde.example.nl"]


def test_merge_a_duplicate_into_the_existing_record(store):
    receipt = submit(store, name="Wijkpaleis", lat=51.9160, lon=4.4600, location_precision="address",
                     website="https://wijkpaleis.example.nl", themes=["buurthulp", "ontmoeting"])
    moderation.merge_submission(store, receipt.reference, "het-wijkpaleis", "Mila")
    target = store.df("SELECT * FROM public_records WHERE id = 'het-wijkpaleis'").iloc[0]
    assert target["name"] == "Het Wijkpaleis"                           # filled, never overwritten
    assert target["website"] == "https://wijkpaleis.example.nl"          # was empty: filled
    assert {"buurthulp", "ontmoeting"} <= set(target["themes"])
    assert store.scalar("SELECT status FROM records WHERE id = ?", [receipt.record_id]) == "archived"
    assert store.scalar("SELECT status FROM submissions WHERE id = ?", [receipt.reference]) == "merged"
    assert store.scalar("SELECT record_id FROM contacts WHERE submission_id = ?", [receipt.reference]) == "het-wijkpaleis"
    actions = [r[0] for r in store.rows("SELECT action FROM revisions WHERE entity_id IN (?, ?, ?) ORDER BY id",
                                        ["het-wijkpaleis", receipt.record_id, receipt.reference])]
    assert actions[-3:] == ["merge", "merged_into", "merge"]
    view = submissions.owner_view(store, receipt.reference, receipt.token)
    assert view.status == "merged" and view.merged_into == {"id": "het-wijkpaleis", "name": "Het Wijkpaleis"}


def test_merging_records_moves_their_links(store):
    receipt = submit(store, name="Zorgvrijstaat West", postcode="3025")
    moderation.approve(store, receipt.reference, "Mila")
    store.execute("INSERT INTO record_links (id, from_id, to_id, relation) VALUES ('l1', ?, 'het-wijkpaleis', 'partner')",
                  [receipt.record_id])
    links_before = store.scalar("SELECT count(*) FROM links WHERE from_id = 'zorgvrijstaat' OR to_id = 'zorgvrijstaat'")
    moderation.merge_records(store, receipt.record_id, "zorgvrijstaat", "Mila")
    assert not is_public(store, receipt.record_id)
    assert store.scalar("SELECT count(*) FROM links WHERE from_id = ? OR to_id = ?",
                        [receipt.record_id, receipt.record_id]) == 0
    assert store.scalar("SELECT count(*) FROM links WHERE from_id = 'zorgvrijstaat' AND to_id = 'het-wijkpaleis' "
                        "AND relation = 'partner'") == 1
    assert store.scalar("SELECT count(*) FROM links WHERE from_id = 'zorgvrijstaat' OR to_id = 'zorgvrijstaat'") \
        == links_before + 1
    assert store.scalar("SELECT status FROM record_links WHERE id = 'l1'") == "archived"   # kept, not deleted
    with pytest.raises(submissions.SubmissionError):
        moderation.merge_records(store, "zorgvrijstaat", "zorgvrijstaat", "Mila")


def test_a_removal_request_archives_after_approval(store):
    receipt = submit(store)
    moderation.approve(store, receipt.reference, "Mila")
    request = submissions.request_removal(store, receipt.reference, receipt.token)
    items = moderation.queue(store, include_stale=False).set_index("item_id")
    assert items.loc[request, "reasons"] == ["removal"]
    assert is_public(store, receipt.record_id)
    moderation.approve(store, request, "Mila")
    assert store.scalar("SELECT status FROM records WHERE id = ?", [receipt.record_id]) == "archived"


def test_archive_record_needs_a_reason(store):
    with pytest.raises(submissions.SubmissionError):
        moderation.archive_record(store, "formaat", "Mila", "")
    moderation.archive_record(store, "formaat", "Mila", "Bestaat niet meer (website offline).")
    assert not is_public(store, "formaat")


def test_decisions_need_an_actor(store):
    receipt = submit(store)
    with pytest.raises(submissions.SubmissionError) as error:
        moderation.approve(store, receipt.reference, "  ")
    assert error.value.code == "moderatie.error.actor_required"


# -- history -----------------------------------------------------------------------------------------

def test_history_is_complete_never_shrinks_and_holds_no_contact_data(store):
    receipt = submit(store)
    seen = revision_ids(store)
    steps = [
        lambda: moderation.save_edits(store, receipt.reference, "Mila",
                                      {**moderation.edit_form_values(store, receipt.reference), "description": "Nieuw."}),
        lambda: moderation.approve(store, receipt.reference, "Mila"),
        lambda: submissions.owner_update(store, receipt.reference, receipt.token, {**GOOD, "description": "Anders."}),
        lambda: moderation.reject(store, submissions.owner_view(store, receipt.reference, receipt.token).current["id"],
                                  "Mila", "Liever de oude tekst."),
        lambda: moderation.confirm_record(store, receipt.record_id, "Mila"),
        lambda: moderation.archive_record(store, receipt.record_id, "Mila", "Gestopt."),
    ]
    for step in steps:
        step()
        now = revision_ids(store)
        assert now[: len(seen)] == seen and len(now) > len(seen)
        seen = now
    trail = moderation.history(store, receipt.record_id)
    assert list(trail["action"]) == ["create", "submit", "edit", "approve", "approve", "submit", "reject",
                                     "confirm", "archive"]
    assert set(trail["actor"]) == {f"indiener {receipt.reference}", "Mila"}
    everything = " ".join(str(v) for row in store.rows("SELECT * FROM revisions") for v in row)
    assert GOOD["contact_email"] not in everything and GOOD["contact_name"] not in everything


def test_format_changes_is_plain_text():
    assert moderation.format_changes({"name": ["A", "<b>B</b>"], "themes": [None, ["x", "y"]]}) == \
        "name: A → <b>B</b>; themes: — → x, y"


def test_contacts_past_retention_are_purged(store):
    receipt = submit(store)
    moderation.reject(store, receipt.reference, "Mila", "Dubbel.")
    assert moderation.purge_contacts(store, today=date.today()) == 0
    assert moderation.purge_contacts(store, today=date.today().replace(year=date.today().year + 1)) == 1
    assert store.scalar("SELECT count(*) FROM contacts WHERE submission_id = ?", [receipt.reference]) == 0


# -- command line --------------------------------------------------------------------------------------

def run_cli(capsys, db, *args):
    code = cli.main(["--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_moderate_list_show_approve_reject(db_path, capsys, monkeypatch):
    monkeypatch.setenv("MAPPING_LANG", "en")
    store = Store(db_path)
    first, second = submit(store), submit(store, name="Tweede initiatief", postcode="2341")
    store.close()
    code, out, _ = run_cli(capsys, db_path, "moderate", "list", "--no-stale")
    assert code == 0 and first.reference in out and "[new]" in out and "Tweede initiatief" in out
    code, out, _ = run_cli(capsys, db_path, "moderate", "show", first.reference)
    assert code == 0 and "name: — → Buurtkamer De Linde" in out and "fatima.private" not in out
    code, out, _ = run_cli(capsys, db_path, "moderate", "show", first.reference, "--contact")
    assert "fatima.private@example.org" in out
    code, out, _ = run_cli(capsys, db_path, "moderate", "--actor", "beheerder", "approve", first.reference)
    assert code == 0 and "approved" in out
    code, _, err = run_cli(capsys, db_path, "moderate", "--actor", "beheerder", "reject", second.reference,
                           "--reason", "Buiten ons gebied")
    assert code == 0
    code, _, err = run_cli(capsys, db_path, "moderate", "--actor", "beheerder", "approve", second.reference)
    assert code == 1 and "already decided by beheerder" in err and "rejected" in err
    store = Store(db_path)
    assert is_public(store, first.record_id) and not is_public(store, second.record_id)
    assert store.scalar("SELECT reviewed_by FROM submissions WHERE id = ?", [second.reference]) == "beheerder"
    assert store.scalar("SELECT review_reason FROM submissions WHERE id = ?", [second.reference]) == "Buiten ons gebied"
    store.close()
    code, out, _ = run_cli(capsys, db_path, "moderate", "history", first.record_id)
    assert code == 0 and "approve" in out and "beheerder" in out


def test_cli_actor_defaults_to_user(db_path, capsys, monkeypatch):
    monkeypatch.setenv("USER", "jdevries")
    store = Store(db_path)
    receipt = submit(store)
    store.close()
    code, _, _ = run_cli(capsys, db_path, "moderate", "approve", receipt.reference)
    assert code == 0
    store = Store(db_path)
    assert store.scalar("SELECT reviewed_by FROM submissions WHERE id = ?", [receipt.reference]) == "jdevries"
    store.close()


def test_cli_import_pending(db_path, tmp_path, capsys):
    file = tmp_path / "aanmeldingen.csv"
    file.write_text("naam;soort;postcode;contactpersoon;email\n"
                    "Buurtkamer Zuid;initiatief;3024;Piet;piet.private@example.org\n"
                    "Fout;initiatief;1004;Piet;piet.private@example.org\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, db_path, "import", "--pending", str(file), "--actor", "beheer")
    assert code == 0 and "/mijn_aanmelding?ref=ZB-" in out and "token=" in out
    store = Store(db_path)
    assert store.scalar("SELECT count(*) FROM submissions WHERE status = 'pending'") == 1
    assert store.scalar("SELECT count(*) FROM public_records WHERE name = 'Buurtkamer Zuid'") == 0
    store.close()


def test_cli_hash_password_round_trip(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery\n"))
    code = cli.main(["hash-password", "--stdin"])
    out = capsys.readouterr().out.strip().splitlines()[0]
    assert code == 0 and out.startswith("scrypt$")
    assert auth.verify_password("correct horse battery", out)
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert cli.main(["hash-password", "--stdin"]) == 2


def test_cli_says_why_when_the_app_holds_the_database(db_path, capsys):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from mapping.store import Store; s = Store(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(60)", str(db_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = holder.stdout.readline().strip()
        if line != "ready":
            holder.kill()
            pytest.fail(f"the process holding the database did not start (exit {holder.wait(10)}): "
                        f"{holder.stderr.read()[-2000:]}")
        code, out, err = run_cli(capsys, db_path, "moderate", "list")
        assert code == 3 and "in use by another process" in err
    finally:
        holder.kill()
        holder.wait(10)
    code, _, _ = run_cli(capsys, db_path, "moderate", "list")
    assert code == 0
