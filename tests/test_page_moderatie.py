"""The Moderatie page (AppTest): it refuses without configuration, refuses a wrong password,
cannot be opened by session-state keys or URL parameters, and works with the right password."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from conftest import page_path
from mapping import auth, submissions
from mapping.store import Store

PASSWORD = "lange-zin met spaties 2025"
HASH = auth.hash_password(PASSWORD)
QUEUE_TAB = "Wachtrij"


@pytest.fixture(autouse=True)
def fresh_auth_state(monkeypatch):
    """Each test starts with no login sessions and no failed attempts: the page keeps them in the
    database (a private copy per test); the in-process defaults are reset too."""
    monkeypatch.setattr(auth, "THROTTLE", auth.LoginThrottle())
    monkeypatch.setattr(auth, "SESSIONS", auth.SessionRegistry())
    monkeypatch.delenv(auth.PASSWORD_ENV, raising=False)
    monkeypatch.delenv(auth.EMAILS_ENV, raising=False)


def open_page(**query) -> AppTest:
    at = AppTest.from_file(page_path("moderatie.py"), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def shows_queue(at: AppTest) -> bool:
    return any(tab.label.startswith(QUEUE_TAB) for tab in at.tabs)


def login(at: AppTest, password: str, name: str = "Mila") -> AppTest:
    at.text_input(key="moderation_login_name").set_value(name)
    at.text_input(key="moderation_login_password").set_value(password)
    at.button[0].click().run()
    assert not at.exception
    return at


def pending_submission() -> submissions.Receipt:
    store = Store(os.environ["MAPPING_DB"])
    checked = submissions.check(store, {
        "name": "Buurtkamer De Linde", "kind": "initiative", "postcode": "3024", "contact_name": "Fatima",
        "contact_email": "fatima.private@example.org", "consent": True})
    receipt = submissions.create_submission(store, checked)
    store.close()
    return receipt


def test_refuses_without_configuration_and_says_how(app_env):
    at = open_page()
    assert "niet ingesteld" in at.error[0].value
    howto = " ".join(m.value for m in at.markdown)
    assert "python -m mapping hash-password" in howto and "MAPPING_MODERATOR_PASSWORD_HASH" in howto
    assert not shows_queue(at) and not at.text_input


def test_refuses_an_unreadable_hash(app_env, monkeypatch):
    monkeypatch.setenv(auth.PASSWORD_ENV, "hunter2")          # a plain password is not a hash
    at = open_page()
    assert "onleesbaar" in at.error[0].value and not shows_queue(at)


def test_refuses_a_wrong_password(app_env, monkeypatch):
    monkeypatch.setenv(auth.PASSWORD_ENV, HASH)
    at = login(open_page(), "wachtwoord123")
    assert any("klopt niet" in e.value for e in at.error)
    assert not shows_queue(at)
    assert at.text_input(key="moderation_login_password").value == ""       # never kept


def test_cannot_be_bypassed_with_session_state_or_query_params(app_env, monkeypatch):
    monkeypatch.setenv(auth.PASSWORD_ENV, HASH)
    receipt = pending_submission()
    at = AppTest.from_file(page_path("moderatie.py"), default_timeout=60)
    for key in ("moderator", "authenticated", "logged_in", "is_moderator", "auth", "actor", "mod_actor"):
        at.session_state[key] = True
    at.session_state["_moderation_login_token"] = "forged-token-" + "x" * 30
    for name, value in {"auth": "1", "moderator": "1", "token": "x", "admin": "true", "actor": "Mila"}.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    assert not shows_queue(at)
    assert receipt.reference not in " ".join(str(getattr(e, "value", "")) for e in at.main)
    assert at.text_input(key="moderation_login_password") is not None


def test_a_token_only_works_in_the_session_it_was_issued_to():
    registry = auth.SessionRegistry()
    token = registry.issue("Mila", "session-a", "fp")
    assert registry.actor_for(token, "session-a", "fp") == "Mila"
    assert registry.actor_for(token, "session-b", "fp") is None          # copied to another session
    assert registry.actor_for(token, "session-a", "other-hash") is None  # password changed since
    assert registry.actor_for(token, "session-a", "fp", now=10 ** 12) is None   # expired
    registry.revoke(token)
    assert registry.actor_for(token, "session-a", "fp") is None


def test_works_with_the_right_password_from_the_environment(app_env, monkeypatch):
    monkeypatch.setenv(auth.PASSWORD_ENV, HASH)
    receipt = pending_submission()
    at = login(open_page(), PASSWORD, name="Mila")
    assert shows_queue(at)
    assert any("Ingelogd als Mila" in c.value for c in at.caption)
    assert at.selectbox(key="mod_pick").value == receipt.reference
    # the private contact is there for the moderator (and only here)
    assert any("fatima.private@example.org" in t.value for t in at.text)
    at.button(key=f"mod_approve_{receipt.reference}").click().run()
    assert not at.exception
    assert any("Goedgekeurd" in s.value for s in at.success)
    store = Store(os.environ["MAPPING_DB"])
    assert store.scalar("SELECT reviewed_by FROM submissions WHERE id = ?", [receipt.reference]) == "Mila"
    assert store.scalar("SELECT count(*) FROM public_records WHERE id = ?", [receipt.record_id]) == 1
    store.close()
    # signing out ends the server-side session
    at.button(key="moderation_logout").click().run()
    assert not shows_queue(at)


def test_works_with_the_password_hash_from_secrets(app_env):
    at = AppTest.from_file(page_path("moderatie.py"), default_timeout=60)
    at.secrets["moderation"] = {"password_hash": HASH}
    at.run()
    login(at, PASSWORD)
    assert shows_queue(at)


def test_reject_from_the_page_needs_a_reason(app_env, monkeypatch):
    monkeypatch.setenv(auth.PASSWORD_ENV, HASH)
    receipt = pending_submission()
    at = login(open_page(), PASSWORD)
    at.button(key=f"mod_reject_{receipt.reference}").click().run()
    assert any("Geef een reden" in e.value for e in at.error)
    at.text_area(key=f"mod_reason_{receipt.reference}").set_value("Geen zorgzame buurt.")
    at.button(key=f"mod_reject_{receipt.reference}").click().run()
    assert any("Afgewezen" in s.value for s in at.success)
    store = Store(os.environ["MAPPING_DB"])
    assert store.scalar("SELECT status FROM submissions WHERE id = ?", [receipt.reference]) == "rejected"
    store.close()


def test_failed_logins_are_rate_limited_and_logged_without_the_password(app_env, monkeypatch, caplog):
    monkeypatch.setenv(auth.PASSWORD_ENV, HASH)
    at = open_page()
    with caplog.at_level("WARNING", logger="mapping.auth"):
        for attempt in range(auth.THROTTLE.max_failures):
            login(at, f"geheim-{attempt}")
        login(at, PASSWORD)                                     # right, but too late
    assert any("Te veel mislukte pogingen" in e.value for e in at.error)
    assert not shows_queue(at)
    assert "Failed moderator login" in caplog.text
    assert "geheim-" not in caplog.text and PASSWORD not in caplog.text


def test_oidc_without_a_moderator_list_refuses(app_env):
    at = AppTest.from_file(page_path("moderatie.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s" * 32,
                          "client_id": "id", "client_secret": "secret",
                          "server_metadata_url": "https://login.example.org/.well-known/openid-configuration"}
    at.run()
    assert "allowed_emails" in at.error[0].value and not shows_queue(at)


def test_auth_config_and_password_hashes():
    assert auth.auth_config({}, {}).method is None
    assert auth.auth_config({"moderation": {"password_hash": HASH}}, {}).method == "password"
    assert auth.auth_config({}, {auth.PASSWORD_ENV: HASH}).password_hash == HASH
    oidc = auth.auth_config({"auth": {"redirect_uri": "u", "cookie_secret": "c", "google": {
        "client_id": "i", "client_secret": "s", "server_metadata_url": "m"}}, "moderation": {"allowed_emails": ["A@x.nl"]}}, {})
    assert (oidc.method, oidc.provider) == ("oidc", "google")
    assert auth.oidc_user_allowed(oidc, "a@X.nl") and not auth.oidc_user_allowed(oidc, "b@x.nl")
    assert not auth.oidc_user_allowed(oidc, "a@x.nl", email_verified=False)
    assert auth.verify_password(PASSWORD, HASH) and not auth.verify_password(PASSWORD + "!", HASH)
    assert not auth.verify_password(PASSWORD, "scrypt$1$1$1$AAAA$AAAA")
    assert not auth.verify_password(PASSWORD, "garbage")
    assert auth.hash_password(PASSWORD) != HASH                 # salted
    import base64
    import hashlib
    salt = b"0123456789abcdef"
    legacy = "pbkdf2_sha256$200000$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(
        hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt, 200_000)).decode()
    assert auth.verify_password(PASSWORD, legacy)


def test_hostile_names_are_shown_as_text(app_env, monkeypatch):
    monkeypatch.setenv(auth.PASSWORD_ENV, HASH)
    store = Store(os.environ["MAPPING_DB"])
    hostile = "![x](http://evil.example/t.png) <img src=x onerror=alert(1)>"
    checked = submissions.check(store, {"name": hostile, "kind": "initiative", "postcode": "3024",
                                        "contact_name": "F", "contact_email": "f@example.org", "consent": True})
    receipt = submissions.create_submission(store, checked)
    store.close()
    at = login(open_page(), PASSWORD)
    [heading] = [h.value for h in at.subheader if receipt.reference in h.value]
    assert "![x](http://evil" not in heading and r"\!\[x\]\(http\:" in heading


def _status(receipt) -> tuple[str, int]:
    store = Store(os.environ["MAPPING_DB"])
    try:
        return (store.scalar("SELECT status FROM submissions WHERE id = ?", [receipt.reference]),
                store.scalar("SELECT count(*) FROM public_records WHERE id = ?", [receipt.record_id]))
    finally:
        store.close()


def test_a_session_revoked_server_side_cannot_approve_with_the_button_it_was_shown(app_env, monkeypatch):
    monkeypatch.setenv(auth.PASSWORD_ENV, HASH)
    receipt = pending_submission()
    at = login(open_page(), PASSWORD, name="Mila")
    assert at.selectbox(key="mod_pick").value == receipt.reference
    # Server side, the session ends (signed out elsewhere, revoked by an administrator) while the
    # page with its Approve button is still open in the browser.
    other_process = Store(os.environ["MAPPING_DB"])      # e.g. another replica, with its own connection
    auth.sessions(other_process).revoke(at.session_state[auth_token_key()])
    other_process.close()
    at.button(key=f"mod_approve_{receipt.reference}").click().run()
    assert not at.exception
    assert _status(receipt) == ("pending", 0)          # nothing approved
    assert any("verlopen of ingetrokken" in e.value and "niets gewijzigd" in e.value for e in at.error)
    assert not shows_queue(at)                          # and the sign-in form is back


def test_an_expired_session_cannot_reject(app_env, monkeypatch):
    monkeypatch.setenv(auth.PASSWORD_ENV, HASH)
    receipt = pending_submission()
    at = login(open_page(), PASSWORD, name="Mila")
    at.text_area(key=f"mod_reason_{receipt.reference}").set_value("Geen buurtinitiatief.")
    real_time = auth.time.time
    monkeypatch.setattr(auth.time, "time", lambda: real_time() + auth.SESSION_SECONDS + 1)
    at.button(key=f"mod_reject_{receipt.reference}").click().run()
    assert not at.exception
    assert _status(receipt) == ("pending", 0)


def test_the_audit_log_records_the_signed_in_moderator(app_env, monkeypatch):
    monkeypatch.setenv(auth.PASSWORD_ENV, HASH)
    receipt = pending_submission()
    at = login(open_page(), PASSWORD, name="Mila")
    at.button(key=f"mod_approve_{receipt.reference}").click().run()
    store = Store(os.environ["MAPPING_DB"])
    try:
        assert store.rows("SELECT actor FROM revisions WHERE entity_type = 'submission' AND entity_id = ? "
                          "AND action = 'approve'", [receipt.reference]) == [("Mila",)]
    finally:
        store.close()


def test_a_decision_that_lost_a_race_says_who_was_first(app_env, monkeypatch):
    from mapping import moderation

    monkeypatch.setenv(auth.PASSWORD_ENV, HASH)
    receipt = pending_submission()
    at = login(open_page(), PASSWORD, name="Mila")
    # Another moderator (another replica, the CLI) rejects while Mila's page shows the submission.
    store = Store(os.environ["MAPPING_DB"])
    moderation.reject(store, receipt.reference, "Bram", "Dubbel.")
    store.close()
    at.button(key=f"mod_approve_{receipt.reference}").click().run()
    assert not at.exception
    assert _status(receipt) == ("rejected", 0)
    assert any("al beoordeeld door Bram" in e.value for e in at.error)


def auth_token_key() -> str:
    from mapping import ui_forms

    return ui_forms.TOKEN_KEY
