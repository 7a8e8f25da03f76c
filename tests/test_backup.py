"""Backup and restore: everything comes back, byte for byte, and a restore never destroys data.

The database under test holds what a live site holds: approved, pending, rejected and archived
records, a pending submission with its private contact, links (approved and pending), and an
audit history. A round trip backup → restore into a new file must give identical tables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from mapping import backup, queries
from mapping.store import Store

PROJECT = Path(__file__).resolve().parent.parent
CONTACT_EMAIL = "geheim.adres@voorbeeld.nl"


def _add_live_site_data(store: Store) -> None:
    """What a running site accumulates besides the dataset (written as the app's modules would)."""

    def write(cur) -> None:
        cur.execute("""INSERT INTO records (id, name, kind, themes, description, postcode, place, lat, lon,
                           location_precision, status, origin, starts_at)
                       VALUES ('buurtsoep-oegstgeest', 'Buurtsoep Oegstgeest', 'meetup', ['eenzaamheid'],
                               'Elke dinsdag soep — "iedereen" welkom', '2341 AB', 'Oegstgeest', 52.18, 4.47,
                               'postcode', 'pending', 'submission', TIMESTAMP '2031-03-04 12:30:00')""")
        cur.execute("""INSERT INTO submissions (id, record_id, submission_type, payload, secret_hash, status, flags)
                       VALUES ('ZB-7K3Q-PX2M', 'buurtsoep-oegstgeest', 'new',
                               '{"name": "Buurtsoep Oegstgeest", "kind": "meetup"}', 'ab12' || repeat('0', 60),
                               'pending', ['new', 'possible_duplicate'])""")
        cur.execute("""INSERT INTO contacts VALUES ('ZB-7K3Q-PX2M', 'buurtsoep-oegstgeest', 'Anna de Vries',
                                                    ?, TIMESTAMP '2025-06-01 10:00:00')""", [CONTACT_EMAIL])
        cur.execute("""INSERT INTO records (id, name, kind, status, origin)
                       VALUES ('spam-rejected', 'Koop nu!!!', 'initiative', 'rejected', 'submission'),
                              ('oud-initiatief', 'Opgeheven buurtkamer', 'initiative', 'archived', 'import')""")
        cur.execute("""INSERT INTO submissions (id, record_id, submission_type, payload, secret_hash, status,
                                                review_reason, reviewed_by)
                       VALUES ('ZB-SPAM-0001', 'spam-rejected', 'new', '{"name": "Koop nu!!!"}',
                               repeat('f', 64), 'rejected', 'reclame', 'moderator-1')""")
        cur.execute("""INSERT INTO record_links (id, from_id, to_id, relation, status, origin, note)
                       VALUES ('buurtsoep-oegstgeest__hosted_at__oegstgeester-hofjes', 'buurtsoep-oegstgeest',
                               'oegstgeester-hofjes', 'hosted_at', 'pending', 'submission', 'in de tuin')""")
        Store.add_revision(cur, "submission", "ZB-7K3Q-PX2M", "create", "aanmelder", {"name": [None, "Buurtsoep"]})
        Store.add_revision(cur, "record", "spam-rejected", "reject", "moderator-1", {"status": ["pending", "rejected"]})
        Store.add_revision(cur, "record", "zorgvrijstaat", "update", "moderator-1",
                           {"description": ["oud", "nieuw — met ‘aanhalingstekens’ en emoji 🏘️"]})

    store.run_in_transaction(write)
    store.set_meta("data_version", "7")


def _table_names(store: Store) -> list[str]:
    return [row[0] for row in store.rows(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name")]


def _sorted_frame(store: Store, table: str) -> pd.DataFrame:
    return store.df(f'SELECT * FROM "{table}" ORDER BY ALL').reset_index(drop=True)


@pytest.fixture
def live_db(db_path) -> Path:
    store = Store(db_path)
    _add_live_site_data(store)
    store.checkpoint()
    store.close()
    return db_path


def test_round_trip_restores_every_table_identically(live_db, tmp_path):
    archive = tmp_path / "backup.zip"
    source = Store(live_db, read_only=True)
    manifest = backup.create_backup(source, archive)
    counts = {entry["name"]: entry["rows"] for entry in manifest["tables"]}
    assert counts["contacts"] == 1 and counts["submissions"] == 2 and counts["revisions"] >= 44

    target = tmp_path / "restored" / "new.duckdb"
    result = backup.restore_backup(archive, target)
    assert result.replaced is None
    restored = Store(target, read_only=True)
    try:
        assert _table_names(restored) == _table_names(source)
        for table in _table_names(source):
            original, copy = _sorted_frame(source, table), _sorted_frame(restored, table)
            assert len(original) == counts[table], table
            pd.testing.assert_frame_equal(copy, original, obj=table)
            assert restored.rows(f'DESCRIBE "{table}"') == source.rows(f'DESCRIBE "{table}"'), table
        # geometry survives as geometry (spatial queries on the restored file give the same answers)
        assert restored.scalar("SELECT sum(ST_Area(geom)) FROM regions") == pytest.approx(
            source.scalar("SELECT sum(ST_Area(geom)) FROM regions"))
        # the private contact and the pending submission are there, and still not public
        assert restored.scalar("SELECT contact_email FROM contacts") == CONTACT_EMAIL
        assert restored.scalar("SELECT status FROM submissions WHERE id = 'ZB-7K3Q-PX2M'") == "pending"
        public_ids = set(queries.records(restored, queries.Filter())["id"])
        assert "buurtsoep-oegstgeest" not in public_ids and "spam-rejected" not in public_ids
        assert public_ids == set(queries.records(source, queries.Filter())["id"])
        highest_revision = restored.scalar("SELECT max(id) FROM revisions")
    finally:
        restored.close()
        source.close()

    # The audit history continues after a restore: new revisions never reuse an id.
    reopened = Store(target)
    try:
        reopened.run_in_transaction(lambda cur: Store.add_revision(cur, "record", "zorgvrijstaat", "update", "m", {}))
        assert reopened.scalar("SELECT max(id) FROM revisions") > highest_revision
        assert reopened.scalar("SELECT count(DISTINCT id) = count(*) FROM revisions")
    finally:
        reopened.close()


def test_restore_refuses_a_database_with_data_and_force_keeps_the_old_file(live_db, tmp_path, built_db):
    archive = tmp_path / "backup.zip"
    source = Store(live_db, read_only=True)
    backup.create_backup(source, archive)
    source.close()

    # The built database (dataset only) holds data: a restore over it must be refused untouched.
    target = tmp_path / "other.duckdb"
    target.write_bytes(built_db.read_bytes())
    with pytest.raises(backup.BackupError, match="already holds data.*--force"):
        backup.restore_backup(archive, target)
    check = Store(target, read_only=True)
    assert check.scalar("SELECT count(*) FROM submissions") == 0
    dataset_records = check.scalar("SELECT count(*) FROM records")
    check.close()

    result = backup.restore_backup(archive, target, force=True)
    assert result.replaced is not None and result.replaced.exists()
    kept, restored = Store(result.replaced, read_only=True), Store(target, read_only=True)
    assert kept.scalar("SELECT count(*) FROM records") == dataset_records
    assert restored.scalar("SELECT count(*) FROM submissions") == 2
    kept.close()
    restored.close()


def test_restore_into_an_empty_database_file_needs_no_force(live_db, tmp_path):
    archive = tmp_path / "backup.zip"
    source = Store(live_db, read_only=True)
    backup.create_backup(source, archive)
    source.close()
    empty = tmp_path / "empty.duckdb"
    Store(empty).close()  # schema only, no rows: nothing to lose
    backup.restore_backup(archive, empty)
    restored = Store(empty, read_only=True)
    assert restored.scalar("SELECT count(*) FROM contacts") == 1
    restored.close()


def test_damaged_or_foreign_backups_are_refused_before_anything_is_written(live_db, tmp_path):
    archive = tmp_path / "backup.zip"
    source = Store(live_db, read_only=True)
    backup.create_backup(source, archive)
    with pytest.raises(backup.BackupError, match="already exists.*--force"):
        backup.create_backup(source, archive)
    source.close()

    # One byte changed inside the records table file: the checksum catches it.
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(damaged, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "records.parquet":
                data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
            copy.writestr(item, data)
    target = tmp_path / "never.duckdb"
    with pytest.raises(backup.BackupError, match="damaged.*records.parquet"):
        backup.restore_backup(damaged, target)
    assert not target.exists()

    # A table file missing from the archive.
    incomplete = tmp_path / "incomplete.zip"
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(incomplete, "w") as copy:
        for item in original.infolist():
            if item.filename != "contacts.parquet":
                copy.writestr(item, original.read(item.filename))
    with pytest.raises(backup.BackupError, match="incomplete.*contacts.parquet"):
        backup.restore_backup(incomplete, target)

    # A manifest that tries to smuggle in a path or SQL through a table name.
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(hostile, "w") as copy:
        manifest = json.loads(original.read("manifest.json"))
        manifest["tables"][0]["name"] = 'records"; DROP TABLE records; --'
        copy.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(backup.BackupError, match="Unexpected table"):
        backup.restore_backup(hostile, target)

    not_zip = tmp_path / "notes.txt"
    not_zip.write_text("dit is geen back-up")
    with pytest.raises(backup.BackupError, match="not a zip file"):
        backup.restore_backup(not_zip, target)
    other_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(other_zip, "w") as copy:
        copy.writestr("photo.jpg", b"\xff\xd8")
    with pytest.raises(backup.BackupError, match="no manifest.json"):
        backup.restore_backup(other_zip, target)
    with pytest.raises(backup.BackupError, match="does not exist"):
        backup.restore_backup(tmp_path / "missing.zip", target)
    assert not target.exists()


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mapping", *args], cwd=PROJECT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "MAPPING_LANG": "en", **(env or {})})


def test_cli_backup_and_restore(live_db, tmp_path):
    archive = tmp_path / "site.zip"
    made = _cli("--db", str(live_db), "backup", str(archive))
    assert made.returncode == 0, made.stderr
    assert "Backup written to" in made.stdout and "2 submissions" in made.stdout

    again = _cli("--db", str(live_db), "backup", str(archive))
    assert again.returncode == 2 and "already exists" in again.stderr

    target = tmp_path / "copy.duckdb"
    restored = _cli("--db", str(target), "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "restored into" in restored.stdout

    refused = _cli("--db", str(live_db), "restore", str(archive))
    assert refused.returncode == 2 and "already holds data" in refused.stderr and "Traceback" not in refused.stderr

    original, copy = Store(live_db, read_only=True), Store(target, read_only=True)
    for table in ("records", "submissions", "contacts", "revisions", "record_links", "meta"):
        pd.testing.assert_frame_equal(_sorted_frame(copy, table), _sorted_frame(original, table), obj=table)
    original.close()
    copy.close()


def test_cli_backup_and_restore_say_clearly_when_the_dashboard_holds_the_database(live_db, tmp_path):
    archive = tmp_path / "earlier.zip"
    source = Store(live_db, read_only=True)
    backup.create_backup(source, archive)
    source.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from mapping.store import Store; s = Store(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(60)", str(live_db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        busy = _cli("--db", str(live_db), "backup", str(tmp_path / "b.zip"))
        assert busy.returncode == 3
        assert "in use" in busy.stderr and "Traceback" not in busy.stderr
        assert not (tmp_path / "b.zip").exists()
        refused = _cli("--db", str(live_db), "restore", "--force", str(archive))
        assert refused.returncode == 2
        assert "in use" in refused.stderr and "Stop the dashboard" in refused.stderr
    finally:
        holder.kill()
        holder.wait(10)
    # the held database is untouched by the refused restore
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_tables_this_version_does_not_know_are_restored_too(live_db, tmp_path):
    """A table added by a newer module (not in schema.sql) is part of 'everything'."""
    store = Store(live_db)
    store.execute("CREATE TABLE login_audit (id INTEGER PRIMARY KEY, logged_at TIMESTAMP, client VARCHAR, ok BOOLEAN)")
    store.execute("INSERT INTO login_audit VALUES (1, TIMESTAMP '2025-05-01 10:00:00', 'ip:10.0.0.1', false), "
                  "(2, TIMESTAMP '2025-05-01 10:01:00', 'ip:10.0.0.1', true)")
    archive = tmp_path / "b.zip"
    backup.create_backup(store, archive)
    store.close()
    target = tmp_path / "new.duckdb"
    result = backup.restore_backup(archive, target)
    assert result.tables["login_audit"] == 2
    restored = Store(target, read_only=True)
    assert restored.rows("SELECT id, client, ok FROM login_audit ORDER BY id") == [
        (1, "ip:10.0.0.1", False), (2, "ip:10.0.0.1", True)]
    assert restored.rows("DESCRIBE login_audit")[0][:4] == ("id", "INTEGER", "NO", "PRI")
    restored.close()
