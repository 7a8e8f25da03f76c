"""The gap score: need against supply per area (pure functions), plus the gap queries on the real data."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mapping import gapmap, gaps, queries


def inputs(areas: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Areas as dicts (code, inwoners, aandeel_75plus, inwoners_75plus, records {kind: n},
    linked, links) → the four frames build_gap_table takes."""
    area_frame = pd.DataFrame({"code": [a["code"] for a in areas], "name": [a["code"].title() for a in areas],
                               "gemeente_name": "Testgemeente"})
    figures = []
    for area in areas:
        for measure in ("inwoners", "aandeel_75plus", "inwoners_75plus"):
            if measure in area:
                figures.append({"region_code": area["code"], "measure": measure, "value": area[measure],
                                "unit": "", "cbs_table": "85984NED" if measure == "inwoners" else "83502NED",
                                "year": 2024 if measure == "inwoners" else 2021, "method": "published"})
    counts = pd.DataFrame([{"area_code": a["code"], "kind": kind, "n": n}
                           for a in areas for kind, n in a.get("records", {}).items()],
                          columns=["area_code", "kind", "n"])
    links = pd.DataFrame([{"area_code": a["code"], "initiatives": a.get("records", {}).get("initiative", 0),
                           "initiatives_linked_provider": a.get("linked", 0), "links": a.get("links", 0)}
                          for a in areas], columns=["area_code", "initiatives", "initiatives_linked_provider", "links"])
    return area_frame, pd.DataFrame(figures), counts, links


def table_for(areas: list[dict], need: str = "aandeel_75plus") -> pd.DataFrame:
    return gaps.build_gap_table(*inputs(areas), need_measure=need)


def score(table: pd.DataFrame, code: str) -> float:
    return float(table.loc[table["code"] == code, "gap_score"].iloc[0])


BASE = [
    {"code": "oud", "inwoners": 8000, "aandeel_75plus": 14.0, "inwoners_75plus": 1120},
    {"code": "midden", "inwoners": 9000, "aandeel_75plus": 9.0, "inwoners_75plus": 810,
     "records": {"initiative": 2, "provider": 1}, "linked": 1, "links": 2},
    {"code": "jong", "inwoners": 12000, "aandeel_75plus": 4.0, "inwoners_75plus": 480, "records": {"initiative": 1}},
]


def test_area_without_initiatives_and_highest_75plus_share_ranks_first():
    table = table_for(BASE)
    assert table.iloc[0]["code"] == "oud"
    assert table.iloc[0]["rank"] == 1
    assert table.iloc[0]["gap_score"] == 100.0     # highest need, no supply: the full score
    assert list(table["rank"]) == [1, 2, 3]


def test_adding_an_initiative_lowers_the_score():
    before = score(table_for(BASE), "oud")
    more = [dict(BASE[0], records={"initiative": 1})] + BASE[1:]
    after = score(table_for(more), "oud")
    assert after < before
    even_more = [dict(BASE[0], records={"initiative": 2})] + BASE[1:]
    assert score(table_for(even_more), "oud") < after


def test_a_missing_need_figure_never_counts_as_zero():
    areas = BASE + [{"code": "onbekend", "inwoners": 7000, "inwoners_75plus": None}]   # no 75+ share
    table = table_for(areas)
    unknown = table[table["code"] == "onbekend"].iloc[0]
    assert math.isnan(unknown["gap_score"]) and math.isnan(unknown["rank"])
    assert unknown["status"] == gaps.STATUS_NEED_MISSING
    assert math.isnan(unknown["need_value"])                    # stays missing, not 0
    assert table.iloc[-1]["code"] == "onbekend"                 # listed last, with its reason
    # The other areas rank exactly as without it: a missing figure does not sit below them as a zero.
    without = table_for(BASE).set_index("code")["need_index"]
    assert table.set_index("code").loc[without.index, "need_index"].tolist() == without.tolist()
    # and it shows as "niet beschikbaar" to the user
    assert gapmap.fmt_measure("aandeel_75plus", unknown["need_value"], "nl") == "niet beschikbaar"


