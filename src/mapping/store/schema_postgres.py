"""The schema on PostgreSQL: ``schema.sql`` (the one schema, DuckDB dialect) translated, plus
``schema_postgres.sql`` for what only the server needs (PostGIS, indexes).

Translating instead of keeping a second hand-written copy means a table another module adds to
``schema.sql`` exists on both engines at once; the translation covers the few type spellings that
differ and is checked by the store contract tests on both engines.
"""

from __future__ import annotations

import pathlib
import re

EXTRA_SCHEMA_FILE = pathlib.Path(__file__).with_name("schema_postgres.sql")

_DIALECT = [
    (re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\bTRY_CAST\s*\(", re.I), "CAST("),
    (re.compile(r"\bHUGEINT\b", re.I), "NUMERIC"),
    (re.compile(r"\bUBIGINT\b", re.I), "NUMERIC"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
]
_SCHEMA_ONLY = [
    (re.compile(r"DEFAULT\s+\[\s*\]", re.I), "DEFAULT '{}'"),
]


def to_postgres_dialect(sql: str) -> str:
    """DuckDB spellings of types and casts that PostgreSQL writes differently (statements of the write path)."""
    for pattern, replacement in _DIALECT:
        sql = pattern.sub(replacement, sql)
    return sql


def to_postgres_schema(schema_sql: str) -> str:
    sql = to_postgres_dialect(schema_sql)
    for pattern, replacement in _SCHEMA_ONLY:
        sql = pattern.sub(replacement, sql)
    return sql
