"""Server mode: the store on PostgreSQL 15+ with PostGIS, shared by many app replicas and the CLI.

Design (chosen so the existing DuckDB-dialect SQL keeps working, about 190 call sites):

- **Read path**: an in-process DuckDB connection with the ``postgres_scanner`` extension
  ``ATTACH``-es the database read-only as ``pg`` and makes it the default catalog, so every
  ``df``/``rows``/``scalar`` query (spatial functions included: PostGIS geometry arrives as
  DuckDB ``GEOMETRY``) runs unchanged. Every query reads the current data from PostgreSQL (the
  extension caches the *schema*, not rows; see ``refresh_schema``), in its own snapshot.
- **Write path**: ``transaction``/``run_in_transaction``/``execute`` go through a psycopg 3
  connection pool (``psycopg_pool``), one PostgreSQL transaction each, READ COMMITTED: an
  ``UPDATE … WHERE status = ?`` re-checks the row after taking its lock, so compare-and-set is
  exact. ``?`` placeholders are translated to ``%s`` here; serialization failures and deadlocks
  are retried like DuckDB's write-write conflicts.
- **Faults**: a stopped server surfaces as :class:`StoreUnavailable`; the pool checks connections
  before handing them out and the DuckDB read connection is rebuilt after a failure, so a replica
  recovers by itself when PostgreSQL is back.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import psycopg
import psycopg_pool

from mapping.store import MIGRATIONS, SCHEMA_FILE, SCHEMA_VERSION, Store
from mapping.store import duckdb_engine
from mapping.store import retry as _retry
from mapping.store.errors import (DatabaseMissing, StoreConflict, StoreError, StoreIntegrityError, StoreQueryError,
                                  StoreUnavailable)
from mapping.store.schema_postgres import EXTRA_SCHEMA_FILE, to_postgres_dialect, to_postgres_schema

T = TypeVar("T")
SCHEMA_LOCK = 727_012  # pg_advisory_xact_lock key: one replica applies schema/migrations at a time
_WRITE_START = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|TRUNCATE|GRANT|COMMENT|SET|LOCK)\b", re.I)
DATA_VERSION_TTL = 1.0  # seconds a replica trusts its last read of data_version (pages check per run)


def redact(url: str) -> str:
    """The URL without its password, for messages and cache keys."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def to_pyformat(sql: str) -> str:
    """``?`` → ``%s`` and ``%`` → ``%%`` outside quoted strings and identifiers."""
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


def translate(exc: BaseException) -> BaseException:
    """The project's exception for a psycopg / pool error."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected,
                        psycopg.errors.LockNotAvailable)):
        kind: type[StoreError] = StoreConflict
    elif isinstance(exc, psycopg.IntegrityError):
        kind = StoreIntegrityError
    elif isinstance(exc, (psycopg.OperationalError, psycopg_pool.PoolTimeout, psycopg.InterfaceError,
                          psycopg_pool.PoolClosed)) or isinstance(exc, psycopg.errors.AdminShutdown):
        return _unavailable(exc)
    elif isinstance(exc, (psycopg.ProgrammingError, psycopg.DataError)):
        kind = StoreQueryError
    elif isinstance(exc, psycopg.Error):
        kind = StoreError
    else:
        return exc
    translated = kind(str(exc))
    translated.__cause__ = exc
    return translated


def _unavailable(exc: BaseException) -> StoreUnavailable:
    translated = StoreUnavailable(
        "The database server cannot be reached right now; try again in a minute. "
        f"({type(exc).__name__}: {str(exc).strip()[:200]})")
    translated.__cause__ = exc
    return translated


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str, bytes)):
        return value.item()  # numpy scalar
    return value


def _pg_type(column: pd.Series) -> str:
    """The PostgreSQL type for a registered frame's column (from its first value)."""
    values = [v for v in column.tolist() if _plain(v) is not None]
    if not values:
        return "text"
    first = values[0]
    if isinstance(first, (list, tuple)):
        return "text[]"
    if isinstance(first, bool):
        return "boolean"
    if isinstance(first, int):
        return "bigint"
    if isinstance(first, float):
        return "double precision"
    import datetime as dt

    if isinstance(first, dt.datetime):
        return "timestamp"
    if isinstance(first, dt.date):
        return "date"
    return "text"


