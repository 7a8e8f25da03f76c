"""Published need figures on the gap view equal the raw CBS files, and carry table and year
(issue 16 points 2, 3, 7). Expected values are read straight from the CSV copies in data/ with the
csv module (not through needs/ingest), or written by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from mapping import gapmap, gaps, needs, queries

DATA = Path(__file__).resolve().parent.parent / "data"


def raw_row(file: str, key: str, code: str) -> dict[str, str]:
    with open(DATA / file, newline="", encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row[key] == code)


def rotterdam_wijken(store, supply: str = gaps.DEFAULT_SUPPLY, need: str = gaps.DEFAULT_NEED) -> pd.DataFrame:
    args = ("wijk", "gemeente", "GM0599")
    return gaps.build_gap_table(queries.gap_areas(store, *args), queries.gap_figures(store, *args),
                                queries.gap_record_counts(store, *args), queries.gap_link_counts(store, *args),
                                need, supply=supply).set_index("code")


def test_published_wijk_figures_equal_the_raw_kwb_file(store):
    table = rotterdam_wijken(store)
    raw = raw_row("kwb2024_wijk.csv", "code", "WK059903")          # Delfshaven
    row = table.loc["WK059903"]
    assert row["inwoners_65plus"] == float(raw["inwoners65plus"])
    assert row["afstand_huisarts"] == float(raw["afstandHuisarts"])
    assert row["huishoudensgrootte"] == float(raw["huishoudensgrootte"])
    assert row["aandeel_65plus"] == pytest.approx(
        round(100 * float(raw["inwoners65plus"]) / float(raw["inwoners"]), 1))
    for measure in ("inwoners_65plus", "afstand_huisarts", "aandeel_65plus"):
        assert row[f"{measure}__source"] == "CBS 85984NED (2024)"


def test_one_person_households_per_gemeente_equal_the_raw_file(store):
    args = ("gemeente", "zorgkantoorregio", "ZK20")
    wide = needs.figures_wide(queries.gap_figures(store, *args)).set_index("code")
    raw = raw_row("eenpersoonshuishoudens_gemeenten_2024.csv", "gemeente_code", "GM0599")
    assert wide.loc["GM0599", "aandeel_eenpersoonshuishoudens"] == float(raw["aandeel_eenpersoonshuishoudens_pct"])
    assert wide.loc["GM0599", "aandeel_eenpersoonshuishoudens__source"] == "CBS 85984NED (2024)"
    gemeente = raw_row("kwb2024_gemeente.csv", "code", "GM0599")
    assert wide.loc["GM0599", "inwoners_65plus"] == float(gemeente["inwoners65plus"])


def test_suppressed_cells_stay_missing_not_zero(store):
    with open(DATA / "kwb2024_wijk.csv", newline="", encoding="utf-8") as handle:
        suppressed = [row["code"] for row in csv.DictReader(handle) if row["inwoners65plus"] == ""]
    assert suppressed
    values = store.df("SELECT region_code, value FROM key_figures WHERE measure = 'inwoners_65plus' "
                      "AND region_code IN (SELECT unnest(?::VARCHAR[]))", [suppressed])
    assert len(values) == len(suppressed) and values["value"].isna().all()


def test_vulnerability_index_by_hand():
    wide = pd.DataFrame({"code": ["GM1", "GM2", "GM3"], "aandeel_65plus": [10.0, 20.0, 30.0],
                         "aandeel_eenpersoonshuishoudens": [50.0, 30.0, 40.0]})
    index = needs.add_vulnerability_index(wide, "gemeente").set_index("code")["kwetsbaarheid"]
    # ranks (pct): 65+ 1/3, 2/3, 1; alone 1, 1/3, 2/3 → K = 100 × mean
    assert index.to_dict() == pytest.approx({"GM1": 66.7, "GM2": 50.0, "GM3": 83.3}, abs=0.05)
    wijken = pd.DataFrame({"code": ["WK1", "WK2"], "aandeel_65plus": [10.0, None], "huishoudensgrootte": [1.5, 2.5]})
    wijk_index = needs.add_vulnerability_index(wijken, "wijk").set_index("code")["kwetsbaarheid"]
    assert pd.isna(wijk_index["WK2"])                      # a missing part gives no index, never 0


def test_professional_supply_halves_per_kilometre_and_lowers_the_gap(store):
    assert gaps.professional_supply_index(pd.Series([0.0, 1.0, 2.0])).tolist() == [1.0, 0.5, 0.25]
    community = rotterdam_wijken(store, "gemeenschap")
    professional = rotterdam_wijken(store, "huisarts")
    code = "WK059903"
    distance = float(raw_row("kwb2024_wijk.csv", "code", code)["afstandHuisarts"])
    assert professional.loc[code, "supply_index"] == pytest.approx(0.5 ** distance)
    expected = round(100 * professional.loc[code, "need_index"] * (1 - 0.5 ** distance), 1)
    assert professional.loc[code, "gap_score"] == pytest.approx(expected)
    both = rotterdam_wijken(store, "beide")
    assert both.loc[code, "supply_index"] == pytest.approx(
        (community.loc[code, "supply_index"] + professional.loc[code, "supply_index"]) / 2)


def test_supply_choice_round_trips_through_the_url():
    view = gaps.view_from_params({"zkr": "ZK20", "aanbod": "huisarts", "maat": "kwetsbaarheid"})
    assert (view.supply, view.need) == ("huisarts", "kwetsbaarheid")
    assert gaps.view_to_params(view) == {"zkr": "ZK20", "aanbod": "huisarts", "maat": "kwetsbaarheid"}
    assert "aanbod" in gaps.view_from_params({"aanbod": "<script>"}).ignored


def test_venues_count_as_community_supply_but_not_as_initiatives():
    areas = pd.DataFrame({"code": ["WK1"], "name": ["A"]})
    counts = pd.DataFrame({"area_code": ["WK1", "WK1"], "kind": ["venue", "initiative"], "n": [2, 1]})
    figures = pd.DataFrame({"code": ["WK1"], "inwoners": [10_000.0], "inwoners_75plus": [800.0]})
    table = gaps.supply_table(areas, counts, pd.DataFrame(), figures).iloc[0]
    assert (table["n_initiative"], table["n_venue"]) == (1, 2)
    # 1 unlinked initiative × 0.5 + 2 venues × 0.5
    assert table["effective_supply"] == pytest.approx(1.5)


def test_tooltip_and_csv_carry_table_and_year(store):
    table = rotterdam_wijken(store, need="aandeel_65plus").reset_index()
    row = table[table["code"] == "WK059903"].iloc[0]
    tooltip = gapmap.area_tooltip(row, "aandeel_65plus", "nl")
    assert "CBS 85984NED (2024)" in tooltip and "Afstand tot huisartsenpraktijk" in tooltip
    export = gaps.export_table(table, "aandeel_65plus", {})
    line = export[export["code"] == "WK059903"].iloc[0]
    assert line["aandeel_65plus__source"] == "CBS 85984NED (2024)"
    assert line["afstand_huisarts__source"] == "CBS 85984NED (2024)"
    assert line["kwetsbaarheid__source"] == needs.VULNERABILITY_SOURCE
    assert line["inwoners_65plus"] == int(float(raw_row("kwb2024_wijk.csv", "code", "WK059903")["inwoners65plus"]))


def test_gemeente_summary_lists_need_supply_and_five_largest_wijk_gaps(store):
    args = ("wijk", "zorgkantoorregio", "ZK20")
    wijken = gaps.build_gap_table(queries.gap_areas(store, *args), queries.gap_figures(store, *args),
                                  queries.gap_record_counts(store, *args), queries.gap_link_counts(store, *args))
    gemeenten = needs.figures_wide(queries.gap_figures(store, "gemeente", "zorgkantoorregio", "ZK20"))
    summary = gaps.gemeente_summary(wijken, gemeenten).set_index("code")
    assert set(summary.index) == set(wijken["gemeente_code"])
    rotterdam = summary.loc["GM0599"]
    expected_top = list(wijken[(wijken["gemeente_code"] == "GM0599") & wijken["gap_score"].notna()]
                        .sort_values("rank")["name"].head(5))
    assert rotterdam["top_wijken"] == expected_top and len(expected_top) == 5
    assert rotterdam["n_records"] == int(wijken.loc[wijken["gemeente_code"] == "GM0599", "n_records"].sum())
    raw = raw_row("kwb2024_gemeente.csv", "code", "GM0599")
    assert rotterdam["afstand_huisarts"] == float(raw["afstandHuisarts"])
    frame = gapmap.gemeente_summary_frame(summary.reset_index(), {"GM0599": "Rotterdam"}, "nl")
    cell = frame.loc[frame["Gemeente"] == "Rotterdam", "Afstand tot huisartsenpraktijk"].iloc[0]
    assert "(CBS 85984NED (2024))" in cell and "km" in cell


def test_wijk_gap_map_of_the_largest_zorgkantoorregio_stays_under_two_megabytes(store):
    from mapping import regions

    largest = store.scalar("SELECT zorgkantoorregio_code FROM regions WHERE level = 'wijk' "
                           "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    args = ("wijk", "zorgkantoorregio", largest)
    table = gaps.build_gap_table(queries.gap_areas(store, *args), queries.gap_figures(store, *args),
                                 queries.gap_record_counts(store, *args), queries.gap_link_counts(store, *args))
    areas = regions.outlines_geojson(store, "wijk", within=("zorgkantoorregio_code", largest))
    fmap, _classes = gapmap.choropleth(areas, table, "gap", gaps.DEFAULT_NEED, "nl",
                                       outlines=regions.outlines_geojson(store, "gemeente",
                                                                         within=("zorgkantoorregio_code", largest)))
    assert len(table) > 150
    assert len(fmap.get_root().render().encode("utf-8")) < 2_000_000
