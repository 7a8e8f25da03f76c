"""Where things live: the data directory, the default database, static assets.

The database path comes from ``--db`` or ``MAPPING_DB``; the default lives under ``var/`` in the
project (ignored by git), never inside ``data/`` which is version controlled. Server mode
(PostgreSQL) is chosen by a database URL: ``--database-url``, ``MAPPING_DATABASE_URL`` or
``[database] url`` in ``.streamlit/secrets.toml``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent


def data_dir() -> Path:
    """The reference and dataset files (``data/`` in the project)."""
    override = os.environ.get("MAPPING_DATA_DIR")
    return Path(override) if override else PROJECT_DIR / "data"


def default_db_path() -> Path:
    return PROJECT_DIR / "var" / "zorgzame_buurten.duckdb"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """Resolve the database path: explicit argument, then ``MAPPING_DB``, then the default."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("MAPPING_DB")
    if env:
        return Path(env)
    return default_db_path()


def static_dir() -> Path:
    """Streamlit serves ``static/`` next to ``app.py`` under ``/app/static/``."""
    return PROJECT_DIR / "static"


def secrets_files() -> list[Path]:
    """Where Streamlit looks for ``secrets.toml``: the project's ``.streamlit/``, then the user's."""
    return [PROJECT_DIR / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]


def database_url(explicit: str | None = None) -> str | None:
    """The PostgreSQL URL for server mode, or None for the embedded DuckDB file.

    Explicit argument (``--database-url``), then ``MAPPING_DATABASE_URL``, then ``[database] url``
    in ``.streamlit/secrets.toml``.
    """
    if explicit:
        return explicit
    env = os.environ.get("MAPPING_DATABASE_URL")
    if env:
        return env
    for file in secrets_files():
        try:
            with open(file, "rb") as handle:
                url = (tomllib.load(handle).get("database") or {}).get("url")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if url:
            return str(url)
    return None
