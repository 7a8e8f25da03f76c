"""Issue 15: a zorgkantoor's spreadsheet imports all its good rows, explains what it interpreted,
finds duplicates, can be tried first (dry run), fixed (rejected-rows file) and undone."""

import csv
import io
from pathlib import Path

import pytest

from mapping import exports, imports, ingest, queries
from mapping.cli import main
from mapping.store import Store

FIXTURES = Path(__file__).with_name("fixtures")
UTF8 = FIXTURES / "dutch_export_utf8.csv"        # BOM, ';', CRLF, headers of the issue, row 4 broken
CP1252 = FIXTURES / "dutch_export_cp1252.csv"    # the same rows as Excel's "CSV (lijstscheidingsteken)"


def record(store, name):
    frame = store.df("SELECT * FROM records WHERE name = ?", [name])
    assert len(frame) == 1, name
    return frame.iloc[0]


@pytest.mark.parametrize("path", [UTF8, CP1252], ids=["utf8-bom", "windows-1252"])
def test_dutch_export_imports_every_good_row(store, path):
    report = ingest.import_file(store, path)
    assert len(report.imported) == 4
    assert [r.row for r in report.rejected] == [4]
    (error,) = report.rejected[0].errors
    assert error.code == "error.theme_suggest"
    assert error.params == {"value": "buurthulpp", "suggestion": "Buurthulp"}

    hofjes = record(store, "Hofjes Achter de Kerk")
    assert list(hofjes["themes"]) == ["hofje"] and hofjes["kind"] == "initiative"
    # a source that is not a URL is kept as the source title, not thrown away
    assert hofjes["source_title"] == "eigen inventarisatie 2025" and hofjes["source_url"] is None
    assert hofjes["gemeente_code"] == "GM0579"                      # 2341 = Oegstgeest
    kampen = record(store, "Zorgcoöperatie Hart van Kampen")
    assert kampen["kind"] == "initiative"
    assert list(kampen["themes"]) == ["ontmoeting", "zorgcooperatie"]
    assert kampen["website"] == "https://www.example.org/hart-van-kampen"
    assert record(store, "Inloop Bijeenkomst Oost")["kind"] == "meetup"
    assert list(record(store, "Inloop Bijeenkomst Oost")["themes"]) == ["ontmoeting", "vitaliteit"]
    assert record(store, "Stichting Welzijn Zuid")["kind"] == "provider"

    seen = {(i.row, i.field, i.original, i.value) for i in report.interpreted}
    assert {(2, "themes", "hofjes", "hofje"), (3, "kind", "zorgcoöperatie", "initiative"),
            (3, "themes", "zorgcoöperatie", "zorgcooperatie"), (6, "kind", "zorgorganisatie", "provider"),
            (2, "source_title", "eigen inventarisatie 2025", "eigen inventarisatie 2025")} <= seen
    # nothing silently: every row whose values were changed is listed
    assert {i.row for i in report.interpreted} == {2, 3, 4, 6}


def test_dry_run_writes_nothing_and_rejected_rows_come_back_in_the_same_dialect(store, tmp_path):
    before = store.scalar("SELECT count(*) FROM records")
    table = imports.read_table(CP1252)
    report = imports.import_table(store, table, dry_run=True)
    assert len(report.imported) == 4 and report.batch_id is None
    assert store.scalar("SELECT count(*) FROM records") == before
    assert store.scalar("SELECT count(*) FROM import_batches") == 0

    name, data, _ = imports.rejected_file(table, report)
    assert name == "dutch_export_cp1252-afgewezen.csv"
    text = data.decode("cp1252")                                 # same encoding as the input
    original = CP1252.read_bytes().decode("cp1252").split("\r\n")
    lines = text.split("\r\n")
    assert lines[0] == original[0] + ";reden"
    assert lines[1].startswith(original[3] + ";")                # row 4 as the user wrote it
    assert lines[1].endswith("Onbekend thema 'buurthulpp' — bedoelt u 'Buurthulp'?")

    # fixed in "Excel" and imported again: now it goes in
    fixed = text.replace(";buurthulpp;", ";buurthulp;").encode("cp1252")
    again = ingest.import_file(store, "afgewezen.csv", content=fixed)
    assert len(again.imported) == 1 and not again.rejected
    assert list(record(store, "Buurthulp De Vaart")["themes"]) == ["buurthulp"]


