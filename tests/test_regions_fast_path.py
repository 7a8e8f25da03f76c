"""Region assignment of large batches (the grid fast path used from regions.GRID_MIN_POINTS points
on) gives exactly the codes of the point-by-point spatial join, in input order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mapping import regions


def batch(store, n: int, seed: int) -> pd.DataFrame:
    """Points like real addresses (around postcode centroids, weighted by inhabitants), plus points
    anywhere in and around the country (sea, Belgium, Germany, coast) and some without a location."""
    rng = np.random.default_rng(seed)
    pc4 = store.df("SELECT lat, lon, inwoners_2021 FROM pc4")
    weights = pc4["inwoners_2021"].fillna(0).to_numpy()
    pick = rng.choice(len(pc4), size=n, p=weights / weights.sum())
    lat = pc4["lat"].to_numpy()[pick] + rng.normal(0, 0.004, n)
    lon = pc4["lon"].to_numpy()[pick] + rng.normal(0, 0.006, n)
    anywhere = n // 10
    lat[:anywhere] = rng.uniform(50.6, 53.7, anywhere)
    lon[:anywhere] = rng.uniform(3.0, 7.4, anywhere)
    lat[anywhere:anywhere + 25] = np.nan
    order = rng.permutation(n)
    return pd.DataFrame({"id": [f"p{i}" for i in order], "lat": lat[order], "lon": lon[order]})


def test_grid_fast_path_equals_the_exact_join(store, monkeypatch):
    points = batch(store, 12_000, seed=11)
    fast = regions.assign_regions(store, points)
    monkeypatch.setattr(regions, "GRID_MIN_POINTS", 10**9)     # force the point-by-point join
    exact = regions.assign_regions(store, points)
    assert list(fast["id"]) == list(points["id"]), "one row per input point, in input order"
    for column in regions.CODE_COLUMNS:
        assert fast[column].tolist() == exact[column].tolist(), column
    located = points["lat"].notna().to_numpy()
    assert fast.loc[located, "gemeente_code"].notna().mean() > 0.85
    assert fast.loc[~located, list(regions.CODE_COLUMNS)].isna().all().all()


def test_missing_codes_are_none_not_nan(store):
    points = batch(store, regions.GRID_MIN_POINTS + 100, seed=5)
    codes = regions.assign_regions(store, points)
    for column in regions.CODE_COLUMNS:
        missing = [value for value in codes[column] if not isinstance(value, str)]
        assert missing and all(value is None for value in missing), column


def test_known_points_inside_a_large_batch(store):
    """The known points of test_regions also come out right when the grid path handles them."""
    known = pd.DataFrame({"id": ["wijkpaleis", "oegstgeest", "brussel"], "lat": [51.9151, 52.18, 50.85],
                          "lon": [4.4598, 4.47, 4.35]})
    points = pd.concat([batch(store, regions.GRID_MIN_POINTS, seed=2), known], ignore_index=True)
    codes = regions.assign_regions(store, points).set_index("id")
    assert tuple(codes.loc["wijkpaleis", list(regions.CODE_COLUMNS)]) == ("PV28", "GM0599", "WK059903", "ZK20")
    assert codes.loc["oegstgeest", "gemeente_code"] == "GM0579"
    assert codes.loc["brussel", "gemeente_code"] is None
