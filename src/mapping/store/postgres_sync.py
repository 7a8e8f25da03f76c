"""Whole-database work in server mode, done by the embedded engine on a local copy.

``build``, ``backup`` and ``restore`` keep one implementation (the DuckDB one, with its
spatial functions and Parquet files): the PostgreSQL data is copied into a temporary DuckDB file,
the work runs there, and for ``build``/``restore`` the result is written back in **one PostgreSQL
transaction** that holds an ``EXCLUSIVE`` lock on the application's tables from the copy to the
commit. Replicas keep reading the old data meanwhile (MVCC); their writes wait for the commit, so
no sign-up made during a build is lost.
"""

from __future__ import annotations

import contextlib
import pathlib
import tempfile
from collections.abc import Callable, Iterator
from typing import TypeVar

from mapping.progress import ProgressFn, silent
from mapping.store import Store
from mapping.store.postgres import PgCursor, PostgresStore

T = TypeVar("T")


def _local_tables(local: Store) -> list[str]:
    return [name for (name,) in local.rows(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT temporary ORDER BY table_name")]


def _pg_columns(cur: PgCursor, table: str) -> dict[str, str]:
    rows = cur.execute("SELECT column_name, udt_name FROM information_schema.columns "
                       "WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()
    return {name: udt for name, udt in rows}


def _local_columns(local: Store, table: str) -> dict[str, str]:
    return {name: kind for name, kind in local.rows(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [table])}


def pull(cur: PgCursor, local: Store, progress: ProgressFn = silent) -> None:
    """Copy every table the local schema knows from PostgreSQL (inside ``cur``'s transaction)."""
    tables = _local_tables(local)
    for number, table in enumerate(tables):
        progress(number, len(tables), f"kopie van {table} ophalen")
        remote = _pg_columns(cur, table)
        mine = _local_columns(local, table)
        columns = [c for c in mine if c in remote]
        if not columns:
            continue
        select = ", ".join(f"ST_AsBinary({c}) AS {c}" if remote[c] == "geometry" else
                           f"CAST({c} AS TEXT) AS {c}" if remote[c] in ("json", "jsonb") else c for c in columns)
        frame = cur.execute(f"SELECT {select} FROM {table}").df()
        local_cur = local.cursor()
        local_cur.execute(f"DELETE FROM {table}")
        if frame.empty:
            continue
        local_cur.register("pulled_rows", frame)
        values = ", ".join(f"ST_GeomFromWKB({c})" if remote[c] == "geometry" else
                           f"CAST({c} AS {mine[c]})" for c in columns)
        local_cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM pulled_rows")
        local_cur.unregister("pulled_rows")
    # sequences: the local copy continues where the server is
    for (name,) in local.rows("SELECT sequence_name FROM duckdb_sequences() WHERE database_name = current_database()"):
        row = cur.execute("SELECT last_value, is_called FROM " + name).fetchone() if _pg_sequence(cur, name) else None
        if row and row[1]:
            from mapping.backup import _advance_sequence

            _advance_sequence(local.cursor(), name, int(row[0]) + 1)


def _pg_sequence(cur: PgCursor, name: str) -> bool:
    return cur.execute("SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = ?", [name]).fetchone() is not None


def push(cur: PgCursor, local: Store, progress: ProgressFn = silent) -> dict[str, int]:
    """Replace the PostgreSQL rows of every local table by the local ones (inside ``cur``'s transaction)."""
    counts: dict[str, int] = {}
    tables = _local_tables(local)
    for number, table in enumerate(tables):
        progress(number, len(tables), f"{table} schrijven")
        remote = _pg_columns(cur, table)
        if not remote:  # a table only the local copy has (should not happen: one schema)
            continue
        columns = [c for c in _local_columns(local, table) if c in remote]
        cur.execute(f"DELETE FROM {table}")
        select = ", ".join(f"ST_AsHEXWKB({c})" if remote[c] == "geometry" else c for c in columns)
        rows = local.cursor().execute(f"SELECT {select} FROM {table}").fetchall()
        with cur._cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        counts[table] = len(rows)
    for name, last in local.rows("SELECT sequence_name, last_value FROM duckdb_sequences() "
                                 "WHERE database_name = current_database()"):
        if last is not None and _pg_sequence(cur, name):
            cur.execute("SELECT setval(?, ?)", [name, int(last)])
    return counts


@contextlib.contextmanager
def locked_copy(store: PostgresStore, progress: ProgressFn = silent, *,
                lock: bool = True) -> Iterator[tuple[PgCursor, Store]]:
    """A local DuckDB copy of the server's data, with the server's tables locked against writes
    until the block ends (commit) or fails (rollback). Without ``lock`` it is a consistent snapshot
    (REPEATABLE READ) and replicas keep writing meanwhile."""
    with tempfile.TemporaryDirectory(prefix="zbk-pg-work-") as tmp:
        local = Store(pathlib.Path(tmp) / "work.duckdb")
        try:
            with store.transaction() as cur:
                if not lock:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                tables = [t for t in _local_tables(local) if _pg_columns(cur, t)]
                if tables and lock:
                    cur.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
                pull(cur, local, progress)
                yield cur, local
        finally:
            local.close()


def build(store: PostgresStore, *, progress: ProgressFn = silent) -> dict[str, int]:
    """``ingest.build`` for the server: same steps, same progress, kept submissions."""
    from mapping import ingest

    with locked_copy(store) as (cur, local):
        counts = ingest.build(local, progress=progress)
        local.bump_data_version()
        push(cur, local)
    store.refresh_schema()
    store.bump_data_version()
    return counts


def export_copy(store: PostgresStore, work: Callable[[Store], T]) -> T:
    """Run ``work`` on a consistent local copy (for a backup) while replicas keep writing; nothing
    is written back."""
    with locked_copy(store, lock=False) as (_cur, local):
        return work(local)


def replace_from(store: PostgresStore, source: Store, progress: ProgressFn = silent) -> dict[str, int]:
    """Replace all server data by the tables of ``source`` (a restored backup), in one transaction."""
    with store.transaction() as cur:
        tables = [t for t in _local_tables(source) if _pg_columns(cur, t)]
        progress(0, 1, "tabellen vergrendelen")
        if tables:
            cur.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
        counts = push(cur, source, progress)
    store.refresh_schema()
    store.bump_data_version()
    return counts
