"""Region assignment of known points (point-in-polygon, all four levels)."""

import pandas as pd
import pytest

from mapping import regions

KNOWN_POINTS = [
    # name, lat, lon, provincie, gemeente, wijk name, zorgkantoorregio
    ("Het Wijkpaleis", 51.9151, 4.4598, "PV28", "GM0599", "Delfshaven", "ZK20"),
    ("Kampen centrum", 52.5550, 5.9110, "PV23", "GM0166", None, "ZK32"),
    ("Oegstgeest", 52.1800, 4.4700, "PV28", "GM0579", None, "ZK28"),
    ("Zeist", 52.0880, 5.2330, "PV26", "GM0355", None, "ZK23"),
]


@pytest.mark.parametrize("name,lat,lon,provincie,gemeente,wijk_name,zk", KNOWN_POINTS)
def test_known_points_get_the_right_codes(store, name, lat, lon, provincie, gemeente, wijk_name, zk):
    codes = regions.point_regions(store, lat, lon)
    assert codes["provincie_code"] == provincie, name
    assert codes["gemeente_code"] == gemeente, name
    assert codes["zorgkantoorregio_code"] == zk, name
    assert codes["wijk_code"].startswith("WK" + gemeente[2:]), name
    if wijk_name:
        assert store.scalar("SELECT name FROM regions WHERE code = ?", [codes["wijk_code"]]) == wijk_name


def test_wijkpaleis_record_in_database_is_in_delfshaven(store):
    row = store.rows("SELECT gemeente_code, wijk_code, zorgkantoorregio_code FROM records WHERE id = 'het-wijkpaleis'")[0]
    assert row == ("GM0599", "WK059903", "ZK20")


def test_points_outside_the_netherlands_get_no_codes(store):
    for lat, lon in ((50.85, 4.35), (51.0, 2.0), (52.52, 13.40)):  # Brussels, North Sea, Berlin
        assert regions.point_regions(store, lat, lon)["gemeente_code"] is None


def test_batch_assignment_keeps_order_and_handles_missing_points(store):
    points = pd.DataFrame({"id": ["a", "b", "c"], "lat": [51.9151, None, 52.18], "lon": [4.4598, None, 4.47]})
    result = regions.assign_regions(store, points).set_index("id")
    assert list(result.index) == ["a", "b", "c"]
    assert result.loc["a", "gemeente_code"] == "GM0599"
    assert result.loc["b", "gemeente_code"] is None
    assert result.loc["c", "gemeente_code"] == "GM0579"


def test_codes_are_consistent_with_the_hierarchy(store):
    bad = store.scalar("""
        SELECT count(*) FROM records r JOIN regions w ON w.code = r.wijk_code
        WHERE w.gemeente_code <> r.gemeente_code OR w.provincie_code <> r.provincie_code""")
    assert bad == 0


def test_outlines_are_simplified_geojson(store):
    outlines = regions.outlines_geojson(store, "wijk", within=("gemeente_code", "GM0579"))
    assert outlines["features"] and all(f["properties"]["code"].startswith("WK0579") for f in outlines["features"])
