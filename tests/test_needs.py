"""Need figures: 65+/75+ per wijk derived from the PC4 age table, checked against the gemeente totals."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mapping import config, ingest, needs


def wijk_figure(store, code: str, measure: str) -> tuple:
    rows = store.rows("SELECT value, cbs_table, year, method FROM key_figures WHERE region_code = ? AND measure = ?",
                      [code, measure])
    assert rows, f"no {measure} row for {code}"
    return rows[0]


# -- pure derivation --------------------------------------------------------------------------

def test_pc4_age_sums_skip_suppressed_cells_but_never_invent_zero():
    ages = pd.DataFrame({
        "postcode": [1000] * 4 + [2000] * 2,
        "leeftijd": ["60-64", "65-69", "75-79", "95+", "75-79", "80-84"],
        "inwoners": [100, 40, 20, None, None, None],
    })
    sums = needs.pc4_age_sums(ages).set_index("postcode")
    assert sums.loc[1000, "inwoners_65plus"] == 60      # 40 + 20, the empty 95+ cell skipped
    assert sums.loc[1000, "inwoners_75plus"] == 20
    assert math.isnan(sums.loc[2000, "inwoners_75plus"])   # nothing published: missing, not 0


def test_wijk_without_pc4_centroid_gets_null_figures_with_the_reason():
    pc4 = pd.DataFrame({"postcode": [1000, 1001], "wijk_code": ["WK000100", "WK000100"], "inwoners_2021": [500, 300]})
    sums = pd.DataFrame({"postcode": [1000, 1001], "inwoners_65plus": [100.0, 30.0], "inwoners_75plus": [50.0, 10.0]})
    figures = needs.wijk_age_figures(pc4, sums, ["WK000100", "WK000101"])
    by = figures.set_index(["region_code", "measure"])
    assert by.loc[("WK000100", "inwoners_75plus"), "value"] == 60
    assert by.loc[("WK000100", "aandeel_75plus"), "value"] == pytest.approx(7.5)      # 60 / 800
    assert "approximation" in by.loc[("WK000100", "inwoners_75plus"), "method"]
    empty = figures[figures["region_code"] == "WK000101"]
    assert len(empty) == len(needs.DERIVED_MEASURES)
    assert empty["value"].isna().all()                    # NULL, never 0
    assert empty["method"].str.startswith("not available").all()
    assert set(figures["cbs_table"]) == {"83502NED", "83503NED"} and set(figures["year"]) == {2021}


def test_check_flags_a_gemeente_whose_wijken_do_not_add_up():
    wijk = pd.DataFrame({"region_code": ["WK000100", "WK000101", "WK000200"], "measure": "inwoners_75plus",
                         "value": [600.0, 400.0, 50.0]})
    gemeente = pd.DataFrame({"region_code": ["GM0001", "GM0002"], "measure": "inwoners_75plus",
                             "value": [1005.0, 500.0]})
    mapping = pd.DataFrame({"code": ["WK000100", "WK000101", "WK000200"],
                            "gemeente_code": ["GM0001", "GM0001", "GM0002"]})
    check = needs.check_against_gemeenten(wijk, gemeente, mapping, measures=("inwoners_75plus",)).set_index("gemeente_code")
    assert bool(check.loc["GM0001", "within_tolerance"])          # 5 off on 1,005: within 25 persons
    assert not bool(check.loc["GM0002", "within_tolerance"])      # 450 off
    assert needs.check_summary(check.reset_index())["outside_tolerance"] == ["GM0002"]


# -- on the built database --------------------------------------------------------------------

def test_wijk_sums_match_the_gemeente_totals_within_the_documented_tolerance(store):
    figures = store.df("SELECT k.region_code, k.measure, k.value, r.level FROM key_figures k "
                       "JOIN regions r ON r.code = k.region_code")
    wijk_gemeente = store.df("SELECT code, gemeente_code FROM regions WHERE level = 'wijk'")
    check = needs.check_against_gemeenten(figures[figures["level"] == "wijk"], figures[figures["level"] == "gemeente"],
                                          wijk_gemeente)
    assert check["gemeente_code"].nunique() == 342
    outside = check[~check["within_tolerance"]]
    # The gemeente file's 75+ was derived with the old gemeente polygons; the wijk figures use the
    # nested PDOK wijken. Where a border PC4 centroid changed sides, it moved between two neighbours:
    # the differences cancel out and stay within one PC4 (a few hundred people).
    assert len(outside) <= 4, outside.to_string()
    assert outside["difference"].sum() == 0 and outside["difference"].abs().max() <= 500, outside.to_string()
    # Rotterdam spelled out: the wijken's 75+ add up to the gemeente's 75+
    rotterdam = check[(check["gemeente_code"] == "GM0599") & (check["measure"] == "inwoners_75plus")].iloc[0]
    assert rotterdam["gemeente_value"] > 40_000
    assert abs(rotterdam["wijk_sum"] - rotterdam["gemeente_value"]) <= max(
        needs.CHECK_TOLERANCE_ABSOLUTE, needs.CHECK_TOLERANCE_RELATIVE * rotterdam["gemeente_value"])
    stored = needs.stored_check(store)
    assert stored is not None and stored["outside_tolerance"] == sorted(outside["gemeente_code"])
    assert stored["gemeenten"] == 342


def test_delfshaven_has_a_plausible_75plus_share_labelled_as_an_approximation(store):
    share, table, year, method = wijk_figure(store, "WK059903", "aandeel_75plus")
    assert 2.0 < share < 8.0           # a young, dense Rotterdam wijk; NL average is about 9 %
    assert (table, year) == ("83502NED", 2021) and method.startswith("approximation")
    older, *_ = wijk_figure(store, "WK059906", "aandeel_75plus")       # Hillegersberg-Schiebroek
    assert older > share
    count, *_ = wijk_figure(store, "WK059903", "inwoners_75plus")
    inhabitants, *_ = wijk_figure(store, "WK059903", "inwoners")
    assert 0.01 < count / inhabitants < 0.10


def test_wijk_without_pc4_centroid_takes_the_nearest_share_but_no_counts(store):
    # wijken holding no PC4 centroid: the share is a labelled rough approximation, the counts stay NULL
    rough = [code for (code,) in store.rows(
        "SELECT region_code FROM key_figures WHERE measure = 'aandeel_75plus' AND method LIKE 'rough%' "
        "ORDER BY region_code LIMIT 5")]
    assert rough
    for code in rough:
        share, _table, _year, method = wijk_figure(store, code, "aandeel_75plus")
        assert share is not None and 0.0 < share < 40.0
        assert "nearest PC4" in method
        count, _t, _y, count_method = wijk_figure(store, code, "inwoners_75plus")
        assert count is None and count_method.startswith("not available")


def test_every_wijk_has_a_row_for_every_derived_measure(store):
    missing = store.scalar(
        "SELECT count(*) FROM regions r CROSS JOIN (SELECT unnest(?::VARCHAR[]) AS measure) m "
        "LEFT JOIN key_figures k ON k.region_code = r.code AND k.measure = m.measure "
        "WHERE r.level = 'wijk' AND k.region_code IS NULL", [list(needs.DERIVED_MEASURES)])
    assert missing == 0
    zeros_without_pc4 = store.scalar(
        "SELECT count(*) FROM key_figures WHERE measure = 'inwoners_75plus' AND value = 0 "
        "AND method LIKE 'not available%'")
    assert zeros_without_pc4 == 0


def test_build_rederives_when_the_derivation_changes(store, monkeypatch):
    store.execute("DELETE FROM key_figures WHERE region_code = 'WK059903' AND measure = 'aandeel_75plus'")
    ingest.build(store, config.data_dir())                       # nothing changed: reference data kept
    assert store.scalar("SELECT count(*) FROM key_figures WHERE region_code = 'WK059903' "
                        "AND measure = 'aandeel_75plus'") == 0
    monkeypatch.setattr(needs.derive_reference_figures, "version", "test-next", raising=False)
    ingest.build(store, config.data_dir())                       # a new derivation version re-derives
    assert store.scalar("SELECT count(*) FROM key_figures WHERE region_code = 'WK059903' "
                        "AND measure = 'aandeel_75plus'") == 1
