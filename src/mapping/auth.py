"""Moderator authentication, without Streamlit: configuration, password hashes, throttling and
server-side login sessions. The moderation page wires these to widgets.

Two ways to sign in, chosen by configuration (never a default password):

* OIDC through ``st.login`` when ``secrets.toml`` has an ``[auth]`` section. Only the e-mail
  addresses in ``[moderation] allowed_emails`` (or ``MAPPING_MODERATOR_EMAILS``) are moderators.
* Otherwise a password whose scrypt hash is in ``[moderation] password_hash`` or
  ``MAPPING_MODERATOR_PASSWORD_HASH``; create one with ``python -m mapping hash-password``.

A successful password login is kept server-side: the browser session holds only a random token;
this process maps the token's hash to the moderator, the Streamlit session it was issued to and an
expiry. Setting session-state keys or URL parameters therefore never signs anybody in.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import logging
import os
import secrets
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LOGGER = logging.getLogger("mapping.auth")

PASSWORD_ENV = "MAPPING_MODERATOR_PASSWORD_HASH"
EMAILS_ENV = "MAPPING_MODERATOR_EMAILS"
MIN_PASSWORD_LENGTH = 12
SESSION_SECONDS = 8 * 3600

# scrypt cost: ~50 ms and 16 MB per check — slow for guessing, fine for one login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
PBKDF2_MIN_ITERATIONS = 100_000


# -- password hashes ----------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64) — store this, never the password."""
    if not password:
        raise ValueError("empty password")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 * 1024 * 1024)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """Check a password against a ``scrypt$…`` or ``pbkdf2_sha256$…`` hash in constant time.
    A malformed hash never matches (and never raises)."""
    if not password or not encoded:
        return False
    try:
        scheme, *parts = encoded.strip().split("$")
        if scheme == "scrypt" and len(parts) == 5:
            n, r, p = (int(x) for x in parts[:3])
            if n < 2 ** 10 or n > 2 ** 20 or not (1 <= r <= 32) or not (1 <= p <= 16):
                return False
            salt, expected = base64.b64decode(parts[3], validate=True), base64.b64decode(parts[4], validate=True)
            digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(expected),
                                    maxmem=256 * 1024 * 1024)
        elif scheme == "pbkdf2_sha256" and len(parts) == 3:
            iterations = int(parts[0])
            if iterations < PBKDF2_MIN_ITERATIONS:
                return False
            salt, expected = base64.b64decode(parts[1], validate=True), base64.b64decode(parts[2], validate=True)
            digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, dklen=len(expected))
        else:
            return False
    except (ValueError, TypeError, OverflowError, MemoryError):
        return False
    return bool(expected) and hmac.compare_digest(digest, expected)


def looks_like_hash(value: str) -> bool:
    scheme = (value or "").strip().split("$", 1)[0]
    return scheme in ("scrypt", "pbkdf2_sha256") and value.count("$") >= 3


# -- configuration ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuthConfig:
    method: str | None                          # 'oidc' | 'password' | None (refuse)
    password_hash: str | None = None
    provider: str | None = None                 # named OIDC provider ([auth.<name>]) or None
    allowed_emails: frozenset[str] = frozenset()
    problem: str | None = None                  # i18n key explaining a configuration mistake

    @property
    def fingerprint(self) -> str:
        """Changes when the credentials change, so that old login sessions stop working."""
        basis = f"{self.method}|{self.password_hash}|{self.provider}|{sorted(self.allowed_emails)}"
        return hashlib.sha256(basis.encode()).hexdigest()[:16]