def test_second_import_reports_duplicates_and_update_existing_updates_with_a_revision(store):
    first = ingest.import_file(store, UTF8)
    count = store.scalar("SELECT count(*) FROM records")
    changed = UTF8.read_bytes().replace(b"Vier hofjes rond een binnentuin", b"Vijf hofjes rond een tuin")
    second = ingest.import_file(store, "lijst.csv", content=changed)
    assert second.imported == [] and store.scalar("SELECT count(*) FROM records") == count
    actions = {d.row: d.action for d in second.duplicates}
    assert actions == {2: "skipped", 3: "unchanged", 5: "unchanged", 6: "unchanged"}
    hofjes_id = record(store, "Hofjes Achter de Kerk")["id"]
    assert {d.match_id for d in second.duplicates if d.row == 2} == {hofjes_id}
    assert record(store, "Hofjes Achter de Kerk")["description"] == "Vier hofjes rond een binnentuin"

    third = ingest.import_file(store, "lijst.csv", content=changed, update_existing=True)
    assert third.updated == [hofjes_id] and third.imported == []
    assert record(store, "Hofjes Achter de Kerk")["description"] == "Vijf hofjes rond een tuin"
    assert store.scalar("SELECT count(*) FROM records") == count
    revision = store.scalar("SELECT changes FROM revisions WHERE entity_id = ? AND action = 'update'", [hofjes_id])
    assert "Vijf hofjes rond een tuin" in revision and third.batch_id in revision
    assert first.batch_id != third.batch_id


def test_duplicates_within_the_file_and_against_existing_records(store):
    text = ("naam;soort;plaats;website;bron\n"
            "Buurtkamer De Linde;initiatief;Kampen;https://linde.example.org;eigen lijst\n"
            "Buurtkamer de Linde;initiatief;Kampen;;eigen lijst\n"            # same name, same place point
            "Huiskamer Noord;initiatief;Kampen;https://linde.example.org/;eigen lijst\n"  # same website
            "Zorgvrijstaat;initiative;Rotterdam;https://www.zorgvrijstaat.nl/;eigen lijst\n")
    report = ingest.import_file(store, "dubbel.csv", content=text.encode())
    assert len(report.imported) == 1
    by_row = {d.row: d for d in report.duplicates}
    assert by_row[3].match_row == 2 and "name_nearby" in by_row[3].reasons
    assert by_row[4].match_row == 2 and by_row[4].reasons == ("website",)
    assert by_row[5].match_id == "zorgvrijstaat" and "website" in by_row[5].reasons
    assert store.scalar("SELECT count(*) FROM records WHERE name ILIKE '%linde%'") == 1


def test_undo_withdraws_only_the_records_nobody_changed(store):
    report = ingest.import_file(store, UTF8, actor="anne")
    changed_id = record(store, "Stichting Welzijn Zuid")["id"]
    store.execute("UPDATE records SET description = 'door moderator aangepast', updated_at = now() "
                  "WHERE id = ?", [changed_id])
    undone = imports.undo_batch(store, report.batch_id, actor="bert")
    assert sorted(undone.withdrawn) == sorted(set(report.imported) - {changed_id})
    assert undone.kept == [changed_id]
    public = {r[0] for r in store.rows("SELECT id FROM public_records")}
    assert not (set(undone.withdrawn) & public) and changed_id in public
    assert store.scalar("SELECT count(*) FROM revisions WHERE action = 'withdraw' AND actor = 'bert'") == 3
    (batch,) = imports.list_batches(store)
    assert batch.id == report.batch_id and batch.undone_by == "bert" and batch.withdrawn == 3
    assert (batch.imported, batch.rejected, batch.actor) == (4, 1, "anne")
    with pytest.raises(imports.UndoError, match="undone already"):
        imports.undo_batch(store, report.batch_id, actor="bert")


def test_undo_in_two_threads_withdraws_once(db_path):
    import threading

    store = Store(db_path)
    report = ingest.import_file(store, UTF8)
    outcomes: list[str] = []

    def undo():
        try:
            imports.undo_batch(store, report.batch_id, actor="x")
            outcomes.append("done")
        except imports.UndoError:
            outcomes.append("refused")
        except Exception as exc:  # a write conflict that ran out of retries counts as refused too
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=undo) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("done") == 1
    assert store.scalar("SELECT count(*) FROM revisions WHERE action = 'withdraw'") == 4
    store.close()


def test_unknown_header_can_be_assigned_to_a_field(store):
    text = "Organisatienaam;Soort;Woonplaats\nBuurtkamer De Linde;initiatief;Kampen\n".encode()
    with pytest.raises(ingest.ImportFileError, match="naam"):
        imports.read_table("x.csv", text)
    table = imports.read_table("x.csv", text, column_map={"Organisatienaam": "name"})
    assert [(c.header, c.field, c.how) for c in table.columns] == [
        ("Organisatienaam", "name", "mapped"), ("Soort", "kind", "alias"), ("Woonplaats", "place", "alias")]
    assert len(imports.import_table(store, table).imported) == 1


