"""Backup and restore of the whole database as one portable file.

A backup is a zip archive holding one Parquet file per table (every table: records of every
status, pending submissions, private contacts, the audit history, meta and reference data), plus
``manifest.json`` with each table's definition, row count and SHA-256 checksum and the next value
of every sequence. Parquet keeps types exactly (lists, timestamps, JSON, geometry) and can be read
by any tool; the checksums let a restore refuse a damaged or altered file before touching anything.

The export runs inside one transaction, so it is a consistent snapshot even while other threads
of the same process write. A restore never writes into a database that holds data unless asked
(``force``); it builds the new database next to the target and swaps it in only when every table
and row count checked out, keeping the replaced file as ``<name>.before-restore-<time>``.

Command line: ``python -m mapping backup FILE`` and ``python -m mapping restore FILE``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapping import config, i18n
from mapping.progress import ProgressFn, TextBar, silent
from mapping.store import ENGINE_VERSION, SCHEMA_VERSION, Cursor, DatabaseBusy, Store, StoreError

FORMAT = "zorgzame-buurten-kaart-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_CHUNK = 1 << 20


class BackupError(StoreError):
    """A backup or restore that cannot be done; the message says why and what to do next."""


@dataclass(frozen=True)
class RestoreResult:
    path: Path | str                # the database file, or the server URL (without password)
    tables: dict[str, int]          # table -> rows restored
    replaced: Path | None           # where the previous database file was kept, if any


def _quote(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise BackupError(f"Unexpected table or sequence name {name!r} in the backup.")
    return f'"{name}"'


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sql_path(path: Path) -> str:
    return path.as_posix().replace("'", "''")


def _tables(cur: Cursor) -> list[tuple[str, str]]:
    return cur.execute(
        "SELECT table_name, sql FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT temporary ORDER BY table_name").fetchall()


def _sequences(cur: Cursor) -> list[tuple[str, int]]:
    """(name, next value) of every sequence, so ids never repeat after a restore."""
    rows = cur.execute(
        "SELECT sequence_name, last_value, start_value, increment_by FROM duckdb_sequences() "
        "WHERE database_name = current_database() AND schema_name = 'main' ORDER BY sequence_name").fetchall()
    return [(name, int(last + step) if last is not None else int(start)) for name, last, start, step in rows]


# -- backup -----------------------------------------------------------------------------------

def create_backup(store: Store, target: Path | str, *, overwrite: bool = False,
                  progress: ProgressFn = silent) -> dict[str, Any]:
    """Write every table of ``store`` into the zip file ``target``; returns the manifest.

    The file appears only when complete (written under a temporary name, then renamed), so an
    interrupted backup never leaves a truncated file that looks valid.
    """
    target = Path(target)
    if target.exists() and not overwrite:
        raise BackupError(f"{target} already exists. Choose another file name or pass --force to replace it.")
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give a file name such as backup.zip.")
    target.parent.mkdir(parents=True, exist_ok=True)
    cur = store.cursor()
    with tempfile.TemporaryDirectory(prefix="zbk-backup-", dir=target.parent) as tmp:
        work = Path(tmp)
        entries: list[dict[str, Any]] = []
        # One transaction = one snapshot: all tables are exported as of the same moment.
        cur.execute("BEGIN TRANSACTION")
        try:
            tables = _tables(cur)
            sequences = _sequences(cur)
            schema_version = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() \
                if any(name == "meta" for name, _ in tables) else None
            for number, (name, create_sql) in enumerate(tables):
                progress(number, len(tables) + 1, f"tabel {name}")
                file = work / f"{name}.parquet"
                cur.execute(f"COPY (SELECT * FROM {_quote(name)}) TO '{_sql_path(file)}' (FORMAT parquet)")
                rows = cur.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
                entries.append({"name": name, "file": file.name, "rows": int(rows), "sha256": _sha256(file),
                                "bytes": file.stat().st_size, "create_sql": create_sql})
        finally:
            with contextlib.suppress(Exception):
                cur.execute("COMMIT")
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "duckdb_version": ENGINE_VERSION,
            "schema_version": int(schema_version[0]) if schema_version and schema_version[0] else SCHEMA_VERSION,
            "source": Path(store.path).name,
            "tables": entries,
            "sequences": [{"name": name, "next_value": value} for name, value in sequences],
        }
        progress(len(tables), len(tables) + 1, "zip schrijven")
        partial = work / "backup.zip.partial"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
            for entry in entries:
                archive.write(work / entry["file"], arcname=entry["file"])
        os.replace(partial, target)
        progress(len(tables) + 1, len(tables) + 1, "klaar")
    return manifest


# -- reading and checking a backup -----------------------------------------------------------

def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise BackupError("This zip file has no manifest.json: it is not a backup made by "
                          "`python -m mapping backup`.") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"The backup's manifest.json is unreadable ({exc}); the file is damaged.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This zip file is not a Zorgzame Buurten Kaart backup (unknown format).")
    if int(manifest.get("format_version") or 0) > FORMAT_VERSION:
        raise BackupError(f"This backup was made by a newer version (format {manifest.get('format_version')}); "
                          "update the application before restoring it.")
    for entry in manifest.get("tables") or []:
        _quote(str(entry.get("name")))
        if entry.get("file") != f"{entry['name']}.parquet":
            raise BackupError(f"Unexpected file name {entry.get('file')!r} in the backup manifest.")
    for entry in manifest.get("sequences") or []:
        _quote(str(entry.get("name")))
    return manifest


def verify_backup(source: Path | str) -> dict[str, Any]:
    """Open a backup file and check every table file against its checksum; returns the manifest."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"Backup file {source} does not exist.")
    try:
        with zipfile.ZipFile(source) as archive:
            manifest = read_manifest(archive)
            for entry in manifest["tables"]:
                digest = hashlib.sha256()
                try:
                    with archive.open(entry["file"]) as member:
                        for chunk in iter(lambda: member.read(_CHUNK), b""):
                            digest.update(chunk)
                except KeyError:
                    raise BackupError(f"The backup is incomplete: {entry['file']} is missing.") from None
                if digest.hexdigest() != entry["sha256"]:
                    raise BackupError(f"The backup is damaged: {entry['file']} does not match its checksum. "
                                      "Use another backup file.")
    except zipfile.BadZipFile:
        raise BackupError(f"{source} is not a zip file (or it is damaged); it cannot be restored.") from None
    return manifest


