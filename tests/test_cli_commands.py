"""Every command of the README's command table, run as users run it: ``python -m mapping …`` in a
subprocess, against a private copy of the built database. A command that crashes (a traceback,
an AttributeError on a renamed constant) fails here even if its functions are tested elsewhere."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mapping import auth, submissions
from mapping.store import Store

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def mapping(*args: str, db: Path | None = None, stdin: str | None = None, timeout: int = 300,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MAPPING_LANG": "en", **(env or {})}
    environment.pop("MAPPING_DB", None)
    command = [sys.executable, "-m", "mapping", *(["--db", str(db)] if db else []), *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env=environment)


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    return result


def readme_commands() -> set[str]:
    """The command names in the README's command table (`python -m mapping NAME …` rows)."""
    return set(re.findall(r"^\| `python -m mapping (?:--db \S+ )?([a-z-]+)", README.read_text(encoding="utf-8"), re.M))


def pending(db: Path) -> submissions.Receipt:
    store = Store(db)
    try:
        checked = submissions.check(store, {
            "name": "Buurtkamer De Linde", "kind": "initiative", "postcode": "3024", "contact_name": "Fatima",
            "contact_email": "fatima.private@example.org", "consent": True})
        return submissions.create_submission(store, checked)
    finally:
        store.close()


TESTED = {"build", "import", "import-osm", "export", "stats", "demo", "moderate", "hash-password", "backup"}


def test_this_file_covers_every_command_in_the_readme():
    documented = readme_commands()
    assert {"build", "export", "moderate", "backup"} <= documented     # the table was read at all
    assert documented <= TESTED, f"README commands without a subprocess test: {documented - TESTED}"


def test_build_import_and_stats(db_path, tmp_path):
    target = tmp_path / "fresh.duckdb"
    built = ok(mapping("build", db=target))
    assert "Done:" in built.stdout and target.exists()
    rows = tmp_path / "rows.csv"
    rows.write_text("naam;soort;postcode;plaats\nBuurtsoep Kralingen;initiatief;3062 AB;Rotterdam\n", encoding="utf-8")
    imported = ok(mapping("import", str(rows), db=db_path))
    assert imported.stdout.startswith("1 of 1 rows imported")
    stats = ok(mapping("stats", db=db_path))
    assert "Total records:" in stats.stdout
    # --db after the command name, as people type it, is the same database
    after = ok(mapping("stats", "--db", str(db_path)))
    assert after.stdout == stats.stdout
    sign_ups = tmp_path / "sign_ups.csv"
    sign_ups.write_text("name;kind;postcode;place;contact_name;contact_email\n"
                        "Moestuin De Esch;initiative;3063 AB;Rotterdam;Sam;sam@example.org\n", encoding="utf-8")
    pending_import = ok(mapping("import", "--pending", str(sign_ups), db=db_path))
    assert pending_import.stdout.startswith("1 of 1 rows imported (status: pending)")


@pytest.mark.parametrize("file_format", ["csv", "geojson", "ics"])
def test_export_writes_the_public_records(db_path, tmp_path, file_format):
    out = tmp_path / f"export.{file_format}"
    ok(mapping("export", "--format", file_format, "-o", str(out), db=db_path))
    data = out.read_bytes()
    store = Store(db_path, read_only=True)
    public = store.scalar("SELECT count(*) FROM public_records")
    store.close()
    if file_format == "csv":
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert len(rows) - 1 == public and "name" in rows[0]
        assert "fatima" not in text.lower()
    elif file_format == "geojson":
        assert len(json.loads(data)["features"]) == public
    else:
        assert data.startswith(b"BEGIN:VCALENDAR")


def test_export_to_stdout_with_a_filter(db_path):
    result = ok(mapping("export", "--filter", "kind=initiative", db=db_path))
    assert result.stdout.lstrip("\ufeff").startswith("id;")


