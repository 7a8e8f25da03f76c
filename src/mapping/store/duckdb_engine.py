"""DuckDB specifics: the spatial (and postgres) extensions from their wheels, and error translation.

Extensions are loaded from the installed ``duckdb-extension-*`` wheels by file path: no network,
nothing written to ``$HOME``.
"""

from __future__ import annotations

import importlib
import pathlib

import duckdb

from mapping.store.errors import (DatabaseBusy, StoreConflict, StoreError, StoreIntegrityError, StoreQueryError,
                                  StoreUnavailable)

ENGINE_VERSION = duckdb.__version__
Error = duckdb.Error


def extension_path(name: str) -> pathlib.Path:
    """The ``name`` extension file shipped by the ``duckdb-extension-<name>`` wheel."""
    try:
        module = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError:
        raise StoreError(f"The DuckDB {name} extension is not installed. Run `pip install -r requirements.txt` "
                         f"(it pins duckdb-extension-{name}).") from None
    version = duckdb.__version__
    base = pathlib.Path(module.__file__).parent / "extensions"
    candidate = base / f"v{version}" / f"{name}.duckdb_extension"
    if candidate.exists():
        return candidate
    found = sorted(base.glob(f"*/{name}.duckdb_extension"))
    if not found:
        raise StoreError(f"The DuckDB {name} extension is not installed. Run "
                         f"`pip install -r requirements.txt` (it pins duckdb-extension-{name}).")
    raise StoreError(
        f"duckdb {version} does not match the installed {name} extension ({found[0].parent.name}). "
        "Reinstall with `pip install -r requirements.txt` so both versions match."
    )


def spatial_extension_path() -> pathlib.Path:
    return extension_path("spatial")


def load_spatial(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"LOAD '{spatial_extension_path().as_posix()}'")


def load_postgres(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"LOAD '{extension_path('postgres_scanner').as_posix()}'")


def connect(path: str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(path, read_only=read_only)
    except duckdb.IOException as exc:
        if is_lock_error(exc):
            raise DatabaseBusy(
                f"The database {path} is in use by another process (probably the running "
                "dashboard). Stop it first, or run this command against a copy with --db."
            ) from exc
        raise StoreError(f"Cannot open the database {path}: {exc}") from exc


def is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set lock" in text)


def is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.TransactionException) or (
        isinstance(exc, duckdb.Error) and not isinstance(exc, duckdb.ConstraintException)
        and "conflict" in str(exc).lower())


def is_missing_spatial(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.CatalogException) and "spatial extension" in str(exc)


def translate(exc: BaseException) -> BaseException:
    """The project's exception for a DuckDB error (anything else is returned unchanged)."""
    if not isinstance(exc, duckdb.Error):
        return exc
    message = str(exc)
    if isinstance(exc, duckdb.ConstraintException):
        kind: type[StoreError] = StoreIntegrityError
    elif is_conflict(exc):
        kind = StoreConflict
    elif isinstance(exc, (duckdb.IOException, duckdb.FatalException, duckdb.InternalException,
                          duckdb.ConnectionException, duckdb.OutOfMemoryException)):
        kind = StoreUnavailable
    elif isinstance(exc, (duckdb.CatalogException, duckdb.BinderException, duckdb.ParserException,
                          duckdb.ConversionException, duckdb.InvalidInputException, duckdb.NotImplementedException,
                          duckdb.ProgrammingError)):
        kind = StoreQueryError
    else:
        kind = StoreError
    translated = kind(message)
    translated.__cause__ = exc
    return translated