# -- restore ----------------------------------------------------------------------------------

def _database_has_data(path: Path) -> bool:
    """True if ``path`` holds a database with at least one row in any table.

    Opening it also proves nobody else holds it: the running dashboard keeps the file locked,
    and replacing a file under a running process would lose that process's writes.
    """
    if not path.exists():
        return False
    if path.stat().st_size == 0 and not path.with_name(path.name + ".wal").exists():
        return False
    store = Store(path, read_only=True)
    try:
        cur = store.cursor()
        for name, _sql in _tables(cur):
            # meta alone (schema and data versions of a freshly opened file) is not data to protect
            if name != "meta" and cur.execute(f"SELECT count(*) > 0 FROM {_quote(name)}").fetchone()[0]:
                return True
        return False
    finally:
        store.close()


def _advance_sequence(cur: Cursor, name: str, next_value: int) -> None:
    # DuckDB has no setval/ALTER SEQUENCE RESTART; drawing values up to the saved one is exact.
    current = cur.execute("SELECT last_value, start_value FROM duckdb_sequences() WHERE sequence_name = ?",
                          [name]).fetchone()
    if current is None:
        cur.execute(f"CREATE SEQUENCE {_quote(name)} START {int(next_value)}")
        return
    last, start = current
    upcoming = (last + 1) if last is not None else start
    missing = int(next_value) - int(upcoming)
    if missing > 0:
        cur.execute(f"SELECT max(nextval('{name}')) FROM range(?)", [missing])


def _create_missing_table(cur: Cursor, name: str, create_sql: str) -> None:
    """A table in the backup that this version's schema does not define (e.g. from a newer module)."""
    statement = (create_sql or "").strip().rstrip(";").strip()
    if not re.match(rf'^CREATE TABLE "?{re.escape(name)}"?\s*\(', statement) or ";" in statement:
        raise BackupError(f"The backup's definition of table {name!r} is not a plain CREATE TABLE; refusing it.")
    cur.execute(statement)


