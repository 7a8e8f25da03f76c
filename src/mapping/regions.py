"""Administrative geography: boundaries, the region hierarchy, and point → region codes.

Hierarchy: provincie > gemeente > wijk; a zorgkantoorregio groups whole gemeenten. A point gets
its gemeente by point-in-polygon; provincie and zorgkantoorregio follow from the gemeente (so the
four codes are always consistent); the wijk is the wijk polygon containing the point within that
gemeente (wijk outlines are coarser than gemeente outlines, so the gemeente decides).
All spatial work is one DuckDB spatial join, never a per-point Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mapping.store import Store

LEVELS = ("provincie", "gemeente", "wijk", "zorgkantoorregio")
CODE_COLUMNS = ("provincie_code", "gemeente_code", "wijk_code", "zorgkantoorregio_code")

# Points up to this far outside every gemeente (degrees, ~1.5 km) are snapped to the nearest one:
# coastal and harbour addresses fall just outside the generalised CBS coastline.
COAST_SNAP_DEGREES = 0.02

# Display simplification per level (degrees); wijken are already on a 0.001 degree grid.
DISPLAY_TOLERANCE = {"provincie": 0.0015, "gemeente": 0.0007, "zorgkantoorregio": 0.001, "wijk": 0.0}

BOUNDARY_FILES = {
    "provincie": ("provincies.geojson", "provincie_code", "provincie_naam", "CBS gebiedsindelingen", 2022),
    "gemeente": ("gemeenten_2025.geojson", "gemeente_code", "gemeente_naam", "CBS gebiedsindelingen / cartomap", 2025),
    "zorgkantoorregio": ("zorgkantoorregios_2025.geojson", "zorgkantoorregio_code", "zorgkantoorregio_naam",
                         "CBS/PDOK zorgkantoorregio, dissolved from gemeenten", 2025),
    "wijk": ("wijken_2024.geojson", "wijk_code", "wijk_naam", "CBS wijken 2024 (cartomap, simplified)", 2024),
}


def load_boundaries(store: Store, data_dir: Path) -> int:
    """(Re)load all region boundaries from ``data_dir``; returns the number of regions."""
    cur = store.cursor()
    hierarchy = pd.read_csv(data_dir / "gemeenten_2025.csv", dtype=str)
    cur.register("gemeente_hierarchy", hierarchy)
    cur.execute("DELETE FROM regions")
    for level, (file, code_col, name_col, source, year) in BOUNDARY_FILES.items():
        path = (data_dir / file).as_posix()
        tolerance = DISPLAY_TOLERANCE[level]
        simplified = f"ST_SimplifyPreserveTopology(geom, {tolerance})" if tolerance else "geom"
        if level == "gemeente":
            parents = "h.provincie_code, s.gemeente_code, h.zorgkantoorregio_code"
            join = "LEFT JOIN gemeente_hierarchy h ON h.gemeente_code = s.gemeente_code"
        elif level == "wijk":
            parents = "h.provincie_code, s.gemeente_code, h.zorgkantoorregio_code"
            join = "LEFT JOIN gemeente_hierarchy h ON h.gemeente_code = s.gemeente_code"
        elif level == "provincie":
            parents = "s.provincie_code, NULL, NULL"
            join = ""
        else:
            parents = "NULL, NULL, s.zorgkantoorregio_code"
            join = ""
        cur.execute(
            f"""
            INSERT INTO regions
            SELECT s.{code_col}, s.{name_col}, '{level}', {parents},
                   ST_MakeValid(s.geom),
                   ST_AsGeoJSON({simplified}),
                   ST_XMin(s.geom), ST_YMin(s.geom), ST_XMax(s.geom), ST_YMax(s.geom),
                   ?, ?
            FROM ST_Read(?) s {join}
            """,
            [source, year, path],
        )
    cur.unregister("gemeente_hierarchy")
    return store.scalar("SELECT count(*) FROM regions")


def assign_regions(store: Store, points: pd.DataFrame) -> pd.DataFrame:
    """Region codes for points. ``points`` has columns ``id, lat, lon``; returns
    ``id`` plus the four code columns (None where a point lies outside the Netherlands)."""
    cur = store.cursor()
    pts = points[["id", "lat", "lon"]].copy()
    pts = pts[pts["lat"].notna() & pts["lon"].notna()]
    empty = pd.DataFrame({"id": points["id"], **{c: None for c in CODE_COLUMNS}})
    if pts.empty:
        return empty
    cur.register("assign_points_src", pts)
    try:
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE assign_points AS
            SELECT id, lat, lon, ST_Point(lon, lat) AS pt FROM assign_points_src
            """
        )
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE assign_gemeente AS
            SELECT p.id, g.code AS gemeente_code
            FROM assign_points p
            JOIN (SELECT code, geom FROM regions WHERE level = 'gemeente') g
              ON ST_Contains(g.geom, p.pt)
            QUALIFY row_number() OVER (PARTITION BY p.id ORDER BY g.code) = 1
            """
        )
        # Snap near-coast points to the nearest gemeente (few points, so a distance scan is fine).
        cur.execute(
            f"""
            INSERT INTO assign_gemeente
            SELECT p.id, arg_min(g.code, ST_Distance(g.geom, p.pt))
            FROM assign_points p
            JOIN (SELECT code, geom, min_lon, min_lat, max_lon, max_lat FROM regions
                  WHERE level = 'gemeente') g
              ON p.lon BETWEEN g.min_lon - {COAST_SNAP_DEGREES} AND g.max_lon + {COAST_SNAP_DEGREES}
             AND p.lat BETWEEN g.min_lat - {COAST_SNAP_DEGREES} AND g.max_lat + {COAST_SNAP_DEGREES}
            WHERE p.id NOT IN (SELECT id FROM assign_gemeente)
            GROUP BY p.id
            HAVING min(ST_Distance(g.geom, p.pt)) <= {COAST_SNAP_DEGREES}
            """
        )
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE assign_wijk_hits AS
            SELECT p.id, w.code AS wijk_code, w.gemeente_code
            FROM assign_points p
            JOIN (SELECT code, gemeente_code, geom FROM regions WHERE level = 'wijk') w
              ON ST_Contains(w.geom, p.pt)
            """
        )
        result = cur.execute(
            """
            WITH wijk_in_gemeente AS (
                SELECT h.id, min(h.wijk_code) AS wijk_code
                FROM assign_wijk_hits h JOIN assign_gemeente g USING (id)
                WHERE h.gemeente_code = g.gemeente_code
                GROUP BY h.id
            ),
            missing AS (
                SELECT g.id, g.gemeente_code FROM assign_gemeente g
                WHERE g.id NOT IN (SELECT id FROM wijk_in_gemeente)
            ),
            nearest_wijk AS (
                SELECT m.id, arg_min(w.code, ST_Distance(w.geom, p.pt)) AS wijk_code
                FROM missing m
                JOIN assign_points p USING (id)
                JOIN regions w ON w.level = 'wijk' AND w.gemeente_code = m.gemeente_code
                GROUP BY m.id
            )
            SELECT p.id, gm.provincie_code, g.gemeente_code,
                   coalesce(wg.wijk_code, nw.wijk_code) AS wijk_code, gm.zorgkantoorregio_code
            FROM assign_points p
            LEFT JOIN assign_gemeente g USING (id)
            LEFT JOIN regions gm ON gm.code = g.gemeente_code
            LEFT JOIN wijk_in_gemeente wg ON wg.id = p.id
            LEFT JOIN nearest_wijk nw ON nw.id = p.id
            """
        ).df()
    finally:
        cur.unregister("assign_points_src")
        for table in ("assign_points", "assign_gemeente", "assign_wijk_hits"):
            cur.execute(f"DROP TABLE IF EXISTS {table}")
    result = result.astype(object).where(result.notna(), None)
    merged = empty[["id"]].merge(result, on="id", how="left")
    return merged.astype(object).where(merged.notna(), None)


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
