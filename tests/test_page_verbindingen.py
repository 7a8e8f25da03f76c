"""The Verbindingen page (AppTest): region filter, per-record partners, islands, schakels, views."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from conftest import page_path
from mapping import regions
from mapping.store import Store

LZL_PARTNERS = {"Vitality Club", "Oegstgeester Hofjes", "Voorzorgcirkels Oegstgeest", "Pact Zeker Thuis Oegstgeest",
                "Jottem (Gemiva)", "Actieteam Zorgzame gemeenschappen in Oegstgeest – 18 maart 2025"}


def run_page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(page_path("verbindingen.py"), default_timeout=90)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def map_component(at: AppTest):
    """The st_folium component (AppTest shows it as an unknown element whose json_args hold the
    map's script)."""
    def walk(node):
        yield node
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                yield from walk(child)
    return next(n for n in walk(at._tree) if hasattr(getattr(n, "proto", None), "json_args"))


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def tables_text(at: AppTest) -> str:
    return "\n".join(table.value.to_csv(index=False) for table in at.table)


def add_approved_record(db, record_id: str, name: str, kind: str, themes: list[str], lat: float, lon: float,
                        place: str) -> None:
    """An approved record without links, with its region codes, in the test's private database."""
    store = Store(db)
    codes = regions.point_regions(store, lat, lon)
    store.execute(
        """INSERT INTO records (id, name, kind, themes, lat, lon, location_precision, place, provincie_code,
                                gemeente_code, wijk_code, zorgkantoorregio_code, status, origin)
           VALUES (?, ?, ?, ?, ?, ?, 'address', ?, ?, ?, ?, ?, 'approved', 'submission')""",
        [record_id, name, kind, themes, lat, lon, place, codes["provincie_code"], codes["gemeente_code"],
         codes["wijk_code"], codes["zorgkantoorregio_code"]])
    store.checkpoint()
    store.close()


def test_oegstgeest_shows_langer_zelfstandig_leven_and_its_partners(app_env):
    at = run_page({"gemeente": "GM0579"})
    assert metric(at, "Records") == "8"
    assert metric(at, "Clusters") == "1"
    assert metric(at, "Zorg-eilandjes") == "0"
    assert metric(at, "Initiatieven met zorgaanbieder") == "2 van 5"
    per_record = at.dataframe[0].value.set_index("Naam")
    lzl = per_record.loc["Langer Zelfstandig Leven"]
    assert lzl["Verbindingen"] == 6
    assert set(lzl["Verbonden met"].split(", ")) == LZL_PARTNERS
    assert lzl["Cluster"] == "Langer Zelfstandig Leven + 7"
    assert "zorgaanbieders" in lzl["Soorten partners"]
    # no record here stands alone
    assert any("Geen zorg-eilandjes" in s.value for s in at.success)
    # links to records without a point (Gemiva, Zorghulp, the Actieteam) are listed, not dropped
    assert "Jottem (Gemiva) onderdeel van Gemiva" in tables_text(at)


def test_choosing_a_record_lists_its_partners_and_schakels(app_env):
    at = run_page({"gemeente": "GM0579", "record": "langer-zelfstandig-leven"})
    partners = next(t.value for t in at.table if "Relatie" in t.value.columns)
    assert set(partners["Naam"]) == LZL_PARTNERS
    relations = dict(zip(partners["Naam"], partners["Relatie"]))
    assert relations["Vitality Club"] == "opgezet door" and relations["Jottem (Gemiva)"] == "partner van"
    # schakels for Langer Zelfstandig Leven: never itself, never an existing partner
    schakels = next(t.value for t in at.table if "Voorgestelde schakel" in t.value.columns
                    and set(t.value["Naam"]) == {"Langer Zelfstandig Leven"})
    suggested = {s.rsplit(" (", 1)[0] for s in schakels["Voorgestelde schakel"]}
    assert suggested and not suggested & (LZL_PARTNERS | {"Langer Zelfstandig Leven"})
    assert "Club Oegstgeest" in suggested
    assert at.query_params["record"] in ("langer-zelfstandig-leven", ["langer-zelfstandig-leven"])


def test_islands_list_names_the_unlinked_records_with_a_suggested_partner(app_env):
    at = run_page()
    assert metric(at, "Zorg-eilandjes") == "2"
    islands = next(t.value for t in at.table if "Zorg-eilandje" in t.value.columns)
    assert set(islands["Zorg-eilandje"]) == {"Formaat", "Het Laefhoês"}
    formaat = islands[islands["Zorg-eilandje"] == "Formaat"]
    assert formaat.iloc[0]["Voorgestelde schakel"] != "—"
    assert "afstand onbekend" in formaat.iloc[0]["Waarom"]          # Formaat has no location
    assert "genoemd in dezelfde bron" in " ".join(formaat["Waarom"])  # both from the Zorgvrijstaat article


def test_new_unlinked_record_in_oegstgeest_is_an_island_with_a_local_schakel(app_env):
    add_approved_record(app_env, "buurtcirkel-test", "Buurtcirkel Lange Voort", "initiative", ["voorzorgcirkel"],
                        52.1822, 4.4702, "Oegstgeest")
    at = run_page({"gemeente": "GM0579"})
    assert metric(at, "Zorg-eilandjes") == "1"
    islands = next(t.value for t in at.table if "Zorg-eilandje" in t.value.columns)
    assert set(islands["Zorg-eilandje"]) == {"Buurtcirkel Lange Voort"}
    best = islands.iloc[0]
    assert best["Voorgestelde schakel"] == "Jottem (Gemiva) (zorgaanbieder)"
    assert best["Waarom"].startswith("0,")
    assert "zelfde thema voorzorgcirkel" in best["Waarom"]
    assert "initiatief en zorgaanbieder vullen elkaar aan" in best["Waarom"]


def test_delfshaven_cluster_without_a_care_provider(app_env):
    at = run_page({"gemeente": "GM0599", "wijk": "WK059903"})
    gaps = next(t.value for t in at.table if "Leden" in t.value.columns)
    assert list(gaps["Cluster"].unique()) == ["Zorgvrijstaat + 11"]
    assert "Welzijnscoalitie Delfshaven" in gaps.iloc[0]["Leden"]
    assert metric(at, "Initiatieven met zorgaanbieder") == "0 van 9"


def test_per_region_summary(app_env):
    at = run_page({"gemeente": "GM0599"})
    summary = at.dataframe[1].value.set_index("Regio")
    assert summary.loc["Delfshaven", "Records"] == 12
    assert summary.loc["Delfshaven", "Clusters"] == 1
    assert summary.loc["Delfshaven", "Clusters zonder zorgaanbieder"] == 1


def test_english_labels(app_env):
    at = run_page({"gemeente": "GM0579", "lang": "en"})
    assert at.title[0].value == "Connections"
    assert metric(at, "Initiatives with a care provider") == "2 of 5"
    assert "Connected with" in at.dataframe[0].value.columns


def test_network_view_draws_links_without_basemap(app_env):
    at = run_page({"gemeente": "GM0579", "weergave": "netwerk"})
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert spec.get("mapStyle") in (None, "") and spec.get("mapProvider") in (None, "")
    layers = {layer["@@type"]: layer for layer in spec["layers"]}
    assert {"GeoJsonLayer", "LineLayer", "ScatterplotLayer"} <= set(layers)
    assert len(layers["LineLayer"]["data"]) == 7     # the 7 Oegstgeest links whose both ends have a point (jottem → voorzorgcirkels went in #15.8)
    assert layers["GeoJsonLayer"]["data"]["features"]   # wijk outlines give context without tiles


def test_names_are_escaped_on_the_map(app_env):
    add_approved_record(app_env, "xss-test", "<img src=x onerror=alert(1)>`${document.cookie}`", "initiative",
                        ["voorzorgcirkel"], 52.1822, 4.4702, "Oegstgeest")
    store = Store(app_env)
    store.execute("INSERT INTO record_links (id, from_id, to_id, relation, note) VALUES "
                  "('xss', 'xss-test', 'jottem', 'partner', 'test')")
    store.checkpoint()
    store.close()
    at = run_page({"gemeente": "GM0579"})
    script = json.loads(map_component(at).proto.json_args)["script"]
    assert "<img" not in script                       # no raw tag anywhere in the map's script
    # the hover text of the line and of its end: escaped HTML inside a JSON string
    escaped = "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;\\u0026#96;\\u0026#36;{document.cookie}\\u0026#96;"
    assert script.count(escaped) >= 2
    # folium's tooltips are JavaScript template literals: none may carry the record's text
    tooltips = re.findall(r"bindTooltip\(\s*`(.*?)`,\s*\{", script, flags=re.DOTALL)
    assert not [body for body in tooltips if "img src" in body or "${" in body]


@pytest.mark.parametrize("params", [{"gemeente": "GM0579", "soort": "meetup", "thema": "geldzorg"}])
def test_empty_selection_says_what_to_do(app_env, params):
    at = run_page(params)
    assert any("Verruim het filter" in info.value for info in at.info)
