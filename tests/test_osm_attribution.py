"""Issue 15.6: with OpenStreetMap records in the public data, the pages and exports that show them
carry the ODbL attribution (© OpenStreetMap contributors); without such records they do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import page_path
from mapping import exports, osm, queries
from mapping.queries import Filter
from mapping.store import Store

FIXTURE = Path(__file__).with_name("fixtures") / "overpass_oegstgeest.json"
NL_NOTICE = "© OpenStreetMap-bijdragers"          # the Dutch line, written out by hand
EN_NOTICE = "© OpenStreetMap contributors"


@pytest.fixture
def with_osm(app_env):
    store = Store(str(app_env))
    try:
        report = osm.import_osm(store, FIXTURE, actor="test")
        assert len(report.imported) == 3
    finally:
        store.close()
    return app_env


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def run(page: str, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(page_path(page), default_timeout=90)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", ["kaart.py", "overzicht.py"])
def test_pages_show_the_odbl_line_with_osm_records(with_osm, page):
    text = captions(run(page))
    assert NL_NOTICE in text and "Open Database License" in text


@pytest.mark.parametrize("page", ["kaart.py", "overzicht.py"])
def test_pages_show_no_odbl_line_without_osm_records(app_env, page):
    assert "OpenStreetMap-bijdragers" not in captions(run(page))


def test_the_embedded_map_shows_the_odbl_line(with_osm):
    assert NL_NOTICE in captions(run("kaart.py", {"embed": "1", "gemeente": "GM0579"}))


def test_the_english_page_shows_the_english_line(with_osm):
    assert EN_NOTICE in captions(run("kaart.py", {"lang": "en"}))


def test_geojson_export_carries_the_attribution_only_with_osm_records(with_osm):
    store = Store(str(with_osm))
    try:
        everything = json.loads(exports.to_geojson(queries.export_records(store, Filter()), "en"))
        # the Oegstgeest fixture's records are in GM0579; Rotterdam (GM0599) has records, none from OpenStreetMap: no notice
        elsewhere = json.loads(exports.to_geojson(queries.export_records(store, Filter(gemeente="GM0599")), "en"))
    finally:
        store.close()
    assert EN_NOTICE in everything["attribution"] and "ODbL" in everything["attribution"]
    assert "https://www.openstreetmap.org/node/1000000001" in {f["properties"]["source"] for f in everything["features"]}
    assert elsewhere["features"] and "attribution" not in elsewhere
