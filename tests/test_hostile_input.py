"""Hostile input, generated: every input ends in a clear message or in data stored exactly as typed.

Property-based (hypothesis) over the three doors into the system that take text from strangers:
record validation (form, importer and CLI share it), the file importer, and URL parameters.
"Exactly as typed" means: the documented cleaning only (Unicode NFC, control characters such as NUL
removed, runs of white space in one-line fields collapsed) and nothing else — markup and SQL-like text
are stored verbatim, because escaping happens where text reaches HTML, not in the database.
"""

from __future__ import annotations

import functools
import json
import math
import re
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from mapping import config, i18n, ingest, queries
from mapping.records import (
    KINDS,
    LIMITS,
    PRECISIONS,
    FieldError,
    Validated,
    clean_text,
    theme_lookup,
    validate_record,
)
from mapping.store import Store

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

XSS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
       "\"><svg onload=alert(1)>", "'><iframe src=javascript:alert(1)>", "{{7*7}}", "${alert(1)}")
SQLISH = ("'; DROP TABLE records; --", "\" OR 1=1 --", "Robert'); DELETE FROM submissions;--",
          "%' UNION SELECT contact_email FROM contacts --", "\\'; SELECT 1; --", "_%_%")
ODD = ("\x00", "\x00\x01\x02\x1b[31m", "\u202eevil\u202c", "\ufeff", "\u200b\u200d", "e\u0301", "🏘️👩‍👩‍👧",
       "مرحبا بالجيران", "שלום", "Z̴̡̛̙a̷̡l̶g̵o", "\r\n\r\n", "\t \u00a0 \u3000", "\ud7ff\ue000\uffff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢")
PAYLOADS = XSS + SQLISH + ODD

payload = st.sampled_from(PAYLOADS)
any_text = st.text(st.characters(), max_size=300)  # every code point except lone surrogates
long_text = st.builds(lambda part, times: part * times, st.sampled_from(PAYLOADS + ("a", "é ")),
                      st.integers(min_value=1, max_value=30_000))
mixed = st.lists(st.one_of(payload, any_text), min_size=1, max_size=4).map("".join)
hostile_text = st.one_of(any_text, payload, mixed, long_text, st.none())

TEXT_FIELDS = ("name", "description", "address", "place", "location_note", "source_title")
URL_FIELDS = ("website", "source_url", "meeting_url")
coordinate = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10**400, max_value=10**400),
    st.sampled_from(["nan", "NaN", "inf", "-Infinity", "1e309", "52,1", "52.1.1", "0x1p3", "٥٢", "", " ", "52.1e",
                     "١e٣٠٠", "9" * 5000]),
    any_text,
    st.none(),
)


@pytest.fixture(scope="module")
def hostile_store(built_db, tmp_path_factory) -> Store:
    """One private database for the module (hypothesis runs many examples per test)."""
    target = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copy(built_db, target)
    store = Store(target)
    yield store
    store.close()


@functools.lru_cache(maxsize=1)
def _themes() -> dict[str, str]:
    """Every accepted spelling of the real theme taxonomy (data/themes.csv) → its code."""
    return theme_lookup(pd.read_csv(config.data_dir() / "themes.csv", dtype=str).fillna(""))


def _assert_clear_errors(result: Validated) -> None:
    """Every error names a field and renders as a real sentence in both languages."""
    for error in result.errors:
        assert isinstance(error, FieldError)
        assert error.field and error.code in i18n.catalogue(), error
        for lang in i18n.LANGUAGES:
            text = i18n.error_text(error, lang)
            template = i18n.catalogue().get(error.code, {}).get(lang)
            assert template and text != error.code, (error, lang)
            assert set(re.findall(r"{(\w+)}", template)) <= set(error.params), (error, template)


def _assert_clean(value: str, *, multiline: bool = False) -> None:
    """The documented cleaning: NFC, no control characters (C0, DEL, C1; line breaks and tabs only
    in multi-line fields), no surrounding white space."""
    assert unicodedata.is_normalized("NFC", value)
    allowed = {"\n", "\t"} if multiline else set()
    assert not [ch for ch in value if unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed], repr(value)
    assert value == value.strip()


