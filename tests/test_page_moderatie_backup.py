"""The moderation page's backup download (AppTest): a signed-in moderator gets a complete backup
while the app runs; a session revoked after the page was drawn gets nothing when clicking."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from conftest import page_path
from mapping import auth, backup, submissions, ui_forms
from mapping.store import Store

PASSWORD = "lange-zin met spaties 2025"


@pytest.fixture(autouse=True)
def fresh_auth_state(monkeypatch):
    monkeypatch.setattr(auth, "THROTTLE", auth.LoginThrottle())
    monkeypatch.setattr(auth, "SESSIONS", auth.SessionRegistry())
    monkeypatch.delenv(auth.EMAILS_ENV, raising=False)
    monkeypatch.setenv(auth.PASSWORD_ENV, auth.hash_password(PASSWORD))


def signed_in_page() -> AppTest:
    at = AppTest.from_file(page_path("moderatie.py"), default_timeout=60)
    at.run()
    at.text_input(key="moderation_login_name").set_value("Mila")
    at.text_input(key="moderation_login_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def _sign_up() -> str:
    store = Store(os.environ["MAPPING_DB"])
    checked = submissions.check(store, {"name": "Buurtkamer De Linde", "kind": "initiative", "postcode": "3024",
                                        "contact_name": "Fatima", "contact_email": "fatima.private@example.org",
                                        "consent": True})
    reference = submissions.create_submission(store, checked).reference
    store.close()
    return reference


def test_a_signed_in_moderator_downloads_a_complete_backup_while_the_app_runs(app_env, tmp_path):
    _sign_up()
    at = signed_in_page()
    at.button(key="mod_backup_make").click().run()
    assert not at.exception
    name, data = at.session_state["mod_backup_zip"]
    file = tmp_path / name
    file.write_bytes(data)
    manifest = backup.verify_backup(file)
    rows = {entry["name"]: entry["rows"] for entry in manifest["tables"]}
    store = Store(os.environ["MAPPING_DB"])
    try:
        for table in ("records", "submissions", "contacts", "revisions"):
            assert rows[table] == store.scalar(f"SELECT count(*) FROM {table}"), table
    finally:
        store.close()
    assert rows["contacts"] >= 1


def test_a_session_revoked_after_drawing_gets_no_backup(app_env, monkeypatch):
    at = signed_in_page()
    other_replica = Store(os.environ["MAPPING_DB"])   # revoked server-side, e.g. by another replica
    auth.sessions(other_replica).revoke(at.session_state[ui_forms.TOKEN_KEY])
    other_replica.close()
    at.button(key="mod_backup_make").click().run()
    assert not at.exception
    assert "mod_backup_zip" not in at.session_state
    assert "niet (meer) aangemeld" in at.session_state["mod_backup_error"]
    assert at.text_input(key="moderation_login_password") is not None   # back to the sign-in