def restore_backup(source: Path | str, target: Path | str, *, force: bool = False,
                   progress: ProgressFn = silent) -> RestoreResult:
    """Restore the backup ``source`` into the database file ``target``.

    Refuses a target that holds data unless ``force``; then the old file is kept beside it.
    """
    source, target = Path(source), Path(target)
    manifest = verify_backup(source)
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give the database file to restore into.")
    try:
        has_data = _database_has_data(target)
    except DatabaseBusy:
        raise BackupError(f"The database {target} is in use (probably by the running dashboard). Stop the "
                          "dashboard first: a restore replaces the whole file.") from None
    except StoreError as exc:
        if not force:
            raise BackupError(f"{target} exists but cannot be opened as a database ({exc}). "
                              "Pass --force to replace it (the old file is kept beside it).") from None
        has_data = True
    if has_data and not force:
        raise BackupError(f"The database {target} already holds data. Restore into a new file with --db, "
                          "or pass --force to replace it (the current file is kept as a copy).")

    target.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    building = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    tables = manifest["tables"]
    restored: dict[str, int] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="zbk-restore-", dir=target.parent) as tmp:
            work = Path(tmp)
            with zipfile.ZipFile(source) as archive:
                for entry in tables:
                    # extracted under our own name: archive paths never reach the file system
                    with archive.open(entry["file"]) as member, open(work / entry["file"], "wb") as out:
                        shutil.copyfileobj(member, out, _CHUNK)
            store = Store(building)  # the current schema: tables, views, sequences
            try:
                def load(cur: Cursor) -> None:
                    existing = {name for name, _ in _tables(cur)}
                    for number, entry in enumerate(tables):
                        name = entry["name"]
                        progress(number, len(tables) + 1, f"tabel {name}")
                        if name not in existing:
                            _create_missing_table(cur, name, entry.get("create_sql", ""))
                        cur.execute(f"DELETE FROM {_quote(name)}")
                        file = _sql_path(work / entry["file"])
                        cur.execute(f"INSERT INTO {_quote(name)} BY NAME SELECT * FROM read_parquet('{file}')")
                        count = cur.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
                        if count != entry["rows"]:
                            raise BackupError(f"Table {name}: {count} rows restored, the backup holds "
                                              f"{entry['rows']}. Nothing was changed.")
                        restored[name] = int(count)
                    for sequence in manifest.get("sequences") or []:
                        _advance_sequence(cur, sequence["name"], int(sequence["next_value"]))

                try:
                    store.run_in_transaction(load, retries=0)
                except (StoreError, OSError) as exc:
                    if isinstance(exc, BackupError):
                        raise
                    raise BackupError(f"The backup could not be loaded ({str(exc)[:300]}). "
                                      "Nothing was changed.") from None
                store.checkpoint()
            finally:
                store.close()
        progress(len(tables), len(tables) + 1, "database vervangen")
        kept: Path | None = None
        if target.exists():
            kept = target.with_name(f"{target.name}.before-restore-{stamp}")
            os.replace(target, kept)
            wal = target.with_name(target.name + ".wal")
            if wal.exists():
                os.replace(wal, kept.with_name(kept.name + ".wal"))
        os.replace(building, target)
    finally:
        for leftover in (building, building.with_name(building.name + ".wal")):
            leftover.unlink(missing_ok=True)
    # Opening once applies this version's schema and migrations to what the backup held.
    Store(target).close()
    progress(len(tables) + 1, len(tables) + 1, "klaar")
    return RestoreResult(target, restored, kept)


# -- command line -----------------------------------------------------------------------------

def _lang() -> str:
    return i18n.normalise_language(os.environ.get("MAPPING_LANG", "nl"))


def _server_url(args) -> str | None:
    return None if args.db else config.database_url(getattr(args, "database_url", None))