# -- record validation ------------------------------------------------------------------------

@SETTINGS
@given(fields=st.fixed_dictionaries({name: hostile_text for name in TEXT_FIELDS + URL_FIELDS}),
       kind=st.one_of(st.sampled_from(KINDS + ("initiatief", "INITIATIVE", " netwerk ")), hostile_text),
       themes=st.one_of(hostile_text, st.lists(hostile_text, max_size=20)),
       postcode=st.one_of(hostile_text, st.sampled_from(["2341 AB", "2341ab", "0999 AA", "1234 SS", "2341"])),
       lat=coordinate, lon=coordinate,
       dates=st.tuples(hostile_text, hostile_text),
       precision=st.one_of(st.sampled_from(PRECISIONS), hostile_text))
@example(fields={"name": "x" * 200_000, **{n: None for n in TEXT_FIELDS[1:] + URL_FIELDS}}, kind="initiative",
         themes=None, postcode=None, lat=10**400, lon=5, dates=(None, None), precision=None)
@example(fields={"name": "<script>alert(1)</script>", "description": "'; DROP TABLE records; --\x00",
                 **{n: None for n in TEXT_FIELDS[2:] + URL_FIELDS}}, kind="initiative", themes=None,
         postcode=None, lat=float("nan"), lon=float("inf"), dates=(None, None), precision=None)
def test_validation_never_raises_and_explains_every_problem(fields, kind, themes, postcode, lat, lon,
                                                            dates, precision):
    raw = {**fields, "kind": kind, "themes": themes, "postcode": postcode, "lat": lat, "lon": lon,
           "starts_at": dates[0], "ends_at": dates[1], "location_precision": precision}
    lookup = _themes()
    result = validate_record(raw, themes=lookup)
    assert isinstance(result, Validated)
    _assert_clear_errors(result)
    failed = {error.field for error in result.errors}
    record = result.record
    for name in TEXT_FIELDS + URL_FIELDS:
        multiline = name == "description"
        expected = clean_text(raw[name], multiline=multiline)
        # Stored exactly as typed, modulo the documented cleaning; markup and SQL are not altered.
        assert (record[name] or "") == expected
        _assert_clean(record[name] or "", multiline=multiline)
        too_long = len(expected) > LIMITS[name]
        assert too_long == any(e.field == name and e.code == "error.too_long" for e in result.errors)
        for marker in ("<script>", "onerror=", "DROP TABLE", "javascript:"):
            if marker in (raw[name] or "") and marker in expected:
                assert marker in record[name]
    assert record["kind"] in KINDS or "kind" in failed
    assert set(record["themes"]) <= set(lookup.values())
    assert record["location_precision"] in PRECISIONS or "location_precision" in failed
    if record["lat"] is not None:
        assert math.isfinite(record["lat"]) and math.isfinite(record["lon"])
    if "lat" not in failed and record["lat"] is not None:
        assert 50 < record["lat"] < 54 and 3 < record["lon"] < 8


@FEW
@given(name=st.one_of(mixed, payload, any_text), description=st.one_of(mixed, long_text, any_text),
       place=st.one_of(payload, any_text), lat=st.floats(50.75, 53.5), lon=st.floats(3.4, 7.2))
def test_valid_hostile_text_is_stored_and_read_back_exactly(hostile_store, name, description, place,
                                                           lat, lon):
    result = validate_record({"name": name, "kind": "initiative", "description": description, "place": place,
                              "lat": lat, "lon": lon, "themes": "ontmoeting"}, themes=_themes())
    assume(result.ok)
    record = dict(result.record, id=f"hostile-{abs(hash((name, description, place, lat, lon)))}",
                  status="approved", origin="import")
    hostile_store.execute("DELETE FROM records WHERE id = ?", [record["id"]])
    hostile_store.run_in_transaction(lambda cur: ingest.insert_records(cur, [record]))
    stored = hostile_store.rows("SELECT name, description, place, lat, lon FROM records WHERE id = ?",
                                [record["id"]])
    assert stored == [(record["name"], record["description"], record["place"], lat, lon)]
    assert stored[0][0] == clean_text(name)
    # and the public query returns it unchanged (SQL-like names are data, not SQL)
    found = queries.records(hostile_store, queries.Filter(), columns=("id", "name"))
    assert record["name"] in set(found.loc[found["id"] == record["id"], "name"])