class PgCursor:
    """A psycopg cursor that speaks the store's dialect: ``?`` placeholders, ``df()``, chaining."""

    def __init__(self, cursor: psycopg.Cursor):
        self._cursor = cursor

    def execute(self, sql: str, parameters: Sequence[Any] | dict | None = None) -> "PgCursor":
        sql = to_postgres_dialect(sql)
        if parameters:
            self._cursor.execute(to_pyformat(sql), list(parameters))
        else:
            self._cursor.execute(sql)
        return self

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall()

    def df(self) -> pd.DataFrame:
        columns = [d.name for d in self._cursor.description or []]
        return pd.DataFrame(self._cursor.fetchall(), columns=columns)

    def register(self, name: str, frame: pd.DataFrame) -> "PgCursor":
        """DuckDB's ``register`` of a data frame, for the write path: a temporary table of this
        transaction filled by COPY (so ``INSERT … SELECT … FROM name`` runs unchanged)."""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise StoreQueryError(f"Not a table name: {name!r}")
        columns = [str(c) for c in frame.columns]
        types = [_pg_type(frame[c]) for c in frame.columns]
        definition = ", ".join(f'"{c}" {kind}' for c, kind in zip(columns, types))
        self._cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
        self._cursor.execute(f'CREATE TEMP TABLE "{name}" ({definition}) ON COMMIT DROP')
        quoted = ", ".join(f'"{c}"' for c in columns)
        with self._cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row([_plain(v) for v in row])
        return self

    def unregister(self, name: str) -> "PgCursor":
        self._cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
        return self

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def connection(self) -> psycopg.Connection:
        return self._cursor.connection


