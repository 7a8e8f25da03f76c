"""Map builders: local assets only, escaped text, a layer per kind, outlines, bounded payload."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from mapping import assets, maps, queries
from mapping.queries import Filter
from mapping.records import KINDS

HOSTILE = ('<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "</script><script>alert(2)</script>",
           "${alert(3)}", "`backtick` & 'quote'", "<!--", "\u2028line")
CDN_HOSTS = ("jsdelivr", "cdnjs", "code.jquery.com", "bootstrapcdn", "unpkg", "googleapis", "fontawesome",
             "rawcdn", "d3js.org")


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {"id": None, "name": None, "kind": "initiative", "place": None, "lat": None, "lon": None}
    return pd.DataFrame([{**base, **row} for row in rows])


def synthetic_points(n: int, seed: int = 7) -> pd.DataFrame:
    """Generated points across the Netherlands (synthetic, for size tests only)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "id": [f"synthetic-{i}" for i in range(n)],
        "name": [f"Synthetisch initiatief {i} met een wat langere naam" for i in range(n)],
        "kind": rng.choice(list(KINDS), n),
        "place": rng.choice(["Utrecht", "Zwolle", "Groningen", "Maastricht"], n),
        "lat": rng.uniform(50.8, 53.4, n),
        "lon": rng.uniform(3.5, 7.1, n),
    })


def external_urls(html: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)\\]+", html))


def layer_rows(fmap) -> dict[str, list]:
    """kind → marker rows, as they go to the browser."""
    return {el.kind: json.loads(el.rows_js) for el in maps._walk(fmap) if isinstance(el, maps._KindLayer)}


@pytest.fixture
def oegstgeest(store):
    flt = Filter(gemeente="GM0579")
    return queries.records(store, flt), maps.outlines_for(store, flt)


def test_rendered_map_references_only_local_assets(oegstgeest):
    records, outlines = oegstgeest
    html = maps.render_html(maps.explorer_map(records, outlines=outlines))
    assert external_urls(html) == set()
    for url in (assets.LEAFLET_JS, assets.LEAFLET_CSS, assets.JQUERY_JS, assets.MARKERCLUSTER_JS,
                assets.MARKERCLUSTER_CSS):
        assert f'"{url}"' in html
    assert f"ZB.setup(" in html and json.dumps(assets.LEAFLET_IMAGES) in html   # L.Icon.Default.imagePath


def test_streamlit_folium_loads_only_local_links(oegstgeest):
    """st_folium collects default_js/default_css of every element and loads them in the iframe."""
    records, outlines = oegstgeest
    fmap = maps.explorer_map(records, outlines=outlines)
    fmap.get_root().render()
    links = [url for element in maps._walk(fmap)
             for _, url in list(getattr(element, "default_js", [])) + list(getattr(element, "default_css", []))]
    assert links and all(url.startswith(assets.URL_PREFIX + "/") for url in links)
    # the class-level folium defaults are untouched (other folium users keep working)
    import folium
    assert folium.Map.default_js[0][1].startswith("https://")


@pytest.mark.parametrize("tiles, host", [("osm", "tile.openstreetmap.org"), ("pdok", "service.pdok.nl")])
def test_tile_servers_are_the_only_outside_address(oegstgeest, tiles, host):
    records, outlines = oegstgeest
    html = maps.render_html(maps.explorer_map(records, outlines=outlines, tiles=tiles))
    urls = external_urls(html)
    assert any(host in url for url in urls)
    assert not any(cdn in url for url in urls for cdn in CDN_HOSTS)
    assert all(host in url or "openstreetmap.org/copyright" in url or "kadaster.nl" in url for url in urls)


def test_unknown_tile_server_is_refused():
    with pytest.raises(ValueError, match="unknown tile server"):
        maps.explorer_map(frame([]), tiles="google")


def test_hostile_names_and_places_are_escaped_in_tooltips():
    rows = [{"id": f"r{i}", "name": text, "place": text, "lat": 52.0 + i / 100, "lon": 5.0} for i, text in enumerate(HOSTILE)]
    fmap = maps.explorer_map(frame(rows))
    html = maps.render_html(fmap)
    script = html[html.index("<script>", html.index("<body>")):]
    assert "<script>alert" not in script and "<img src=x" not in script and "</script><script>alert" not in html
    assert "<!--" not in script
    tooltips = {row[2]: row[3] for row in layer_rows(fmap)["initiative"]}
    for i, text in enumerate(HOSTILE):
        assert tooltips[f"r{i}"].startswith("<b>" + maps.esc(text) + "</b>")


