"""Administrative geography: boundaries, the region hierarchy, and point → region codes.

Hierarchy: provincie > gemeente > wijk; a zorgkantoorregio groups whole gemeenten. The levels nest
by construction: a point gets its *wijk* by point-in-polygon (the finest level, PDOK wijken 2024),
and its gemeente, provincie and zorgkantoorregio follow from that wijk's CBS code (WK0579xx lies in
GM0579) through ``gemeenten_2025.csv``. The gemeente outlines are the dissolved wijk outlines, so the
gemeente drawn around a point is always the gemeente it is assigned to.
Point lookups are vectorised, never a per-point Python loop: large batches first go through a grid
fast path (whole cells inside one polygon), the rest through one DuckDB spatial join per level.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mapping.store import Store

LEVELS = ("provincie", "gemeente", "wijk", "zorgkantoorregio")
CODE_COLUMNS = ("provincie_code", "gemeente_code", "wijk_code", "zorgkantoorregio_code")

# Points up to this far outside every gemeente (degrees, ~1.5 km) are snapped to the nearest one:
# coastal and harbour addresses fall just outside the generalised CBS coastline.
COAST_SNAP_DEGREES = 0.02

# Display simplification per level (degrees); wijken are already on a 0.001 degree grid.
# Wijken (PDOK 2024, ~3 MB) are simplified so the national wijk map stays under the 2 MB payload.
DISPLAY_TOLERANCE = {"provincie": 0.0015, "gemeente": 0.0007, "zorgkantoorregio": 0.001, "wijk": 0.0012}

BOUNDARY_FILES = {
    "provincie": ("provincies.geojson", "provincie_code", "provincie_naam", "CBS gebiedsindelingen", 2022),
    # gemeente geometry is dissolved from the wijken (see load_boundaries); the file gives nothing
    "gemeente": (None, "gemeente_code", "gemeente_naam", "PDOK wijken 2024 dissolved per gemeente (CBS codes)", 2024),
    "zorgkantoorregio": ("zorgkantoorregios_2025.geojson", "zorgkantoorregio_code", "zorgkantoorregio_naam",
                         "CBS/PDOK zorgkantoorregio, dissolved from gemeenten", 2025),
    "wijk": ("wijken_2024.geojson", "wijk_code", "wijk_naam", "PDOK wijkenbuurten 2024 (geoinzicht-app, simplified)", 2024),
}


def wijk_gemeente_code(wijk_code: str) -> str:
    """The gemeente a wijk belongs to, from its CBS code (WK057901 → GM0579)."""
    return "GM" + wijk_code[2:6]


def load_boundaries(store: Store, data_dir: Path) -> int:
    """(Re)load all region boundaries from ``data_dir``; returns the number of regions.

    Wijken first; gemeenten are the union of their wijken (so the two levels nest exactly), with
    names and parent codes from ``gemeenten_2025.csv``."""
    cur = store.cursor()
    hierarchy = pd.read_csv(data_dir / "gemeenten_2025.csv", dtype=str)
    cur.register("gemeente_hierarchy", hierarchy)
    cur.execute("DELETE FROM regions")
    for level in ("provincie", "zorgkantoorregio", "wijk", "gemeente"):
        file, code_col, name_col, source, year = BOUNDARY_FILES[level]
        tolerance = DISPLAY_TOLERANCE[level]
        simplified = f"ST_SimplifyPreserveTopology(s.geom, {tolerance})" if tolerance else "s.geom"
        if level == "gemeente":
            # dissolve the wijken loaded just before; ST_Union_Agg keeps one polygon per gemeente
            from_clause = """(SELECT h.gemeente_code, h.gemeente_naam, ST_Union_Agg(w.geom) AS geom
                              FROM regions w JOIN gemeente_hierarchy h ON h.gemeente_code = w.gemeente_code
                              WHERE w.level = 'wijk' GROUP BY 1, 2) s
                             LEFT JOIN gemeente_hierarchy h ON h.gemeente_code = s.gemeente_code"""
            parents = "h.provincie_code, s.gemeente_code, h.zorgkantoorregio_code"
            params = [source, year]
        else:
            from_clause = "ST_Read(?) s"
            params = [source, year, (data_dir / file).as_posix()]
            if level == "wijk":
                # parents from the code, never from a separate polygon file
                from_clause += (" LEFT JOIN gemeente_hierarchy h ON h.gemeente_code = "
                                "'GM' || substr(s.wijk_code, 3, 4)")
                parents = "h.provincie_code, h.gemeente_code, h.zorgkantoorregio_code"
            elif level == "provincie":
                parents = "s.provincie_code, NULL, NULL"
            else:
                parents = "NULL, NULL, s.zorgkantoorregio_code"
        cur.execute(
            f"""
            INSERT INTO regions
            SELECT s.{code_col}, s.{name_col}, '{level}', {parents},
                   ST_MakeValid(s.geom),
                   ST_AsGeoJSON({simplified}),
                   ST_XMin(s.geom), ST_YMin(s.geom), ST_XMax(s.geom), ST_YMax(s.geom),
                   ?, ?,
                   ST_X(ST_PointOnSurface(ST_MakeValid(s.geom))), ST_Y(ST_PointOnSurface(ST_MakeValid(s.geom)))
            FROM {from_clause}
            """,
            params,
        )
    cur.unregister("gemeente_hierarchy")
    return store.scalar("SELECT count(*) FROM regions")


# Grid fast path for many points: most points lie in a small grid cell that is entirely inside
# one polygon and touches no other, so every point in that cell has that polygon's code and a few
# thousand cell tests (shapely STRtree with prepared polygons) replace a million point tests. Cells
# are tested only where points are, coarse to fine (a cell on a border is split in four for the
# next step); points still in border cells after the last step go through the exact DuckDB spatial
# join. The result is identical to testing every point (cells are enlarged by a hair so that
# rounding cannot put a point outside its cell).
GRID_CELLS = {  # level: (first cell width, height in degrees, number of steps; cells halve each step)
    "wijk": (0.01, 0.00625, 6),     # ~700 m down to ~22 m (wijken are small)
}
GRID_MIN_POINTS = 5_000             # below this the exact join alone is just as fast
_GRID_EPSILON = 1e-9
_DENSE_GRID_MAX_CELLS = 20_000_000  # beyond this, occupied cells are found by sorting instead


def assign_regions(store: Store, points: pd.DataFrame) -> pd.DataFrame:
    """Region codes for points. ``points`` has columns ``id, lat, lon``; returns
    ``id`` plus the four code columns (None where a point lies outside the Netherlands),
    one row per input row in the same order.

    The wijk is found by point-in-polygon (grid fast path, then the exact join); the other three
    codes are that wijk's parents, so a point never gets a gemeente whose polygon does not hold it."""
    cur = store.cursor()
    count = len(points)
    lat = pd.to_numeric(points["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(points["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    located = np.isfinite(lat) & np.isfinite(lon)
    wijken = store.df("SELECT code, provincie_code, gemeente_code, zorgkantoorregio_code FROM regions "
                      "WHERE level = 'wijk' ORDER BY code")
    wijk_index = pd.Index(wijken["code"])
    wijk = np.full(count, -1, dtype=np.int64)   # positions in wijk_index, -1 = unknown
    if located.sum() >= GRID_MIN_POINTS:
        box = store.rows("SELECT min(min_lon), min(min_lat), max(max_lon), max(max_lat) FROM regions "
                         "WHERE level = 'wijk'")[0]
        in_box = np.flatnonzero(located & (lon >= box[0]) & (lat >= box[1]) & (lon <= box[2]) & (lat <= box[3]))
        polygons, positions = _region_shapes(store, "wijk", wijk_index)
        wijk[in_box] = _grid_codes(polygons, positions, GRID_CELLS["wijk"], lon[in_box], lat[in_box], box)
    exact = np.flatnonzero(located & (wijk < 0))
    if len(exact):
        wijk[exact] = wijk_index.get_indexer(_exact_wijk_codes(cur, lon[exact], lat[exact]))

    def lookup(values: pd.Series) -> np.ndarray:
        table = np.append(values.astype(object).where(values.notna(), None).to_numpy(dtype=object), None)
        return table[wijk]    # position -1 picks the trailing None

    # object columns holding None (not NaN) where there is no code, as callers test ``is None``
    return pd.DataFrame({"id": points["id"].to_numpy(),
                         **{column: pd.Series(lookup(wijken[source]), dtype=object)
                            for column, source in (("provincie_code", "provincie_code"),
                                                   ("gemeente_code", "gemeente_code"),
                                                   ("wijk_code", "code"),
                                                   ("zorgkantoorregio_code", "zorgkantoorregio_code"))}})


def _region_shapes(store: Store, level: str, codes: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """The ``level`` polygons (shapely, prepared) and their positions in ``codes``."""
    import shapely

    shapes = store.df(f"SELECT code, ST_AsWKB(geom) AS wkb FROM regions WHERE level = '{level}'")
    polygons = shapely.from_wkb([bytes(w) for w in shapes["wkb"]])
    shapely.prepare(polygons)
    return polygons, codes.get_indexer(shapes["code"])


def _grid_codes(polygons: np.ndarray, polygon_code: np.ndarray, cells_spec: tuple[float, float, int],
                lon: np.ndarray, lat: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Position (``polygon_code``) of the polygon whose grid cell holds each point (-1 where the
    point's finest cell touches a border). All points lie within ``box`` (min lon, min lat,
    max lon, max lat). Pure computation: safe to run in a thread."""
    import shapely

    tree = shapely.STRtree(polygons)
    result = np.full(len(lon), -1, dtype=np.int64)
    pending = np.arange(len(lon))
    width, height, steps = cells_spec
    for _ in range(steps):
        if not len(pending):
            break
        columns = int((box[2] - box[0]) / width) + 1
        rows = int((box[3] - box[1]) / height) + 1
        key = (np.floor((lon[pending] - box[0]) / width).astype(np.int64) * rows
               + np.floor((lat[pending] - box[1]) / height).astype(np.int64))
        dense = columns * rows <= _DENSE_GRID_MAX_CELLS
        if dense:
            occupied = np.zeros(columns * rows, dtype=bool)
            occupied[key] = True
            cells = np.flatnonzero(occupied)
        else:
            cells = np.unique(key)
        x0 = box[0] + (cells // rows) * width
        y0 = box[1] + (cells % rows) * height
        squares = shapely.box(x0 - _GRID_EPSILON, y0 - _GRID_EPSILON,
                              x0 + width + _GRID_EPSILON, y0 + height + _GRID_EPSILON)
        # A cell belongs to a polygon when that is the only polygon touching the cell and holds
        # the whole cell in its interior.
        square_hit, polygon_hit = tree.query(squares, predicate="intersects")
        single = np.flatnonzero(np.bincount(square_hit, minlength=len(squares)) == 1)
        only_polygon = np.full(len(squares), -1, dtype=np.int64)
        only_polygon[square_hit] = polygon_hit
        candidate = only_polygon[single]
        inside = shapely.contains_properly(polygons[candidate], squares[single])
        if dense:
            cell_code = np.full(columns * rows, -1, dtype=np.int32)
            cell_code[cells[single[inside]]] = polygon_code[candidate[inside]]
            found = cell_code[key]
        else:
            cell_code = np.full(len(cells), -1, dtype=np.int64)
            cell_code[single[inside]] = polygon_code[candidate[inside]]
            found = cell_code[np.searchsorted(cells, key)]
        done = found >= 0
        result[pending[done]] = found[done]
        pending = pending[~done]
        width, height = width / 2, height / 2
    return result


def _exact_wijk_codes(cur, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Wijk code of each point by exact point-in-polygon (one spatial join); points just outside
    every wijk (the generalised coastline) snap to the nearest wijk within COAST_SNAP_DEGREES
    (equal distances go to the lowest code, so the result never depends on scan order)."""
    cur.register("assign_points_src", pd.DataFrame({"rid": np.arange(len(lon)), "lat": lat, "lon": lon}))
    try:
        cur.execute("CREATE OR REPLACE TEMP TABLE assign_points AS "
                    "SELECT rid, lat, lon, ST_Point(lon, lat) AS pt FROM assign_points_src")
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE assign_wijk AS
            SELECT p.rid, min(w.code) AS wijk_code
            FROM assign_points p
            JOIN (SELECT code, geom FROM regions WHERE level = 'wijk') w ON ST_Contains(w.geom, p.pt)
            GROUP BY p.rid
            """
        )
        cur.execute(
            f"""
            INSERT INTO assign_wijk
            WITH outside AS MATERIALIZED (
                SELECT p.rid, p.lat, p.lon, p.pt FROM assign_points p
                WHERE NOT EXISTS (SELECT 1 FROM assign_wijk w WHERE w.rid = p.rid)
            )
            SELECT p.rid, first(w.code ORDER BY ST_Distance(w.geom, p.pt), w.code)
            FROM outside p
            JOIN (SELECT code, geom, min_lon, min_lat, max_lon, max_lat FROM regions WHERE level = 'wijk') w
              ON p.lon BETWEEN w.min_lon - {COAST_SNAP_DEGREES} AND w.max_lon + {COAST_SNAP_DEGREES}
             AND p.lat BETWEEN w.min_lat - {COAST_SNAP_DEGREES} AND w.max_lat + {COAST_SNAP_DEGREES}
            GROUP BY p.rid
            HAVING min(ST_Distance(w.geom, p.pt)) <= {COAST_SNAP_DEGREES}
            """
        )
        result = cur.execute("SELECT p.rid, w.wijk_code FROM assign_points p LEFT JOIN assign_wijk w USING (rid) "
                             "ORDER BY p.rid").df()
    finally:
        cur.unregister("assign_points_src")
        for table in ("assign_points", "assign_wijk"):
            cur.execute(f"DROP TABLE IF EXISTS {table}")
    return result["wijk_code"].to_numpy(dtype=object)


def point_regions(store: Store, lat: float, lon: float) -> dict[str, str | None]:
    """The four region codes of one point (all None outside the Netherlands)."""
    frame = assign_regions(store, pd.DataFrame({"id": ["point"], "lat": [lat], "lon": [lon]}))
    row = frame.iloc[0]
    return {column: row[column] for column in CODE_COLUMNS}


def is_in_netherlands(store: Store, lat: float, lon: float) -> bool:
    return point_regions(store, lat, lon)["gemeente_code"] is not None


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    provincie_code: str | None
    gemeente_code: str | None
    zorgkantoorregio_code: str | None


def region_table(store: Store) -> pd.DataFrame:
    """All regions without geometry: code, name, level and parent codes, sorted by name."""
    return store.df(
        """
        SELECT code, name, level, provincie_code, gemeente_code, zorgkantoorregio_code,
               min_lon, min_lat, max_lon, max_lat
        FROM regions ORDER BY level, name
        """
    )


def children(regions: pd.DataFrame, level: str, *, provincie: str | None = None,
             gemeente: str | None = None, zorgkantoorregio: str | None = None) -> pd.DataFrame:
    """Regions of ``level`` within the given parents (the cascade of the region filter)."""
    subset = regions[regions["level"] == level]
    if provincie:
        subset = subset[subset["provincie_code"] == provincie]
    if gemeente:
        subset = subset[subset["gemeente_code"] == gemeente]
    if zorgkantoorregio:
        subset = subset[subset["zorgkantoorregio_code"] == zorgkantoorregio]
    return subset


def outlines_geojson(store: Store, level: str, *, codes: list[str] | None = None,
                     within: tuple[str, str] | None = None) -> dict:
    """Simplified outlines as a GeoJSON FeatureCollection (properties: code, name, level).

    ``within`` = (parent column, parent code) limits to children of a parent region, e.g.
    ("gemeente_code", "GM0599") for the wijken of Rotterdam.
    """
    import json

    sql = "SELECT code, name, level, display_geojson FROM regions WHERE level = ?"
    params: list = [level]
    if codes is not None:
        if not codes:
            return {"type": "FeatureCollection", "features": []}
        sql += " AND code IN (SELECT unnest(?::VARCHAR[]))"
        params.append(list(codes))
    if within is not None:
        column, value = within
        if column not in CODE_COLUMNS:
            raise ValueError(f"unknown parent column {column}")
        sql += f" AND {column} = ?"
        params.append(value)
    features = [
        {"type": "Feature", "properties": {"code": code, "name": name, "level": lvl},
         "geometry": json.loads(geometry)}
        for code, name, lvl, geometry in store.rows(sql + " ORDER BY code", params)
        if geometry
    ]
    return {"type": "FeatureCollection", "features": features}


def bounds(store: Store, code: str) -> tuple[float, float, float, float] | None:
    """(min_lat, min_lon, max_lat, max_lon) of a region, for fitting the map."""
    row = store.rows("SELECT min_lat, min_lon, max_lat, max_lon FROM regions WHERE code = ?", [code])
    return tuple(row[0]) if row else None
