"""Limits: file size, row count and field length, each enforced with a message that says what to do.

A limit that silently truncates loses what the user typed; a limit without a message leaves them
guessing. Each limit here is tested just below (accepted) and just above (refused, clearly).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from mapping import cli, i18n, ingest
from mapping.records import LIMITS, clean_text, validate_record

PROJECT = Path(__file__).resolve().parent.parent
THEMES = {"ontmoeting": "ontmoeting"}

# Fields checked by records.validate_record (form, importer and CLI); the others are sign-up fields.
RECORD_TEXT_FIELDS = ("name", "description", "address", "place", "location_note", "source_title")
RECORD_URL_FIELDS = ("website", "meeting_url", "source_url")


def _url_of_length(length: int) -> str:
    base = "https://voorbeeld.nl/"
    return base + "a" * (length - len(base))


def _value_of_length(name: str, length: int) -> str:
    return _url_of_length(length) if name in RECORD_URL_FIELDS else ("Buurt " * length)[:length - 1] + "x"


@pytest.mark.parametrize("name", RECORD_TEXT_FIELDS + RECORD_URL_FIELDS)
def test_each_record_field_limit_is_exact_and_explained(name):
    limit = LIMITS[name]
    base = {"name": "Buurtkamer", "kind": "initiative"}
    at_limit = validate_record({**base, name: _value_of_length(name, limit)}, themes=THEMES)
    assert not [e for e in at_limit.errors if e.field == name], at_limit.errors
    assert len(at_limit.record[name]) == limit  # accepted whole, never cut short

    over = validate_record({**base, name: _value_of_length(name, limit + 1)}, themes=THEMES)
    errors = [e for e in over.errors if e.field == name and e.code == "error.too_long"]
    assert errors, over.errors
    assert errors[0].params == {"max": limit, "length": limit + 1}
    assert i18n.error_text(errors[0], "nl") == f"Te lang: {limit + 1} tekens, maximaal {limit}."
    assert i18n.error_text(errors[0], "en") == f"Too long: {limit + 1} characters, at most {limit}."
    assert not over.ok


def test_a_200000_character_description_is_refused_with_its_length_not_stored_cut():
    result = validate_record({"name": "Buurtkamer", "kind": "initiative", "description": "ab" * 100_000},
                             themes=THEMES)
    error = next(e for e in result.errors if e.field == "description")
    assert error.params == {"max": LIMITS["description"], "length": 200_000}
    assert "200000" in i18n.error_text(error, "nl")


def test_an_overlong_cell_in_a_file_rejects_that_row_with_its_length(store, tmp_path):
    content = ("naam;soort;omschrijving;postcode\n"
               f"Lange Omschrijving;initiatief;{'ab' * 100_000};2341 AB\n"
               "Korte Omschrijving;initiatief;Koffie;2341 AB\n").encode()
    report = ingest.import_file(store, tmp_path / "lang.csv", content=content)
    assert len(report.imported) == 1 and [r.row for r in report.rejected] == [2]
    error = report.rejected[0].errors[0]
    assert (error.field, error.code, error.params) == (
        "description", "error.too_long", {"max": LIMITS["description"], "length": 200_000})


def test_limits_count_characters_after_cleaning():
    # Control characters do not count against the limit; they are removed before counting.
    limit = LIMITS["name"]
    result = validate_record({"name": "\x00" * 50 + "n" * limit, "kind": "initiative"}, themes=THEMES)
    assert result.ok and result.record["name"] == "n" * limit


# -- files ------------------------------------------------------------------------------------

def _csv(rows: int) -> bytes:
    return ("naam;soort\n" + "".join(f"Initiatief {i};initiatief\n" for i in range(rows))).encode()


def test_import_file_size_limit(store, tmp_path):
    limit = ingest.MAX_IMPORT_BYTES
    header = b"naam;soort;omschrijving\n"
    just_fits = header + b"Kamer;initiatief;" + b"x" * (limit - len(header) - 18) + b"\n"
    assert len(just_fits) == limit
    rows = ingest.read_rows(tmp_path / "fits.csv", just_fits)  # at the limit: read (the row itself is too long)
    assert len(rows) == 1
    before = store.scalar("SELECT count(*) FROM records")
    with pytest.raises(ingest.ImportFileError) as refused:
        ingest.import_file(store, tmp_path / "big.csv", content=just_fits + b"x")
    message = str(refused.value)
    assert f"the limit is {limit // 1_000_000} MB" in message and "Split it into smaller files" in message
    assert store.scalar("SELECT count(*) FROM records") == before


def test_import_row_limit_for_csv_and_geojson(store, tmp_path, monkeypatch):
    limit = ingest.MAX_IMPORT_ROWS
    assert len(ingest.read_rows(tmp_path / "fits.csv", _csv(limit))) == limit
    before = store.scalar("SELECT count(*) FROM records")
    with pytest.raises(ingest.ImportFileError, match=rf"{limit + 1} rows; the limit is {limit}\. Split"):
        ingest.import_file(store, tmp_path / "many.csv", content=_csv(limit + 1))
    features = [{"type": "Feature", "geometry": None, "properties": {"naam": f"I {i}", "soort": "initiatief"}}
                for i in range(limit + 1)]
    geojson = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    with pytest.raises(ingest.ImportFileError, match=rf"{limit + 1} rows; the limit is {limit}"):
        ingest.import_file(store, tmp_path / "many.geojson", content=geojson)
    assert store.scalar("SELECT count(*) FROM records") == before


def test_cli_import_reports_limits_without_a_traceback(db_path, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MAPPING_LANG", "en")
    big = tmp_path / "big.csv"
    big.write_bytes(b"naam;soort\n" + b"x" * ingest.MAX_IMPORT_BYTES)
    assert cli.main(["--db", str(db_path), "import", str(big)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("File rejected: The file is") and "the limit is" in err
    many = tmp_path / "many.csv"
    many.write_bytes(_csv(ingest.MAX_IMPORT_ROWS + 1))
    assert cli.main(["--db", str(db_path), "import", "--pending", str(many)]) == 2
    assert f"the limit is {ingest.MAX_IMPORT_ROWS}" in capsys.readouterr().err


def test_streamlit_upload_limit_is_no_larger_than_the_import_limit():
    """The browser upload (st.file_uploader) is cut off by Streamlit before our code runs; it must
    not accept files the importer would then refuse after a long upload."""
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    max_upload_mb = config.get("server", {}).get("maxUploadSize", 200)
    assert max_upload_mb * 1024 * 1024 <= ingest.MAX_IMPORT_BYTES * 1.05


# -- sign-up fields (the submission form) ------------------------------------------------------

def test_contact_and_partner_fields_have_limits_with_messages(store):
    submissions = pytest.importorskip("mapping.submissions")
    base = {"name": "Buurtkamer Limiet", "kind": "initiative", "postcode": "2341 AB", "online": False,
            "contact_name": "Anna", "contact_email": "anna@voorbeeld.nl", "consent": True}
    assert submissions.check(store, base).ok
    cases = {
        "contact_name": "A" * (LIMITS["contact_name"] + 1),
        "contact_email": "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "nl",
        "partners_text": "p" * (LIMITS["partners_text"] + 1),
    }
    for field, value in cases.items():
        checked = submissions.check(store, {**base, field: value})
        errors = [e for e in checked.errors if e.field == field]
        assert errors and not checked.ok, (field, checked.errors)
        for lang in ("nl", "en"):
            assert i18n.error_text(errors[0], lang) != errors[0].code
    at_limit = submissions.check(store, {**base, "contact_name": "A" * LIMITS["contact_name"],
                                         "partners_text": "p" * LIMITS["partners_text"]})
    assert at_limit.ok, at_limit.errors
    too_many = [f"id-{i}" for i in range(submissions.MAX_PARTNERS + 1)]
    checked = submissions.check(store, {**base, "partners": too_many})
    assert any(e.field == "partners" for e in checked.errors)


def test_pending_import_applies_the_same_file_limits(store, tmp_path):
    submissions = pytest.importorskip("mapping.submissions")
    before = store.scalar("SELECT count(*) FROM submissions")
    with pytest.raises(ingest.ImportFileError, match="the limit is"):
        submissions.import_pending(store, tmp_path / "many.csv", content=_csv(ingest.MAX_IMPORT_ROWS + 1))
    assert store.scalar("SELECT count(*) FROM submissions") == before


def test_clean_text_used_by_limits_strips_control_characters():
    assert clean_text("a\x00b\x1b[31mc\x9bd") == "ab[31mcd"


# -- the sign-up page -------------------------------------------------------------------------

def test_the_form_shows_each_field_limit_next_to_the_field_and_keeps_the_input(app_env, monkeypatch):
    """Every text field of the Aanmelden page over its limit at once: one message per field, the
    form keeps all input, nothing is stored."""
    from streamlit.testing.v1 import AppTest

    from mapping.store import Store

    monkeypatch.setenv("MAPPING_MIN_FILL_SECONDS", "0")
    too_long = {
        "name": "N" * (LIMITS["name"] + 1),
        "description": "ab" * 100_000,
        "address": "Straat " + "9" * LIMITS["address"],
        "place": "P" * (LIMITS["place"] + 1),
        "website": _url_of_length(LIMITS["website"] + 1),
        "partners_text": "p" * (LIMITS["partners_text"] + 1),
        "contact_name": "C" * (LIMITS["contact_name"] + 1),
    }
    at = AppTest.from_file(str(PROJECT / "pages" / "aanmelden.py"), default_timeout=60).run()
    for name, value in too_long.items():
        widget = at.text_area(key=f"aanm_{name}") if name in ("description", "partners_text") else \
            at.text_input(key=f"aanm_{name}")
        widget.input(value)
    at.text_input(key="aanm_contact_email").input("indiener@voorbeeld.nl")
    at.checkbox(key="aanm_consent").check()
    at.button(key="aanm_submit").click().run()
    assert not at.exception, at.exception

    messages = [e.value for e in at.error]
    for name, value in too_long.items():
        expected = i18n.t("error.too_long", "nl", length=len(clean_text(value, multiline=name in (
            "description", "partners_text"))), max=LIMITS[name])
        # each message names its field first ("**Naam …:** Te lang: …"), so a reader knows where
        assert any(message.endswith(expected) for message in messages), (name, expected, messages)
    # what the user typed is still there, whole
    for name, value in too_long.items():
        widget = at.text_area(key=f"aanm_{name}") if name in ("description", "partners_text") else \
            at.text_input(key=f"aanm_{name}")
        assert widget.value == value
    store = Store(app_env)
    try:
        assert store.scalar("SELECT count(*) FROM submissions") == 0
    finally:
        store.close()