def test_hostile_region_names_and_legend_entries_are_escaped():
    outline = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code": "GM0001", "name": "<img src=x onerror=alert(1)>", "level": "gemeente"},
        "geometry": {"type": "Polygon", "coordinates": [[[5, 52], [5.1, 52], [5.1, 52.1], [5, 52]]]}}]}
    outlines = maps.MapOutlines(level="gemeente", context=outline, highlight=outline,
                                highlight_name="<script>alert(1)</script>", bounds=(52, 5, 52.1, 5.1))
    fmap = maps.explorer_map(frame([{"id": "a", "name": "A", "lat": 52.05, "lon": 5.05}]), outlines=outlines)
    maps.add_legend_entry(fmap, '<span class="swatch"></span>', "<b>links</b> & more")
    html = maps.render_html(fmap)
    assert "<img src=x" not in html and "<script>alert(1)" not in html and "<b>links</b>" not in html
    legend = maps.legend_of(fmap).inner_html()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in legend
    assert "&lt;b&gt;links&lt;/b&gt; &amp; more" in legend and '<span class="swatch"></span>' in legend


def test_one_layer_per_kind_with_its_records(store):
    records = queries.records(store, Filter())
    fmap = maps.explorer_map(records, outlines=maps.outlines_for(store, Filter()))
    rows = layer_rows(fmap)
    assert set(rows) == set(KINDS)
    located = maps.located(records)
    for kind in KINDS:
        assert sorted(row[2] for row in rows[kind]) == sorted(located.loc[located["kind"] == kind, "id"])
    html = maps.render_html(fmap)
    assert "L.control.layers" in html
    names = [el.layer_name for el in maps._walk(fmap) if isinstance(el, maps._KindLayer)]
    assert any("Initiatieven (16)" in name for name in names)
    # each kind has its own colour and shape
    assert len({style.colour for style in maps.KIND_STYLES.values()}) == len(KINDS)
    assert len({style.svg for style in maps.KIND_STYLES.values()}) == len(KINDS)


def test_records_without_location_are_not_drawn_but_counted_in_the_legend(store):
    records = queries.records(store, Filter())
    fmap = maps.explorer_map(records)
    drawn = {row[2] for kind_rows in layer_rows(fmap).values() for row in kind_rows}
    assert "formaat" in set(records["id"]) and "formaat" not in drawn
    missing = int(records["lat"].isna().sum())
    assert f"{missing} zonder locatie" in maps.legend_of(fmap).inner_html()


def test_outlines_are_drawn_and_the_chosen_region_highlighted(store):
    outlines = maps.outlines_for(store, Filter(gemeente="GM0599"))
    assert outlines.level == "wijk" and outlines.highlight_name == "Rotterdam"
    assert {f["properties"]["code"][:6] for f in outlines.context["features"]} == {"WK0599"}
    fmap = maps.explorer_map(queries.records(store, Filter(gemeente="GM0599")), outlines=outlines)
    drawn = [el for el in maps._walk(fmap) if isinstance(el, maps._Outlines)]
    assert len(drawn) == 2
    assert len(json.loads(drawn[0].data_js)["features"]) == len(outlines.context["features"])
    html = maps.render_html(fmap)
    lat0, lon0, lat1, lon1 = outlines.bounds
    assert f"[[{lat0}, {lon0}], [{lat1}, {lon1}]]" in html    # fitBounds to Rotterdam
    assert "Gekozen gebied: Rotterdam" in maps.legend_of(fmap).inner_html()


def test_outline_plan_follows_the_region_level(store):
    assert maps.outline_plan(Filter()) == ("provincie", None, None)
    assert maps.outline_plan(Filter(provincie="PV28")) == ("gemeente", ("provincie_code", "PV28"), "PV28")
    assert maps.outline_plan(Filter(zorgkantoorregio="ZK28"))[0:2] == ("gemeente", ("zorgkantoorregio_code", "ZK28"))
    wijk = maps.outlines_for(store, Filter(gemeente="GM0599", wijk="WK059903"))
    assert wijk.highlight_name == "Delfshaven"
    assert all(f["properties"]["code"].startswith("WK0599") for f in wijk.context["features"])


@pytest.mark.parametrize("n", [2_000, 20_000])
def test_payload_stays_small_at_any_record_count(store, n):
    points = synthetic_points(n)
    html = maps.render_html(maps.explorer_map(points, outlines=maps.outlines_for(store, Filter())))
    assert len(html.encode("utf-8")) < 2_000_000
    assert ("ZB.counts(" in html) == (n > maps.MAX_POINTS)


def test_payload_bound_holds_far_beyond_realistic_scale(store):
    points = synthetic_points(200_000, seed=3)
    fmap = maps.explorer_map(points, outlines=maps.outlines_for(store, Filter()))
    assert maps.payload_bytes(fmap) < 1_000_000
    counts = [el for el in maps._walk(fmap) if isinstance(el, maps._Counts)]
    rows = json.loads(counts[0].rows_js)
    assert sum(row[2] for row in rows) == 200_000          # nothing lost, only grouped
    assert all(sum(row[3]) == row[2] for row in rows)      # per-kind split adds up


def test_region_counts_replace_markers_when_aggregated(store):
    counts = queries.region_counts(store, Filter(), "gemeente")
    records = queries.records(store, Filter())
    fmap = maps.explorer_map(records, region_counts=counts, max_points=5)
    counts_layer = [el for el in maps._walk(fmap) if isinstance(el, maps._Counts)]
    assert counts_layer and not layer_rows(fmap)
    rows = json.loads(counts_layer[0].rows_js)
    assert sum(row[2] for row in rows) == len(maps.located(records))
    assert any("Oegstgeest" in row[4] for row in rows)
    assert "aantal records per gemeente" in maps.legend_of(fmap).inner_html()


