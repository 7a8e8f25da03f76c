"""The map's data for a filter (queries.map_data): right counts, only the columns the map needs,
and the same region counts and layer as a map built from the whole selection."""

from __future__ import annotations

import pytest

from mapping import demo, maps, queries
from mapping.queries import Filter
from mapping.store import Store


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("mapdata") / "demo.duckdb"
    demo.create_demo_database(path, 5_000, seed=9)
    store = Store(path, read_only=True)
    yield store
    store.close()


def test_small_selection_brings_only_the_map_columns_of_located_records(store):
    flt = Filter(gemeente="GM0579")
    data = queries.map_data(store, flt, max_points=maps.MAX_POINTS, level="wijk")
    full = queries.records(store, flt)
    located = full[full["lat"].notna() & full["lon"].notna()]
    assert not data.aggregated and data.region_counts is None
    assert data.n_records == len(full) and data.n_located == len(located)
    assert tuple(data.points.columns) == queries.MAP_COLUMNS
    assert sorted(data.points["id"]) == sorted(located["id"])
    assert "langer-zelfstandig-leven" in set(data.points["id"])


@pytest.mark.parametrize("flt, level", [
    (Filter(), "gemeente"),
    (Filter(provincie="PV28"), "gemeente"),
    (Filter(themes=("buurthulp",)), "gemeente"),
    (Filter(kinds=("meetup",), meetups="upcoming"), "gemeente"),
    (Filter(gemeente="GM0363"), "wijk"),
])
def test_large_selection_gives_counts_per_region_without_points(demo_store, flt, level):
    data = queries.map_data(demo_store, flt, max_points=200, level=level)
    full = queries.records(demo_store, flt)
    assert data.n_records == len(full)
    assert data.n_located == int((full["lat"].notna() & full["lon"].notna()).sum())
    assert data.aggregated and data.points.empty
    expected = queries.region_counts(demo_store, flt, level).reset_index(drop=True)
    assert data.region_counts[list(expected.columns)].equals(expected)
    assert data.region_counts["n"].sum() == data.n_located


def test_selection_inside_one_region_falls_back_to_points_for_a_grid(demo_store):
    busiest = demo_store.scalar("SELECT wijk_code FROM records WHERE wijk_code IS NOT NULL "
                                "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    flt = Filter(wijk=busiest)
    total = queries.counts_by_kind(demo_store, flt)
    data = queries.map_data(demo_store, flt, max_points=5, level="wijk")
    assert sum(total.values()) > 5
    assert len(data.region_counts) == 1 and len(data.points) == data.n_located
    assert set(data.points.columns) >= {"id", "kind", "lat", "lon"}


def test_map_from_map_data_matches_a_map_from_the_whole_selection(demo_store):
    flt = Filter(provincie="PV27")
    data = queries.map_data(demo_store, flt, max_points=300, level="gemeente")
    assert data.aggregated
    full = queries.records(demo_store, flt)
    outlines = maps.outlines_for(demo_store, flt)
    light = maps.explorer_map(data.points, outlines=outlines, region_counts=data.region_counts, max_points=300,
                              n_located=data.n_located, n_records=data.n_records)
    heavy = maps.explorer_map(full, outlines=outlines, max_points=300,
                              region_counts=queries.region_counts(demo_store, flt, "gemeente"))
    light_html, heavy_html = maps.render_html(light), maps.render_html(heavy)
    assert light_html == heavy_html
    assert f"({data.n_located})" in light_html
    assert maps.payload_bytes(light) < 2_000_000