def _section(secrets_obj: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    if secrets_obj is None:
        return {}
    try:
        value = secrets_obj.get(name)
    except Exception:       # st.secrets raises when no secrets.toml exists at all
        return {}
    try:
        return dict(value) if value is not None else {}
    except (TypeError, ValueError):
        return {}


def _oidc_provider(auth: dict[str, Any]) -> tuple[bool, str | None]:
    """Whether ``[auth]`` is complete, and the provider name for a named ``[auth.<name>]`` section."""
    shared = bool(auth.get("redirect_uri")) and bool(auth.get("cookie_secret"))
    direct = all(auth.get(k) for k in ("client_id", "client_secret", "server_metadata_url"))
    if shared and direct:
        return True, None
    for name, value in auth.items():
        if isinstance(value, Mapping) and all(value.get(k) for k in ("client_id", "client_secret", "server_metadata_url")):
            return shared, name
    return False, None


def auth_config(secrets_obj: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> AuthConfig:
    """Which sign-in applies, from ``st.secrets`` (or any mapping) and the environment."""
    environ = os.environ if environ is None else environ
    moderation = _section(secrets_obj, "moderation")
    auth = _section(secrets_obj, "auth")
    emails_raw = environ.get(EMAILS_ENV) or moderation.get("allowed_emails") or []
    if isinstance(emails_raw, str):
        emails_raw = emails_raw.replace(";", ",").split(",")
    allowed = frozenset(str(e).strip().casefold() for e in emails_raw if str(e).strip())
    if auth:
        complete, provider = _oidc_provider(auth)
        if not complete:
            return AuthConfig(None, problem="moderatie.auth.oidc_incomplete")
        if not allowed:
            return AuthConfig(None, problem="moderatie.auth.oidc_no_emails")
        return AuthConfig("oidc", provider=provider, allowed_emails=allowed)
    password_hash = (environ.get(PASSWORD_ENV) or str(moderation.get("password_hash") or "")).strip()
    if password_hash:
        if not looks_like_hash(password_hash):
            return AuthConfig(None, problem="moderatie.auth.bad_hash")
        return AuthConfig("password", password_hash=password_hash)
    return AuthConfig(None, problem="moderatie.auth.not_configured")


def oidc_user_allowed(config: AuthConfig, email: str | None, email_verified: Any = True) -> bool:
    if config.method != "oidc" or not email:
        return False
    if email_verified is False:
        return False
    return email.strip().casefold() in config.allowed_emails


# -- throttling failed logins ---------------------------------------------------------------------------

@dataclass
class LoginThrottle:
    """Failed logins per client (IP address or session) and in total, in a sliding window.

    After ``max_failures`` failures a client waits ``lockout_seconds``; after ``global_max``
    failures from anywhere everyone waits (slows down guessing spread over many sessions).
    """

    max_failures: int = 5
    window_seconds: float = 300.0
    lockout_seconds: float = 300.0
    global_max: int = 50
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _all: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, client: str, now: float | None = None) -> int:
        now = time.time() if now is None else now
        with self._lock:
            self._forget(now)
            mine = self._failures.get(client, [])
            waits = []
            if len(mine) >= self.max_failures:
                waits.append(mine[-self.max_failures] + self.lockout_seconds - now)
            if len(self._all) >= self.global_max:
                waits.append(self._all[-self.global_max] + self.lockout_seconds - now)
            wait = max(waits, default=0.0)
            return int(wait) + 1 if wait > 0 else 0

    def failure(self, client: str, now: float | None = None) -> int:
        now = time.time() if now is None else now
        with self._lock:
            self._failures.setdefault(client, []).append(now)
            self._all.append(now)
            return len(self._failures[client])

    def success(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)

    def _forget(self, now: float) -> None:
        horizon = now - max(self.window_seconds, self.lockout_seconds)
        for client in list(self._failures):
            kept = [t for t in self._failures[client] if t > horizon]
            if kept:
                self._failures[client] = kept
            else:
                del self._failures[client]
        self._all = [t for t in self._all if t > horizon]


# -- server-side login sessions ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Grant:
    actor: str
    session_id: str
    fingerprint: str
    expires: float


class SessionRegistry:
    """Login sessions held in this server process. The browser session only carries a random
    token; forging it means guessing 256 random bits, and a token only works in the Streamlit
    session it was issued to and only while the configured credentials stay the same."""

    def __init__(self, lifetime: float = SESSION_SECONDS):
        self.lifetime = lifetime
        self._grants: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    def issue(self, actor: str, session_id: str, fingerprint: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._grants = {k: g for k, g in self._grants.items() if g.expires > now}
            self._grants[self._key(token)] = _Grant(actor, session_id, fingerprint, now + self.lifetime)
        return token

    def actor_for(self, token: Any, session_id: str, fingerprint: str, now: float | None = None) -> str | None:
        if not isinstance(token, str) or not token or len(token) > 200:
            return None
        now = time.time() if now is None else now
        with self._lock:
            grant = self._grants.get(self._key(token))
        if grant is None or grant.expires <= now:
            return None
        if not hmac.compare_digest(grant.session_id, session_id) or grant.fingerprint != fingerprint:
            return None
        return grant.actor

    def revoke(self, token: Any) -> None:
        if isinstance(token, str):
            with self._lock:
                self._grants.pop(self._key(token), None)


# In-process versions, for tools and tests without a database; the pages use the database's.
THROTTLE = LoginThrottle()
SESSIONS = SessionRegistry()


# -- shared through the database (every replica, the CLI) -----------------------------------------------

class StoreSessions(SessionRegistry):
    """Login sessions in the database (table ``moderator_sessions``), so that every app process
    sees a sign-in, a sign-out and a revocation at once. Same rules as :class:`SessionRegistry`."""

    def __init__(self, store: Any, lifetime: float = SESSION_SECONDS):
        super().__init__(lifetime)
        self.store = store

    def issue(self, actor: str, session_id: str, fingerprint: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        token = secrets.token_urlsafe(32)

        def write(cur: Any) -> None:
            cur.execute("DELETE FROM moderator_sessions WHERE expires_at <= ?", [now])
            cur.execute("INSERT INTO moderator_sessions (token_hash, actor, session_id, fingerprint, expires_at) "
                        "VALUES (?, ?, ?, ?, ?)", [self._key(token), actor, session_id, fingerprint, now + self.lifetime])

        self.store.run_in_transaction(write)
        return token

    def actor_for(self, token: Any, session_id: str, fingerprint: str, now: float | None = None) -> str | None:
        if not isinstance(token, str) or not token or len(token) > 200:
            return None
        now = time.time() if now is None else now
        rows = self.store.rows("SELECT actor, session_id, fingerprint, expires_at FROM moderator_sessions "
                               "WHERE token_hash = ?", [self._key(token)])
        if not rows:
            return None
        actor, issued_to, issued_for, expires = rows[0]
        if expires <= now or not hmac.compare_digest(issued_to, session_id) or issued_for != fingerprint:
            return None
        return actor

    def revoke(self, token: Any) -> None:
        if isinstance(token, str):
            self.store.run_in_transaction(
                lambda cur: cur.execute("DELETE FROM moderator_sessions WHERE token_hash = ?", [self._key(token)]))

    def revoke_actor(self, actor: str) -> int:
        """End every session of one moderator (e.g. an administrator withdrawing access)."""
        return len(self.store.run_in_transaction(lambda cur: cur.execute(
            "DELETE FROM moderator_sessions WHERE actor = ? RETURNING token_hash", [actor]).fetchall()))


@dataclass
class StoreThrottle(LoginThrottle):
    """Failed logins in the database (table ``login_failures``): a lock-out holds on every app
    process and survives a restart. Same limits as :class:`LoginThrottle`."""

    store: Any = None

    def _horizon(self, now: float) -> float:
        return now - max(self.window_seconds, self.lockout_seconds)

    def wait_seconds(self, client: str, now: float | None = None) -> int:
        now = time.time() if now is None else now
        horizon = self._horizon(now)
        waits = []
        mine = self.store.rows("SELECT failed_at FROM login_failures WHERE client = ? AND failed_at > ? "
                               "ORDER BY failed_at DESC LIMIT ?", [client, horizon, self.max_failures])
        if len(mine) >= self.max_failures:
            waits.append(mine[-1][0] + self.lockout_seconds - now)
        anyone = self.store.rows("SELECT failed_at FROM login_failures WHERE failed_at > ? "
                                 "ORDER BY failed_at DESC LIMIT 1 OFFSET ?", [horizon, self.global_max - 1])
        if anyone:
            waits.append(anyone[0][0] + self.lockout_seconds - now)
        wait = max(waits, default=0.0)
        return int(wait) + 1 if wait > 0 else 0

    def failure(self, client: str, now: float | None = None) -> int:
        now = time.time() if now is None else now
        horizon = self._horizon(now)

        def write(cur: Any) -> int:
            cur.execute("DELETE FROM login_failures WHERE failed_at <= ?", [horizon])
            cur.execute("INSERT INTO login_failures (client, failed_at) VALUES (?, ?)", [client, now])
            return cur.execute("SELECT count(*) FROM login_failures WHERE client = ?", [client]).fetchone()[0]

        return int(self.store.run_in_transaction(write))

    def success(self, client: str) -> None:
        self.store.run_in_transaction(lambda cur: cur.execute("DELETE FROM login_failures WHERE client = ?", [client]))


def sessions(store: Any) -> StoreSessions:
    """The login sessions every app process shares (in ``store``'s database)."""
    return StoreSessions(store)


def throttle(store: Any) -> StoreThrottle:
    """The failed-login throttle every app process shares (in ``store``'s database)."""
    return StoreThrottle(store=store)


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    actor: str | None = None
    token: str | None = None
    wait_seconds: int = 0
    error: str | None = None                    # i18n key


def password_login(config: AuthConfig, name: str, password: str, *, client: str, session_id: str,
                   throttle: LoginThrottle | None = None, sessions: SessionRegistry | None = None,
                   now: float | None = None) -> LoginResult:
    """Check a moderator password (rate-limited) and open a server-side session. Failed attempts
    are logged with the client key only — never the password or what was typed."""
    throttle = throttle or THROTTLE
    sessions = sessions or SESSIONS
    if config.method != "password" or not config.password_hash:
        return LoginResult(False, error="moderatie.auth.not_configured")
    wait = throttle.wait_seconds(client, now)
    if wait:
        LOGGER.warning("Moderator login refused for %s: locked for %d s after repeated failures", client, wait)
        return LoginResult(False, wait_seconds=wait, error="moderatie.auth.locked")
    actor = " ".join(str(name or "").split())[:60]
    if not actor:
        return LoginResult(False, error="moderatie.auth.name_required")
    if not verify_password(password or "", config.password_hash):
        count = throttle.failure(client, now)
        LOGGER.warning("Failed moderator login for %s (%d recent failures)", client, count)
        return LoginResult(False, error="moderatie.auth.wrong_password")
    throttle.success(client)
    token = sessions.issue(actor, session_id, config.fingerprint, now)
    LOGGER.info("Moderator %s signed in (%s)", actor, client)
    return LoginResult(True, actor=actor, token=token)


# -- command line: python -m mapping hash-password -------------------------------------------------------

def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hash-password", help="create the moderator password hash for secrets.toml or the environment",
        description="Reads a new moderator password (twice, not echoed) and prints its scrypt hash.")
    parser.add_argument("--stdin", action="store_true", help="read the password from standard input (scripts)")
    parser.set_defaults(handler=run_hash_password)


def run_hash_password(args: argparse.Namespace, out=None) -> int:
    out = out or sys.stdout
    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        again = password
    else:
        password = getpass.getpass("Nieuw moderatorwachtwoord / new moderator password: ")
        again = getpass.getpass("Nogmaals / again: ")
    if password != again:
        print("De wachtwoorden verschillen. / The passwords differ.", file=sys.stderr)
        return 2
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"Gebruik minstens {MIN_PASSWORD_LENGTH} tekens. / Use at least {MIN_PASSWORD_LENGTH} characters.",
              file=sys.stderr)
        return 2
    encoded = hash_password(password)
    print(encoded, file=out)
    print("\nZet dit in .streamlit/secrets.toml / put this in .streamlit/secrets.toml:\n"
          f"  [moderation]\n  password_hash = \"{encoded}\"\n"
          f"of als omgevingsvariabele / or as an environment variable:\n  export {PASSWORD_ENV}='{encoded}'",
          file=sys.stderr)
    return 0