class PostgresStore:
    """The project's schema on a PostgreSQL/PostGIS server; the same methods as :class:`Store`."""

    engine = "postgres"

    def __init__(self, url: str, *, read_only: bool = False, create: bool = True, lazy_spatial: bool = False,
                 pool_size: int = 8, connect_timeout: float = 5.0):
        self.url = url
        self.path = redact(url)
        self.read_only = read_only
        self._pool = psycopg_pool.ConnectionPool(
            url, min_size=1, max_size=pool_size, open=False, timeout=connect_timeout,
            check=psycopg_pool.ConnectionPool.check_connection, name="mapping",
            kwargs={"connect_timeout": max(1, int(connect_timeout)), "application_name": "zorgzame-buurten-kaart"},
            reconnect_timeout=0)
        try:
            self._pool.open(wait=True, timeout=connect_timeout)
        except psycopg_pool.PoolTimeout as exc:
            self._pool.close()
            raise _unavailable(exc) from exc
        self._local = threading.local()
        self._duck_lock = threading.Lock()
        self._duck = None
        self._duck_generation = 0
        self._version_cache: tuple[float, int] | None = None
        if create and not read_only:
            self.apply_schema()
        elif self.get_meta("schema_version") is None:
            raise DatabaseMissing(f"No Zorgzame Buurten Kaart schema in {self.path}. Create it with "
                                  f"`python -m mapping --database-url {self.path} build`.")

    # -- schema -----------------------------------------------------------------------------
    def apply_schema(self) -> None:
        """Create or upgrade the schema (idempotent), one replica at a time (advisory lock)."""
        schema = to_postgres_schema(SCHEMA_FILE.read_text(encoding="utf-8"))
        extra = EXTRA_SCHEMA_FILE.read_text(encoding="utf-8")
        with self.transaction() as cur:
            cur.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            cur.execute(schema)
            cur.execute(extra)
            exists = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(exists[0]) if exists and exists[0] else 0
            for number, statements in MIGRATIONS:
                if number > version:
                    for statement in statements:
                        cur.execute(statement)
                    version = number
            version = max(version, SCHEMA_VERSION)
            cur.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE "
                        "SET value = excluded.value", [str(version)])
            cur.execute("INSERT INTO meta VALUES ('data_version', '0') ON CONFLICT (key) DO NOTHING")
        self.refresh_schema()

    def refresh_schema(self) -> None:
        """Make the read path see new tables and columns (the postgres extension caches the schema)."""
        with self._duck_lock:
            if self._duck is not None:
                with contextlib.suppress(Exception):
                    self._duck.execute("SELECT * FROM pg_clear_cache()")

    def get_meta(self, key: str) -> str | None:
        row = self._write_query("SELECT value FROM meta WHERE key = ?", [key], fetch=True)
        return row[0][0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._write_query("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                          [key, value])

    def bump_data_version(self, cur: PgCursor | None = None) -> None:
        sql = ("UPDATE meta SET value = CAST(coalesce(CAST(value AS BIGINT), 0) + 1 AS VARCHAR) "
               "WHERE key = 'data_version'")
        if cur is not None:
            cur.execute(sql)
        else:
            self._write_query(sql, None)
        self._version_cache = None

    def data_version(self) -> int:
        """The shared data version (a row in PostgreSQL), re-read at most once per second per replica:
        an approval on one replica reaches the caches of all others within about a second."""
        cached = self._version_cache
        now = time.monotonic()
        if cached and now - cached[0] < DATA_VERSION_TTL:
            return cached[1]
        value = int(self.get_meta("data_version") or 0)
        self._version_cache = (now, value)
        return value

    # -- write path (psycopg) -------------------------------------------------------------------
    def _write_query(self, sql: str, params: Sequence[Any] | None, *, fetch: bool = False) -> list[tuple] | None:
        with self.transaction() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if fetch and cur._cursor.description else None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PgCursor]:
        """One PostgreSQL transaction on a pooled connection: committed whole or not at all."""
        try:
            with self._pool.connection() as con:
                if self.read_only:
                    con.read_only = True
                with con.cursor() as cur:
                    yield PgCursor(cur)
        except (psycopg.Error, psycopg_pool.PoolTimeout, psycopg_pool.PoolClosed) as exc:
            raise translate(exc) from exc

    def run_in_transaction(self, work: Callable[[PgCursor], T], *, retries: int = 8) -> T:
        """Run ``work(cursor)`` atomically, retrying on write-write conflicts between writers."""
        return _retry.run_in_transaction(self.transaction, work, retries=retries)

    # -- read path (DuckDB over the postgres extension) ---------------------------------------
    def _duckdb(self):
        with self._duck_lock:
            if self._duck is None:
                con = duckdb_engine.connect(":memory:")
                try:
                    duckdb_engine.load_spatial(con)
                    duckdb_engine.load_postgres(con)
                    con.execute(f"ATTACH '{self.url.replace(chr(39), chr(39) * 2)}' AS pg (TYPE postgres, READ_ONLY)")
                except duckdb_engine.Error as exc:
                    con.close()
                    raise duckdb_engine.translate(exc) from exc
                self._duck = con
                self._duck_generation += 1
            return self._duck, self._duck_generation

    def cursor(self):
        """A DuckDB cursor of the calling thread whose default catalog is the PostgreSQL database."""
        con, generation = self._duckdb()
        local = getattr(self._local, "cursor", None)
        if local is None or local[1] != generation:
            cur = con.cursor()
            cur.execute("USE pg")
            self._local.cursor = local = (cur, generation)
        return local[0]

    def ensure_spatial(self) -> None:
        self._duckdb()

    def _drop_read_connection(self) -> None:
        with self._duck_lock:
            if self._duck is not None:
                with contextlib.suppress(Exception):
                    self._duck.close()
                self._duck = None

    def _read(self, sql: str, params: Sequence[Any] | dict | None):
        for attempt in (0, 1):
            try:
                return self.cursor().execute(sql, params or [])
            except duckdb_engine.Error as exc:
                translated = duckdb_engine.translate(exc)
                if isinstance(translated, StoreUnavailable) or "postgres" in str(exc).lower() and \
                        "connect" in str(exc).lower():
                    self._drop_read_connection()   # rebuilt on the next call: recovers when the server is back
                    raise _unavailable(exc) from exc
                if attempt == 0 and isinstance(translated, StoreQueryError) and "does not exist" in str(exc):
                    self.refresh_schema()  # a table or column added by another process since we looked
                    continue
                raise translated from exc
        raise AssertionError("unreachable")

    def df(self, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        if _WRITE_START.match(sql):
            with self.transaction() as cur:
                cur.execute(sql, params)
                return cur.df() if cur._cursor.description else pd.DataFrame()
        return self._read(sql, params).df()

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        if _WRITE_START.match(sql):
            return self._write_query(sql, params, fetch=True) or []
        return self._read(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> None:
        if _WRITE_START.match(sql):
            self._write_query(sql, params)
        else:
            self._read(sql, params)

    # -- page cache ---------------------------------------------------------------------------
    def cached_page(self, name: str, fingerprint: str) -> str | None:
        rows = self._write_query("SELECT body FROM page_cache WHERE name = ? AND fingerprint = ?",
                                 [name, fingerprint], fetch=True)
        return rows[0][0] if rows else None

    def cache_page(self, name: str, fingerprint: str, body: str) -> bool:
        if self.read_only:
            return False
        try:
            self._write_query(
                "INSERT INTO page_cache (name, fingerprint, body) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                "SET fingerprint = excluded.fingerprint, body = excluded.body, created_at = now()",
                [name, fingerprint, body])
        except StoreError:
            return False
        return True

    def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL checkpoints by itself."""

    def close(self) -> None:
        self._drop_read_connection()
        with contextlib.suppress(Exception):
            self._pool.close()

    add_revision = staticmethod(Store.add_revision)