def backup_server(url: str, target: Path | str, *, overwrite: bool = False, progress: ProgressFn = silent) -> dict:
    """Server mode: the same backup file, made from a consistent snapshot while replicas run."""
    from mapping.store import postgres_sync
    from mapping.store.postgres import PostgresStore

    store = PostgresStore(url, create=False)
    try:
        return postgres_sync.export_copy(
            store, lambda local: create_backup(local, target, overwrite=overwrite, progress=progress))
    finally:
        store.close()


def restore_server(source: Path | str, url: str, *, force: bool = False, progress: ProgressFn = silent) -> RestoreResult:
    """Server mode: check and load the backup into a local file, then replace the server's data in
    one transaction (replicas keep serving; their writes wait for the commit)."""
    from mapping.store import postgres_sync
    from mapping.store.postgres import PostgresStore

    store = PostgresStore(url)
    try:
        if not force and store.scalar("SELECT count(*) FROM submissions") + \
                store.scalar("SELECT count(*) FROM records WHERE origin <> 'dataset'") > 0:
            raise BackupError(f"The database {store.path} already holds submissions or records. Pass --force "
                              "to replace them (make a backup first).")
        with tempfile.TemporaryDirectory(prefix="zbk-restore-server-") as tmp:
            local_path = Path(tmp) / "restored.duckdb"
            result = restore_backup(source, local_path, progress=progress)
            local = Store(local_path)
            try:
                postgres_sync.replace_from(store, local)
            finally:
                local.close()
        return RestoreResult(store.path, result.tables, None)  # type: ignore[arg-type]  # a URL, not a file
    finally:
        store.close()


def cmd_backup(args) -> int:
    lang = _lang()
    url = _server_url(args)
    if url:
        try:
            manifest = backup_server(url, args.file, overwrite=args.force, progress=TextBar())
        except BackupError as exc:
            print(i18n.t("backup.failed", lang, error=str(exc)), file=sys.stderr)
            return 2
        return _report_backup(args, manifest, lang)
    path = config.db_path(args.db)
    try:
        store = Store(path, read_only=True, create=False)
    except DatabaseBusy:
        print(i18n.t("backup.busy", lang, path=path), file=sys.stderr)
        return 3
    try:
        manifest = create_backup(store, args.file, overwrite=args.force, progress=TextBar())
    except BackupError as exc:
        print(i18n.t("backup.failed", lang, error=str(exc)), file=sys.stderr)
        return 2
    finally:
        store.close()
    return _report_backup(args, manifest, lang)


def _report_backup(args, manifest: dict, lang: str) -> int:
    counts = {entry["name"]: entry["rows"] for entry in manifest["tables"]}
    print(i18n.t("backup.done", lang, file=args.file, tables=len(counts),
                 records=counts.get("records", 0), submissions=counts.get("submissions", 0),
                 revisions=counts.get("revisions", 0)))
    return 0


def cmd_restore(args) -> int:
    lang = _lang()
    url = _server_url(args)
    try:
        if url:
            result = restore_server(args.file, url, force=args.force, progress=TextBar())
        else:
            result = restore_backup(args.file, config.db_path(args.db), force=args.force, progress=TextBar())
    except BackupError as exc:
        print(i18n.t("backup.restore_failed", lang, error=str(exc)), file=sys.stderr)
        return 2
    print(i18n.t("backup.restored", lang, file=args.file, path=result.path, tables=len(result.tables),
                 records=result.tables.get("records", 0), submissions=result.tables.get("submissions", 0),
                 revisions=result.tables.get("revisions", 0)))
    if result.replaced:
        print(i18n.t("backup.kept_old", lang, path=result.replaced))
    return 0


def add_cli(subparsers) -> None:
    p = subparsers.add_parser("backup", help="write the whole database (all tables, pending submissions, "
                                             "private contacts, audit history) into one zip file")
    p.add_argument("file", help="backup file to write, e.g. backup-2025-07-01.zip")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(handler=cmd_backup)

    p = subparsers.add_parser("restore", help="restore a backup file into the database given by --db/MAPPING_DB")
    p.add_argument("file", help="backup file made by `python -m mapping backup`")
    p.add_argument("--force", action="store_true",
                   help="replace a database that holds data (the old file is kept beside it)")
    p.set_defaults(handler=cmd_restore)
