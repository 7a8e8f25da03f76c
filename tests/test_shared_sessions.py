"""Moderator sessions and the failed-login throttle live in the database, so that a second app
process (replica) neither forgets a sign-in nor resets a throttle. Each side here is a separate
``Store`` with its own connection; for DuckDB (one writing process per file) they are opened one
after the other, as a restarted or second process would."""

from __future__ import annotations

import pytest

from mapping import auth
from mapping.store import Store

PASSWORD = "lange-zin met spaties 2025"
CONFIG = auth.AuthConfig("password", password_hash=auth.hash_password(PASSWORD, n=2 ** 10))
NOW = 1_000_000.0


def login(store, password, *, client="ip:10.0.0.1", session_id="s1", now=NOW):
    return auth.password_login(CONFIG, "Mila", password, client=client, session_id=session_id,
                               throttle=auth.throttle(store), sessions=auth.sessions(store), now=now)


def test_a_sign_in_on_one_process_is_known_to_the_next_and_a_sign_out_everywhere(db_path):
    first = Store(db_path)
    result = login(first, PASSWORD)
    assert result.ok
    first.close()                                   # the process that signed in is gone (restart, other replica)

    second = Store(db_path)
    assert auth.sessions(second).actor_for(result.token, "s1", CONFIG.fingerprint, now=NOW + 60) == "Mila"
    # bound to the session it was issued to, and to the configured credentials
    assert auth.sessions(second).actor_for(result.token, "s2", CONFIG.fingerprint, now=NOW + 60) is None
    assert auth.sessions(second).actor_for(result.token, "s1", "other-credentials", now=NOW + 60) is None
    # expired after its lifetime
    assert auth.sessions(second).actor_for(result.token, "s1", CONFIG.fingerprint,
                                           now=NOW + auth.SESSION_SECONDS + 1) is None
    auth.sessions(second).revoke(result.token)
    second.close()

    third = Store(db_path)
    assert auth.sessions(third).actor_for(result.token, "s1", CONFIG.fingerprint, now=NOW + 61) is None
    # the token itself is never stored, only its hash
    assert result.token not in {row[0] for row in third.rows("SELECT token_hash FROM moderator_sessions")}
    third.close()


def test_a_lock_out_holds_on_the_next_process(db_path):
    limits = auth.StoreThrottle()
    first = Store(db_path)
    for attempt in range(limits.max_failures):
        assert login(first, f"fout {attempt}", now=NOW + attempt).error == "moderatie.auth.wrong_password"
    first.close()

    second = Store(db_path)
    locked = login(second, PASSWORD, now=NOW + 10)
    assert not locked.ok and locked.error == "moderatie.auth.locked"
    assert 0 < locked.wait_seconds <= limits.lockout_seconds
    # another client is not locked out by these few failures
    assert login(second, PASSWORD, client="ip:10.0.0.2", session_id="s9", now=NOW + 10).ok
    # after the lock-out the right password works again and clears the failures
    later = login(second, PASSWORD, now=NOW + limits.lockout_seconds + 10)
    assert later.ok
    assert second.scalar("SELECT count(*) FROM login_failures WHERE client = 'ip:10.0.0.1'") == 0
    second.close()


def test_guessing_spread_over_many_clients_locks_everyone_on_every_process(db_path):
    limits = auth.StoreThrottle()
    first = Store(db_path)
    for number in range(limits.global_max):
        login(first, f"gok {number}", client=f"ip:10.1.0.{number}", session_id=f"g{number}", now=NOW)
    first.close()
    second = Store(db_path)
    fresh = login(second, PASSWORD, client="ip:192.168.1.1", session_id="new", now=NOW + 1)
    assert not fresh.ok and fresh.error == "moderatie.auth.locked"
    second.close()


@pytest.mark.parametrize("table", ["moderator_sessions", "login_failures"])
def test_the_shared_tables_hold_nothing_typed(db_path, table):
    store = Store(db_path)
    login(store, "geheim-getypt wachtwoord")
    login(store, PASSWORD)
    everything = " ".join(str(v) for row in store.rows(f"SELECT * FROM {table}") for v in row)
    assert "geheim-getypt" not in everything and PASSWORD not in everything
    store.close()
