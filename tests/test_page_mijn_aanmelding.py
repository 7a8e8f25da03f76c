"""The owner's status page (AppTest): opened only with the secret link; status, edit (pending
again), one-click "still current", withdraw."""

from __future__ import annotations

import os
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from conftest import page_path
from mapping import moderation, submissions
from mapping.store import Store

RAW = {"name": "Buurtkamer De Linde", "kind": "initiative", "postcode": "3024", "themes": ["buurthulp"],
       "contact_name": "Fatima", "contact_email": "fatima.private@example.org", "consent": True}


@pytest.fixture
def receipt(app_env, monkeypatch):
    import streamlit_folium

    monkeypatch.setattr(streamlit_folium, "st_folium", lambda *a, **k: {"last_clicked": None})
    store = Store(os.environ["MAPPING_DB"])
    result = submissions.create_submission(store, submissions.check(store, RAW))
    store.close()
    return result


def open_status(reference: str, token: str) -> AppTest:
    at = AppTest.from_file(page_path("mijn_aanmelding.py"), default_timeout=60)
    at.query_params["ref"] = reference
    at.query_params["token"] = token
    at.run()
    assert not at.exception
    return at


def db() -> Store:
    return Store(os.environ["MAPPING_DB"])


def test_a_wrong_token_shows_nothing(receipt):
    at = open_status(receipt.reference, receipt.token[:-2] + "xx")
    assert "niet gevonden" in at.error[0].value
    assert not at.dataframe and "Buurtkamer" not in " ".join(s.value for s in at.subheader)


def test_status_and_an_edit_that_goes_back_to_moderation(receipt):
    at = open_status(receipt.reference, receipt.token)
    assert at.subheader[0].value == "Buurtkamer De Linde"
    assert "Wacht op een moderator" in at.info[0].value
    assert "fatima.private" not in " ".join(str(getattr(e, "value", "")) for e in at.main)
    at.text_input(key="mijn_edit_name").set_value("Buurtkamer De Linde Delfshaven")
    at.button(key="mijn_save").click().run()
    assert any("wacht op een moderator" in s.value for s in at.success)
    store = db()
    assert store.rows("SELECT name, status FROM records WHERE id = ?", [receipt.record_id]) == \
        [("Buurtkamer De Linde Delfshaven", "pending")]
    store.close()


def test_an_edit_with_an_error_shows_it_next_to_the_field(receipt):
    at = open_status(receipt.reference, receipt.token)
    at.text_input(key="mijn_edit_website").set_value("www.zonder-schema.nl")
    at.button(key="mijn_save").click().run()
    assert any("http:// of https://" in e.value for e in at.error)
    assert at.text_input(key="mijn_edit_website").value == "www.zonder-schema.nl"


def test_confirm_still_current_with_one_click(receipt):
    store = db()
    moderation.approve(store, receipt.reference, "Mila", today=date(2024, 1, 1))
    store.close()
    at = open_status(receipt.reference, receipt.token)
    assert any("meer dan 12 maanden" in w.value for w in at.warning)
    at.button(key="mijn_confirm").click().run()
    assert any("Bevestigd op" in s.value for s in at.success)
    store = db()
    assert store.scalar("SELECT last_verified FROM public_records WHERE id = ?", [receipt.record_id]) == date.today()
    store.close()


def test_withdraw(receipt):
    at = open_status(receipt.reference, receipt.token)
    at.button(key="mijn_withdraw").click().run()
    assert any("ingetrokken" in s.value for s in at.success)
    store = db()
    assert store.scalar("SELECT count(*) FROM contacts") == 0
    store.close()


def test_opening_by_typing_reference_and_code(receipt):
    at = AppTest.from_file(page_path("mijn_aanmelding.py"), default_timeout=60)
    at.run()
    assert not at.subheader
    at.text_input(key="mijn_ref_input").set_value(receipt.reference.lower())
    at.text_input(key="mijn_token_input").set_value(receipt.token)
    at.button[0].click().run()
    assert not at.exception
    assert at.subheader[0].value == "Buurtkamer De Linde"