def test_xlsx_made_with_openpyxl(store):
    from openpyxl import Workbook, load_workbook

    workbook = Workbook()
    sheet = workbook.active
    for line in UTF8.read_text(encoding="utf-8-sig").splitlines():
        sheet.append(line.split(";"))
    sheet.append(["Buurtcirkel Noord", "Initiatieven", "Buurtcirkels", 2341, "Oegstgeest", None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = imports.read_table("regio.xlsx", buffer.getvalue())
    report = imports.import_table(store, table)
    assert len(report.imported) == 5 and [r.row for r in report.rejected] == [4]
    noord = record(store, "Buurtcirkel Noord")
    assert noord["kind"] == "initiative" and list(noord["themes"]) == ["buurtcirkel"]
    assert noord["postcode"] == "2341"
    name, data, _ = imports.rejected_file(table, report)
    assert name == "regio-afgewezen.xlsx"
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][-1] == "reden" and rows[1][0] == "Buurthulp De Vaart" and "Buurthulp" in rows[1][-1]


def test_cli_dry_run_rejected_file_list_and_undo(db_path, tmp_path, capsys):
    rejected = tmp_path / "afgewezen.csv"
    assert main(["--db", str(db_path), "import", str(UTF8), "--dry-run", "--rejected", str(rejected)]) == 0
    out = capsys.readouterr().out
    assert "Proefimport: er is niets opgeslagen." in out
    assert "Kolommen: Naam → name, Soort → kind, Thema's → themes" in out and "genegeerd: —" in out
    assert "themes 'hofjes' → 'hofje'" in out and "bedoelt u 'Buurthulp'?" in out
    assert rejected.read_bytes().startswith(b"\xef\xbb\xbfNaam;Soort;")
    assert main(["--db", str(db_path), "import", "--list"]) == 0
    assert "Nog geen imports." in capsys.readouterr().out
    assert main(["--db", str(db_path), "import", str(UTF8), "--actor", "anne"]) == 0
    batch = capsys.readouterr().out.split("import --undo ")[1].split()[0]
    assert main(["--db", str(db_path), "import", "--list"]) == 0
    listed = capsys.readouterr().out
    assert batch in listed and "anne" in listed and "new 4" in listed
    assert main(["--db", str(db_path), "import", "--undo", batch]) == 0
    assert "4 records teruggetrokken" in capsys.readouterr().out
    assert main(["--db", str(db_path), "import", "--undo", batch]) == 2


# -- round trip ---------------------------------------------------------------------------------

def _export(store, writer):
    return writer(queries.export_records(store, queries.Filter()))


@pytest.mark.parametrize("writer,suffix", [(exports.to_csv, "csv"), (exports.to_geojson, "geojson")])
def test_project_export_imports_back_unchanged(store, tmp_path, writer, suffix):
    exported = _export(store, writer)
    count = store.scalar("SELECT count(*) FROM records")
    # into the same installation: every row is recognised, nothing doubled
    report = ingest.import_file(store, f"export.{suffix}", content=exported)
    assert report.imported == [] and not report.rejected
    assert {d.action for d in report.duplicates} == {"unchanged"}
    assert store.scalar("SELECT count(*) FROM records") == count
    # into another installation (same reference data, no records): the same export comes out
    other = Store(tmp_path / "other.duckdb")
    ingest.build(other, include_dataset=False)
    report = ingest.import_file(other, f"export.{suffix}", content=exported)
    assert not report.rejected and not report.duplicates
    assert len(report.imported) == len(queries.export_records(store, queries.Filter()))
    assert _export(other, writer) == exported
    other.close()


def test_rejected_geojson_rows_keep_their_features(store):
    text = ('{"type": "FeatureCollection", "features": ['
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [4.47, 52.18]},'
            ' "properties": {"naam": "Goede Buurt", "soort": "initiatief", "bron": "eigen lijst"}},'
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [4.47, 52.18]},'
            ' "properties": {"naam": "Slechte Buurt", "soort": "buurtwinkel"}}]}')
    table = imports.read_table("lijst.geojson", text.encode())
    report = imports.import_table(store, table)
    assert len(report.imported) == 1
    name, data, _ = imports.rejected_file(table, report)
    import json

    document = json.loads(data)
    (feature,) = document["features"]
    assert feature["properties"]["naam"] == "Slechte Buurt"
    assert "buurtwinkel" in feature["properties"]["reden"]
    assert feature["geometry"]["coordinates"] == [4.47, 52.18]


def test_csv_rejected_file_keeps_comma_dialect(store):
    text = "naam,soort,plaats\nGoed Initiatief,initiatief,Kampen\n\"Fout, maar met komma\",xyz,Kampen\n"
    table = imports.read_table("komma.csv", text.encode())
    report = imports.import_table(store, table)
    _, data, _ = imports.rejected_file(table, report)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == ["naam", "soort", "plaats", "reden"]
    assert rows[1][:3] == ["Fout, maar met komma", "xyz", "Kampen"]


def test_long_files_report_progress_up_to_the_last_row(store):
    rows = "".join(f"Rij {i};geen-soort;Kampen\n" for i in range(4500))
    table = imports.read_table("lang.csv", ("naam;soort;plaats\n" + rows).encode())
    seen: list[tuple[int, int]] = []
    imports.import_table(store, table, dry_run=True, progress=lambda done, total, _m: seen.append((done, total)))
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == 4500 and {t for _, t in seen} == {4500}
    assert len({d for d in done if 0 < d < 4500}) >= 2           # steps in between, not only start and end