# -- the sign-up form (submissions) ------------------------------------------------------------

FORM_TEXT = ("name", "description", "address", "postcode", "place", "website", "meeting_url", "partners_text",
             "contact_name", "contact_email")


@FEW
@given(form=st.fixed_dictionaries({name: hostile_text for name in FORM_TEXT}),
       kind=st.one_of(st.sampled_from(KINDS), hostile_text),
       themes=st.lists(st.one_of(st.sampled_from(["ontmoeting", "hofje"]), hostile_text), max_size=15),
       partners=st.lists(st.one_of(st.sampled_from(["zorgvrijstaat", "het-wijkpaleis"]), hostile_text), max_size=25),
       online=st.one_of(st.booleans(), hostile_text), consent=st.one_of(st.booleans(), hostile_text),
       lat=coordinate, lon=coordinate, starts_at=st.one_of(hostile_text, st.datetimes()))
@example(form={**{n: "<script>alert(1)</script>" for n in FORM_TEXT}, "postcode": "2341 AB"}, kind="initiative",
         themes=["ontmoeting"], partners=["zorgvrijstaat"], online=False, consent=True, lat=None, lon=None,
         starts_at=None)
def test_submission_checks_never_raise_and_keep_contact_data_out_of_the_payload(
        hostile_store, form, kind, themes, partners, online, consent, lat, lon, starts_at):
    submissions = pytest.importorskip("mapping.submissions")
    raw = {**form, "kind": kind, "themes": themes, "partners": partners, "online": online, "consent": consent,
           "lat": lat, "lon": lon, "starts_at": starts_at}
    checked = submissions.check(hostile_store, raw)
    _assert_clear_errors(checked)
    if checked.ok:
        payload = json.dumps(checked.payload(), ensure_ascii=False, default=str)
        for private in (checked.contact.get("contact_email"), checked.contact.get("contact_name")):
            if private and len(private) > 6 and private not in (checked.record.get("name"),
                                                               checked.record.get("description")):
                assert private not in payload
        assert checked.record["name"] == clean_text(form["name"])
        assert checked.contact["contact_email"] == clean_text(form["contact_email"])


@FEW
@given(reference=hostile_text, token=hostile_text, honeypot=hostile_text, answer=hostile_text)
@example(reference="ZB-AAAA-AAAA' OR '1'='1", token="x" * 40, honeypot="", answer="9" * 5000)
def test_secret_links_and_spam_checks_take_any_text(hostile_store, reference, token, honeypot, answer):
    submissions = pytest.importorskip("mapping.submissions")
    assert submissions.owner_view(hostile_store, reference or "", token or "") is None
    settings = submissions.SpamSettings(min_fill_seconds=5, max_per_session=3, challenge=True)
    errors = submissions.spam_errors(honeypot=honeypot, started_at=0.0, now=100.0, recent=[], settings=settings,
                                     challenge_answer=answer, challenge_expected=7)
    assert bool(clean_text(honeypot)) == any(e.code == "aanmelden.error.spam" for e in errors)
    _assert_clear_errors(Validated({}, errors))


def test_hostile_text_in_a_sign_up_is_stored_exactly_as_typed(store):
    submissions = pytest.importorskip("mapping.submissions")
    raw = {"name": "<img src=x onerror=alert(1)> Buurtkamer", "kind": "initiative",
           "description": "'; DROP TABLE records; --\n<script>alert('x')</script>\x00 — “quotes” 🏘️",
           "postcode": "2341 AB", "online": False, "website": "https://voorbeeld.nl/?q=<script>",
           "partners_text": "\"><svg onload=alert(1)>", "contact_name": "Robert'); DROP TABLE contacts;--",
           "contact_email": "bobby@voorbeeld.nl", "consent": True}
    checked = submissions.check(store, raw)
    assert checked.ok, checked.errors
    receipt = submissions.create_submission(store, checked)
    row = store.rows("SELECT name, description, website FROM records WHERE id = ?", [receipt.record_id])[0]
    assert row == ("<img src=x onerror=alert(1)> Buurtkamer",
                   "'; DROP TABLE records; --\n<script>alert('x')</script> — “quotes” 🏘️",
                   "https://voorbeeld.nl/?q=<script>")
    assert store.scalar("SELECT contact_name FROM contacts WHERE submission_id = ?", [receipt.reference]) == \
        "Robert'); DROP TABLE contacts;--"
    payload = json.loads(store.scalar("SELECT payload FROM submissions WHERE id = ?", [receipt.reference]))
    assert payload["partners_text"] == "\"><svg onload=alert(1)>"
    assert "bobby@voorbeeld.nl" not in json.dumps(payload) and "Robert" not in json.dumps(payload)
    assert store.scalar("SELECT count(*) FROM records") > 40  # no table was dropped


