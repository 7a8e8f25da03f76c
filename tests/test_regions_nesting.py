"""The region levels nest: a point near a wijk's edge gets the wijk whose polygon contains it and
that wijk's gemeente (issue 16 point 5). Points are made from the raw wijk file in data/ (not from
the database), ~20 m inside the edge in RD New metres, so the expectation is independent of the
code under test."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import shape

from mapping import regions

DATA = Path(__file__).resolve().parent.parent / "data"
INSIDE_METRES = 20


@pytest.fixture(scope="module")
def raw_wijken() -> list[dict]:
    return json.loads((DATA / "wijken_2024.geojson").read_text(encoding="utf-8"))["features"]


def points_near_edges(features: list[dict], n: int, seed: int) -> pd.DataFrame:
    """One point ~20 m inside the edge of each of ``n`` randomly chosen wijken (RD New buffer)."""
    to_rd = pyproj.Transformer.from_crs(4326, 28992, always_xy=True)
    to_wgs = pyproj.Transformer.from_crs(28992, 4326, always_xy=True)
    polygons = [shape(f["geometry"]) for f in features]
    tree = shapely.STRtree(polygons)
    rng = np.random.default_rng(seed)
    rows = []
    for index in rng.permutation(len(features)):
        feature = features[index]
        polygon_rd = shapely.transform(polygons[index], lambda xy: np.column_stack(to_rd.transform(xy[:, 0], xy[:, 1])))
        inner = polygon_rd.buffer(-INSIDE_METRES)
        if inner.is_empty or inner.area < 1_000:
            continue
        ring = max(getattr(inner, "geoms", [inner]), key=lambda p: p.area).exterior
        point_rd = ring.interpolate(rng.uniform(0, ring.length))
        lon, lat = to_wgs.transform(point_rd.x, point_rd.y)
        # every raw polygon holding the point (simplified neighbours can overlap by a few metres)
        holders = {features[i]["properties"]["wijk_code"]
                   for i in tree.query(shapely.Point(lon, lat), predicate="within")}
        if feature["properties"]["wijk_code"] not in holders:   # rounding at a spike: try another
            continue
        rows.append({"id": feature["properties"]["wijk_code"], "lat": lat, "lon": lon, "holders": holders})
        if len(rows) == n:
            break
    return pd.DataFrame(rows)


@pytest.mark.parametrize("grid", [False, True], ids=["exact-join", "grid-fast-path"])
def test_points_near_wijk_edges_get_their_wijk_and_its_gemeente(store, raw_wijken, monkeypatch, grid):
    points = points_near_edges(raw_wijken, 120, seed=16)
    assert len(points) == 120
    if grid:   # pad with far-away points so the batch takes the grid path
        monkeypatch.setattr(regions, "GRID_MIN_POINTS", 50)
    codes = regions.assign_regions(store, points[["id", "lat", "lon"]])
    wrong = [(row.id, wijk) for row, wijk in zip(points.itertuples(), codes["wijk_code"]) if wijk not in row.holders]
    assert not wrong, "points got a wijk whose polygon does not contain them"
    assert codes["gemeente_code"].tolist() == ["GM" + wijk[2:6] for wijk in codes["wijk_code"]]


def test_parents_of_every_point_follow_the_gemeente_list(store, raw_wijken):
    points = points_near_edges(raw_wijken, 40, seed=3)
    hierarchy = pd.read_csv(DATA / "gemeenten_2025.csv", dtype=str).set_index("gemeente_code")
    codes = regions.assign_regions(store, points[["id", "lat", "lon"]])
    for row in codes.itertuples():
        parent = hierarchy.loc[row.gemeente_code]
        assert (row.provincie_code, row.zorgkantoorregio_code) == (parent["provincie_code"],
                                                                    parent["zorgkantoorregio_code"])


def test_gemeente_outline_contains_its_wijken(store):
    """Gemeenten are the dissolved wijken: every wijk's interior point lies in its own gemeente."""
    outside = store.scalar("""
        SELECT count(*) FROM regions w JOIN regions g ON g.code = w.gemeente_code AND g.level = 'gemeente'
        WHERE w.level = 'wijk' AND NOT ST_Contains(g.geom, ST_PointOnSurface(w.geom))""")
    assert outside == 0
    assert store.scalar("SELECT count(*) FROM regions WHERE level = 'wijk' AND gemeente_code IS NULL") == 0


def test_every_wijk_and_gemeente_code_joins_to_the_kwb_figures():
    """Codes of the KWB 2024 files join to our regions (issue 16 point 1)."""
    wijk_codes = {f["properties"]["wijk_code"] for f in json.loads(
        (DATA / "wijken_2024.geojson").read_text(encoding="utf-8"))["features"]}
    gemeenten = set(pd.read_csv(DATA / "gemeenten_2025.csv", dtype=str)["gemeente_code"])
    kwb_wijk = set(pd.read_csv(DATA / "kwb2024_wijk.csv", dtype=str)["code"])
    kwb_gemeente = set(pd.read_csv(DATA / "kwb2024_gemeente.csv", dtype=str)["code"])
    one_person = set(pd.read_csv(DATA / "eenpersoonshuishoudens_gemeenten_2024.csv", dtype=str)["gemeente_code"])
    assert kwb_wijk <= wijk_codes
    assert kwb_gemeente == gemeenten == one_person
    assert {"GM" + code[2:6] for code in wijk_codes} <= gemeenten