def test_demo_writes_its_own_file(tmp_path):
    target = tmp_path / "demo_50.duckdb"
    result = ok(mapping("demo", "--records", "50", "--db", str(target), timeout=600))
    assert "50 synthetic records" in result.stdout and target.exists()
    stats = ok(mapping("stats", db=target))
    assert "SYNTHETIC DEMO DATABASE" in stats.stdout


def test_hash_password_from_stdin_gives_a_hash_that_verifies():
    password = "een lange zin als wachtwoord"
    result = ok(mapping("hash-password", "--stdin", stdin=password + "\n"))
    encoded = result.stdout.strip().splitlines()[0]
    assert auth.verify_password(password, encoded) and not auth.verify_password("fout", encoded)
    assert password not in result.stdout + result.stderr


def test_moderate_list_show_approve_history(db_path):
    receipt = pending(db_path)
    listed = ok(mapping("moderate", "list", db=db_path))
    assert receipt.reference in listed.stdout
    shown = ok(mapping("moderate", "show", receipt.reference, db=db_path))
    assert "fatima.private@example.org" not in shown.stdout            # only with --contact
    ok(mapping("moderate", "--actor", "Mila", "approve", receipt.reference, db=db_path))
    again = mapping("moderate", "--actor", "Bram", "approve", receipt.reference, db=db_path)
    assert again.returncode == 1 and "already decided by Mila" in again.stderr and "Traceback" not in again.stderr
    history = ok(mapping("moderate", "history", receipt.record_id, db=db_path))
    assert "Mila" in history.stdout
    ok(mapping("moderate", "purge-contacts", db=db_path))


def test_moderate_list_into_a_pipe_closed_early_ends_quietly(tmp_path):
    # A synthetic database whose queue (records not confirmed for 12 months) is far longer than a
    # pipe's buffer (64 KiB), so the writer is still writing when the reader has gone.
    demo = tmp_path / "demo.duckdb"
    ok(mapping("demo", "--records", "3000", "--db", str(demo), timeout=600))
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MAPPING_LANG": "en"}
    # Like `python -m mapping moderate list | head -1`: the reader closes the pipe after one line.
    producer = subprocess.Popen([sys.executable, "-m", "mapping", "--db", str(demo), "moderate", "list"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=environment)
    first = producer.stdout.readline()
    producer.stdout.close()
    _, err = producer.communicate(timeout=300)
    assert first.strip()
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode()
    assert producer.returncode in (0, 141)


def test_backup_and_restore_round_trip(db_path, tmp_path):
    receipt = pending(db_path)
    archive = tmp_path / "backup.zip"
    ok(mapping("backup", str(archive), db=db_path))
    assert archive.exists()
    target = tmp_path / "restored.duckdb"
    ok(mapping("restore", str(archive), db=target))
    store = Store(target, read_only=True)
    try:
        assert store.scalar("SELECT status FROM submissions WHERE id = ?", [receipt.reference]) == "pending"
    finally:
        store.close()


def test_import_osm_dry_run_then_import(db_path):
    """`import-osm FILE`: the Overpass fixture's named elements become public records with their
    openstreetmap.org source; `--dry-run` first writes nothing."""
    fixture = ROOT / "tests" / "fixtures" / "overpass_oegstgeest.json"
    elements = json.loads(fixture.read_text(encoding="utf-8"))["elements"]
    named = {f"https://www.openstreetmap.org/{e['type']}/{e['id']}" for e in elements
             if e.get("tags", {}).get("name")}

    def osm_sources() -> set[str]:
        store = Store(db_path)
        try:
            return set(store.df("SELECT source_url FROM records WHERE source_url LIKE "
                                "'https://www.openstreetmap.org/%'")["source_url"])
        finally:
            store.close()

    ok(mapping("import-osm", str(fixture), "--dry-run", db=db_path))
    assert osm_sources() == set()
    ok(mapping("import-osm", str(fixture), db=db_path))
    imported = osm_sources()
    assert imported and imported <= named