# -- the importer -----------------------------------------------------------------------------

def _count(store: Store) -> int:
    return store.scalar("SELECT count(*) FROM records")


def _import_or_reject(store: Store, tmp_path: Path, name: str, content: bytes):
    """Run a file through the importer: a clear ImportFileError or a report; nothing half-written."""
    before = _count(store)
    try:
        report = ingest.import_file(store, tmp_path / name, content=content, actor="hostile-test")
    except ingest.ImportFileError as exc:
        message = str(exc)
        assert message and len(message) < 400 and "Traceback" not in message
        assert _count(store) == before, "a rejected file must not leave records behind"
        return None
    assert _count(store) == before + len(report.imported)
    for rejected in report.rejected:
        assert rejected.errors and rejected.row >= 2
        for error in rejected.errors:
            assert i18n.error_text(error, "nl") != error.code
    if report.imported:
        statuses = {row[0] for row in store.rows(
            "SELECT DISTINCT status FROM records WHERE id IN (SELECT unnest(?::VARCHAR[]))", [report.imported])}
        assert statuses == {"approved"}
    return report


cell = st.one_of(payload, any_text.filter(lambda s: "\n" not in s and "\r" not in s), st.just(""),
                 st.sampled_from(["initiatief", "netwerk", "2341 AB", "Oegstgeest", "https://example.org",
                                  "ontmoeting", "52.18", "4.47"]))
header = st.lists(st.sampled_from(["naam", "soort", "thema's", "omschrijving", "postcode", "plaats", "website",
                                   "lat", "lon", "id", "email", "onbekend", "Naam ", "NAAM", ""]),
                  min_size=1, max_size=9)
encoding = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"])


@FEW
@given(columns=header, rows=st.lists(st.lists(cell, min_size=0, max_size=12), max_size=8),
       delimiter=st.sampled_from([";", ",", "\t"]), encoding=encoding)
def test_csv_files_with_ragged_rows_odd_encodings_and_hostile_cells(hostile_store, tmp_path_factory, columns,
                                                                    rows, delimiter, encoding):
    lines = [delimiter.join(columns)] + [delimiter.join(values) for values in rows]
    content = "\r\n".join(lines).encode(encoding, errors="replace")
    _import_or_reject(hostile_store, tmp_path_factory.getbasetemp(), "upload.csv", content)


def test_ragged_rows_are_rejected_row_by_row(store, tmp_path):
    content = ("naam;soort;plaats\n"
               "Goed;initiatief;Oegstgeest\n"
               "Te veel kolommen;initiatief;Oegstgeest;extra;nog een\n"
               "Te weinig;initiatief\n").encode()
    report = _import_or_reject(store, tmp_path, "ragged.csv", content)
    assert [r.row for r in report.rejected] == [3]
    assert {e.code for e in report.rejected[0].errors} == {"error.extra_columns"}
    assert report.rejected[0].errors[0].params == {"count": 2}
    # a short row is read as empty trailing cells: no guessing of values from other columns
    assert len(report.imported) == 2
    short = store.rows("SELECT place, kind FROM records WHERE name = 'Te weinig'")
    assert short == [(None, "initiative")]


