"""Network analysis on a small hand-made network: clusters, islands, schakel scoring and exports."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mapping import network

THEMES = {"voorzorgcirkel": "Voorzorgcirkel", "hofje": "Hofje", "samenwerking": "Lokale samenwerking en coalities"}


def rec(id, name, kind, themes, lat=None, lon=None, wijk=None, gemeente=None, precision="address", source=None):
    return {"id": id, "name": name, "kind": kind, "themes": themes, "lat": lat, "lon": lon,
            "location_precision": precision if lat is not None else "unknown", "wijk_code": wijk,
            "gemeente_code": gemeente, "place": None, "source": source}


def link(a, b, relation="partner"):
    return {"id": f"{a}__{relation}__{b}", "from_id": a, "to_id": b, "relation": relation, "source": None}


@pytest.fixture
def records() -> pd.DataFrame:
    return pd.DataFrame([
        rec("a", "Buurtcirkel Noord", "initiative", ["voorzorgcirkel"], 52.0, 4.0, "W1", "G1"),
        rec("b", "Thuiszorg Noord", "provider", ["voorzorgcirkel"], 52.0, 4.01, "W1", "G1"),
        rec("c", "Hofje Zuid", "initiative", ["hofje"], 52.05, 4.0, "W2", "G1"),
        rec("d", "Pact", "network", ["samenwerking"]),
        rec("e", "Eiland", "initiative", ["voorzorgcirkel"], 52.001, 4.0, "W1", "G1"),
        rec("f", "Verre Zorg", "provider", ["voorzorgcirkel"], 52.3, 4.0, "W9", "G2"),
        rec("g", "Tuin Zuid", "initiative", ["hofje"], 52.05, 4.001, "W2", "G1"),
        rec("h", "Bijeenkomst Noord", "meetup", ["voorzorgcirkel"], 52.0, 4.0, "W1", "G1"),
    ])


@pytest.fixture
def links() -> pd.DataFrame:
    return pd.DataFrame([link("a", "b"), link("a", "d", "member_of"), link("c", "g"),
                         link("h", "a", "hosted_at")])


def test_clusters_and_islands_of_a_small_network(records, links):
    result = network.analyse(records, links)
    clusters = result.clusters
    assert list(clusters["size"]) == [4, 2]
    assert set(clusters.iloc[0]["members"]) == {"a", "b", "d", "h"}
    assert set(clusters.iloc[1]["members"]) == {"c", "g"}
    # the best-connected member names the cluster
    assert clusters.iloc[0]["label"] == "Buurtcirkel Noord + 3"
    assert list(result.islands["id"]) == ["e", "f"]
    assert result.summary["clusters"] == 2
    assert result.summary["largest_cluster"] == 4
    assert result.summary["islands"] == 2
    # 'a' is the only initiative linked directly to a care provider
    assert result.summary["initiatives_with_provider"] == 1


def test_per_record_degree_neighbour_kinds_and_cluster(records, links):
    per = network.analyse(records, links).per_record.set_index("id")
    assert per.loc["a", "links"] == 3
    assert per.loc["a", "neighbour_kinds"] == ["provider", "network", "meetup"]
    assert (per.loc["a", "n_provider"], per.loc["a", "n_network"], per.loc["a", "n_meetup"]) == (1, 1, 1)
    assert per.loc["a", "cluster"] == per.loc["b", "cluster"] == 1
    assert per.loc["c", "cluster"] == 2
    assert per.loc["e", "island"] and per.loc["e", "links"] == 0
    assert pd.isna(per.loc["e", "cluster"])


def test_clusters_without_provider_or_initiative(records, links):
    result = network.analyse(records, links)
    without_provider = network.clusters_without(result, "provider")
    assert [set(m) for m in without_provider["members"]] == [{"c", "g"}]
    assert network.clusters_without(result, "initiative").empty


def test_links_to_records_outside_the_selection_still_count(records, links):
    selection = records[records["id"].isin(["a", "c", "e"])]
    touching = links[links["from_id"].isin(selection["id"]) | links["to_id"].isin(selection["id"])]
    result = network.analyse(selection, touching)
    per = result.per_record.set_index("id")
    assert per.loc["a", "links"] == 3 and per.loc["a", "links_outside"] == 3 and per.loc["a", "links_inside"] == 0
    # a and c have partners, just not inside this selection: alone here, but not islands
    assert list(result.islands["id"]) == ["e"]
    assert set(result.local_alone["id"]) == {"a", "c"}
    assert result.clusters.empty


def test_cluster_whose_provider_lies_outside_the_selection_is_not_a_care_island(records, links):
    selection = records[records["id"].isin(["a", "h"])]
    result = network.analyse(selection, links.assign(from_kind=None, to_kind=None).pipe(
        lambda f: f.assign(to_kind=f["to_id"].map({"b": "provider", "d": "network", "a": "initiative"}))))
    assert not result.clusters.iloc[0]["has_provider"]
    assert result.clusters.iloc[0]["provider_via_link"]
    assert network.clusters_without(result, "provider").empty


def test_region_summary_counts_per_gemeente(records, links):
    summary = network.region_summary(records, links, "gemeente", {"G1": "Gemeente Een"}).set_index("region_code")
    assert summary.loc["G1", "region"] == "Gemeente Een"
    assert summary.loc["G1", "records"] == 6
    assert summary.loc["G1", "initiatives"] == 4
    assert summary.loc["G1", "initiatives_with_provider"] == 1
    assert summary.loc["G1", "clusters"] == 2          # {a, b, h} and {c, g}; d has no gemeente
    assert summary.loc["G1", "largest_cluster"] == 3
    assert summary.loc["G1", "islands"] == 1           # e
    assert summary.loc["G1", "clusters_without_provider"] == 1
    assert summary.loc["", "records"] == 1             # the pact without a location


# -- scoring ----------------------------------------------------------------------------------

def test_score_prefers_nearer_with_same_theme():
    near = network.schakel_score(0.5, 1, False, False, False)
    far = network.schakel_score(20.0, 1, False, False, False)
    assert near > far
    assert network.schakel_score(0.5, 1, False, False, False) > network.schakel_score(0.5, 0, False, False, False)
    assert network.schakel_score(None, 1, True, False, False) == pytest.approx(
        network.WEIGHTS.shared_theme + network.WEIGHTS.complementary)
    # same wijk already implies same gemeente: no double count
    assert network.schakel_score(np.nan, 0, False, True, True) == pytest.approx(network.WEIGHTS.same_wijk)


def test_score_is_vectorised_like_the_scalar_formula():
    km = np.array([0.2, 3.0, np.nan])
    vector = network.schakel_score(km, np.array([1, 2, 0]), np.array([True, False, False]),
                                   np.array([True, False, False]), np.array([True, True, False]))
    scalars = [network.schakel_score(k, s, c, w, g) for k, s, c, w, g in
               zip(km, [1, 2, 0], [True, False, False], [True, False, False], [True, True, False])]
    assert list(vector) == pytest.approx(scalars)


def test_haversine_distance_leiden_oegstgeest():
    # Leiden Centraal ↔ the centre of Oegstgeest: about 2.3 km as the crow flies
    assert network.haversine_km(52.1664, 4.4812, 52.1860, 4.4727) == pytest.approx(2.28, abs=0.1)


def test_nearer_partner_with_same_theme_outranks_farther_one(records, links):
    island = records[records["id"] == "e"]
    found = network.suggest_partners(island, records, links, k=5)
    ranked = list(found["candidate_id"])
    assert ranked[0] == "b"                       # 0,7 km, same theme, provider, same wijk
    assert ranked.index("b") < ranked.index("f")  # the same kind of provider 33 km away ranks lower
    assert list(found["rank"]) == list(range(1, len(found) + 1))


def test_existing_link_and_itself_are_never_suggested(records, links):
    subject = records[records["id"] == "a"]
    found = network.suggest_partners(subject, records, links, k=10)
    assert "a" not in set(found["candidate_id"])
    assert not {"b", "d", "h"} & set(found["candidate_id"])      # already linked, either direction
    assert "e" in set(found["candidate_id"])
    # the reverse direction counts as linked too
    found_b = network.suggest_partners(records[records["id"] == "b"], records, links, k=10)
    assert "a" not in set(found_b["candidate_id"])


def test_meetups_are_never_suggested_as_partners(records, links):
    found = network.suggest_partners(records[records["id"] == "e"], records, links, k=10)
    assert "h" not in set(found["candidate_id"])


def test_candidates_with_nothing_in_common_are_not_suggested(records, links):
    lonely = pd.DataFrame([rec("z", "Iets anders", "initiative", ["geldzorg"], 53.4, 6.8, "W7", "G7")])
    found = network.suggest_partners(lonely, records, links, k=3)
    assert found.empty


def test_reason_in_words(records, links):
    found = network.suggest_partners(records[records["id"] == "e"], records, links, k=1)
    best = found.iloc[0].to_dict()
    assert network.reason_text(best, "nl", THEMES) == (
        "0,7 km, zelfde thema voorzorgcirkel, initiatief en zorgaanbieder vullen elkaar aan, zelfde wijk")
    assert network.reason_text(best, "en", THEMES) == (
        "0.7 km, same theme voorzorgcirkel, initiative and care provider complement each other, same district")


def test_reason_says_when_distance_is_unknown(records, links):
    pact = records[records["id"] == "d"]
    pool = pd.concat([records, pd.DataFrame([rec("k", "Coalitie West", "network", ["samenwerking"], 52.0, 4.0)])])
    found = network.suggest_partners(pact, pool, links, k=1)
    assert found.iloc[0]["candidate_id"] == "k"
    assert found.iloc[0]["distance_km"] is None
    assert network.reason_text(found.iloc[0].to_dict(), "nl", THEMES).startswith("afstand onbekend (geen locatie)")


def test_reason_for_records_on_the_same_town_centre():
    suggestion = {"distance_km": 0.0, "approximate": True, "shared_themes": ["hofje", "voorzorgcirkel"],
                  "same_gemeente": True}
    assert network.reason_text(suggestion, "nl", THEMES) == (
        "zelfde plaats (locatie bij benadering), zelfde thema's hofje en voorzorgcirkel, zelfde gemeente")


def test_same_source_counts(records, links):
    pool = records.assign(source=["https://x.nl/a", None, None, None, "https://x.nl/a", None, None, None])
    found = network.suggest_partners(pool[pool["id"] == "e"], pool, links, k=5).set_index("candidate_id")
    assert found.loc["a", "same_source"] and not found.loc["b", "same_source"]
    assert "genoemd in dezelfde bron" in network.reason_text(found.loc["a"].to_dict(), "nl", THEMES)


def test_provider_for_a_cluster_without_one(records, links):
    result = network.analyse(records, links)
    cluster = network.clusters_without(result, "provider").iloc[0]
    found = network.suggest_for_cluster(cluster["members"], records, links, kind="provider")
    assert found.empty or set(found["candidate_kind"]) == {"provider"}
    # with a provider on the same theme nearby, it is suggested
    pool = pd.concat([records, pd.DataFrame([rec("p", "Hofjeszorg", "provider", ["hofje"], 52.05, 4.002, "W2", "G1")])])
    found = network.suggest_for_cluster(cluster["members"], pool, links, kind="provider")
    assert found.iloc[0]["candidate_id"] == "p"
    assert found["candidate_id"].is_unique


# -- drawing and exports ------------------------------------------------------------------------

def test_records_on_one_point_are_spread_on_a_circle():
    points = pd.DataFrame({"id": ["x", "y", "z", "w"], "lat": [52.0, 52.0, 52.0, 51.0],
                           "lon": [4.0, 4.0, 4.0, 5.0]})
    spread = network.spread_positions(points).set_index("id")
    shared = spread.loc[["x", "y", "z"], ["display_lat", "display_lon"]]
    assert len({tuple(v) for v in shared.to_numpy().round(7)}) == 3
    for key in ("x", "y", "z"):
        km = network.haversine_km(52.0, 4.0, spread.loc[key, "display_lat"], spread.loc[key, "display_lon"])
        assert 0.2 < km < 1.0
    assert (spread.loc["w", "display_lat"], spread.loc["w", "display_lon"]) == (51.0, 5.0)


def test_geojson_keeps_links_without_a_point():
    links = pd.DataFrame([
        {"id": "1", "from_id": "a", "to_id": "b", "relation": "partner", "from_name": "A", "to_name": "B",
         "from_lat": 52.0, "from_lon": 4.0, "to_lat": 52.1, "to_lon": 4.1, "source": "https://x.nl"},
        {"id": "2", "from_id": "a", "to_id": "c", "relation": "member_of", "from_name": "A", "to_name": "C",
         "from_lat": 52.0, "from_lon": 4.0, "to_lat": None, "to_lon": None, "source": None},
    ])
    collection = network.links_geojson(links, "nl")
    assert [f["geometry"] for f in collection["features"]] == [
        {"type": "LineString", "coordinates": [[4.0, 52.0], [4.1, 52.1]]}, None]
    assert collection["features"][1]["properties"]["relation_label"] == "lid van"
    json.dumps(collection)  # serialisable


def test_csv_export_columns_and_formula_safety():
    links = pd.DataFrame([{"id": "1", "from_id": "a", "to_id": "b", "relation": "partner",
                           "from_name": "=HYPERLINK(\"x\")", "to_name": "B", "source": "https://x.nl"}])
    frame = network.links_export(links, "en")
    assert list(frame.columns) == ["from_id", "from", "to_id", "to", "relation", "relation_label", "source"]
    assert frame.iloc[0]["from"].startswith("'=")
    assert frame.iloc[0]["relation_label"] == "partner of"
    assert network.links_csv(links, "nl").startswith("\ufeff".encode("utf-8"))


def test_empty_selection():
    empty = pd.DataFrame(columns=["id", "name", "kind", "themes", "lat", "lon", "place"])
    result = network.analyse(empty, None)
    assert result.per_record.empty and result.islands.empty and result.clusters.empty
    assert result.summary["records"] == 0 and result.summary["largest_cluster"] == 0
    assert network.suggest_partners(empty, empty, None).empty
    assert network.links_geojson(None, "nl") == {"type": "FeatureCollection", "features": []}


# -- the links layer (pure parts; the browser test checks the drawing) -------------------------

def links_for_map():
    return pd.DataFrame([
        {"id": "1", "from_id": "a", "to_id": "b", "relation": "partner", "from_name": "A", "to_name": "B",
         "from_kind": "initiative", "to_kind": "provider", "from_lat": 52.0, "from_lon": 4.0, "to_lat": 52.0,
         "to_lon": 4.0, "from_inside": True, "to_inside": True, "source": None},
        {"id": "2", "from_id": "a", "to_id": "c", "relation": "member_of", "from_name": "A", "to_name": "C <b>",
         "from_kind": "initiative", "to_kind": "network", "from_lat": 52.0, "from_lon": 4.0, "to_lat": 52.3,
         "to_lon": 4.6, "from_inside": True, "to_inside": False, "source": None},
        {"id": "3", "from_id": "b", "to_id": "d", "relation": "part_of", "from_name": "B", "to_name": "D",
         "from_kind": "provider", "to_kind": "network", "from_lat": 52.0, "from_lon": 4.0, "to_lat": None,
         "to_lon": None, "from_inside": True, "to_inside": False, "source": None},
    ])


def test_links_are_drawn_faded_or_listed_never_dropped():
    from mapping import linkmap

    prepared = linkmap.prepare_links(links_for_map())
    assert list(prepared.drawable["id"]) == ["1", "2"] and list(prepared.unplaced["id"]) == ["3"]
    assert list(prepared.drawable["faded"]) == [False, True]
    first = prepared.drawable.iloc[0]
    # a and b share a point: spread apart so the line has a length
    assert (first["from_x"], first["from_y"]) != (first["to_x"], first["to_y"])
    assert linkmap.unplaced_text(prepared.unplaced.iloc[0], "nl") == "B onderdeel van D (geen locatie: D)"
    assert linkmap.link_tooltip(prepared.drawable.iloc[1], "en") == (
        "<b>A</b> member of <b>C &lt;b&gt;</b><br><i>outside the filter</i>")


def test_links_layer_joins_the_layer_control_and_lists_what_it_cannot_draw():
    from mapping import linkmap, maps

    fmap = maps.explorer_map(pd.DataFrame(columns=["id", "name", "kind", "place", "lat", "lon"]), lang="nl")
    layer = linkmap.add_links_layer(fmap, links_for_map(), "nl", max_lines=1)
    assert (layer.drawn, layer.faded, layer.left_out, len(layer.unplaced)) == (1, 0, 1, 1)
    page = maps.render_html(fmap)
    group = layer.group.get_name()
    # the layer's variable exists before the layer control refers to it
    assert page.index(f"var {group} =") < page.index("L.control.layers(")
    assert f'"Verbindingen" : {group}' in page
    assert "1 verbinding(en) niet getekend" in page and "1 verbinding(en) zonder punt op de kaart" in page
    assert "C <b>" not in page


def test_layer_name_and_hidden_start():
    import folium

    from mapping import linkmap

    fmap = folium.Map(tiles=None)
    layer = linkmap.add_links_layer(fmap, links_for_map(), "en", show=False)
    page = fmap.get_root().render()
    assert layer.group.layer_name == "Connections"
    assert f"{layer.group.get_name()}.addTo(" not in page    # starts switched off
