"""The Aanmelden page (AppTest): messages next to each bad field, nothing typed is lost, a good
submission gets its reference code only after the commit, duplicates are asked about."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import page_path
from mapping import submissions
from mapping.store import Store, StoreUnavailable

NO_CLICK = {"last_clicked": None}


@pytest.fixture
def page(app_env, monkeypatch):
    """The page against a private database, with the map replaced by a stub we can 'click'."""
    import streamlit_folium

    monkeypatch.setenv("MAPPING_MIN_FILL_SECONDS", "0")
    monkeypatch.delenv("MAPPING_CHALLENGE", raising=False)
    clicks = {"value": NO_CLICK}
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda *args, **kwargs: clicks["value"])
    at = AppTest.from_file(page_path("aanmelden.py"), default_timeout=60)
    at.clicks = clicks
    at.run()
    assert not at.exception
    return at


def flatten(node) -> list:
    """Every element of the page in document order."""
    out = []
    for child in getattr(node, "children", {}).values():
        out.append(child)
        out.extend(flatten(child))
    return out


def message_after(at, key: str) -> list[str]:
    """Error messages shown between the widget ``key`` and the next widget."""
    nodes = flatten(at.main)
    start = next(i for i, node in enumerate(nodes) if getattr(node, "key", None) == key)
    messages = []
    for node in nodes[start + 1:]:
        if getattr(node, "type", None) == "alert" or node.__class__.__name__ == "Error":
            messages.append(node.value)
            continue
        if getattr(node, "key", None) or node.__class__.__name__ in ("TextInput", "Checkbox", "Button"):
            break
    return messages


def fill(at, **values):
    for name, value in values.items():
        widget_key = f"aanm_{name}"
        if name == "consent":
            at.checkbox(key=widget_key).check() if value else at.checkbox(key=widget_key).uncheck()
        elif name == "themes":
            at.multiselect(key=widget_key).set_value(value)
        elif name == "description":
            at.text_area(key=widget_key).set_value(value)
        else:
            at.text_input(key=widget_key).set_value(value)
    at.run()
    assert not at.exception


GOOD = dict(name="Buurtkamer De Linde", postcode="3024 AB", contact_name="Fatima de Vries",
            contact_email="fatima.private@example.org", consent=True, themes=["buurthulp"],
            description="Koffie en een luisterend oor.")


def send(at):
    at.button(key="aanm_submit").click().run()
    assert not at.exception


def test_each_bad_field_gets_its_message_next_to_it_and_keeps_the_input(page):
    bad = dict(name="", postcode="1004", website="ftp://example.nl", contact_name="", contact_email="fatima@",
               description="x" * 3000, consent=False)
    fill(page, **bad)
    send(page)
    summary = page.error[0].value
    assert "7 veld(en) hebben aandacht nodig" in summary
    for label in ("Naam van het initiatief of de organisatie", "Postcode", "Website (optioneel)", "Uw naam",
                  "Uw e-mailadres", "Korte omschrijving", "Toestemming"):   # the summary names every field
        assert label in summary
    assert message_after(page, "aanm_name") == ["**Naam van het initiatief of de organisatie:** Dit veld is verplicht."]
    assert message_after(page, "aanm_postcode") == ["**Postcode:** Postcode 1004 bestaat niet (niet gevonden in de CBS-postcodetabel)."]
    assert message_after(page, "aanm_website") == ["**Website (optioneel):** Geef een volledig webadres dat begint met http:// of https://."]
    assert message_after(page, "aanm_contact_name") == ["**Uw naam:** Dit veld is verplicht."]
    assert message_after(page, "aanm_contact_email") == ["**Uw e-mailadres:** Geef een geldig e-mailadres, bijvoorbeeld naam@voorbeeld.nl."]
    assert message_after(page, "aanm_description") == ["**Korte omschrijving:** Te lang: 3000 tekens, maximaal 2000."]
    assert message_after(page, "aanm_consent")[0].startswith("**Toestemming:** Geef toestemming voor de privacyverklaring")
    assert message_after(page, "aanm_place") == []                  # a good field gets no message
    # everything typed is still there
    assert page.text_input(key="aanm_postcode").value == "1004"
    assert page.text_input(key="aanm_website").value == "ftp://example.nl"
    assert page.text_input(key="aanm_contact_email").value == "fatima@"
    assert page.text_area(key="aanm_description").value == "x" * 3000
    assert not page.success
    store = Store(page_db(page))
    assert store.scalar("SELECT count(*) FROM submissions") == 0
    store.close()


def page_db(at) -> str:
    import os

    return os.environ["MAPPING_DB"]


def test_a_point_outside_the_netherlands_is_refused_next_to_the_map(page):
    fill(page, **{**GOOD, "postcode": ""})
    page.clicks["value"] = {"last_clicked": {"lat": 50.85, "lng": 4.35}}     # Brussels
    page.run()
    page.clicks["value"] = {"last_clicked": {"lat": 50.85, "lng": 4.35}}
    send(page)
    assert "Dit punt ligt buiten Nederland." in [e.value for e in page.error]
    assert not page.success


def test_a_good_submission_shows_the_reference_code_after_the_commit(page):
    fill(page, **GOOD)
    send(page)
    assert page.success and "ontvangen" in page.success[0].value
    [heading] = [h.value for h in page.subheader if h.value.startswith("Uw kenmerk")]
    reference = heading.split(": ")[1]
    assert submissions._REFERENCE.match(reference)
    [link] = [c.value for c in page.code]
    assert f"mijn_aanmelding?ref={reference}&token=" in link
    token = link.split("token=")[1]
    store = Store(page_db(page))
    view = submissions.owner_view(store, reference, token)
    assert view is not None and view.status == "pending"
    assert store.scalar("SELECT count(*) FROM public_records WHERE name = 'Buurtkamer De Linde'") == 0
    assert store.scalar("SELECT contact_email FROM contacts WHERE submission_id = ?", [reference]) == GOOD["contact_email"]
    store.close()
    # a new, empty form on request
    page.button[0].click().run()
    assert page.text_input(key="aanm_name").value == ""


def test_a_database_error_keeps_the_form_filled(page, monkeypatch):
    def broken(*args, **kwargs):
        raise StoreUnavailable("IO Error: could not write to disk")

    working = submissions.create_submission
    monkeypatch.setattr(submissions, "create_submission", broken)
    fill(page, **GOOD)
    send(page)
    errors = [e.value for e in page.error]
    assert any("niet opgeslagen" in e and "staat nog in het formulier" in e for e in errors)
    assert not page.success
    assert page.text_input(key="aanm_name").value == GOOD["name"]
    assert page.text_input(key="aanm_contact_email").value == GOOD["contact_email"]
    assert page.checkbox(key="aanm_consent").value is True
    # the database is back: the same form goes through (only this patch is undone: undo() would
    # also drop MAPPING_DB set by app_env and send the page to the default database)
    monkeypatch.setattr(submissions, "create_submission", working)
    monkeypatch.setenv("MAPPING_MIN_FILL_SECONDS", "0")
    send(page)
    assert page.success


def test_clicking_the_map_sets_a_precise_point(page):
    fill(page, **GOOD)
    page.clicks["value"] = {"last_clicked": {"lat": 51.9058, "lng": 4.4512}}
    page.run()
    assert any("door u gekozen" in c.value for c in page.caption)
    send(page)
    assert page.success
    store = Store(page_db(page))
    row = store.rows("SELECT lat, lon, location_precision, wijk_code FROM records WHERE name = ?", [GOOD["name"]])
    assert row == [(51.9058, 4.4512, "address", "WK059903")]
    store.close()


def test_is_this_your_initiative_offers_a_change_or_a_new_record(page):
    fill(page, **{**GOOD, "name": "Wijkpaleis"})
    page.clicks["value"] = {"last_clicked": {"lat": 51.9158, "lng": 4.4601}}
    page.run()
    send(page)
    assert any(h.value == "Is dit uw initiatief?" for h in page.subheader)
    assert not page.success
    page.button(key="aanm_dup_het-wijkpaleis").click().run()
    assert page.success and "wijziging" in page.success[0].value
    store = Store(page_db(page))
    assert store.rows("SELECT submission_type, record_id FROM submissions") == [("change", "het-wijkpaleis")]
    store.close()


def test_continue_as_new_after_the_duplicate_question(page):
    fill(page, **{**GOOD, "name": "Wijkpaleis"})
    page.clicks["value"] = {"last_clicked": {"lat": 51.9158, "lng": 4.4601}}
    page.run()
    send(page)
    page.button(key="aanm_dup_new").click().run()
    assert page.success
    store = Store(page_db(page))
    assert store.rows("SELECT submission_type FROM submissions") == [("new",)]
    store.close()


def test_hostile_text_is_shown_escaped(page):
    image = "![x](http://evil.example/t.png)"
    fill(page, **{**GOOD, "postcode": "", "place": image})
    send(page)
    [message] = message_after(page, "aanm_place")
    assert image not in message                                  # no image would be fetched
    assert r"\!\[x\]\(http\:" in message                        # shown as the text that was typed
    assert page.text_input(key="aanm_place").value == image


def test_honeypot_and_fill_time(page, monkeypatch):
    fill(page, **GOOD)
    page.text_input(key="aanm_hp").set_value("http://cheap-pills.example").run()
    send(page)
    assert any("automatisch ingevuld" in e.value for e in page.error) and not page.success
    page.text_input(key="aanm_hp").set_value("").run()
    monkeypatch.setenv("MAPPING_MIN_FILL_SECONDS", "600")
    send(page)
    assert any("erg snel verstuurd" in e.value for e in page.error) and not page.success


def test_rate_limit_per_session(page, monkeypatch):
    monkeypatch.setenv("MAPPING_MAX_SUBMISSIONS_PER_SESSION", "1")
    fill(page, **GOOD)
    send(page)
    assert page.success
    page.button[0].click().run()            # "submit something else"
    fill(page, **{**GOOD, "name": "Tweede aanmelding", "postcode": "8261"})
    send(page)
    assert any("Probeer het over" in e.value for e in page.error) and not page.success


def test_the_optional_challenge(app_env, monkeypatch):
    import streamlit_folium

    monkeypatch.setenv("MAPPING_MIN_FILL_SECONDS", "0")
    monkeypatch.setenv("MAPPING_CHALLENGE", "1")
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda *a, **k: NO_CLICK)
    at = AppTest.from_file(page_path("aanmelden.py"), default_timeout=60)
    at.run()
    fill(at, **GOOD)
    params, answer = at.session_state["aanm_challenge"]
    at.text_input(key="aanm_challenge_answer").set_value(str(answer + 1)).run()
    send(at)
    assert message_after(at, "aanm_challenge_answer")[0].startswith("Het antwoord op de controlevraag klopt niet")
    params, answer = at.session_state["aanm_challenge"]
    at.text_input(key="aanm_challenge_answer").set_value(str(answer)).run()
    send(at)
    assert at.success


def test_english_labels(app_env, monkeypatch):
    import streamlit_folium

    monkeypatch.setattr(streamlit_folium, "st_folium", lambda *a, **k: NO_CLICK)
    at = AppTest.from_file(page_path("aanmelden.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert at.title[0].value == "Sign up"
    assert at.text_input(key="aanm_contact_email").label == "Your e-mail address"


def test_the_public_duplicate_question_never_matches_on_e_mail(page):
    store = Store(page_db(page))
    earlier = submissions.create_submission(store, submissions.check(store, {
        "name": "Iets heel anders", "kind": "initiative", "postcode": "8261", "contact_name": "F",
        "contact_email": GOOD["contact_email"], "consent": True}))
    from mapping import moderation

    moderation.approve(store, earlier.reference, "Mila")
    store.close()
    fill(page, **GOOD)
    send(page)
    assert page.success                          # no "Is dit uw initiatief?" naming that record
    assert not any("Iets heel anders" in m.value for m in page.markdown)
