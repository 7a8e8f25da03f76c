"""`python -m mapping import`: Dutch spreadsheet habits, row reports, nothing half-written."""

import json

import pytest

from mapping import ingest
from mapping.cli import main

DUTCH_EXCEL_CSV = (
    "\ufeffNaam;Soort;Thema's;Omschrijving;Adres;Postcode;Plaats;Website;Bron\r\n"
    "Buurtkamer De Linde;initiatief;ontmoeting;Koffie en een praatje;;2341 AB;Oegstgeest;https://example.org/linde;https://example.org/bron\r\n"
    "Hofje Zonder Coördinaten;Initiatief;Hofje;Wonen rond een binnentuin;;3011AB;;;https://example.org/bron\r\n"
    "Kapotte regel;onbekend-soort;ontmoeting;x;;9999 ZZ;;niet-een-url;\r\n"
    ";initiatief;;zonder naam;;;;;\r\n"
    "Buiten Nederland;initiatief;;;;;Brussel;;\r\n"
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_dutch_spreadsheet_csv_imports_valid_rows_and_reports_bad_ones(store, tmp_path):
    path = write(tmp_path, "export.csv", DUTCH_EXCEL_CSV)
    before = store.scalar("SELECT count(*) FROM records")
    report = ingest.import_file(store, path)
    assert len(report.imported) == 2
    assert [r.row for r in report.rejected] == [4, 5, 6]
    reasons = {r.row: {e.code for e in r.errors} for r in report.rejected}
    assert "error.kind" in reasons[4] and "error.url" in reasons[4]
    assert "error.required" in reasons[5]
    assert "error.place_unknown" in reasons[6]
    assert store.scalar("SELECT count(*) FROM records") == before + 2
    linde = store.df("SELECT * FROM public_records WHERE name = 'Buurtkamer De Linde'").iloc[0]
    assert linde["postcode"] == "2341 AB"
    assert linde["location_precision"] == "postcode"
    assert linde["gemeente_code"] == "GM0579"
    assert list(linde["themes"]) == ["ontmoeting"]
    hofje = store.df("SELECT * FROM public_records WHERE name = 'Hofje Zonder Coördinaten'").iloc[0]
    assert hofje["gemeente_code"] == "GM0599"  # 3011 = Rotterdam Centrum, geocoded offline


def test_windows_1252_and_comma_separated_files_are_read(store, tmp_path):
    text = "naam,soort,plaats,bron\nCoöperatie Één,initiatief,Kampen,https://example.org\n"
    path = write(tmp_path, "oud.csv", text, encoding="cp1252")
    report = ingest.import_file(store, path)
    assert len(report.imported) == 1 and not report.rejected
    assert store.scalar("SELECT place FROM records WHERE id = ?", [report.imported[0]]) == "Kampen"
    assert store.scalar("SELECT name FROM records WHERE id = ?", [report.imported[0]]) == "Coöperatie Één"


def test_malformed_and_nonexistent_postcodes_are_reported(store, tmp_path):
    # 0999 is not a Dutch postcode format; 1010 is well-formed but not in the CBS postcode table
    path = write(tmp_path, "pc.csv", "naam;soort;postcode\nTest Initiatief;initiatief;0999 AA\n"
                                     "Ander Initiatief;initiatief;1010 AB\nGoed Initiatief;initiatief;1011 AB\n")
    report = ingest.import_file(store, path)
    codes = {r.row: {e.code for e in r.errors} for r in report.rejected}
    assert codes == {2: {"error.postcode_format"}, 3: {"error.postcode_unknown"}}
    assert len(report.imported) == 1
    assert store.scalar("SELECT gemeente_code FROM records WHERE id = ?", [report.imported[0]]) == "GM0363"


def test_geojson_points_import(store, tmp_path):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"naam": "Dorpstafel Test", "soort": "initiatief", "thema": "dorpstafel"},
         "geometry": {"type": "Point", "coordinates": [5.911, 52.555]}},
        {"type": "Feature", "properties": {"naam": "Lijn", "soort": "initiatief"},
         "geometry": {"type": "LineString", "coordinates": [[5.9, 52.5], [5.91, 52.51]]}},
    ]}
    path = write(tmp_path, "punten.geojson", json.dumps(doc))
    report = ingest.import_file(store, path)
    assert len(report.imported) == 1
    assert {e.code for e in report.rejected[0].errors} == {"error.geometry_not_point"}
    assert store.scalar("SELECT gemeente_code FROM records WHERE id = ?", [report.imported[0]]) == "GM0166"


def test_file_without_name_column_is_refused_whole(store, tmp_path):
    path = write(tmp_path, "fout.csv", "titel;soort\nIets;initiatief\n")
    before = store.scalar("SELECT count(*) FROM records")
    with pytest.raises(ingest.ImportFileError, match="naam"):
        ingest.import_file(store, path)
    assert store.scalar("SELECT count(*) FROM records") == before
    assert store.scalar("SELECT count(*) FROM import_batches") == 0


def test_failed_write_leaves_nothing_half_written(store, tmp_path, monkeypatch):
    from mapping import imports

    path = write(tmp_path, "goed.csv", "naam;soort;plaats\nBuurtkamer De Linde;initiatief;Kampen\nHofje Achter de Kerk;initiatief;Kampen\n")
    before = store.scalar("SELECT count(*) FROM records")
    original = imports._bulk_insert
    calls = {"n": 0}

    def failing(cur, *args, **kwargs):   # records and batch rows are written, then the revisions fail
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(cur, *args, **kwargs)

    monkeypatch.setattr(imports, "_bulk_insert", failing)
    with pytest.raises(RuntimeError):
        ingest.import_file(store, path)
    assert calls["n"] == 2
    assert store.scalar("SELECT count(*) FROM records") == before
    assert store.scalar("SELECT count(*) FROM import_batches") == 0
    assert store.scalar("SELECT count(*) FROM import_batch_records") == 0


def test_cli_import_and_stats(db_path, tmp_path, capsys):
    path = write(tmp_path, "export.csv", DUTCH_EXCEL_CSV)
    assert main(["--db", str(db_path), "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 van 5 regels geïmporteerd" in out
    assert "regel 4 (Kapotte regel)" in out
    assert main(["--db", str(db_path), "stats"]) == 0
    out = capsys.readouterr().out
    assert "== per kind ==" in out and "initiative" in out and "Zuid-Holland" in out and "approved" in out


def test_cli_without_database_says_how_to_build(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "nope.duckdb"), "stats"]) == 2
    assert "python -m mapping build" in capsys.readouterr().err