def test_missing_population_gives_no_score_and_no_rate():
    areas = BASE + [{"code": "zonder", "aandeel_75plus": 20.0, "records": {"provider": 1}}]
    table = table_for(areas).set_index("code")
    assert table.loc["zonder", "status"] == gaps.STATUS_POPULATION_MISSING
    assert math.isnan(table.loc["zonder", "gap_score"])
    assert math.isnan(table.loc["zonder", "records_per_10k"])   # not 0 per 10,000
    assert table.loc["zonder", "n_provider"] == 1                # the count itself is a true count


def test_small_areas_are_listed_but_not_scored():
    areas = BASE + [{"code": "haven", "inwoners": 35, "aandeel_75plus": 30.0, "inwoners_75plus": 10}]
    table = table_for(areas)
    harbour = table[table["code"] == "haven"].iloc[0]
    assert harbour["status"] == gaps.STATUS_TOO_SMALL and math.isnan(harbour["gap_score"])
    assert table.iloc[0]["code"] == "oud"


def test_an_area_whose_initiatives_have_no_link_to_a_provider_scores_worse():
    twins = [
        {"code": "verbonden", "inwoners": 10000, "aandeel_75plus": 10.0, "inwoners_75plus": 1000,
         "records": {"initiative": 2}, "linked": 2, "links": 2},
        {"code": "los", "inwoners": 10000, "aandeel_75plus": 10.0, "inwoners_75plus": 1000,
         "records": {"initiative": 2}, "linked": 0, "links": 0},
    ]
    table = table_for(twins).set_index("code")
    assert table.loc["los", "gap_score"] > table.loc["verbonden", "gap_score"]
    assert table.loc["los", "effective_supply"] == 2 * gaps.WEIGHTS.unlinked_initiative


def test_supply_rates_per_10k_and_per_1k_75plus():
    table = table_for(BASE).set_index("code")
    assert table.loc["midden", "n_records"] == 3
    assert table.loc["midden", "records_per_10k"] == pytest.approx(3 / 9000 * 10_000)
    assert table.loc["midden", "records_per_1k_75plus"] == pytest.approx(3 / 810 * 1_000)
    assert table.loc["oud", "records_per_10k"] == 0


def test_need_measure_can_be_switched():
    # "jong" has the most people, so counting inhabitants puts it first instead of "oud"
    table = table_for(BASE, need="inwoners")
    assert table.iloc[0]["code"] == "jong"
    with pytest.raises(ValueError):
        table_for(BASE, need="huishoudens")


def test_score_formula_matches_the_documented_weights():
    table = table_for(BASE).set_index("code")
    row = table.loc["midden"]
    weights = gaps.WEIGHTS
    effective = weights.initiative * (1 + weights.unlinked_initiative * 1) + weights.provider * 1
    per_10k = effective / 9000 * 10_000
    expected = 100 * row["need_index"] * math.exp(-per_10k / weights.saturation_per_10k)
    assert row["gap_score"] == pytest.approx(expected, abs=0.05)


# -- the gap queries on the real data (theme limit, links) -------------------------------------

def real_table(store, level, scope_level, scope_code, themes=()):
    args = (level, scope_level, scope_code)
    return gaps.build_gap_table(queries.gap_areas(store, *args), queries.gap_figures(store, *args),
                                queries.gap_record_counts(store, *args, themes=themes),
                                queries.gap_link_counts(store, *args, themes=themes))


