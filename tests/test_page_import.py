"""Issue 15.5: the import section of the Moderatie page (AppTest): preview, columns, report,
rejected rows as a download, import, undo — and no write without a valid session at that moment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import page_path
from mapping import auth, ui_forms
from mapping.store import Store

PASSWORD = "lange-zin met spaties 2025"
HASH = auth.hash_password(PASSWORD)
FIXTURE = Path(__file__).with_name("fixtures") / "dutch_export_cp1252.csv"


@pytest.fixture(autouse=True)
def fresh_auth_state(monkeypatch):
    monkeypatch.setattr(auth, "THROTTLE", auth.LoginThrottle())
    monkeypatch.setattr(auth, "SESSIONS", auth.SessionRegistry())
    monkeypatch.delenv(auth.EMAILS_ENV, raising=False)
    monkeypatch.setenv(auth.PASSWORD_ENV, HASH)


def signed_in() -> AppTest:
    at = AppTest.from_file(page_path("moderatie.py"), default_timeout=90)
    at.run()
    at.text_input(key="moderation_login_name").set_value("Mila")
    at.text_input(key="moderation_login_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="imp_file").set_value((name, content, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    return " ".join(str(getattr(e, "value", "")) for e in at.main)


def count_records(name_like: str) -> int:
    store = Store(os.environ["MAPPING_DB"])
    try:
        return store.scalar("SELECT count(*) FROM public_records WHERE name ILIKE ?", [name_like])
    finally:
        store.close()


def test_preview_report_import_and_undo(app_env):
    at = upload(signed_in(), "regio.csv", FIXTURE.read_bytes())
    assert [m.label for m in at.metric] == ["Nieuw", "Bijgewerkt", "Geïnterpreteerd", "Dubbel", "Afgewezen"]
    assert [m.value for m in at.metric] == ["4", "0", "4", "0", "1"]
    frames = [df.value for df in at.dataframe]
    preview = next(f for f in frames if "Thema's" in f.columns and "Bron" in f.columns)
    assert preview["Naam"].tolist()[:2] == ["Hofjes Achter de Kerk", "Zorgcoöperatie Hart van Kampen"]
    interpreted = next(f for f in frames if "In het bestand" in f.columns)
    assert {("hofjes", "hofje"), ("zorgcoöperatie", "initiative")} <= set(
        zip(interpreted["In het bestand"], interpreted["Wordt"]))
    rejected = next(f for f in frames if "Reden" in f.columns and "Rij" in f.columns and len(f) == 1)
    assert "bedoelt u 'Buurthulp'?" in rejected["Reden"].iloc[0]
    assert at.selectbox(key="imp_" + _file_key(FIXTURE.read_bytes()) + "_col_0").value == "name"
    assert count_records("Hofjes Achter de Kerk") == 0               # the preview wrote nothing

    at.button(key="imp_go").click().run()
    assert not at.exception
    assert any("Geïmporteerd als batch IMP-" in s.value for s in at.success)
    assert count_records("Hofjes Achter de Kerk") == 1
    store = Store(os.environ["MAPPING_DB"])
    assert store.scalar("SELECT actor FROM import_batches") == "Mila"
    store.close()

    at.button(key="imp_undo").click().run()
    assert not at.exception
    assert any("4 records teruggetrokken" in s.value for s in at.success)
    assert count_records("Hofjes Achter de Kerk") == 0


def _file_key(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()[:16]


def test_unknown_name_header_is_assigned_in_the_browser(app_env):
    content = "Organisatienaam;Soort;Woonplaats\nBuurtkamer De Linde;initiatief;Kampen\n".encode()
    at = upload(signed_in(), "lijst.csv", content)
    assert any("Geen kolom is als naam herkend" in e.value for e in at.error)
    at.selectbox(key=f"imp_{_file_key(content)}_col_0").set_value("name").run()
    assert not at.exception
    assert [m.value for m in at.metric][0] == "1"
    at.button(key="imp_go").click().run()
    assert count_records("Buurtkamer De Linde") == 1


def test_import_as_pending_is_not_public(app_env):
    at = upload(signed_in(), "regio.csv", FIXTURE.read_bytes())
    at.radio(key="imp_status").set_value("pending").run()
    at.button(key="imp_go").click().run()
    assert not at.exception
    assert count_records("Hofjes Achter de Kerk") == 0
    store = Store(os.environ["MAPPING_DB"])
    assert store.scalar("SELECT status FROM records WHERE name = 'Hofjes Achter de Kerk'") == "pending"
    store.close()


def test_import_refused_when_the_session_ended_before_the_click(app_env):
    at = upload(signed_in(), "regio.csv", FIXTURE.read_bytes())
    other_replica = Store(os.environ["MAPPING_DB"])   # revoked server-side, e.g. by another replica
    auth.sessions(other_replica).revoke(at.session_state[ui_forms.TOKEN_KEY])
    other_replica.close()
    at.button(key="imp_go").click().run()
    assert not at.exception
    assert count_records("Hofjes Achter de Kerk") == 0
    assert "Geïmporteerd als batch" not in texts(at)


def test_rejected_rows_are_offered_as_a_download(app_env):
    at = upload(signed_in(), "regio.csv", FIXTURE.read_bytes())
    (button,) = at.get("download_button")
    assert "Afgewezen rijen downloaden (1)" in button.proto.label


def _section_alone():
    import os

    import streamlit as st

    from mapping import ui_import
    from mapping.store import Store

    store = Store(os.environ["MAPPING_DB"])
    ui_import.render(store, "nl", "Mila", recheck=lambda: None if st.session_state.get("expired") else "Mila")


def test_the_import_button_checks_the_session_when_it_runs(app_env):
    """The page rendered the button for a signed-in moderator; by the click the session is gone."""
    at = AppTest.from_function(_section_alone, default_timeout=90)
    at.run()
    upload(at, "regio.csv", FIXTURE.read_bytes())
    at.session_state["expired"] = True
    at.button(key="imp_go").click().run()
    assert not at.exception
    assert any("niet meer aangemeld" in e.value for e in at.error)
    assert count_records("Hofjes Achter de Kerk") == 0
    at.session_state["expired"] = False
    at.button(key="imp_go").click().run()
    assert count_records("Hofjes Achter de Kerk") == 1