@FEW
@given(content=st.binary(max_size=2_000))
@example(content=b"\xff\xfe\x00\xd8")          # UTF-16 BOM followed by a lone surrogate
@example(content=b'naam;soort\n"unterminated;initiatief\n')
@example(content=b"\x00" * 100)
@example(content=b"[" * 100_000)               # nested too deep for a JSON parser
@example(content=b'{"type": "FeatureCollection", "features": [{"geometry": {"type": "Point", "coordinates": ['
         + b"1" * 400 + b', 5]}, "properties": {"naam": "Te groot getal"}}]}')
@example(content=b'{"type": "FeatureCollection", "features": [1]}' + b" " * 10 + b"1" * 5000)
@example(content=b'{"a": ' + b"1" * 5000 + b"}")
def test_arbitrary_bytes_end_in_a_clear_message_or_a_report(hostile_store, tmp_path_factory, content):
    for name in ("upload.csv", "upload.geojson"):
        _import_or_reject(hostile_store, tmp_path_factory.getbasetemp(), name, content)


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                      st.floats(allow_nan=False, allow_infinity=False), hostile_text)
json_value = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                             st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                          max_leaves=8)
geometry = st.one_of(
    st.none(), json_value,
    st.fixed_dictionaries({"type": st.sampled_from(["Point", "LineString", "Polygon", "MultiPoint", "point"]),
                           "coordinates": st.one_of(st.lists(coordinate, max_size=3), json_value)}),
)
feature = st.one_of(json_value, st.fixed_dictionaries({
    "type": st.just("Feature"), "geometry": geometry,
    "properties": st.one_of(json_value, st.dictionaries(
        st.sampled_from(["naam", "name", "soort", "kind", "thema", "omschrijving", "plaats", "id", "email", "x"]),
        st.one_of(json_value, st.sampled_from(["initiatief", "Oegstgeest", "ontmoeting"])), max_size=6)),
}))


@FEW
@given(features=st.lists(feature, max_size=6), wrapper=st.sampled_from(["collection", "bare-list", "feature"]))
def test_geojson_of_any_shape(hostile_store, tmp_path_factory, features, wrapper):
    document = {"collection": {"type": "FeatureCollection", "features": features},
                "bare-list": features,
                "feature": features[0] if features else {}}[wrapper]
    content = json.dumps(document, allow_nan=True).encode()
    report = _import_or_reject(hostile_store, tmp_path_factory.getbasetemp(), "upload.geojson", content)
    if wrapper != "collection":
        assert report is None, "anything but a FeatureCollection is refused as a whole"


def test_non_point_geometry_is_rejected_per_row(store, tmp_path):
    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[4.4, 52.1], [4.5, 52.1], [4.5, 52.2],
                                                                            [4.4, 52.1]]]},
         "properties": {"naam": "Vlak in plaats van punt", "soort": "initiatief"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [4.47, 52.18]},
         "properties": {"naam": "Punt in Oegstgeest", "soort": "initiatief"}},
    ]}
    report = _import_or_reject(store, tmp_path, "mixed.geojson", json.dumps(document).encode())
    assert len(report.imported) == 1
    assert [e.code for e in report.rejected[0].errors] == ["error.geometry_not_point"]


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"omschrijving;plaats\nzonder naamkolom;Kampen\n", "Column 'naam'"),
    (b'{"type": "FeatureCollection", "features": [', "not valid JSON"),
    (b'{"type": "Feature", "geometry": null}', "FeatureCollection"),
    ("naam;soort\nCafé;initiatief\n".encode("utf-16"), None),
], ids=["empty", "blank", "missing-name-column", "broken-json", "single-feature", "utf-16"])
def test_malformed_files_say_what_is_wrong(store, tmp_path, content, message):
    before = _count(store)
    if message is None:
        report = ingest.import_file(store, tmp_path / "f.csv", content=content)
        assert _count(store) == before + len(report.imported)
        return
    with pytest.raises(ingest.ImportFileError, match=message):
        ingest.import_file(store, tmp_path / "f.csv", content=content)
    assert _count(store) == before


