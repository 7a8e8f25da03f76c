"""Access: no moderation action without signing in — not through the page, the URL or session state.

The moderation page (``pages/moderatie.py``) is run with ``AppTest`` against a private database
that holds one pending sign-up. Every attack checks two things: the page shows only the sign-in
(nothing of the queue, the pending entry or its private contact), and the database is unchanged
(the submission is still pending, no revision was written). A positive control signs in properly
and approves, so the negative checks cannot pass merely because the page is broken.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mapping import auth, ui_forms
from mapping.i18n import t
from mapping.store import Store

submissions = pytest.importorskip("mapping.submissions")

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "moderatie.py")
OWNER_PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "mijn_aanmelding.py")
PASSWORD = "Lange-Test-Zin voor moderatie 2025"
PENDING_NAME = "Geheime Wachtrij Buurtkamer"
CONTACT_EMAIL = "prive.indiener@voorbeeld.nl"


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def page_text(at: AppTest) -> str:
    """Everything the page rendered, as text (markdown, tables, widget labels and options)."""
    parts: list[str] = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        value = getattr(node, "value", None) if type(node).__name__ == "Dataframe" else None
        if value is not None:
            parts.append(value.to_string())
        for attribute in ("options", "label"):
            try:
                extra = getattr(node, attribute, None)
            except Exception:
                extra = None
            if extra:
                parts.append(str(extra))
    return "\n".join(parts)


@pytest.fixture
def pending(app_env):
    """A private database with one pending sign-up (and its private contact)."""
    store = Store(app_env)
    checked = submissions.check(store, {
        "name": PENDING_NAME, "kind": "initiative", "postcode": "2341 AB", "online": False,
        "contact_name": "Indiener", "contact_email": CONTACT_EMAIL, "consent": True})
    assert checked.ok, checked.errors
    receipt = submissions.create_submission(store, checked)
    store.checkpoint()
    store.close()
    return receipt


@pytest.fixture
def password_configured(monkeypatch):
    monkeypatch.delenv(auth.EMAILS_ENV, raising=False)
    monkeypatch.setenv(auth.PASSWORD_ENV, auth.hash_password(PASSWORD))
    # a clean throttle for this test (the page uses the one of the server process)
    monkeypatch.setattr(auth.THROTTLE, "_failures", {})
    monkeypatch.setattr(auth.THROTTLE, "_all", [])


def _state_of_db(db: Path, reference: str) -> tuple:
    # read-write like the page's own connection: DuckDB shares one database per process and
    # refuses a second connection with another configuration (read-only)
    store = Store(db)
    try:
        return (store.scalar("SELECT status FROM submissions WHERE id = ?", [reference]),
                store.scalar("SELECT count(*) FROM revisions"),
                store.scalar("SELECT count(*) FROM records WHERE status = 'approved'"),
                store.scalar("SELECT count(*) FROM contacts"))
    finally:
        store.close()


def _assert_locked_out(at: AppTest) -> None:
    assert not at.exception, at.exception
    text = page_text(at)
    assert PENDING_NAME not in text and CONTACT_EMAIL not in text
    labels = [button.label for button in at.button]
    assert t("moderatie.approve", "nl") not in labels and t("moderatie.reject", "nl") not in labels
    assert not at.tabs, "the queue tabs must not render without a sign-in"


def _login(at: AppTest, password: str = PASSWORD, name: str = "Moderator Test") -> AppTest:
    at.text_input(key="moderation_login_name").input(name)
    at.text_input(key="moderation_login_password").input(password)
    return at.button[0].click().run()


def _new_app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60)


def test_without_configuration_the_page_refuses_and_explains(pending, app_env, monkeypatch):
    monkeypatch.delenv(auth.PASSWORD_ENV, raising=False)
    monkeypatch.delenv(auth.EMAILS_ENV, raising=False)
    at = _new_app().run()
    _assert_locked_out(at)
    assert at.error and at.error[0].value == t("moderatie.auth.not_configured", "nl")
    assert not at.text_input, "no password field when no password is configured (no default password)"
    assert "hash-password" in page_text(at)


def test_a_malformed_password_hash_refuses_too(pending, app_env, monkeypatch):
    monkeypatch.setenv(auth.PASSWORD_ENV, "hunter2")  # a password put where its hash belongs
    at = _new_app().run()
    _assert_locked_out(at)
    assert not at.text_input


def test_signing_in_properly_shows_the_queue_and_allows_approval(pending, app_env, password_configured):
    """Positive control: the same page, signed in, shows the entry and can approve it."""
    at = _new_app().run()
    _assert_locked_out(at)
    _login(at)
    assert not at.exception and not at.error
    assert PENDING_NAME in page_text(at)
    at.selectbox(key="mod_pick").select(pending.reference).run()
    approve = next(b for b in at.button if b.label == t("moderatie.approve", "nl"))
    approve.click().run()
    assert _state_of_db(app_env, pending.reference)[0] == "approved"


def test_query_parameters_never_sign_in(pending, app_env, password_configured):
    # a genuine token, issued to a session, is what an attacker would most like to pass in a URL
    issuer = Store(app_env)
    leaked_token = auth.sessions(issuer).issue("Moderator Test", "test session id",
                                               auth.auth_config(None).fingerprint)
    issuer.close()
    before = _state_of_db(app_env, pending.reference)
    attempts = [
        {"moderator": "1", "admin": "true", "logged_in": "true", "auth": "ok"},
        {"token": leaked_token, ui_forms.TOKEN_KEY: leaked_token, "session": leaked_token},
        {"actor": "Moderator Test", "user": "moderator", "email": "moderator@voorbeeld.nl"},
        {"mod_pick": pending.reference, f"mod_approve_{pending.reference}": "true", "approve": pending.reference},
        {"embed": "1", "lang": "en", "moderation_login_name": "x", "moderation_login_password": PASSWORD},
    ]
    for params in attempts:
        at = _new_app()
        for name, value in params.items():
            at.query_params[name] = value
        at.run()
        _assert_locked_out(at)
        assert at.text_input(key="moderation_login_password").value == "", "a URL must not fill the password"
    assert _state_of_db(app_env, pending.reference) == before


def _keys_of_a_signed_in_session(pending) -> dict:
    """Every session-state key the page uses, with its value, from a real signed-in session that
    has the pending entry open (so that the per-entry widget keys exist too)."""
    at = _new_app().run()
    _login(at)
    at.selectbox(key="mod_pick").select(pending.reference).run()
    state = at.session_state
    keys = {key: state[key] for key in state.keys() if not str(key).startswith("$$")}
    assert ui_forms.TOKEN_KEY in keys and f"mod_reason_{pending.reference}" in keys
    return keys


def test_setting_session_state_never_signs_in_or_acts(pending, app_env, password_configured):
    used = _keys_of_a_signed_in_session(pending)
    # sign-in was real; now forget it in the registry is not needed: forged values below are new
    before = _state_of_db(app_env, pending.reference)
    forged_tokens = ["", "admin", "Moderator Test", secrets.token_urlsafe(32), "x" * 10_000, True, 1, None,
                     {"actor": "admin"}]
    for forged in forged_tokens:
        at = _new_app()
        for key, value in used.items():
            # every key the page knows, with the value it had while signed in (buttons pressed)
            at.session_state[key] = True if isinstance(value, bool) else value
        at.session_state[ui_forms.TOKEN_KEY] = forged
        for extra in ("moderator", "actor", "authenticated", "logged_in", "is_moderator", "user"):
            at.session_state[extra] = "Moderator Test"
        at.run()
        _assert_locked_out(at)
    assert _state_of_db(app_env, pending.reference) == before


def test_a_real_token_only_works_in_the_session_it_was_issued_to(pending, app_env, password_configured,
                                                                  monkeypatch):
    used = _keys_of_a_signed_in_session(pending)
    before = _state_of_db(app_env, pending.reference)
    # the same token, copied into another browser session (another Streamlit session id)
    monkeypatch.setattr(ui_forms, "_session_id", lambda: "another browser session")
    at = _new_app()
    for key, value in used.items():
        at.session_state[key] = value
    at.run()
    _assert_locked_out(at)
    assert _state_of_db(app_env, pending.reference) == before


def test_changing_the_password_ends_existing_sign_ins(pending, app_env, password_configured, monkeypatch):
    at = _new_app().run()
    _login(at)
    assert PENDING_NAME in page_text(at)
    monkeypatch.setenv(auth.PASSWORD_ENV, auth.hash_password("Een heel ander wachtwoord 2025"))
    at.run()
    _assert_locked_out(at)


def test_failed_logins_are_rate_limited_and_logged_without_the_password(pending, app_env, password_configured,
                                                                        caplog):
    caplog.set_level(logging.INFO, logger="mapping")
    wrong = [f"Fout-wachtwoord-{i}-{secrets.token_hex(4)}" for i in range(auth.THROTTLE.max_failures)]
    at = _new_app().run()
    for attempt in wrong:
        _login(at, attempt)
        _assert_locked_out(at)
        assert at.error[0].value == t("moderatie.auth.wrong_password", "nl")
    # now even the right password is refused until the lock-out ends
    _login(at, PASSWORD)
    _assert_locked_out(at)
    message = at.error[0].value
    assert message.startswith("Te veel mislukte pogingen") and "seconden" in message
    assert _state_of_db(app_env, pending.reference)[0] == "pending"

    records = [r for r in caplog.records if r.name.startswith("mapping")]
    failures = [r for r in records if "Failed moderator login" in r.getMessage()]
    refusals = [r for r in records if "refused" in r.getMessage()]
    assert len(failures) == len(wrong) and refusals
    assert all(r.levelno == logging.WARNING for r in failures + refusals)
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    for secret in wrong + [PASSWORD]:
        assert secret not in logged, "a typed password reached the log"


def test_many_clients_failing_lock_everyone_out_for_a_while():
    """Guessing spread over many sessions or addresses also hits a limit (global throttle)."""
    throttle = auth.LoginThrottle(max_failures=5, global_max=20, lockout_seconds=300)
    config = auth.AuthConfig("password", password_hash=auth.hash_password(PASSWORD, n=2 ** 10))
    sessions = auth.SessionRegistry()
    now = 1_000_000.0
    for number in range(20):
        result = auth.password_login(config, "x", f"guess {number}", client=f"ip:10.0.0.{number}",
                                     session_id=f"s{number}", throttle=throttle, sessions=sessions, now=now)
        assert not result.ok and result.error == "moderatie.auth.wrong_password"
    fresh = auth.password_login(config, "x", PASSWORD, client="ip:192.168.1.1", session_id="new",
                                throttle=throttle, sessions=sessions, now=now + 1)
    assert not fresh.ok and fresh.error == "moderatie.auth.locked" and fresh.wait_seconds > 0
    later = auth.password_login(config, "Moderator", PASSWORD, client="ip:192.168.1.1", session_id="new",
                                throttle=throttle, sessions=sessions, now=now + 301)
    assert later.ok and sessions.actor_for(later.token, "new", config.fingerprint, now=now + 302) == "Moderator"
    assert sessions.actor_for(later.token, "other", config.fingerprint, now=now + 302) is None


def test_the_owner_page_shows_nothing_for_a_wrong_or_guessed_token(pending, app_env):
    before = _state_of_db(app_env, pending.reference)
    for token in ("", secrets.token_urlsafe(32), pending.token[:-1] + ("A" if pending.token[-1] != "A" else "B"),
                  "' OR '1'='1", pending.reference):
        at = AppTest.from_file(OWNER_PAGE, default_timeout=60)
        at.query_params["ref"] = pending.reference
        at.query_params["token"] = token
        at.run()
        assert not at.exception
        text = page_text(at)
        assert PENDING_NAME not in text and CONTACT_EMAIL not in text
    assert _state_of_db(app_env, pending.reference) == before
    # and the real link works (control)
    at = AppTest.from_file(OWNER_PAGE, default_timeout=60)
    at.query_params["ref"] = pending.reference
    at.query_params["token"] = pending.token
    at.run()
    assert PENDING_NAME in page_text(at)
