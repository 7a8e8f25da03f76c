"""Synthetic demo databases: N records spread like the population, for demos and benchmarks.

``python -m mapping demo --records N [--db FILE]`` calls :func:`create_demo_database`. A demo
database is always a file of its own (never the default database): the same schema and reference
data as a real build, plus N clearly synthetic records (``synthetic = true``, ``origin = 'demo'``,
names like "Demo-initiatief 123 Zwolle", source "synthetisch (python -m mapping demo)") and
synthetic links between them. Its meta key ``synthetic`` is ``'true'``, so the dashboard shows a
demo-data banner on every page.

Spread: a record's point is the centroid of a postcode area (PC4) drawn with probability
proportional to its inhabitants (CBS 2021), moved a few hundred metres at random. Region codes
come from one call of :func:`mapping.regions.assign_regions` for all points. Generation is
vectorised (numpy) and inserted in bulk from registered DataFrames, so a million records take
seconds, not hours; the same seed gives the same database.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mapping import config, ingest, overview, regions
from mapping.progress import ProgressFn, silent
from mapping.records import KINDS
from mapping.store import Store

SOURCE_TITLE = "synthetisch (python -m mapping demo)"
DESCRIPTION = ("Synthetisch demorecord: geen echte organisatie of activiteit. Gemaakt met "
               "'python -m mapping demo' om de kaart op grote schaal te tonen en te meten.")
NAME_PREFIX = {
    "initiative": "Demo-initiatief",
    "provider": "Demo-zorgaanbieder",
    "network": "Demo-netwerk",
    "meetup": "Demo-bijeenkomst",
}
# Roughly the mix of a national register: many initiatives, fewer providers and networks.
KIND_SHARES = {"initiative": 0.55, "provider": 0.25, "network": 0.07, "meetup": 0.13}
# Themes more likely per kind (weight 1 for every other theme).
THEME_WEIGHTS = {
    "initiative": {"buurthulp": 8, "voorzorgcirkel": 4, "hofje": 3, "dorpstafel": 3, "buurtcirkel": 4,
                   "appgroep": 4, "ontmoeting": 8, "informele-zorg": 6, "zorgzame-gemeenschap": 6,
                   "geldzorg": 2, "vitaliteit": 3},
    "provider": {"ggz": 6, "gehandicaptenzorg": 6, "wonen": 5, "zorgcooperatie": 4,
                 "contactpersoon-welzijn": 4, "dorpsondersteuner": 3, "wijkscan": 2, "informele-zorg": 3},
    "network": {"samenwerking": 10, "zorgzame-gemeenschap": 6, "zeggenschap": 4, "wijkbedrijf": 3},
    "meetup": {"ontmoeting": 10, "vitaliteit": 4, "geldzorg": 3, "zeggenschap": 3, "informele-zorg": 3},
}
MAX_THEMES = 3
JITTER_METRES = 350            # standard deviation of the move away from the PC4 centroid
MAX_JITTER_METRES = 1_200      # never further than this (stays in or near the postcode area)
ONLINE_MEETUP_SHARE = 0.25     # of meet-ups; half of those are online only (no point on the map)
WEBSITE_SHARE = 0.6
MEETUP_DAYS = 365              # meet-ups from a year ago to a year ahead
LINK_SHARES = {                # share of records of the first kind that get this link
    ("meetup", "organised_by", "initiative"): 0.9,
    ("initiative", "member_of", "network"): 0.3,
    ("provider", "partner", "initiative"): 0.2,
    ("initiative", "supported_by", "provider"): 0.15,
}
_METRES_PER_DEGREE_LAT = 111_320.0


class DemoDatabaseError(ValueError):
    """The demo database cannot be written where asked; the message says what to do."""


def create_demo_database(path: str | os.PathLike, n_records: int, seed: int = 42, *,
                         progress: ProgressFn = silent, today: date | None = None) -> dict[str, Any]:
    """Create a NEW database file at ``path`` with reference data and ``n_records`` synthetic
    records (see the module docs). An existing demo database at ``path`` is replaced; any other
    existing file, and the default database, are refused. Returns counts and timings."""
    target = Path(path)
    if n_records < 0:
        raise DemoDatabaseError("The number of records cannot be negative.")
    _check_target(target)
    today = today or date.today()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    steps = 6
    building = target.with_name(target.name + ".building")
    _remove_database(building)
    store = Store(building)
    try:
        progress(0, steps, "schema en referentiedata (grenzen, postcodes, thema's)")
        clock = time.perf_counter()
        ingest.build(store, include_dataset=False)
        timings["reference"] = time.perf_counter() - clock

        progress(1, steps, f"{n_records:,} synthetische records maken".replace(",", "."))
        clock = time.perf_counter()
        frame = generate_records(store, n_records, seed=seed, today=today)
        timings["generate"] = time.perf_counter() - clock

        progress(2, steps, "regiocodes toekennen (point-in-polygon, alle vier niveaus)")
        clock = time.perf_counter()
        codes = regions.assign_regions(store, frame[["id", "lat", "lon"]])
        for column in regions.CODE_COLUMNS:
            frame[column] = codes[column].to_numpy()
        timings["assign_regions"] = time.perf_counter() - clock

        progress(3, steps, "records opslaan")
        clock = time.perf_counter()
        insert_demo_records(store, frame, today=today)
        timings["insert"] = time.perf_counter() - clock

        progress(4, steps, "synthetische verbindingen en bijeenkomsten koppelen")
        clock = time.perf_counter()
        links = insert_demo_links(store, seed=seed)
        timings["links"] = time.perf_counter() - clock

        progress(5, steps, "afronden")
        clock = time.perf_counter()
        store.set_meta("synthetic", "true")
        store.set_meta("demo_records", str(n_records))
        store.set_meta("demo_seed", str(seed))
        store.set_meta("data_version", "1")
        overview.prepare(store)
        store.checkpoint()
        timings["checkpoint"] = time.perf_counter() - clock
    except BaseException:
        store.close()
        _remove_database(building)
        raise
    store.close()
    _remove_database(target)
    os.replace(building, target)
    kinds = frame["kind"].value_counts()
    counts = {
        "records": int(n_records),
        "links": int(links),
        "located": int(frame["lat"].notna().sum()),
        "outside_regions": int((frame["lat"].notna() & frame["gemeente_code"].isna()).sum()),
        **{f"n_{kind}": int(kinds.get(kind, 0)) for kind in KINDS},
        "seconds": time.perf_counter() - started,
        "timings": timings,
        "path": str(target),
    }
    progress(steps, steps, f"klaar: {target}")
    return counts


def _check_target(target: Path) -> None:
    if target.resolve() == config.default_db_path().resolve():
        raise DemoDatabaseError("Synthetic records never go into the default database; choose a file of "
                                "its own, for example --db var/demo_100.duckdb")
    if target.exists() and not _is_demo_database(target):
        raise DemoDatabaseError(f"{target} exists and is not a demo database; choose another file with --db "
                                "(a demo database is only ever written to a file of its own).")


def _is_demo_database(path: Path) -> bool:
    try:
        store = Store(path, read_only=True)
    except Exception:
        return False
    try:
        return bool(store.scalar("SELECT count(*) FROM meta WHERE key = 'synthetic' AND value = 'true'"))
    except Exception:
        return False
    finally:
        store.close()


def _remove_database(path: Path) -> None:
    for file in (path, path.with_name(path.name + ".wal")):
        if file.exists():
            file.unlink()


# -- generation -------------------------------------------------------------------------------

def generate_records(store: Store, n_records: int, *, seed: int = 42, today: date | None = None) -> pd.DataFrame:
    """N synthetic records as a DataFrame (vectorised; no per-record Python).

    Columns: seq, id, kind, theme_1..3 (positions in the themes list, -1 = none), postcode (PC4
    integer), lat, lon (NaN for online-only meet-ups), online, starts_in_hours (meet-ups, hours
    from today 00:00), website, verified_days_ago.
    """
    rng = np.random.default_rng(seed)
    today = today or date.today()
    pc4 = store.df("SELECT postcode, lat, lon, inwoners_2021 FROM pc4 ORDER BY postcode")
    if pc4.empty:
        raise DemoDatabaseError("The postcode table is empty; build the reference data first.")
    weights = pc4["inwoners_2021"].fillna(0).clip(lower=0).to_numpy(dtype=float)
    weights = weights / weights.sum() if weights.sum() > 0 else None
    area = rng.choice(len(pc4), size=n_records, p=weights)

    kind_names = np.array(KINDS, dtype=object)
    shares = np.array([KIND_SHARES[k] for k in KINDS])
    kind_index = rng.choice(len(KINDS), size=n_records, p=shares / shares.sum())

    # Move each point away from its PC4 centroid: normal, capped, in metres → degrees.
    lat0 = pc4["lat"].to_numpy(dtype=float)[area]
    lon0 = pc4["lon"].to_numpy(dtype=float)[area]
    north = np.clip(rng.normal(0.0, JITTER_METRES, n_records), -MAX_JITTER_METRES, MAX_JITTER_METRES)
    east = np.clip(rng.normal(0.0, JITTER_METRES, n_records), -MAX_JITTER_METRES, MAX_JITTER_METRES)
    lat = lat0 + north / _METRES_PER_DEGREE_LAT
    lon = lon0 + east / (_METRES_PER_DEGREE_LAT * np.cos(np.radians(lat0)))

    is_meetup = kind_index == KINDS.index("meetup")
    online = is_meetup & (rng.random(n_records) < ONLINE_MEETUP_SHARE)
    online_only = online & (rng.random(n_records) < 0.5)
    lat[online_only] = np.nan
    lon[online_only] = np.nan

    theme_codes = list(store.df("SELECT code FROM themes ORDER BY sort_order, code")["code"])
    themes = np.full((n_records, MAX_THEMES), -1, dtype=np.int16)
    if theme_codes:
        theme_count = rng.choice([1, 2, 3], size=n_records, p=[0.45, 0.35, 0.20])
        for k, kind in enumerate(KINDS):
            rows = np.flatnonzero(kind_index == k)
            w = np.array([THEME_WEIGHTS[kind].get(code, 1) for code in theme_codes], dtype=float)
            picks = rng.choice(len(theme_codes), size=(len(rows), MAX_THEMES), p=w / w.sum())
            themes[rows] = picks
        for slot in range(1, MAX_THEMES):
            themes[theme_count <= slot, slot] = -1

    # Meet-ups from a year ago to a year ahead, starting on the hour between 09:00 and 20:00.
    day = rng.integers(-MEETUP_DAYS, MEETUP_DAYS + 1, size=n_records)
    hour = rng.integers(9, 21, size=n_records)
    starts_in_hours = np.where(is_meetup, day * 24 + hour, -1)

    seq = np.arange(1, n_records + 1, dtype=np.int64)
    width = max(6, len(str(n_records)))
    ids = pd.Series(seq).astype(str).str.zfill(width).radd("demo-")
    return pd.DataFrame({
        "seq": seq,
        "id": ids.to_numpy(dtype=object),
        "kind": kind_names[kind_index],
        "theme_1": themes[:, 0], "theme_2": themes[:, 1], "theme_3": themes[:, 2],
        "postcode": np.where(online_only, -1, pc4["postcode"].to_numpy()[area]),
        "lat": lat, "lon": lon,
        "online": online,
        "starts_in_hours": starts_in_hours,
        "website": rng.random(n_records) < WEBSITE_SHARE,
        "verified_days_ago": rng.integers(0, 730, size=n_records),
    })


# -- bulk inserts -----------------------------------------------------------------------------

def insert_demo_records(store: Store, frame: pd.DataFrame, *, today: date | None = None) -> int:
    """Insert the generated records (with region code columns) in one statement."""
    today = today or date.today()
    theme_codes = list(store.df("SELECT code FROM themes ORDER BY sort_order, code")["code"])
    cur = store.cursor()
    cur.register("demo_records_src", frame)
    try:
        cur.execute(
            """
            INSERT INTO records (id, name, kind, themes, description, address, postcode, place, lat, lon,
                                 location_precision, location_note, provincie_code, gemeente_code, wijk_code,
                                 zorgkantoorregio_code, website, source_url, source_title, source_date,
                                 starts_at, ends_at, all_day, online, meeting_url, status, origin, synthetic,
                                 last_verified)
            SELECT s.id,
                   prefix.name || ' ' || s.seq || CASE WHEN s.lat IS NULL THEN ' (online)'
                       ELSE ' ' || coalesce(p.woonplaats, g.name, 'Nederland') END,
                   s.kind,
                   list_sort(list_distinct(list_transform(
                       list_filter([s.theme_1, s.theme_2, s.theme_3], x -> x >= 0), x -> $themes[x + 1]))),
                   $description,
                   NULL,
                   CASE WHEN s.postcode >= 0 THEN lpad(CAST(s.postcode AS VARCHAR), 4, '0') END,
                   CASE WHEN s.lat IS NOT NULL THEN coalesce(p.woonplaats, g.name) END,
                   s.lat, s.lon,
                   CASE WHEN s.lat IS NULL THEN 'online' ELSE 'postcode' END,
                   CASE WHEN s.lat IS NOT NULL
                        THEN 'synthetisch punt, willekeurig verschoven rond het midden van postcode '
                             || lpad(CAST(s.postcode AS VARCHAR), 4, '0') END,
                   s.provincie_code, s.gemeente_code, s.wijk_code, s.zorgkantoorregio_code,
                   CASE WHEN s.website THEN 'https://example.org/demo/' || s.id END,
                   NULL, $source_title, $today,
                   CASE WHEN s.kind = 'meetup' THEN $midnight + to_hours(s.starts_in_hours) END,
                   CASE WHEN s.kind = 'meetup' THEN $midnight + to_hours(s.starts_in_hours + 2) END,
                   false, s.online,
                   CASE WHEN s.online THEN 'https://example.org/demo/online/' || s.id END,
                   'approved', 'demo', true,
                   $today - CAST(s.verified_days_ago AS INTEGER)
            FROM demo_records_src s
            JOIN (SELECT unnest($kinds) AS kind, unnest($prefixes) AS name) prefix ON prefix.kind = s.kind
            LEFT JOIN pc4 p ON p.postcode = s.postcode
            LEFT JOIN regions g ON g.code = s.gemeente_code
            ORDER BY s.seq
            """,
            {"themes": theme_codes or [""], "description": DESCRIPTION, "source_title": SOURCE_TITLE,
             "today": today, "midnight": pd.Timestamp(today).to_pydatetime(),
             "kinds": list(NAME_PREFIX), "prefixes": list(NAME_PREFIX.values())},
        )
    finally:
        cur.unregister("demo_records_src")
    return len(frame)


def insert_demo_links(store: Store, *, seed: int = 42) -> int:
    """Synthetic links between demo records in the same gemeente (meet-ups organised by an
    initiative, initiatives in a network, partners, support); online-only meet-ups link to an
    initiative anywhere. Chosen by hashing ids with the seed, so the same seed gives the same links."""
    cur = store.cursor()
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE demo_targets AS
        SELECT id, kind, coalesce(gemeente_code, '') AS gemeente_code,
               row_number() OVER (PARTITION BY kind, coalesce(gemeente_code, '') ORDER BY id) - 1 AS rn
        FROM records WHERE origin = 'demo'
        """
    )
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE demo_target_counts AS
        SELECT kind, gemeente_code, count(*) AS n FROM demo_targets GROUP BY ALL
        """
    )
    before = store.scalar("SELECT count(*) FROM record_links")
    for (from_kind, relation, to_kind), share in LINK_SHARES.items():
        salt = f"{seed}:{relation}:{to_kind}"
        cur.execute(
            """
            INSERT INTO record_links (id, from_id, to_id, relation, source_url, note, status, origin)
            WITH source AS (
                SELECT r.id, coalesce(r.gemeente_code, '') AS gemeente_code, hash(r.id || $salt) AS h
                FROM records r
                WHERE r.origin = 'demo' AND r.kind = $from_kind
                  AND hash(r.id || $salt || 'share') % 1000 < $per_mille
            ),
            -- same gemeente when it has a record of the target kind, else any gemeente
            -- (online-only records have gemeente '' and pick from the whole country)
            scope AS (
                SELECT s.id, s.h,
                       CASE WHEN c.n IS NULL OR s.gemeente_code = '' THEN NULL ELSE s.gemeente_code END AS gemeente_code
                FROM source s LEFT JOIN demo_target_counts c ON c.kind = $to_kind AND c.gemeente_code = s.gemeente_code
            ),
            national AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn, count(*) OVER () AS n
                FROM records WHERE origin = 'demo' AND kind = $to_kind
            ),
            -- the target's row number is computed first, so every join below is an equi-join
            local_pick AS (
                SELECT p.id AS from_id, t.id AS to_id
                FROM (SELECT s.id, s.gemeente_code, s.h % c.n AS rn
                      FROM scope s
                      JOIN demo_target_counts c ON c.kind = $to_kind AND c.gemeente_code = s.gemeente_code) p
                JOIN demo_targets t ON t.kind = $to_kind AND t.gemeente_code = p.gemeente_code AND t.rn = p.rn
            ),
            national_pick AS (
                SELECT p.id AS from_id, t.id AS to_id
                FROM (SELECT s.id, s.h % c.n AS rn
                      FROM (SELECT id, h FROM scope WHERE gemeente_code IS NULL) s
                      CROSS JOIN (SELECT max(n) AS n FROM national) c) p
                JOIN national t ON t.rn = p.rn
            )
            SELECT from_id || '__' || $relation || '__' || to_id, from_id, to_id, $relation, NULL,
                   'synthetische verbinding (python -m mapping demo)', 'approved', 'demo'
            FROM (SELECT * FROM local_pick UNION ALL SELECT * FROM national_pick)
            WHERE from_id <> to_id
            ORDER BY from_id
            """,
            {"salt": salt, "from_kind": from_kind, "to_kind": to_kind, "relation": relation,
             "per_mille": int(round(share * 1000))},
        )
    for table in ("demo_targets", "demo_target_counts"):
        cur.execute(f"DROP TABLE IF EXISTS {table}")
    return int(store.scalar("SELECT count(*) FROM record_links")) - int(before)