def test_theme_limited_supply_counts_only_records_with_that_theme(store):
    everything = real_table(store, "gemeente", "zorgkantoorregio", "ZK28").set_index("code")
    circles = real_table(store, "gemeente", "zorgkantoorregio", "ZK28", themes=("voorzorgcirkel",)).set_index("code")
    expected = store.scalar("SELECT count(*) FROM public_records WHERE gemeente_code = 'GM0579' "
                            "AND list_has_any(themes, ['voorzorgcirkel'])")
    assert 0 < expected < everything.loc["GM0579", "n_records"]
    assert circles.loc["GM0579", "n_records"] == expected
    # "Waar is geen voorzorgcirkel?": Rotterdam's Delfshaven has records, but none with that theme
    delfshaven_all = real_table(store, "wijk", "gemeente", "GM0599").set_index("code").loc["WK059903"]
    delfshaven_circles = real_table(store, "wijk", "gemeente", "GM0599",
                                    themes=("voorzorgcirkel",)).set_index("code").loc["WK059903"]
    assert delfshaven_all["n_records"] > 0 and delfshaven_circles["n_records"] == 0
    assert delfshaven_circles["gap_score"] > delfshaven_all["gap_score"]


def test_link_counts_match_the_links_of_the_area(store):
    counts = queries.gap_link_counts(store, "gemeente", "gemeente", "GM0579").set_index("area_code")
    initiatives = store.df("SELECT id FROM initiatives WHERE gemeente_code = 'GM0579'")["id"]
    providers = set(store.df("SELECT id FROM providers")["id"])
    links = store.df("SELECT from_id, to_id FROM links")
    linked = {i for i in initiatives if ((links["from_id"] == i) & links["to_id"].isin(providers)).any()
              or ((links["to_id"] == i) & links["from_id"].isin(providers)).any()}
    assert counts.loc["GM0579", "initiatives"] == len(initiatives)
    assert counts.loc["GM0579", "initiatives_linked_provider"] == len(linked)
    assert len(linked) > 0


def test_rotterdam_wijken_rank_with_delfshaven_lowered_by_its_initiatives(store):
    table = real_table(store, "wijk", "zorgkantoorregio", "ZK20")
    assert set(table["code"].str[:6]) <= {"WK0599", "WK0502", "WK0542"}     # Rotterdam, Capelle, Krimpen
    delfshaven = table.set_index("code").loc["WK059903"]
    assert delfshaven["n_initiative"] >= 5 and delfshaven["status"] == gaps.STATUS_SCORED
    scored = table[table["gap_score"].notna()]
    assert (scored["gap_score"].diff().dropna() <= 0).all()                 # sorted, largest gap first


# -- URL state, colours, escaping ------------------------------------------------------------

def test_view_round_trips_through_the_url_and_drops_bad_values():
    view = gaps.GapView(scope_level="zorgkantoorregio", scope_code="ZK20", level="gemeente",
                        need="inwoners_75plus", layer="supply", themes=("voorzorgcirkel",), selected="GM0599")
    params = gaps.view_to_params(view)
    assert params == {"zkr": "ZK20", "niveau": "gemeente", "maat": "inwoners_75plus", "laag": "supply",
                      "thema": "voorzorgcirkel", "gebied": "GM0599"}
    assert gaps.view_from_params(params) == view
    hostile = gaps.view_from_params({"zkr": "ZK20'; DROP TABLE records;--", "maat": "<script>", "niveau": "buurt",
                                     "gebied": "x", "thema": "Bad Theme!"})
    assert hostile.scope_level is None and hostile.need == gaps.DEFAULT_NEED and hostile.level == "gemeente"
    assert set(hostile.ignored) == {"zkr", "maat", "niveau", "gebied", "thema"}
    # a gemeente is always compared by its wijken
    assert gaps.view_from_params({"gemeente": "GM0599", "niveau": "gemeente"}).level == "wijk"


def test_map_page_link_carries_the_region_filter():
    assert gaps.map_page_params("WK059903") == {"gemeente": "GM0599", "wijk": "WK059903"}
    assert gaps.map_page_params("GM0579") == {"gemeente": "GM0579"}