def test_same_input_gives_identical_html(oegstgeest):
    records, outlines = oegstgeest
    first = maps.render_html(maps.explorer_map(records, outlines=outlines))
    second = maps.render_html(maps.explorer_map(records, outlines=outlines))
    assert first == second


def test_english_labels(oegstgeest):
    records, outlines = oegstgeest
    fmap = maps.explorer_map(records, outlines=outlines, lang="en")
    legend = maps.legend_of(fmap).inner_html()
    assert "Legend" in legend and "Care providers" in legend and "Chosen area: Oegstgeest" in legend
    assert any("Initiative" in row[3] for row in layer_rows(fmap)["initiative"])


def test_layers_added_later_are_defined_before_the_layer_control(oegstgeest):
    import folium

    records, outlines = oegstgeest
    fmap = maps.explorer_map(records, outlines=outlines)
    extra = folium.FeatureGroup(name="Extra laag").add_to(fmap)
    html = maps.render_html(fmap)
    assert html.index(f"var {extra.get_name()} =") < html.index("L.control.layers")
    assert f'"Extra laag" : {extra.get_name()}' in html


def test_clicked_record_id_reads_only_marker_clicks():
    assert maps.clicked_record_id("Vitality Club Initiatief · Oegstgeest[[vitality-club|lz3k.4]]") == "vitality-club"
    assert maps.clicked_record_id("Oudenhof") is None        # a region outline
    assert maps.clicked_record_id(None) is None
    assert maps.clicked_record_id("a [[x|1]] then [[het-8ste-werk|2]]") == "het-8ste-werk"


def test_selection_ring_takes_no_clicks():
    import folium

    group = maps.selection_layer(52.1, 4.5)
    group.add_to(folium.Map(tiles=None))
    script = group.get_root().render()
    assert script.count("interactive: false") == 2 and "[52.1,4.5]" in script


def test_overview_map_shows_all_records_over_provincies(store):
    from mapping import regions

    records = queries.records(store, Filter())
    fmap = maps.overview_map(records, regions.outlines_geojson(store, "provincie"), "nl")
    outlines = [el for el in maps._walk(fmap) if isinstance(el, maps._Outlines)]
    assert len(json.loads(outlines[0].data_js)["features"]) == 12
    assert sum(len(rows) for rows in layer_rows(fmap).values()) == len(maps.located(records))


def test_list_frame_and_dates():
    records = pd.DataFrame([{
        "id": "m1", "name": "<b>Meet</b>", "kind": "meetup", "themes": ["ontmoeting"], "place": None,
        "lat": None, "lon": None, "gemeente_code": None, "starts_at": pd.Timestamp("2025-07-03 10:00"),
        "ends_at": pd.Timestamp("2025-07-03 11:30"), "all_day": False, "website": "javascript:alert(1)"}])
    table = maps.list_frame(records, "nl", {"ontmoeting": "Ontmoeting"}, {})
    assert table.loc["m1", "name"] == "<b>Meet</b>"          # st.dataframe shows it as text
    assert table.loc["m1", "when"] == "3 jul 2025 10:00–11:30"
    assert table.loc["m1", "themes"] == "Ontmoeting" and not table.loc["m1", "on_map"]
    assert table.loc["m1", "website"] is None                # never a clickable javascript: link
    assert maps.format_when(pd.Timestamp("2025-03-18"), None, True, "en") == "18 Mar 2025"
    assert maps.format_when(pd.Timestamp("2025-03-18 19:30"), pd.Timestamp("2025-03-19 09:00"), False, "en") \
        == "18 Mar 2025 19:30 – 19 Mar 2025 09:00"
    assert maps.format_when(None) == ""


def test_default_tiles_come_from_the_environment():
    assert maps.default_tiles({}) == "osm"
    assert maps.default_tiles({"MAPPING_TILES": "none"}) == "none"
    assert maps.default_tiles({"MAPPING_TILES": "PDOK"}) == "pdok"
    assert maps.default_tiles({"MAPPING_TILES": "<script>"}) == "osm"


def test_ensure_static_copies_once(tmp_path):
    copied = assets.ensure_static(tmp_path)
    assert len(copied) == len(assets.all_urls())
    for url in assets.all_urls():
        assert (tmp_path / url.removeprefix(assets.URL_PREFIX + "/")).stat().st_size > 0
    assert assets.ensure_static(tmp_path) == []              # idempotent and cheap
    (tmp_path / "leaflet" / "leaflet.js").write_text("truncated")
    assert assets.ensure_static(tmp_path) == [tmp_path / "leaflet" / "leaflet.js"]


def test_streamlit_serves_static_files():
    import tomllib

    from mapping import config

    settings = tomllib.loads((config.PROJECT_DIR / ".streamlit" / "config.toml").read_text())
    assert settings["server"]["enableStaticServing"] is True
    assert settings["browser"]["gatherUsageStats"] is False
