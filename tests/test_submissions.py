"""The sign-up write path: validation (including hostile input), duplicates, pending vs public,
secret links, spam checks and bulk sign-ups."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from mapping import exports, i18n, maps, moderation, queries, submissions
from mapping.submissions import SpamSettings

GOOD = {
    "name": "Buurtkamer De Linde",
    "kind": "initiative",
    "themes": ["buurthulp", "ontmoeting"],
    "description": "Elke dinsdag koffie en een luisterend oor.",
    "postcode": "3024 AB",
    "place": "",
    "online": False,
    "website": "https://buurtkamer-delinde.example.nl",
    "contact_name": "Fatima de Vries",
    "contact_email": "fatima.private@example.org",
    "consent": True,
}
EMAIL = GOOD["contact_email"]


def codes(errors):
    return {(e.field, e.code) for e in errors}


def submit(store, **changes):
    checked = submissions.check(store, {**GOOD, **changes})
    assert checked.ok, checked.errors
    return submissions.create_submission(store, checked)


def public_text(store) -> str:
    """Everything the public can get: every public view and both exports of all records."""
    parts = []
    for view in ("public_records", "initiatives", "providers", "networks", "meetups", "links"):
        parts.append(store.df(f"SELECT * FROM {view}").to_csv())
    frame = queries.export_records(store, queries.Filter())
    parts.append(exports.to_csv(frame).decode("utf-8-sig"))
    parts.append(exports.to_geojson(frame).decode("utf-8"))
    parts.append(exports.to_ics(frame).decode("utf-8"))
    return "\n".join(parts)


# -- validation --------------------------------------------------------------------------------------

def test_a_good_submission_is_clean_located_and_in_the_right_regions(store):
    checked = submissions.check(store, GOOD)
    assert checked.ok
    record = checked.record
    assert record["postcode"] == "3024 AB"
    assert record["location_precision"] == "postcode"
    assert record["place"] == "Rotterdam"          # filled from the postcode table
    assert (record["gemeente_code"], record["wijk_code"], record["zorgkantoorregio_code"], record["provincie_code"]) \
        == ("GM0599", "WK059903", "ZK20", "PV28")
    assert checked.contact == {"contact_name": "Fatima de Vries", "contact_email": EMAIL}


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.mark.parametrize("field", ["name", "description", "address", "place", "partners_text", "contact_name"])
def test_html_and_script_are_stored_exactly_as_typed(store, field):
    value = f"De Linde {HOSTILE}" if field != "place" else "Rotterdam"
    raw = {**GOOD, field: value}
    if field == "place":
        raw["address"] = HOSTILE
    checked = submissions.check(store, raw)
    assert checked.ok, checked.errors
    receipt = submissions.create_submission(store, checked)
    payload = json.loads(store.scalar("SELECT payload FROM submissions WHERE id = ?", [receipt.reference]))
    stored = {**payload, **checked.contact}
    target = "address" if field == "place" else field
    assert stored[target].endswith(HOSTILE)


def test_script_in_a_name_is_escaped_where_the_map_shows_it(store):
    receipt = submit(store, name=f"Linde {HOSTILE}")
    moderation.approve(store, receipt.reference, "moderator")
    record = queries.record_detail(store, receipt.record_id)
    tooltip = maps.tooltip_html(record["name"], record["kind"], record["place"], "nl")
    assert "<script>" not in tooltip and "&lt;script&gt;" in tooltip


def test_sql_like_text_is_just_text(store):
    sneaky = "x'); DROP TABLE records; --"
    receipt = submit(store, name="Robert' OR '1'='1", description=sneaky)
    moderation.approve(store, receipt.reference, "moderator")
    row = store.rows("SELECT name, description FROM public_records WHERE id = ?", [receipt.record_id])
    assert row == [("Robert' OR '1'='1", sneaky)]
    assert store.scalar("SELECT count(*) FROM records") > 41


def test_a_200000_character_description_is_refused_with_a_clear_message(store):
    checked = submissions.check(store, {**GOOD, "description": "a" * 200_000})
    assert not checked.ok
    [error] = [e for e in checked.errors if e.field == "description"]
    assert error.code == "error.too_long"
    assert i18n.error_text(error, "nl") == "Te lang: 200000 tekens, maximaal 2000."
    assert i18n.error_text(error, "en") == "Too long: 200000 characters, at most 2000."


def test_emoji_and_right_to_left_text_are_accepted_unchanged(store):
    name = "مركز الحي 🏡 Buurtkamer"
    description = "שלום — welkom 👋🏽 iedereen"
    checked = submissions.check(store, {**GOOD, "name": name, "description": description})
    assert checked.ok, checked.errors
    assert checked.record["name"] == name and checked.record["description"] == description


def test_control_characters_are_stripped(store):
    checked = submissions.check(store, {**GOOD, "name": "Buurt\x00kamer\x07 De\x1b Linde"})
    assert checked.ok
    assert checked.record["name"] == "Buurtkamer De Linde"


def test_a_postcode_that_does_not_exist_is_refused(store):
    checked = submissions.check(store, {**GOOD, "postcode": "1004"})
    assert ("postcode", "error.postcode_unknown") in codes(checked.errors)
    # also when a point was clicked on the map: the postcode must still exist
    clicked = submissions.check(store, {**GOOD, "postcode": "1004 AB", "lat": 51.91, "lon": 4.45,
                                        "location_precision": "address"})
    assert ("postcode", "error.postcode_unknown") in codes(clicked.errors)


def test_a_malformed_postcode_gets_a_format_message(store):
    checked = submissions.check(store, {**GOOD, "postcode": "12345"})
    assert ("postcode", "error.postcode_format") in codes(checked.errors)


@pytest.mark.parametrize("lat,lon", [(48.8566, 2.3522), (51.0, 7.0), (52.0, 3.3), (-33.9, 151.2)])
def test_points_outside_the_netherlands_are_refused(store, lat, lon):
    checked = submissions.check(store, {**GOOD, "postcode": "", "lat": lat, "lon": lon,
                                        "location_precision": "address"})
    assert ("lat", "error.outside_nl") in codes(checked.errors)


def test_a_clicked_point_keeps_address_precision_and_its_regions(store):
    checked = submissions.check(store, {**GOOD, "lat": 51.9151, "lon": 4.4597, "location_precision": "address"})
    assert checked.ok
    assert checked.record["location_precision"] == "address"
    assert checked.record["wijk_code"] == "WK059903"


def test_place_only_is_located_but_flagged_as_uncertain(store):
    checked = submissions.check(store, {**GOOD, "postcode": "", "place": "Oegstgeest"})
    assert checked.ok
    assert checked.record["location_precision"] == "place"
    assert checked.flags == [submissions.FLAG_LOCATION]


def test_online_needs_no_location_but_everything_else_does(store):
    assert submissions.check(store, {**GOOD, "postcode": "", "online": True}).ok
    checked = submissions.check(store, {**GOOD, "postcode": ""})
    assert ("postcode", "aanmelden.error.location_required") in codes(checked.errors)


def test_contact_consent_url_and_meetup_rules(store):
    checked = submissions.check(store, {**GOOD, "contact_email": "fatima@", "contact_name": "", "consent": False,
                                        "website": "javascript:alert(1)", "kind": "meetup"})
    assert codes(checked.errors) >= {
        ("contact_email", "error.email"), ("contact_name", "error.required"), ("consent", "aanmelden.error.consent"),
        ("website", "error.url"), ("starts_at", "aanmelden.error.meetup_start"),
    }
    meetup = submissions.check(store, {**GOOD, "kind": "meetup", "starts_at": datetime(2030, 5, 1, 19, 30),
                                       "ends_at": datetime(2030, 5, 1, 18, 0)})
    assert ("ends_at", "error.ends_before_start") in codes(meetup.errors)


def test_partners_must_be_approved_records(store):
    checked = submissions.check(store, {**GOOD, "partners": ["het-wijkpaleis", "no-such-record"]})
    assert ("partners", "aanmelden.error.partner_unknown") in codes(checked.errors)
    assert submissions.check(store, {**GOOD, "partners": ["het-wijkpaleis"]}).partners == ["het-wijkpaleis"]


# -- duplicates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("a,b,similar", [
    ("Het Wijkpaleis", "Wijkpaleis", True),                                   # one word less
    ("Zorgvrijstaat", "Zorgvrystaat", True),                                  # a typo: distance 1/13
    ("Buurtkamer De Linde", "Stichting Buurtkamer de Linde Rotterdam", True),  # two words more
    ("Buurtkamer De Linde", "Buurtkamer De Eik", True),                       # one word different
    ("Club Oegstgeest", "Voorzorgcirkels Oegstgeest", False),                 # only the place in common
    ("Het Wijkpaleis", "Het Buurthuis", False),                               # only a filler word in common
    ("Jottem", "Gemiva", False),
])
def test_name_similarity(a, b, similar):
    assert submissions.names_similar(a, b, places=("Oegstgeest",)) is similar


def test_relative_edit_distance_threshold():
    assert submissions.relative_distance("abcdefghij", "abcdefgxyz") == pytest.approx(0.3)
    assert submissions.names_similar("abcdefghij", "abcdefgxyz")
    assert not submissions.names_similar("abcdefghij", "abcdefwxyz")        # 40 %


def test_similar_name_within_1_km_is_a_candidate_but_not_further_away(store):
    near = submissions.check(store, {**GOOD, "name": "Wijkpaleis", "lat": 51.9160, "lon": 4.4600,
                                     "location_precision": "address", "website": ""})
    found = submissions.find_duplicates(store, near.record)
    assert [c.id for c in found] == ["het-wijkpaleis"] and found[0].reasons == ("name_nearby",)
    assert found[0].distance_m < 1000
    far = submissions.check(store, {**GOOD, "name": "Wijkpaleis", "lat": 51.9300, "lon": 4.4600,
                                    "location_precision": "address", "website": ""})
    assert submissions.find_duplicates(store, far.record) == []


def test_same_website_is_a_candidate_anywhere(store):
    checked = submissions.check(store, {**GOOD, "name": "Iets heel anders", "postcode": "8261",
                                        "website": "http://zorgvrijstaat.nl/buurthulp"})
    found = submissions.find_duplicates(store, checked.record)
    assert [(c.id, c.reasons) for c in found] == [("zorgvrijstaat-buurthulp", ("website",))]


def test_same_email_finds_earlier_submissions_for_moderators_only(store):
    first = submit(store)
    checked = submissions.check(store, {**GOOD, "name": "Totaal andere naam", "postcode": "8261",
                                        "website": "", "contact_email": EMAIL.upper()})
    # the public form only ever shows approved records: the pending one stays invisible
    assert submissions.find_duplicates(store, checked.record, contact_email=checked.contact["contact_email"]) == []
    internal = submissions.find_duplicates(store, checked.record, contact_email=checked.contact["contact_email"],
                                           statuses=("approved", "pending"))
    assert [(c.id, c.reasons) for c in internal] == [(first.record_id, ("email",))]
    second = submissions.create_submission(store, checked)
    flags = store.scalar("SELECT flags FROM submissions WHERE id = ?", [second.reference])
    assert submissions.FLAG_DUPLICATE in flags


# -- pending until approved --------------------------------------------------------------------------

def test_a_submission_is_pending_and_nowhere_public(store):
    receipt = submit(store)
    assert store.scalar("SELECT status FROM records WHERE id = ?", [receipt.record_id]) == "pending"
    assert store.scalar("SELECT count(*) FROM public_records WHERE id = ?", [receipt.record_id]) == 0
    assert receipt.record_id not in set(queries.records(store, queries.Filter())["id"])
    assert GOOD["name"] not in public_text(store)
    assert queries.record_detail(store, receipt.record_id) is None


def test_the_submission_row_is_atomic_with_its_private_contact(store):
    receipt = submit(store)
    assert store.rows("SELECT record_id, contact_name, contact_email FROM contacts WHERE submission_id = ?",
                      [receipt.reference]) == [(receipt.record_id, GOOD["contact_name"], EMAIL)]
    payload = store.scalar("SELECT payload FROM submissions WHERE id = ?", [receipt.reference])
    assert EMAIL not in payload and GOOD["contact_name"] not in payload
    revisions = " ".join(r[0] for r in store.rows("SELECT changes FROM revisions"))
    assert EMAIL not in revisions and GOOD["contact_name"] not in revisions


def test_a_failing_write_stores_nothing(store, monkeypatch):
    checked = submissions.check(store, GOOD)
    before = store.rows("SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM submissions), "
                        "(SELECT count(*) FROM contacts), (SELECT count(*) FROM revisions)")

    def broken(cur, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(submissions, "_insert_contact", broken)
    with pytest.raises(RuntimeError):
        submissions.create_submission(store, checked)
    after = store.rows("SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM submissions), "
                       "(SELECT count(*) FROM contacts), (SELECT count(*) FROM revisions)")
    assert after == before


def test_approve_publishes_with_the_right_region_codes_and_no_contact(store):
    receipt = submit(store, partners=["het-wijkpaleis"])
    moderation.approve(store, receipt.reference, "moderator", today=date(2026, 3, 1))
    row = store.df("SELECT * FROM public_records WHERE id = ?", [receipt.record_id]).iloc[0]
    assert (row.provincie_code, row.gemeente_code, row.wijk_code, row.zorgkantoorregio_code) == \
        ("PV28", "GM0599", "WK059903", "ZK20")
    assert row.last_verified.date() == date(2026, 3, 1)
    assert receipt.record_id in set(queries.records(store, queries.Filter(wijk="WK059903"))["id"])
    links = queries.record_links(store, receipt.record_id)
    assert list(links["other_id"]) == ["het-wijkpaleis"]
    text = public_text(store)
    assert GOOD["name"] in text
    assert EMAIL not in text and GOOD["contact_name"] not in text


def test_public_views_have_no_contact_columns(store):
    columns = set(store.df("SELECT * FROM public_records LIMIT 0").columns)
    assert not {"contact_name", "contact_email", "consent_at", "secret_hash"} & columns


# -- reference code and secret link -------------------------------------------------------------------

def test_only_the_hash_of_the_secret_is_stored(store):
    receipt = submit(store)
    assert submissions._REFERENCE.match(receipt.reference)
    stored = store.scalar("SELECT secret_hash FROM submissions WHERE id = ?", [receipt.reference])
    assert stored == submissions.hash_token(receipt.token) and receipt.token not in stored
    all_text = " ".join(str(v) for row in store.rows("SELECT * FROM submissions") for v in row)
    assert receipt.token not in all_text


def test_status_needs_reference_and_matching_token(store):
    receipt = submit(store)
    view = submissions.owner_view(store, receipt.reference.lower(), receipt.token)
    assert view is not None and view.status == "pending" and view.record["status"] == "pending"
    assert submissions.owner_view(store, receipt.reference, receipt.token[:-1] + "x") is None
    assert submissions.owner_view(store, receipt.reference, "") is None
    assert submissions.owner_view(store, "ZB-AAAA-AAAA", receipt.token) is None
    assert submissions.owner_view(store, "' OR 1=1 --", receipt.token) is None


def test_owner_edits_of_a_pending_submission_stay_pending(store):
    receipt = submit(store)
    checked, changed = submissions.owner_update(store, receipt.reference, receipt.token,
                                                {**GOOD, "name": "Buurtkamer De Linde (Delfshaven)"})
    assert checked.ok and changed == receipt.reference
    assert store.rows("SELECT name, status FROM records WHERE id = ?", [receipt.record_id]) == \
        [("Buurtkamer De Linde (Delfshaven)", "pending")]
    assert store.scalar("SELECT count(*) FROM public_records WHERE id = ?", [receipt.record_id]) == 0


def test_owner_edits_of_a_published_record_wait_for_moderation(store):
    receipt = submit(store)
    moderation.approve(store, receipt.reference, "moderator")
    checked, change = submissions.owner_update(store, receipt.reference, receipt.token,
                                               {**GOOD, "description": "Nu ook op donderdag."})
    assert checked.ok and change != receipt.reference
    assert store.scalar("SELECT description FROM public_records WHERE id = ?", [receipt.record_id]) == GOOD["description"]
    view = submissions.owner_view(store, receipt.reference, receipt.token)
    assert view.current["id"] == change and view.current["status"] == "pending"
    moderation.approve(store, change, "moderator")
    assert store.scalar("SELECT description FROM public_records WHERE id = ?", [receipt.record_id]) == "Nu ook op donderdag."


def test_owner_edit_with_errors_changes_nothing(store):
    receipt = submit(store)
    checked, changed = submissions.owner_update(store, receipt.reference, receipt.token, {**GOOD, "postcode": "1004"})
    assert changed is None and ("postcode", "error.postcode_unknown") in codes(checked.errors)
    assert store.scalar("SELECT postcode FROM records WHERE id = ?", [receipt.record_id]) == "3024 AB"


def test_owner_confirms_still_current_in_one_click(store):
    receipt = submit(store)
    with pytest.raises(submissions.SubmissionError):
        submissions.confirm_current(store, receipt.reference, receipt.token)   # not public yet
    moderation.approve(store, receipt.reference, "moderator", today=date(2024, 1, 1))
    assert moderation.is_stale(store.scalar("SELECT last_verified FROM records WHERE id = ?", [receipt.record_id]),
                               date(2025, 6, 1))
    submissions.confirm_current(store, receipt.reference, receipt.token, today=date(2025, 6, 1))
    assert store.scalar("SELECT last_verified FROM public_records WHERE id = ?", [receipt.record_id]) == date(2025, 6, 1)
    assert store.rows("SELECT action, actor FROM revisions WHERE entity_id = ? ORDER BY id DESC LIMIT 1",
                      [receipt.record_id]) == [("confirm", f"indiener {receipt.reference}")]


def test_withdrawing_deletes_the_contact_at_once(store):
    receipt = submit(store)
    submissions.withdraw(store, receipt.reference, receipt.token)
    assert store.scalar("SELECT count(*) FROM contacts WHERE submission_id = ?", [receipt.reference]) == 0
    assert store.scalar("SELECT status FROM submissions WHERE id = ?", [receipt.reference]) == "withdrawn"
    assert store.scalar("SELECT status FROM records WHERE id = ?", [receipt.record_id]) == "archived"


def test_proposing_a_change_to_an_existing_record(store):
    checked = submissions.check(store, {**GOOD, "name": "Het Wijkpaleis", "lat": 51.9151, "lon": 4.4598,
                                        "location_precision": "address", "website": "https://wijkpaleis.example.nl"})
    receipt = submissions.create_submission(store, checked, target_record_id="het-wijkpaleis")
    assert receipt.submission_type == "change" and receipt.record_id == "het-wijkpaleis"
    assert store.scalar("SELECT website FROM public_records WHERE id = 'het-wijkpaleis'") is None
    moderation.approve(store, receipt.reference, "moderator")
    assert store.scalar("SELECT website FROM public_records WHERE id = 'het-wijkpaleis'") == "https://wijkpaleis.example.nl"


# -- spam ----------------------------------------------------------------------------------------------

def test_spam_checks():
    settings = SpamSettings(min_fill_seconds=5, max_per_session=3, window_seconds=3600, challenge=True)
    ok = dict(honeypot="", started_at=0.0, now=100.0, recent=[], settings=settings,
              challenge_answer="7", challenge_expected=7)
    assert submissions.spam_errors(**ok) == []
    assert codes(submissions.spam_errors(**{**ok, "honeypot": "http://spam"})) == {("form", "aanmelden.error.spam")}
    assert codes(submissions.spam_errors(**{**ok, "now": 2.0})) == {("form", "aanmelden.error.too_fast")}
    assert codes(submissions.spam_errors(**{**ok, "recent": [10.0, 20.0, 30.0]})) == {("form", "aanmelden.error.rate_limit")}
    assert submissions.spam_errors(**{**ok, "recent": [10.0, 20.0, 30.0], "now": 4000.0}) == []
    assert codes(submissions.spam_errors(**{**ok, "challenge_answer": "acht"})) == {("challenge", "aanmelden.error.challenge")}
    assert submissions.spam_errors(**{**ok, "challenge_answer": "", "settings": SpamSettings(challenge=False,
                                                                                             min_fill_seconds=0)}) == []


def test_spam_settings_from_environment_and_secrets():
    assert submissions.spam_settings({}, {}).challenge is False
    assert submissions.spam_settings({}, {"challenge": True, "min_fill_seconds": 2}) == \
        SpamSettings(min_fill_seconds=2.0, challenge=True)
    env = submissions.spam_settings({"MAPPING_CHALLENGE": "1", "MAPPING_MIN_FILL_SECONDS": "0"}, {"challenge": False})
    assert env.challenge is True and env.min_fill_seconds == 0


def test_challenge_answers_are_sums():
    params, answer = submissions.make_challenge()
    assert answer == params["a"] + params["b"]


# -- bulk sign-ups ----------------------------------------------------------------------------------------

def test_import_pending_uses_the_form_rules_and_keeps_contacts_private(store):
    content = (
        "naam;soort;thema's;postcode;plaats;website;contactpersoon;email\n"
        "Buurtkamer Noord;initiatief;buurthulp;3024;;;Piet;piet.private@example.org\n"
        "Kapotte rij;initiatief;buurthulp;1004;;;Piet;piet.private@example.org\n"
        "Zonder contact;initiatief;buurthulp;2341;;;;\n"
    ).encode("utf-8")
    report = submissions.import_pending(store, "bulk.csv", actor="beheer", content=content)
    assert len(report.imported) == 1 and report.total == 3
    assert [(r.row, codes(r.errors)) for r in report.rejected] == [
        (3, {("postcode", "error.postcode_unknown")}),
        (4, {("contact_name", "error.required"), ("contact_email", "error.required")}),
    ]
    [reference] = report.imported
    assert store.rows("SELECT s.status, r.status, r.gemeente_code FROM submissions s JOIN records r ON r.id = s.record_id "
                      "WHERE s.id = ?", [reference]) == [("pending", "pending", "GM0599")]
    assert store.scalar("SELECT contact_email FROM contacts WHERE submission_id = ?", [reference]) == "piet.private@example.org"
    assert submissions.owner_view(store, reference, report.tokens[reference]) is not None
    assert "piet.private" not in public_text(store)
    assert store.scalar("SELECT actor FROM revisions WHERE entity_id = ? AND action = 'submit'", [reference]) == "beheer"


def test_geocoder_cache_follows_the_reference_data(store):
    first = submissions.geocoder_for(store)
    assert submissions.geocoder_for(store) is first
    store.set_meta("reference_hash", "changed")
    assert submissions.geocoder_for(store) is not first
