"""Downloads: exactly the filtered selection, public columns only, formats that open correctly."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pandas as pd
import pytest

from mapping import exports, queries
from mapping.queries import Filter

NOW = datetime(2025, 6, 1, 9, 30, tzinfo=timezone.utc)


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark for Excel"
    text = data[3:].decode("utf-8")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def meetup(**fields) -> dict:
    base = {"id": "m1", "name": "Bijeenkomst", "kind": "meetup", "themes": [], "description": None,
            "address": None, "postcode": None, "place": None, "lat": None, "lon": None, "website": None,
            "source": None, "starts_at": pd.Timestamp("2025-07-03 10:00"), "ends_at": pd.Timestamp("2025-07-03 11:30"),
            "all_day": False, "online": False, "meeting_url": None}
    return {**base, **fields}


def test_csv_holds_exactly_the_filtered_selection(store):
    flt = Filter(gemeente="GM0579")
    rows = read_csv(exports.to_csv(queries.export_records(store, flt)))
    assert sorted(row["id"] for row in rows) == sorted(queries.records(store, flt)["id"])
    vitality = next(row for row in rows if row["id"] == "vitality-club")
    assert vitality["gemeente_naam"] == "Oegstgeest" and vitality["kind"] == "initiative"
    assert vitality["lat"].startswith("52.18") and vitality["themes"] == "vitaliteit"


def test_csv_keeps_accents_and_separators_intact(store):
    rows = read_csv(exports.to_csv(queries.export_records(store, Filter(search="cooperatie"))))
    austerlitz = next(row for row in rows if row["id"] == "austerlitz-zorgt")
    assert "Zorgcoöperatie" in austerlitz["description"]
    tricky = pd.DataFrame([{"id": "x", "name": 'Naam; met "quotes"\nen regel', "kind": "initiative", "themes": ["a", "b"]}])
    row = read_csv(exports.to_csv(tricky))[0]
    assert row["name"] == 'Naam; met "quotes"\nen regel' and row["themes"] == "a, b"


def test_csv_neutralises_spreadsheet_formulas():
    hostile = pd.DataFrame([{"id": "x", "name": "=HYPERLINK(\"http://evil\",\"klik\")", "kind": "initiative",
                             "description": "+31 6 1234", "place": "@SUM(A1)", "lat": 52.1, "lon": 4.4}])
    row = read_csv(exports.to_csv(hostile))[0]
    assert row["name"].startswith("'=") and row["description"].startswith("'+") and row["place"].startswith("'@")
    assert row["lat"] == "52.1"


def test_exports_never_contain_contact_fields(store):
    frame = queries.export_records(store, Filter())
    assert not any("contact" in column or "email" in column or "secret" in column for column in frame.columns)
    leaked = frame.assign(contact_email="iemand@example.nl", contact_name="Iemand", secret_hash="abc")
    for data in (exports.to_csv(leaked), exports.to_geojson(leaked), exports.to_ics(leaked, now=NOW)):
        text = data.decode("utf-8")
        assert "iemand@example.nl" not in text and "Iemand" not in text and "secret_hash" not in text


def test_geojson_points_and_records_without_location(store):
    flt = Filter(themes=("voorzorgcirkel",))
    data = json.loads(exports.to_geojson(queries.export_records(store, flt)))
    assert data["type"] == "FeatureCollection"
    features = {f["id"]: f for f in data["features"]}
    assert set(features) == set(queries.records(store, flt)["id"])
    club = features["club-oegstgeest"]
    assert club["geometry"]["type"] == "Point"
    lon, lat = club["geometry"]["coordinates"]
    assert 4 < lon < 5 and 52 < lat < 53                        # GeoJSON order: lon, lat
    assert club["properties"]["themes"] == ["voorzorgcirkel", "ontmoeting"]
    assert features["zorghulp"]["geometry"] is None             # no location, still in the selection
    assert "lat" not in club["properties"]


def test_ics_is_valid_rfc5545(store):
    text = exports.to_ics(queries.export_records(store, Filter(kinds=("meetup",))), "nl", now=NOW).decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    lines = unfold(text)
    assert "BEGIN:VTIMEZONE" in lines and "TZID:Europe/Amsterdam" in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT")
    with_start = queries.records(store, Filter(kinds=("meetup",)))
    assert lines.count("BEGIN:VEVENT") == int(with_start["starts_at"].notna().sum())
    assert "DTSTART;TZID=Europe/Amsterdam:20250703T100000" in lines
    assert "DTEND;TZID=Europe/Amsterdam:20250703T113000" in lines
    assert "DTSTART;VALUE=DATE:20250318" in lines and "DTEND;VALUE=DATE:20250319" in lines
    assert "UID:online-sparsessie-2025-07-03@zorgzame-buurten-kaart" in lines
    assert all(line == "DTSTAMP:20250601T093000Z" for line in lines if line.startswith("DTSTAMP"))


def test_ics_online_meetup_has_its_link_and_no_place(store):
    text = exports.to_ics(queries.export_records(store, Filter(kinds=("meetup",))), "en", now=NOW).decode()
    events = text.split("BEGIN:VEVENT")[1:]
    online = next(e for e in events if "online-sparsessie-2025-07-03" in e)
    lines = unfold("BEGIN:VEVENT" + online)
    assert "LOCATION:Online" in lines
    url = next(line for line in lines if line.startswith("URL:"))
    assert url.startswith("URL:https://www.clientenraad.nl/bijeenkomsten/online-sparsessie")
    assert any(line.startswith("DESCRIPTION:") and "Join: https://www.clientenraad.nl" in line for line in lines)
    assert not any(line.startswith("GEO:") for line in lines)


def test_ics_escapes_and_folds_text():
    name = "Koffie, thee; en\\ meer\nop dinsdag — één keer per maand in het buurthuis ’t Hofje aan de Dorpsstraat"
    data = exports.to_ics(pd.DataFrame([meetup(name=name, place="Zeist", lat=52.1, lon=5.2)]), now=NOW)
    text = data.decode("utf-8")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    summary = next(line for line in unfold(text) if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:" + "Koffie\\, thee\\; en\\\\ meer\\nop dinsdag — één keer per maand in het buurthuis ’t Hofje aan de Dorpsstraat"
    assert "GEO:52.1;5.2" in unfold(text)                       # FLOAT values, RFC 5545 3.8.1.6


def test_ics_folding_never_splits_a_character():
    description = "é" * 100
    data = exports.to_ics(pd.DataFrame([meetup(description=description)]), now=NOW)
    physical = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in physical)
    text = data.decode("utf-8")                                   # raises if a character was split
    assert any(line.startswith("DESCRIPTION:" + description) for line in unfold(text))


def test_ics_skips_other_kinds_and_meetups_without_date():
    frame = pd.DataFrame([meetup(id="dated"), meetup(id="undated", starts_at=pd.NaT, ends_at=pd.NaT),
                          {**meetup(id="initiative"), "kind": "initiative"}])
    text = exports.to_ics(frame, now=NOW).decode()
    assert "UID:dated@" in text and "undated" not in text and "UID:initiative@" not in text
    assert len(exports.ics_events(frame)) == 1


def test_file_names_are_safe():
    assert exports.file_name("zorgzame-buurten", "csv", ["GM0579", "../../etc", ""]) == "zorgzame-buurten_GM0579_etc.csv"


def test_every_csv_download_uses_one_dialect(store):
    """Records, Verbindingen and Witte vlekken downloads: ';', CRLF, UTF-8 with BOM (Dutch Excel)."""
    from mapping import csv_dialect, network

    records = exports.to_csv(queries.export_records(store, Filter()))
    links = network.links_csv(queries.links_for(store, Filter()), "nl")
    table = csv_dialect.frame_to_csv(pd.DataFrame({"gemeente": ["Leiden, Zuid"], "aandeel": [0.25]}), decimal=",")
    for data in (records, links, table):
        assert data.startswith(b"\xef\xbb\xbf")
        header = data[3:].split(b"\r\n", 1)[0].decode("utf-8")
        assert ";" in header and "," not in header, header
    assert table[3:].decode("utf-8") == "gemeente;aandeel\r\nLeiden, Zuid;0,25\r\n"
    link_rows = list(csv.reader(io.StringIO(links[3:].decode("utf-8"), newline=""), delimiter=";"))
    assert len(link_rows) - 1 == len(queries.links_for(store, Filter())) and "from_id" in link_rows[0]
