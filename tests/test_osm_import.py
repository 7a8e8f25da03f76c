"""Issue 15.6: OpenStreetMap exports (Overpass API JSON, overpass-turbo GeoJSON) as a source."""

import json
from pathlib import Path

import pytest

from mapping import osm
from mapping.cli import main

FIXTURE = Path(__file__).with_name("fixtures") / "overpass_oegstgeest.json"
# The way's four corner nodes in the fixture form a 0.002° × 0.002° square: its centroid by hand.
WAY_CENTRE = (52.1710, 4.4810)


def records(store):
    frame = store.df("SELECT * FROM records WHERE id LIKE 'osm-%' ORDER BY id")
    return {row["id"]: row for row in frame.to_dict("records")}


def test_overpass_json_becomes_records_with_kind_themes_address_and_source(store):
    report = osm.import_osm(store, FIXTURE)
    found = records(store)
    assert set(found) == {"osm-node-1000000001", "osm-node-1000000002", "osm-way-2000000001"}
    centre = found["osm-node-1000000001"]
    assert (centre["name"], centre["kind"], list(centre["themes"])) == ("Buurthuis De Kroon", "meetup", ["ontmoeting"])
    assert (centre["address"], centre["postcode"], centre["place"]) == ("Lange Voort 12", "2341 KA", "Oegstgeest")
    assert centre["website"] == "https://example.org/buurthuis-de-kroon"
    assert "Mo-Fr 09:00-17:00" in centre["description"]
    assert centre["source_url"] == "https://www.openstreetmap.org/node/1000000001"
    assert centre["gemeente_code"] == "GM0579" and centre["status"] == "approved"
    home = found["osm-node-1000000002"]
    assert (home["kind"], list(home["themes"])) == ("provider", ["wonen"])      # social_facility=nursing_home
    practice = found["osm-way-2000000001"]
    assert practice["kind"] == "provider" and practice["location_precision"] == "address"
    assert (practice["lat"], practice["lon"]) == pytest.approx(WAY_CENTRE, abs=1e-6)
    assert practice["source_url"] == "https://www.openstreetmap.org/way/2000000001"
    # the bench has no tag in data/osm_tags.csv: rejected with the reason, not guessed
    (bench,) = report.rejected
    assert bench.name == "Bank bij de vijver" and bench.errors[0].code == "error.kind"
    assert report.batch_id and report.withdrawn == []


def test_reimport_updates_changed_and_withdraws_vanished_elements(store, tmp_path):
    osm.import_osm(store, FIXTURE)
    document = json.loads(FIXTURE.read_text())
    document["elements"] = [e for e in document["elements"] if e["id"] != 1000000002]   # home closed
    for element in document["elements"]:
        if element["id"] == 1000000001:
            element["tags"]["name"] = "Buurthuis De Kroon (vernieuwd)"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(document))
    dry = osm.import_osm(store, newer, dry_run=True)
    assert dry.withdrawn == ["osm-node-1000000002"] and records(store)["osm-node-1000000002"]["status"] == "approved"
    report = osm.import_osm(store, newer)
    found = records(store)
    assert report.updated == ["osm-node-1000000001"] and report.imported == []
    assert found["osm-node-1000000001"]["name"] == "Buurthuis De Kroon (vernieuwd)"
    assert report.withdrawn == ["osm-node-1000000002"] and found["osm-node-1000000002"]["status"] == "archived"
    assert found["osm-way-2000000001"]["status"] == "approved"
    assert {d.action for d in report.duplicates} == {"updated", "unchanged"}
    assert store.scalar("SELECT count(*) FROM revisions WHERE entity_id = 'osm-node-1000000002' "
                        "AND action = 'withdraw'") == 1


def test_overpass_turbo_geojson_gives_the_same_records(store, tmp_path):
    corners = [[4.4800, 52.1700], [4.4820, 52.1700], [4.4820, 52.1720], [4.4800, 52.1720], [4.4800, 52.1700]]
    turbo = {"type": "FeatureCollection", "generator": "overpass-turbo",
             "copyright": "The data included in this document is from www.openstreetmap.org. "
                          "The data is made available under ODbL.",
             "features": [
                 {"type": "Feature", "id": "way/2000000001",
                  "properties": {"@id": "way/2000000001", "amenity": "doctors", "healthcare": "doctor",
                                 "name": "Huisartsenpraktijk Haaswijk"},
                  "geometry": {"type": "Polygon", "coordinates": [corners]}},
                 {"type": "Feature", "id": "node/1000000001",
                  "properties": {"@id": "node/1000000001", "amenity": "community_centre",
                                 "name": "Buurthuis De Kroon"},
                  "geometry": {"type": "Point", "coordinates": [4.4702, 52.1812]}}]}
    path = tmp_path / "export.geojson"
    path.write_text(json.dumps(turbo))
    report = osm.import_osm(store, path)
    assert sorted(report.imported) == ["osm-node-1000000001", "osm-way-2000000001"]
    practice = records(store)["osm-way-2000000001"]
    assert (practice["lat"], practice["lon"]) == pytest.approx(WAY_CENTRE, abs=1e-6)


def test_attribution_only_where_osm_records_are_shown():
    assert osm.attribution(["https://example.org", None], "nl") is None
    line = osm.attribution(["https://www.openstreetmap.org/node/1"], "en")
    assert "OpenStreetMap contributors" in line and "ODbL" in line
    assert "OpenStreetMap-bijdragers" in osm.attribution(["https://www.openstreetmap.org/way/2"], "nl")


def test_cli_import_osm_and_undo(db_path, capsys):
    assert main(["--db", str(db_path), "import-osm", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "3 nieuw" in out and "Bank bij de vijver" in out
    batch = out.split("import --undo ")[1].split()[0]
    assert main(["--db", str(db_path), "import", "--undo", batch]) == 0
    assert "3 records teruggetrokken" in capsys.readouterr().out


def test_not_an_osm_file_says_what_to_export(store, tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(osm.ImportFileError, match="overpass-turbo"):
        osm.import_osm(store, path)
