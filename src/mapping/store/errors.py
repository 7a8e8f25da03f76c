"""The store's own exception types: what pages, the CLI and modules catch instead of engine errors.

Every engine (DuckDB, PostgreSQL) translates its errors into these, keeping the original as
``__cause__`` for the log. Messages say what happened and what to do next.
"""

from __future__ import annotations


class StoreError(RuntimeError):
    """A database problem explained for the user, with what to do next."""


class DatabaseBusy(StoreError):
    """The database file is held by another process (embedded mode)."""


class DatabaseMissing(StoreError):
    """There is no database yet: run ``python -m mapping build``."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or written right now (server stopped, disk full); try again later."""


class StoreConflict(StoreError):
    """Two writers changed the same rows at the same time and the retries ran out; try again."""


class StoreIntegrityError(StoreError):
    """A write broke a constraint (duplicate key, missing reference, NOT NULL)."""


class StoreQueryError(StoreError):
    """A statement the engine refused (a programming error: unknown column, bad syntax)."""