def test_colour_classes_are_sequential_and_missing_is_grey():
    classes = gapmap.classify(pd.Series([0.0, 10.0, 55.0, 99.0, float("nan")]), "gap")
    assert classes.colour(5) == gapmap.VIRIDIS_5[0] and classes.colour(95) == gapmap.VIRIDIS_5[-1]
    assert classes.colour(float("nan")) == gapmap.MISSING_COLOUR
    supply = gapmap.classify(pd.Series([0.0, 0.0, 1.0, 2.0, 5.0]), "supply")
    assert supply.colour(0) == gapmap.CIVIDIS_5[0] and supply.colour(5) != supply.colour(0)


def test_tooltips_and_summary_escape_names():
    row = {"code": "WK1", "name": "<img src=x onerror=alert(1)>", "gemeente_name": "A&B", "need_value": 7.5,
           "aandeel_75plus__source": "CBS 83502NED (2021)", "inwoners": 1000, "inwoners_75plus": 75,
           "n_initiative": 0, "n_provider": 0, "n_meetup": 0, "n_network": 0, "n_links": 0,
           "status": "scored", "gap_score": 50.0, "rank": 1}
    tooltip = gapmap.area_tooltip(row, "aandeel_75plus", "nl")
    assert "<img" not in tooltip and "&lt;img" in tooltip and "A&amp;B" in tooltip
    assert "7,5 %" in tooltip and "83502NED" in tooltip


def test_export_has_figures_with_sources_and_years():
    table = table_for(BASE)
    export = gaps.export_table(table, "aandeel_75plus", {})
    assert {"aandeel_75plus", "aandeel_75plus__source", "inwoners__source", "gap_score", "n_initiative"} <= set(export.columns)
    assert set(export["aandeel_75plus__source"]) == {"CBS 83502NED (2021)"}
    assert set(export["inwoners__source"]) == {"CBS 85984NED (2024)"}


def test_every_gap_string_exists_in_both_languages():
    import re
    from pathlib import Path

    from mapping import i18n
    from mapping.i18n import t

    project = Path(__file__).resolve().parent.parent
    sources = [project / "pages" / "witte_vlekken.py", project / "src" / "mapping" / "gapmap.py"]
    literal = re.compile(r"""["'](gaps\.[a-z0-9_.]+[a-z0-9_])["']""")
    keys = {key for source in sources for key in literal.findall(source.read_text(encoding="utf-8"))}
    keys |= {f"gaps.measure.{m}" for m in gaps.NEED_MEASURES + ("woningvoorraad", "inwoners_2021_pc4")}
    keys |= {f"gaps.layer.{layer}" for layer in gaps.MAP_LAYERS} | {f"gaps.legend.title.{layer}" for layer in gaps.MAP_LAYERS}
    keys |= {f"gaps.status.{s}" for s in (gaps.STATUS_SCORED, gaps.STATUS_NEED_MISSING,
                                          gaps.STATUS_POPULATION_MISSING, gaps.STATUS_TOO_SMALL)}
    keys |= {f"gaps.scope.{s}" for s in gaps.SCOPE_LEVELS} | {f"gaps.level_plural.{lvl}" for lvl in gaps.LEVELS}
    keys |= {f"gaps.metric.areas.{lvl}" for lvl in gaps.LEVELS}
    missing = sorted(key for key in keys if key not in i18n.catalogue())
    assert missing == []
    assert t("gaps.status.too_small", "nl", min=gaps.WEIGHTS.min_inhabitants) == "geen score: minder dan 250 inwoners"


def test_export_keeps_whole_numbers_whole_and_missing_empty():
    areas = BASE + [{"code": "onbekend", "inwoners": 7000}]
    export = gaps.export_table(table_for(areas), "aandeel_75plus", {})
    assert str(export["rank"].dtype) == "Int64" and export["rank"].iloc[0] == 1
    assert str(export["inwoners"].dtype) == "Int64"
    csv = export.to_csv(index=False, sep=";", decimal=",")
    assert ";14,0;" in csv and "8000" in csv and "8000,0" not in csv
    unknown = export[export["code"] == "onbekend"].iloc[0]
    assert pd.isna(unknown["aandeel_75plus"]) and pd.isna(unknown["rank"])
