"""The one place that talks to the database engine (the store package).

Two engines behind one API:

- embedded (default): a DuckDB file, :class:`Store` here. Owns opening the file, loading the
  spatial extension from its installed wheel, applying ``schema.sql`` and migrations, transactions
  with retries, and per-thread cursors (a DuckDB connection object is not thread-safe; cursors of
  one shared connection are).
- server: PostgreSQL 15+ with PostGIS, :class:`mapping.store.postgres.PostgresStore`, chosen by
  ``MAPPING_DATABASE_URL`` / ``[database] url`` in secrets / ``--database-url``. It keeps the same
  methods, so callers do not know which engine they have.

Other modules receive a store and never import ``duckdb`` or ``psycopg``; they catch
:class:`StoreError` and its subclasses (``mapping.store.errors``), never engine errors. New SQL
goes into an aggregate module of this package (``mapping.store.data_version`` is the first).
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

import pandas as pd

from mapping import config
from mapping.store import duckdb_engine as _engine
from mapping.store.duckdb_engine import ENGINE_VERSION, extension_path, load_spatial, spatial_extension_path
from mapping.store import retry as _retry
from mapping.store.errors import (DatabaseBusy, DatabaseMissing, StoreConflict, StoreError, StoreIntegrityError,
                                  StoreQueryError, StoreUnavailable)

__all__ = ["Cursor", "DatabaseBusy", "DatabaseMissing", "ENGINE_VERSION", "MIGRATIONS", "SCHEMA_VERSION", "Store",
           "StoreConflict", "StoreError", "StoreIntegrityError", "StoreQueryError", "StoreUnavailable",
           "extension_path", "load_spatial", "open_store", "spatial_extension_path"]

SCHEMA_FILE = pathlib.Path(__file__).parent.parent / "schema.sql"
SCHEMA_VERSION = 4

# Structural changes beyond the idempotent schema file: (version, [statements]).
MIGRATIONS: list[tuple[int, list[str]]] = [
    (2, [  # label points of regions, for databases built before they were stored
        "ALTER TABLE regions ADD COLUMN IF NOT EXISTS label_lon DOUBLE",
        "ALTER TABLE regions ADD COLUMN IF NOT EXISTS label_lat DOUBLE",
        "UPDATE regions SET label_lon = ST_X(ST_PointOnSurface(geom)), label_lat = ST_Y(ST_PointOnSurface(geom)) "
        "WHERE label_lon IS NULL AND geom IS NOT NULL",
    ]),
    (4, [  # issue 15: venues (schema.sql adds the column before its views; this records the version)
        "ALTER TABLE records ADD COLUMN IF NOT EXISTS venue BOOLEAN DEFAULT false",
    ]),
]

T = TypeVar("T")


class Cursor(Protocol):
    """What a transaction hands to ``work(cur)``: ``execute(sql, params)`` with ``?`` placeholders,
    then ``fetchone()``, ``fetchall()`` or ``df()``. A DuckDB cursor, or the PostgreSQL adapter."""

    def execute(self, sql: str, parameters: Sequence[Any] | dict | None = ...) -> Any: ...

    def fetchone(self) -> tuple | None: ...

    def fetchall(self) -> list[tuple]: ...


_schema_locks: dict[str, threading.Lock] = {}
_schema_locks_guard = threading.Lock()


def _schema_lock(path: str) -> threading.Lock:
    key = path if path == ":memory:" else str(pathlib.Path(path).resolve())
    with _schema_locks_guard:
        return _schema_locks.setdefault(key, threading.Lock())


class Store:
    """A DuckDB database file (or ``:memory:``) with the project's schema."""

    engine = "duckdb"

    def __init__(self, path: str | pathlib.Path, *, read_only: bool = False, create: bool = True,
                 lazy_spatial: bool = False):
        self.path = str(path)
        self.read_only = read_only
        if self.path != ":memory:":
            file = pathlib.Path(self.path)
            if not file.exists():
                if read_only or not create:
                    raise DatabaseMissing(
                        f"No database at {file}. Create it with `python -m mapping build --db {file}`."
                    )
                file.parent.mkdir(parents=True, exist_ok=True)
        self.con = _engine.connect(self.path, read_only=read_only)
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._spatial = False
        self._spatial_lock = threading.Lock()
        if not lazy_spatial:
            self.ensure_spatial()
        if not read_only:
            self.apply_schema()

    def ensure_spatial(self) -> None:
        """Load the spatial extension (once; about 0.2 s). Stores opened with ``lazy_spatial``
        do it on the first query that needs it, so a page that only reads never pays for it."""
        if not self._spatial:
            with self._spatial_lock:
                if not self._spatial:
                    load_spatial(self.con)
                    self._spatial = True

    # -- schema -----------------------------------------------------------------------------
    def apply_schema(self) -> None:
        # Two stores of one file in one process (the pages' and the API's, opened by the warm-up and
        # the first request at the same moment) would apply the schema concurrently, which DuckDB
        # refuses with a catalog write-write conflict: one at a time per file.
        with _schema_lock(self.path):
            self._apply_schema()

    def _apply_schema(self) -> None:
        self.con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
        current = self.get_meta("schema_version")
        version = int(current) if current else 0
        if any(number > version for number, _ in MIGRATIONS):
            self.ensure_spatial()
        for number, statements in MIGRATIONS:
            if number > version:
                with self.transaction() as cur:
                    for statement in statements:
                        cur.execute(statement)
                version = number
        if version < SCHEMA_VERSION:
            version = SCHEMA_VERSION
        self.set_meta("schema_version", str(version))
        self._cursor().execute("INSERT INTO meta VALUES ('data_version', '0') ON CONFLICT (key) DO NOTHING")

    def get_meta(self, key: str) -> str | None:
        row = self._cursor().execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._cursor().execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def bump_data_version(self, cur: Cursor | None = None) -> None:
        """Mark public data as changed (cache keys include ``data_version``); pass ``cur`` to do it
        inside the same transaction as the write itself."""
        # A plain UPDATE of the row made by apply_schema: concurrent bumps then surface as a
        # transaction conflict, which run_in_transaction retries. (INSERT … ON CONFLICT from two
        # transactions at once fails with a ConstraintException "Duplicate key", never retried.)
        (cur or self._cursor()).execute(
            "UPDATE meta SET value = CAST(coalesce(TRY_CAST(value AS BIGINT), 0) + 1 AS VARCHAR) "
            "WHERE key = 'data_version'"
        )

    # -- access -----------------------------------------------------------------------------
    def cursor(self) -> Cursor:
        """A cursor owned by the calling thread (DuckDB requires one per thread), with the spatial
        extension loaded."""
        self.ensure_spatial()
        return self._cursor()

    def _cursor(self) -> Cursor:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self.con.cursor()  # extensions are per database, so every cursor sees spatial
            self._local.cursor = cur
        return cur

    def _run(self, sql: str, params: Sequence[Any] | dict | None) -> Cursor:
        try:
            try:
                return self._cursor().execute(sql, params or [])
            except _engine.Error as exc:
                # a spatial function in a store opened with lazy_spatial: load it and run again
                if self._spatial or not _engine.is_missing_spatial(exc):
                    raise
                self.ensure_spatial()
                return self._cursor().execute(sql, params or [])
        except _engine.Error as exc:
            raise _engine.translate(exc) from exc

    def df(self, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        return self._run(sql, params).df()

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        return self._run(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        row = self._run(sql, params).fetchone()
        return row[0] if row else None

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> None:
        self._run(sql, params)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """One atomic unit of work on this thread's cursor: committed whole or not at all."""
        cur = self.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                with contextlib.suppress(Exception):
                    cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
        except _engine.Error as exc:
            raise _engine.translate(exc) from exc

    def run_in_transaction(self, work: Callable[[Cursor], T], *, retries: int = 8) -> T:
        """Run ``work(cursor)`` atomically, retrying on write-write conflicts between writers."""
        return _retry.run_in_transaction(self.transaction, work, retries=retries)

    def export_csv(self, sql: str, params: Sequence[Any] | None = None) -> bytes:
        """The rows of ``sql`` as CSV written by the engine itself (no Python loop): header, ``;``,
        CRLF, quotes only where needed, NULL as an empty cell, UTF-8 with a byte order mark (for
        Dutch Excel). DuckDB's ``COPY … TO`` is engine-specific, so it stays here; another engine
        implements this one method (PostgreSQL: ``COPY … TO STDOUT``)."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="mapping-csv-") as folder:
            target = pathlib.Path(folder) / "export.csv"
            self._run(f"COPY ({sql}) TO '{target.as_posix()}' "
                      "(FORMAT csv, HEADER true, DELIMITER ';', QUOTE '\"', NEW_LINE '\r\n')", params)
            return "\ufeff".encode("utf-8") + target.read_bytes()

    # -- page cache ---------------------------------------------------------------------------
    def cached_page(self, name: str, fingerprint: str) -> str | None:
        """The stored ``body`` of ``name`` if it was made for ``fingerprint``, else None."""
        return self.scalar("SELECT body FROM page_cache WHERE name = ? AND fingerprint = ?", [name, fingerprint])

    def cache_page(self, name: str, fingerprint: str, body: str) -> bool:
        """Store ``body`` as ``name`` (replacing an older one); False when it could not be kept
        (a read-only store, a concurrent write): a cache, so never an error for the page."""
        if self.read_only:
            return False
        try:
            self.execute(
                "INSERT INTO page_cache (name, fingerprint, body) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                "SET fingerprint = excluded.fingerprint, body = excluded.body, created_at = now()",
                [name, fingerprint, body],
            )
        except StoreError:
            return False
        return True

    def checkpoint(self) -> None:
        if not self.read_only:
            self._cursor().execute("CHECKPOINT")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.close()

    # -- audit ------------------------------------------------------------------------------
    @staticmethod
    def add_revision(cur: Cursor, entity_type: str, entity_id: str, action: str,
                     actor: str, changes: dict | None = None) -> None:
        cur.execute(
            "INSERT INTO revisions (entity_type, entity_id, action, actor, changes) VALUES (?, ?, ?, ?, ?)",
            [entity_type, entity_id, action, actor, json.dumps(changes or {}, ensure_ascii=False, default=str)],
        )


    # -- data version -------------------------------------------------------------------------
    def data_version(self) -> int:
        """The counter every public write bumps (one indexed read): page caches key on it."""
        return int(self.scalar("SELECT value FROM meta WHERE key = 'data_version'") or 0)


def open_store(db: str | pathlib.Path | None = None, *, read_only: bool = False, create: bool = True,
               database_url: str | None = None) -> Store:
    """The configured store: PostgreSQL when a database URL is set (argument, ``MAPPING_DATABASE_URL``
    or ``[database] url`` in ``.streamlit/secrets.toml``) and no explicit ``db`` file is given,
    else the DuckDB file ``db`` / ``MAPPING_DB`` / the default."""
    url = database_url or (None if db else config.database_url())
    if url:
        from mapping.store.postgres import PostgresStore

        return PostgresStore(url, read_only=read_only, create=create)  # type: ignore[return-value]
    return Store(config.db_path(db), read_only=read_only, create=create)