def test_a_50_mb_file_is_refused_whole_and_writes_nothing(store, tmp_path):
    line = "Buurtkamer;initiatief;ontmoeting;" + "x" * 200 + ";;2341 AB;Oegstgeest\n"
    path = tmp_path / "huge.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("naam;soort;thema's;omschrijving;adres;postcode;plaats\n")
        handle.write(line * (50 * 1024 * 1024 // len(line) + 1))
    assert path.stat().st_size > 50 * 1024 * 1024
    before = _count(store)
    with pytest.raises(ingest.ImportFileError, match=r"MB; the limit is \d+ MB"):
        ingest.import_file(store, path)
    assert _count(store) == before


def test_an_error_while_writing_leaves_nothing_half_written(store, tmp_path, monkeypatch):
    from mapping import imports

    # distinct names (similar names at one postcode would be reported as duplicates, not imported)
    names = ["Linde", "Eik", "Vaart", "Haven", "Molen", "Brink", "Akker", "Dijk", "Kade", "Beek"]
    content = ("naam;soort;postcode\n" + "".join(f"{n};initiatief;2341 AB\n" for n in names)).encode()
    before_records = _count(store)
    before_revisions = store.scalar("SELECT count(*) FROM revisions")
    original = imports._bulk_insert

    def failing_revisions(cur, table_name, frame):
        if table_name == "revisions":
            raise OSError("disk full")
        return original(cur, table_name, frame)

    monkeypatch.setattr(imports, "_bulk_insert", failing_revisions)
    with pytest.raises(OSError, match="disk full"):
        ingest.import_file(store, tmp_path / "f.csv", content=content)
    assert _count(store) == before_records
    assert store.scalar("SELECT count(*) FROM revisions") == before_revisions
    assert store.scalar("SELECT count(*) FROM import_batches") == 0


# -- URL parameters ---------------------------------------------------------------------------

param_value = st.one_of(hostile_text.map(lambda v: v if v is not None else ""),
                        st.lists(hostile_text.map(lambda v: v or ""), max_size=3),
                        st.sampled_from(["GM0579", "gm0579", "PV28", "WK059903", "ZK20", "hofje,ontmoeting",
                                         "initiative,meetup", "upcoming", "2025-01-01", "2025-13-45"]))
params_strategy = st.dictionaries(st.sampled_from(queries.PARAM_NAMES + ("id", "embed", "lang", "__proto__")),
                                  param_value, max_size=12)


@SETTINGS
@given(params=params_strategy)
@example(params={"q": "'; DROP TABLE records; --", "thema": "<script>", "soort": "initiative' OR '1'='1"})
@example(params={"q": "%_%\\", "gemeente": "GM0579'--", "van": "9999-99-99", "tot": "0001-01-01"})
def test_url_parameters_never_raise_and_only_yield_known_values(hostile_store, params):
    known_themes = {row[0] for row in hostile_store.rows("SELECT code FROM themes")}
    known_regions = {row[0] for row in hostile_store.rows("SELECT code FROM regions")}
    for themes, region_set in ((None, None), (known_themes, known_regions)):
        flt, ignored = queries.from_params(params, known_themes=themes, known_regions=region_set)
        # each ignored item names its parameter ("thema" or "thema=<dropped values>")
        assert {item.partition("=")[0] for item in ignored} <= set(queries.PARAM_NAMES)
        assert set(flt.kinds) <= set(KINDS)
        assert flt.meetups in queries.MEETUP_WHEN
        for level in ("provincie", "gemeente", "wijk", "zorgkantoorregio"):
            value = getattr(flt, level)
            assert value is None or queries._CODE[level].match(value)
            if region_set is not None:
                assert value is None or value in region_set
        if themes is not None:
            assert set(flt.themes) <= themes
        assert all(queries._THEME.match(code) for code in flt.themes)
        assert len(flt.search) <= queries.MAX_SEARCH
        assert not any(ord(ch) < 32 for ch in flt.search)
        assert flt.date_from is None or isinstance(flt.date_from, date)
        # the link round trip is stable and the query runs (SQL-like text is a parameter, never SQL)
        again, again_ignored = queries.from_params(queries.to_params(flt), known_themes=themes,
                                                   known_regions=region_set)
        assert again == flt and again_ignored == []
        queries.records(hostile_store, flt, columns=("id",))
        queries.counts_by_kind(hostile_store, flt)
    assert hostile_store.scalar("SELECT count(*) FROM records") > 0
