"""The filter value object and every read query of the public views.

A :class:`Filter` is plain, hashable data: pages build it from widgets or from the URL, pass it to
the functions here, and ``st.cache_data`` keys results on it. Turning it into SQL and into URL
parameters (and back) are pure functions with unit tests. Nothing is ever deserialised from a
URL: parameters are parsed as plain strings and checked against known values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any

import pandas as pd

from mapping.records import KINDS, fold
from mapping.store import Store

MEETUP_WHEN = ("all", "upcoming", "past")
LANGS = ("nl", "en")
_CODE = {
    "provincie": re.compile(r"^PV\d{2}$"),
    "gemeente": re.compile(r"^GM\d{4}$"),
    "wijk": re.compile(r"^WK\d{6}$"),
    "zorgkantoorregio": re.compile(r"^ZK\d{2}$"),
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$")
_THEME = re.compile(r"^[a-z0-9_-]{1,60}$")
MAX_SEARCH = 100

# Columns the map and table need; descriptions etc. are fetched per record on demand.
LIST_COLUMNS = (
    "id", "name", "kind", "themes", "place", "lat", "lon", "location_precision", "provincie_code",
    "gemeente_code", "wijk_code", "zorgkantoorregio_code", "website", "source", "starts_at", "ends_at",
    "all_day", "online", "meeting_url", "last_verified", "synthetic",
)


@dataclass(frozen=True)
class Filter:
    provincie: str | None = None
    gemeente: str | None = None
    wijk: str | None = None
    zorgkantoorregio: str | None = None
    themes: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()          # empty = all kinds
    search: str = ""
    meetups: str = "all"                 # all | upcoming | past
    date_from: date | None = None
    date_to: date | None = None
    # Open data API only (the Kaart page never sets them): a WGS84 box (min_lon, min_lat, max_lon,
    # max_lat) and records changed since a moment (naive server time, like ``updated_at``).
    bbox: tuple[float, float, float, float] | None = None
    updated_since: datetime | None = None

    @property
    def region_code(self) -> str | None:
        """The most specific region chosen (wijk > gemeente > provincie; or the zorgkantoorregio)."""
        return self.wijk or self.gemeente or self.provincie or self.zorgkantoorregio

    @property
    def region_level(self) -> str | None:
        for level in ("wijk", "gemeente", "provincie", "zorgkantoorregio"):
            if getattr(self, level):
                return level
        return None

    def is_empty(self) -> bool:
        return self == Filter()


def filter_sql(flt: Filter, *, today: date | None = None, alias: str = "") -> tuple[str, list[Any]]:
    """WHERE clause (without the keyword) and parameters for ``public_records``."""
    p = f"{alias}." if alias else ""
    clauses: list[str] = []
    params: list[Any] = []
    for level in ("provincie", "gemeente", "wijk", "zorgkantoorregio"):
        value = getattr(flt, level)
        if value:
            clauses.append(f"{p}{level}_code = ?")
            params.append(value)
    if flt.kinds:
        clauses.append(f"{p}kind IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(flt.kinds))
    if flt.themes:
        clauses.append(f"list_has_any({p}themes, ?::VARCHAR[])")
        params.append(list(flt.themes))
    if flt.search:
        clauses.append(f"(strip_accents(lower({p}name)) LIKE ? OR strip_accents(lower(coalesce({p}description, ''))) LIKE ?"
                       f" OR strip_accents(lower(coalesce({p}place, ''))) LIKE ?)")
        needle = "%" + fold(flt.search).replace("\\", "").replace("%", "").replace("_", "") + "%"
        params += [needle, needle, needle]
    if flt.bbox:
        clauses.append(f"{p}lon BETWEEN ? AND ? AND {p}lat BETWEEN ? AND ?")
        params += [flt.bbox[0], flt.bbox[2], flt.bbox[1], flt.bbox[3]]
    if flt.updated_since:
        clauses.append(f"{p}updated_at >= ?")
        params.append(flt.updated_since)
    today = today or date.today()
    meetup_clauses: list[str] = []
    if flt.meetups == "upcoming":
        meetup_clauses.append(f"coalesce({p}ends_at, {p}starts_at) >= ?")
        params.append(datetime.combine(today, datetime.min.time()))
    elif flt.meetups == "past":
        meetup_clauses.append(f"coalesce({p}ends_at, {p}starts_at) < ?")
        params.append(datetime.combine(today, datetime.min.time()))
    if flt.date_from:
        meetup_clauses.append(f"{p}starts_at >= ?")
        params.append(datetime.combine(flt.date_from, datetime.min.time()))
    if flt.date_to:
        meetup_clauses.append(f"{p}starts_at < ?")
        params.append(datetime.combine(flt.date_to, datetime.min.time()) + pd.Timedelta(days=1))
    if meetup_clauses:
        # date filters apply to meet-ups only; other kinds have no date
        clauses.append(f"({p}kind <> 'meetup' OR ({' AND '.join(meetup_clauses)}))")
    return (" AND ".join(clauses) or "true"), params


def records(store: Store, flt: Filter, *, columns: tuple[str, ...] = LIST_COLUMNS,
            today: date | None = None, located: bool | None = None, limit: int | None = None) -> pd.DataFrame:
    """Approved records matching the filter, ordered by kind and name (only the requested columns
    leave the database). ``located``: only records with (True) or without (False) a point on the
    map. ``limit``: at most this many rows — what a page shows of a selection of any size."""
    where, params = filter_sql(flt, today=today)
    if located is not None:
        where += " AND lat IS NOT NULL AND lon IS NOT NULL" if located else " AND (lat IS NULL OR lon IS NULL)"
    cols = ", ".join(columns)
    sql = f"SELECT {cols} FROM public_records WHERE {where} ORDER BY kind, name, id"
    if limit is not None:
        sql += f" LIMIT {max(int(limit), 0)}"
    return store.df(sql, params)


def online_meetups(store: Store, flt: Filter, *, limit: int = 500, today: date | None = None) -> pd.DataFrame:
    """Online meet-ups of the selection (they have no point on a map), soonest first, at most ``limit``."""
    where, params = filter_sql(flt, today=today)
    return store.df(
        f"SELECT {', '.join(LIST_COLUMNS)} FROM public_records WHERE {where} AND kind = 'meetup' "
        f"AND coalesce(online, false) ORDER BY starts_at NULLS LAST, name LIMIT {max(int(limit), 0)}",
        params,
    )


def dated_meetups(store: Store, flt: Filter, *, today: date | None = None) -> int:
    """How many meet-ups of the selection have a start (what a calendar download would hold)."""
    where, params = filter_sql(flt, today=today)
    return int(store.scalar(
        f"SELECT count(*) FROM public_records WHERE {where} AND kind = 'meetup' AND starts_at IS NOT NULL", params))


def in_selection(store: Store, flt: Filter, record_id: str, *, today: date | None = None) -> bool:
    """Whether the approved record ``record_id`` matches the filter (a selected record stays
    selected only while it is part of what the page shows)."""
    if not _ID.match(record_id or ""):
        return False
    where, params = filter_sql(flt, today=today)
    return bool(store.scalar(f"SELECT count(*) FROM public_records WHERE {where} AND id = ?", [*params, record_id]))


def counts_by_kind(store: Store, flt: Filter, *, today: date | None = None) -> dict[str, int]:
    where, params = filter_sql(flt, today=today)
    rows = store.rows(f"SELECT kind, count(*) FROM public_records WHERE {where} GROUP BY kind", params)
    counts = {kind: 0 for kind in KINDS}
    counts.update({kind: int(n) for kind, n in rows})
    return counts


# Approved records (alias r) joined to the names of their four regions: details and exports.
RECORDS_WITH_REGIONS = """public_records r
        LEFT JOIN regions p ON p.code = r.provincie_code
        LEFT JOIN regions g ON g.code = r.gemeente_code
        LEFT JOIN regions w ON w.code = r.wijk_code
        LEFT JOIN regions z ON z.code = r.zorgkantoorregio_code"""
REGION_NAME_COLUMNS = ("p.name AS provincie_naam, g.name AS gemeente_naam, w.name AS wijk_naam, "
                       "z.name AS zorgkantoorregio_naam")


def record_detail(store: Store, record_id: str) -> dict[str, Any] | None:
    """One approved record with its region names (public fields only)."""
    frame = store.df(
        f"SELECT r.*, {REGION_NAME_COLUMNS} FROM {RECORDS_WITH_REGIONS} WHERE r.id = ?",
        [record_id],
    )
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    return {k: (None if _is_missing(v) else v) for k, v in row.items()}


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and value != value


def record_links(store: Store, record_id: str) -> pd.DataFrame:
    """Approved links of a record in both directions, with the other end's name and kind."""
    return store.df(
        """
        SELECT l.id, l.relation, 'out' AS direction, l.to_id AS other_id, o.name AS other_name,
               o.kind AS other_kind, l.source
        FROM links l JOIN public_records o ON o.id = l.to_id WHERE l.from_id = ?
        UNION ALL
        SELECT l.id, l.relation, 'in' AS direction, l.from_id AS other_id, o.name AS other_name,
               o.kind AS other_kind, l.source
        FROM links l JOIN public_records o ON o.id = l.from_id WHERE l.to_id = ?
        ORDER BY other_name
        """,
        [record_id, record_id],
    )


def links_for(store: Store, flt: Filter, *, today: date | None = None) -> pd.DataFrame:
    """Approved links touching at least one record in the filter, with both ends' names and points
    and whether each end is inside the filter (links to outside records are not dropped)."""
    where, params = filter_sql(flt, today=today)
    return store.df(
        f"""
        WITH inside AS (SELECT id FROM public_records WHERE {where})
        SELECT l.id, l.from_id, l.to_id, l.relation, l.source, l.note,
               a.name AS from_name, a.kind AS from_kind, a.lat AS from_lat, a.lon AS from_lon,
               b.name AS to_name, b.kind AS to_kind, b.lat AS to_lat, b.lon AS to_lon,
               l.from_id IN (SELECT id FROM inside) AS from_inside,
               l.to_id IN (SELECT id FROM inside) AS to_inside
        FROM links l
        JOIN public_records a ON a.id = l.from_id
        JOIN public_records b ON b.id = l.to_id
        WHERE l.from_id IN (SELECT id FROM inside) OR l.to_id IN (SELECT id FROM inside)
        ORDER BY l.id
        """,
        params,
    )


def themes(store: Store) -> pd.DataFrame:
    return store.df("SELECT code, label_nl, label_en, description_nl, description_en FROM themes ORDER BY sort_order, code")


def stats(store: Store) -> dict[str, pd.DataFrame]:
    """Counts per kind, per provincie and per status (all records, for administrators)."""
    return {
        "kind": store.df("SELECT kind, count(*) AS n FROM records WHERE status = 'approved' GROUP BY kind ORDER BY kind"),
        "provincie": store.df(
            """SELECT coalesce(p.name, '(zonder locatie)') AS provincie, count(*) AS n
               FROM records r LEFT JOIN regions p ON p.code = r.provincie_code
               WHERE r.status = 'approved' GROUP BY 1 ORDER BY 1"""),
        "status": store.df("SELECT status, count(*) AS n FROM records GROUP BY status ORDER BY status"),
    }


def is_synthetic(store: Store) -> bool:
    return store.get_meta("synthetic") == "true" if not store.read_only else bool(
        store.scalar("SELECT count(*) FROM meta WHERE key = 'synthetic' AND value = 'true'"))


# -- URL parameters ---------------------------------------------------------------------------

PARAM_NAMES = ("provincie", "gemeente", "wijk", "zkr", "thema", "soort", "q", "meetups", "van", "tot")


def to_params(flt: Filter) -> dict[str, str]:
    """Filter → query parameters (plain strings; lists comma-separated; defaults omitted)."""
    out: dict[str, str] = {}
    for level in ("provincie", "gemeente", "wijk"):
        if getattr(flt, level):
            out[level] = getattr(flt, level)
    if flt.zorgkantoorregio:
        out["zkr"] = flt.zorgkantoorregio
    if flt.themes:
        out["thema"] = ",".join(flt.themes)
    if flt.kinds:
        out["soort"] = ",".join(flt.kinds)
    if flt.search:
        out["q"] = flt.search
    if flt.meetups != "all":
        out["meetups"] = flt.meetups
    if flt.date_from:
        out["van"] = flt.date_from.isoformat()
    if flt.date_to:
        out["tot"] = flt.date_to.isoformat()
    return out


def from_params(params: dict[str, Any], *, known_themes: set[str] | None = None,
                known_regions: set[str] | None = None) -> tuple[Filter, list[str]]:
    """Query parameters → (Filter, what was ignored). Invalid values are dropped; each ignored item is
    a parameter name, or ``name=values`` naming the dropped values of a list (``thema``, ``soort``)."""
    ignored: list[str] = []

    def get(name: str) -> str:
        value = params.get(name)
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        return str(value or "")[:500]

    values: dict[str, Any] = {}
    for level, param in (("provincie", "provincie"), ("gemeente", "gemeente"), ("wijk", "wijk"),
                         ("zorgkantoorregio", "zkr")):
        raw = get(param).strip().upper()
        if not raw:
            continue
        if _CODE[level].match(raw) and (known_regions is None or raw in known_regions):
            values[level] = raw
        else:
            ignored.append(param)
    raw_themes = [t.strip().lower() for t in get("thema").split(",") if t.strip()]
    good_themes = tuple(dict.fromkeys(t for t in raw_themes if _THEME.match(t)
                                      and (known_themes is None or t in known_themes)))
    bad_themes = [t for t in raw_themes if t not in good_themes]
    if bad_themes:   # name the dropped values: the others still apply (#18.9)
        ignored.append("thema=" + ",".join(v[:40] for v in bad_themes))
    values["themes"] = good_themes
    raw_kinds = [k.strip().lower() for k in get("soort").split(",") if k.strip()]
    good_kinds = tuple(dict.fromkeys(k for k in raw_kinds if k in KINDS))
    bad_kinds = [k for k in raw_kinds if k not in good_kinds]
    if bad_kinds:
        ignored.append("soort=" + ",".join(v[:40] for v in bad_kinds))
    values["kinds"] = good_kinds
    raw_search = get("q")
    # control characters out before white space is collapsed and after truncation nothing dangles,
    # so that a shared link (to_params) reproduces exactly this search
    search = " ".join("".join(ch for ch in raw_search if ord(ch) >= 32).split())
    if len(search) > MAX_SEARCH or any(ord(ch) < 32 and not ch.isspace() for ch in raw_search):
        ignored.append("q")
        search = search[:MAX_SEARCH].rstrip()
    values["search"] = search
    meetups = get("meetups").strip().lower()
    if meetups:
        if meetups in MEETUP_WHEN:
            values["meetups"] = meetups
        else:
            ignored.append("meetups")
    for name, key in (("van", "date_from"), ("tot", "date_to")):
        raw = get(name).strip()
        if raw:
            try:
                values[key] = date.fromisoformat(raw)
            except ValueError:
                ignored.append(name)
    return Filter(**values), ignored


def with_region(flt: Filter, **levels: str | None) -> Filter:
    return replace(flt, **levels)


FILTER_FIELDS = tuple(f.name for f in fields(Filter))


# -- network ---------------------------------------------------------------------------------

NETWORK_COLUMNS = LIST_COLUMNS + ("source_title",)


def network_records(store: Store, flt: Filter, *, today: date | None = None) -> pd.DataFrame:
    """Approved records for the network analysis (list columns plus the source title, which
    tells suggested schakels which records were named in the same source)."""
    return records(store, flt, columns=NETWORK_COLUMNS, today=today)


def admin_links(store: Store, *, statuses: tuple[str, ...] = ("approved", "pending")) -> pd.DataFrame:
    """Links for moderators (any record status), with both ends' names, kinds and statuses."""
    return store.df(
        """
        SELECT l.id, l.from_id, a.name AS from_name, a.kind AS from_kind, a.status AS from_status,
               l.relation, l.to_id, b.name AS to_name, b.kind AS to_kind, b.status AS to_status,
               l.source_url, l.source_date, l.note, l.status, l.origin, l.created_at, l.updated_at
        FROM record_links l
        LEFT JOIN records a ON a.id = l.from_id
        LEFT JOIN records b ON b.id = l.to_id
        WHERE l.status IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY a.name, b.name, l.relation, l.id
        """,
        [list(statuses)],
    )


def linkable_records(store: Store) -> pd.DataFrame:
    """Records a moderator may link (approved or pending), for pickers."""
    return store.df(
        """SELECT id, name, kind, status, place FROM records
           WHERE status IN ('approved', 'pending') ORDER BY name, id""")


def link_revisions(store: Store, link_id: str | None = None, *, limit: int = 500) -> pd.DataFrame:
    """History of links (newest first): who changed what, when."""
    where, params = ("AND entity_id = ?", [link_id]) if link_id else ("", [])
    return store.df(
        f"""SELECT changed_at, actor, action, entity_id AS link_id, changes FROM revisions
            WHERE entity_type = 'link' {where} ORDER BY changed_at DESC, id DESC LIMIT {int(limit)}""",
        params,
    )


# -- gaps ---------------------------------------------------------------------------------------
# Figures, record counts and link counts per area for the gap view (mapping.gaps combines them).
# ``level`` is the level of the compared areas (gemeente | wijk); the scope limits them to one
# zorgkantoorregio, provincie or gemeente (None = the whole country).

GAP_LEVELS = ("gemeente", "wijk")
GAP_SCOPE_COLUMNS = {"zorgkantoorregio": "zorgkantoorregio_code", "provincie": "provincie_code",
                     "gemeente": "gemeente_code"}


def _gap_scope(scope_level: str | None, scope_code: str | None, alias: str) -> tuple[str, list[Any]]:
    if not scope_level:
        return "true", []
    if scope_level not in GAP_SCOPE_COLUMNS:
        raise ValueError(f"unknown scope level {scope_level!r}")
    return f"{alias}.{GAP_SCOPE_COLUMNS[scope_level]} = ?", [scope_code]


def _gap_level(level: str) -> str:
    if level not in GAP_LEVELS:
        raise ValueError(f"unknown level {level!r}; choose gemeente or wijk")
    return level


def gap_areas(store: Store, level: str, scope_level: str | None = None,
              scope_code: str | None = None) -> pd.DataFrame:
    """The areas compared: code, name, gemeente code and name, provincie and zorgkantoorregio."""
    where, params = _gap_scope(scope_level, scope_code, "r")
    return store.df(
        f"""
        SELECT r.code, r.name, r.gemeente_code, g.name AS gemeente_name, r.provincie_code,
               r.zorgkantoorregio_code
        FROM regions r LEFT JOIN regions g ON g.code = r.gemeente_code AND g.level = 'gemeente'
        WHERE r.level = ? AND {where}
        ORDER BY r.code
        """,
        [_gap_level(level), *params],
    )


def gap_figures(store: Store, level: str, scope_level: str | None = None,
                scope_code: str | None = None) -> pd.DataFrame:
    """CBS key figures (long form, with table, year and method) of the compared areas."""
    where, params = _gap_scope(scope_level, scope_code, "r")
    return store.df(
        f"""
        SELECT k.region_code, k.measure, k.value, k.unit, k.cbs_table, k.year, k.method
        FROM key_figures k JOIN regions r ON r.code = k.region_code
        WHERE r.level = ? AND {where}
        ORDER BY k.region_code, k.measure
        """,
        [_gap_level(level), *params],
    )


def _theme_clause(themes: tuple[str, ...], alias: str) -> tuple[str, list[Any]]:
    if not themes:
        return "true", []
    return f"list_has_any({alias}.themes, ?::VARCHAR[])", [list(themes)]


VENUE_FLAG_COLUMNS = ("venue", "is_venue")


def _kind_expr(store: Store, alias: str) -> str:
    """The record kind as the gap view counts it: a record flagged as a venue (a meet-up place that
    is not an initiative; the flag may or may not exist in this database) counts as ``venue``."""
    columns = set(store.df("SELECT * FROM public_records LIMIT 0").columns)
    flag = next((c for c in VENUE_FLAG_COLUMNS if c in columns), None)
    if flag is None:
        return f"{alias}.kind"
    return f"CASE WHEN coalesce(CAST({alias}.{flag} AS BOOLEAN), false) THEN 'venue' ELSE {alias}.kind END"


def gap_record_counts(store: Store, level: str, scope_level: str | None = None, scope_code: str | None = None,
                      themes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Approved records per area and kind (area_code, kind, n), limited to records with any of
    ``themes`` when given. Records without a location belong to no area and are not counted."""
    column = f"{_gap_level(level)}_code"
    where, params = _gap_scope(scope_level, scope_code, "p")
    theme_where, theme_params = _theme_clause(themes, "p")
    return store.df(
        f"""
        SELECT p.{column} AS area_code, {_kind_expr(store, "p")} AS kind, count(*) AS n
        FROM public_records p
        WHERE p.{column} IS NOT NULL AND {where} AND {theme_where}
        GROUP BY 1, 2 ORDER BY 1, 2
        """,
        [*params, *theme_params],
    )


def gap_link_counts(store: Store, level: str, scope_level: str | None = None, scope_code: str | None = None,
                    themes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Per area: initiatives (within ``themes``), how many of them have an approved link (either
    direction) to an approved care provider anywhere, and the number of approved links touching
    the area's (theme-limited) records."""
    column = f"{_gap_level(level)}_code"
    where, params = _gap_scope(scope_level, scope_code, "p")
    theme_where, theme_params = _theme_clause(themes, "p")
    return store.df(
        f"""
        WITH area_records AS (
            SELECT p.id, {_kind_expr(store, "p")} AS kind, p.{column} AS area_code FROM public_records p
            WHERE p.{column} IS NOT NULL AND {where} AND {theme_where}
        ),
        provider_links AS (
            SELECT l.from_id AS record_id FROM links l JOIN public_records o ON o.id = l.to_id AND o.kind = 'provider'
            UNION
            SELECT l.to_id FROM links l JOIN public_records o ON o.id = l.from_id AND o.kind = 'provider'
        ),
        touching AS (
            SELECT a.area_code, l.id FROM links l JOIN area_records a ON a.id = l.from_id
            UNION
            SELECT a.area_code, l.id FROM links l JOIN area_records a ON a.id = l.to_id
        )
        SELECT a.area_code,
               count(*) FILTER (WHERE a.kind = 'initiative') AS initiatives,
               count(*) FILTER (WHERE a.kind = 'initiative' AND a.id IN (SELECT record_id FROM provider_links))
                   AS initiatives_linked_provider,
               coalesce(max(t.n), 0) AS links
        FROM area_records a
        LEFT JOIN (SELECT area_code, count(*) AS n FROM touching GROUP BY 1) t USING (area_code)
        GROUP BY a.area_code ORDER BY a.area_code
        """,
        [*params, *theme_params],
    )


# -- kaart (map explorer, overview, exports) ---------------------------------------------------

COUNT_LEVELS = ("gemeente", "wijk")

# Every public column of a record, in the order of data/records.csv (so an export can be
# re-imported), then region codes and names. Nothing from contacts or submissions, ever.
EXPORT_COLUMNS = (
    "id", "name", "kind", "themes", "description", "address", "postcode", "place", "lat", "lon",
    "location_precision", "location_note", "website", "source", "source_title", "source_date",
    "starts_at", "ends_at", "all_day", "online", "meeting_url", "provincie_code", "gemeente_code",
    "wijk_code", "zorgkantoorregio_code", "last_verified", "synthetic",
)


def region_counts(store: Store, flt: Filter, level: str, *, today: date | None = None) -> pd.DataFrame:
    """Located records matching the filter counted per region of ``level`` (gemeente | wijk):
    code, name, n, n_initiative, n_provider, n_network, n_meetup and a label point (lat, lon)
    inside the region (``regions.label_lat/label_lon``) where the map draws the count."""
    if level not in COUNT_LEVELS:
        raise ValueError(f"unknown count level {level!r}; choose gemeente or wijk")
    where, params = filter_sql(flt, today=today, alias="r")
    kind_counts = ", ".join(f"count(*) FILTER (WHERE r.kind = '{kind}') AS n_{kind}" for kind in KINDS)
    return store.df(
        f"""
        WITH counted AS (
            SELECT r.{level}_code AS code, count(*) AS n, {kind_counts}
            FROM public_records r
            WHERE {where} AND r.lat IS NOT NULL AND r.lon IS NOT NULL AND r.{level}_code IS NOT NULL
            GROUP BY 1
        )
        SELECT c.code, g.name, c.n, {", ".join(f"c.n_{kind}" for kind in KINDS)},
               g.label_lat AS lat, g.label_lon AS lon
        FROM counted c JOIN regions g ON g.code = c.code
        ORDER BY c.code
        """,
        params,
    )


def export_records(store: Store, flt: Filter, *, today: date | None = None) -> pd.DataFrame:
    """The filtered selection with every public column and the region names, for downloads."""
    where, params = filter_sql(flt, today=today, alias="r")
    cols = ", ".join(f"r.{c}" for c in EXPORT_COLUMNS)
    # Through Arrow: a selection of 100k+ records converts ~3× faster than with .df() (the list
    # column of themes and the text columns), with the same values.
    result = store.cursor().execute(
        f"""
        SELECT {cols}, {REGION_NAME_COLUMNS}
        FROM {RECORDS_WITH_REGIONS}
        WHERE {where}
        ORDER BY r.kind, r.name, r.id
        """,
        params,
    )
    return result.to_arrow_table().to_pandas(date_as_object=False)


def counts_by_provincie(store: Store) -> pd.DataFrame:
    """Approved records per provincie and kind (provincie_code None = without a location):
    provincie_code, provincie, n_initiative … n_meetup, n."""
    kind_counts = ", ".join(f"count(*) FILTER (WHERE r.kind = '{kind}') AS n_{kind}" for kind in KINDS)
    return store.df(
        f"""
        SELECT r.provincie_code, p.name AS provincie, {kind_counts}, count(*) AS n
        FROM public_records r LEFT JOIN regions p ON p.code = r.provincie_code
        GROUP BY 1, 2 ORDER BY (r.provincie_code IS NULL), p.name
        """
    )


def record_exists(store: Store, record_id: str) -> bool:
    """Whether an approved record with this id exists (for links that name a record)."""
    if not _ID.match(record_id or ""):
        return False
    return bool(store.scalar("SELECT count(*) FROM public_records WHERE id = ?", [record_id]))


# -- scale (map data for 100k–1M records) -------------------------------------------------------

MAP_COLUMNS = ("id", "name", "kind", "place", "lat", "lon")


@dataclass(frozen=True)
class MapData:
    """Exactly what the map of a filter needs: the selection's sizes and either its points (a
    few thousand at most, only :data:`MAP_COLUMNS`) or counts per region. Built by
    :func:`map_data`; draw it with ``maps.explorer_map(data.points, n_located=data.n_located,
    n_records=data.n_records, region_counts=data.region_counts, count_level_name=data.level)``."""
    n_records: int
    n_located: int
    points: pd.DataFrame
    region_counts: pd.DataFrame | None
    level: str
    max_points: int

    @property
    def aggregated(self) -> bool:
        return self.n_located > self.max_points


def map_data(store: Store, flt: Filter, *, max_points: int, level: str,
             today: date | None = None) -> MapData:
    """The map's data for ``flt`` without fetching the whole selection: one aggregate scan gives
    the sizes and the counts per ``level`` region and kind; only when at most ``max_points``
    records have a point are those points fetched (else, when all of them lie in one region, their
    lat/lon/kind for a grid of counts). The counts frame has the columns of :func:`region_counts`."""
    if level not in COUNT_LEVELS:
        raise ValueError(f"unknown count level {level!r}; choose gemeente or wijk")
    where, params = filter_sql(flt, today=today)
    kind_names = [f"n_{kind}" for kind in KINDS]
    kind_counts = ", ".join(f"count(*) FILTER (WHERE kind = '{kind}') AS n_{kind}" for kind in KINDS)
    # One scan: per region and located/not, the counts per kind; regions with located records
    # get their name and a label point inside them (where the map draws the count).
    tally = store.df(
        f"""
        WITH tally AS (
            SELECT {level}_code AS code, (lat IS NOT NULL AND lon IS NOT NULL) AS located, count(*) AS n,
                   {kind_counts}
            FROM public_records WHERE {where} GROUP BY ALL
        )
        SELECT t.*, g.name,
               CASE WHEN t.located THEN g.label_lat END AS lat,
               CASE WHEN t.located THEN g.label_lon END AS lon
        FROM tally t LEFT JOIN regions g ON g.code = t.code
        ORDER BY t.code
        """,
        params,
    )
    located = tally["located"].astype(bool)
    n_records = int(tally["n"].sum())
    n_located = int(tally.loc[located, "n"].sum())
    located_where = f"{where} AND lat IS NOT NULL AND lon IS NOT NULL"
    counts = None
    if n_located <= max_points:
        points = store.df(f"SELECT {', '.join(MAP_COLUMNS)} FROM public_records WHERE {located_where} "
                          "ORDER BY kind, id", params)
    else:
        counts = tally.loc[located & tally["name"].notna(), ["code", "name", "n", *kind_names, "lat", "lon"]]
        counts = counts.reset_index(drop=True)
        if len(counts) >= 2:
            points = pd.DataFrame({column: [] for column in MAP_COLUMNS})
        else:
            points = store.df(f"SELECT id, kind, lat, lon FROM public_records WHERE {located_where}", params)
    return MapData(n_records=n_records, n_located=n_located, points=points, region_counts=counts,
                   level=level, max_points=max_points)


# -- open data API (mapping.api) ---------------------------------------------------------------
# Pages of a selection by keyset on the record id (stable while records come and go, unlike
# OFFSET), the changes since a moment for partners who keep a copy, and CSV from the engine.

API_COLUMNS = EXPORT_COLUMNS + ("updated_at",)
_REGION_JOINS = """LEFT JOIN regions p ON p.code = r.provincie_code
        LEFT JOIN regions g ON g.code = r.gemeente_code
        LEFT JOIN regions w ON w.code = r.wijk_code
        LEFT JOIN regions z ON z.code = r.zorgkantoorregio_code"""


def count_records(store: Store, flt: Filter, *, today: date | None = None) -> int:
    where, params = filter_sql(flt, today=today)
    return int(store.scalar(f"SELECT count(*) FROM public_records WHERE {where}", params) or 0)


def _dict_rows(store: Store, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (None for NULL): for small results that are turned
    into JSON right away, without the cost of a DataFrame."""
    cursor = store.cursor().execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def records_page(store: Store, flt: Filter, *, after: str | None = None, before: str | None = None,
                 limit: int = 100, today: date | None = None) -> list[dict[str, Any]]:
    """At most ``limit`` approved records of the filter in id order: the first ones, those after
    the id ``after`` or (for a previous page) the last ones before the id ``before``; every API
    column and the region names, as dicts. The page is chosen on ``public_records`` alone and only its rows
    are joined to the region names."""
    where, params = filter_sql(flt, today=today)
    order = "id"
    if after is not None:
        where += " AND id > ?"
        params.append(after)
    elif before is not None:
        where += " AND id < ?"
        params.append(before)
        order = "id DESC"
    cols = ", ".join(f"r.{c}" for c in API_COLUMNS)
    return _dict_rows(
        store,
        f"""
        WITH page AS (SELECT * FROM public_records WHERE {where} ORDER BY {order} LIMIT {max(int(limit), 0)})
        SELECT {cols}, {REGION_NAME_COLUMNS}
        FROM page r
        {_REGION_JOINS}
        ORDER BY r.id
        """,
        params,
    )


def has_record_beyond(store: Store, flt: Filter, record_id: str, *, after: bool,
                      today: date | None = None) -> bool:
    """Whether a record of the filter has an id after (``after=True``) or before ``record_id``."""
    where, params = filter_sql(flt, today=today)
    op = ">" if after else "<"
    return bool(store.scalar(
        f"SELECT count(*) FROM (SELECT 1 FROM public_records WHERE {where} AND id {op} ? LIMIT 1) x",
        [*params, record_id]))


def public_record(store: Store, record_id: str) -> pd.DataFrame:
    """One approved record with every API column and its region names (empty when not public)."""
    if not _ID.match(record_id or ""):
        return pd.DataFrame(columns=list(API_COLUMNS))
    cols = ", ".join(f"r.{c}" for c in API_COLUMNS)
    return store.df(f"SELECT {cols}, {REGION_NAME_COLUMNS} FROM {RECORDS_WITH_REGIONS} WHERE r.id = ?", [record_id])


_LINK_COLUMNS = """l.id, l.from_id, l.to_id, l.relation, l.source, l.note, l.source_date,
               a.name AS from_name, a.kind AS from_kind, a.lat AS from_lat, a.lon AS from_lon,
               b.name AS to_name, b.kind AS to_kind, b.lat AS to_lat, b.lon AS to_lon"""


def links_page(store: Store, flt: Filter, *, after: str | None = None, before: str | None = None,
               limit: int = 100, today: date | None = None) -> tuple[pd.DataFrame, int]:
    """Approved links touching the filter's records (as :func:`links_for`), by keyset on the link
    id, and how many links match in all."""
    where, params = filter_sql(flt, today=today)
    base = f"""
        WITH inside AS (SELECT id FROM public_records WHERE {where})
        SELECT {_LINK_COLUMNS}
        FROM links l
        JOIN public_records a ON a.id = l.from_id
        JOIN public_records b ON b.id = l.to_id
        WHERE l.from_id IN (SELECT id FROM inside) OR l.to_id IN (SELECT id FROM inside)"""
    total = int(store.scalar(f"SELECT count(*) FROM ({base}) x", params) or 0)
    order, extra, extra_params = "id", "", []
    if after is not None:
        extra, extra_params = " WHERE id > ?", [after]
    elif before is not None:
        extra, extra_params, order = " WHERE id < ?", [before], "id DESC"
    frame = store.df(
        f"SELECT * FROM (SELECT * FROM ({base}) x{extra} ORDER BY {order} LIMIT {max(int(limit), 0)}) y ORDER BY id",
        [*params, *extra_params])
    return frame, total


def public_link(store: Store, link_id: str) -> pd.DataFrame:
    """One approved link between two approved records (empty when not public)."""
    return store.df(
        f"""SELECT {_LINK_COLUMNS}
            FROM links l JOIN public_records a ON a.id = l.from_id JOIN public_records b ON b.id = l.to_id
            WHERE l.id = ?""", [link_id])


# Actions after which a record that was public is no longer: taken off the map, merged away.
WITHDRAW_ACTIONS = ("archive", "merged_into")


def changes(store: Store, since: datetime, *, after: tuple[datetime, str, str] | None = None,
            limit: int = 100) -> pd.DataFrame:
    """Records and links created, changed or withdrawn since ``since`` (naive server time), oldest
    first: entity ('record' | 'link'), id, kind, change ('created' | 'updated' | 'withdrawn'),
    changed_at. Withdrawn = no longer public after having been public (a record archived or merged
    away — the audit history says so —, a link archived or one of its ends withdrawn); records
    that never were public (pending, rejected sign-ups) never appear. ``after`` is the
    (changed_at, entity, id) of the last row of the previous page."""
    actions = ", ".join(f"'{action}'" for action in WITHDRAW_ACTIONS)

    def was_withdrawn(alias: str) -> str:
        return (f"({alias}.status IN ('archived', 'rejected') AND EXISTS (SELECT 1 FROM revisions v "
                f"WHERE v.entity_type = 'record' AND v.entity_id = {alias}.id AND v.action IN ({actions})))")

    sql = f"""
        WITH changed AS (
            SELECT 'record' AS entity, r.id, r.kind,
                   CASE WHEN r.status <> 'approved' THEN 'withdrawn'
                        WHEN r.created_at >= ? THEN 'created' ELSE 'updated' END AS change,
                   r.updated_at AS changed_at
            FROM records r
            WHERE r.updated_at >= ? AND (r.status = 'approved' OR {was_withdrawn('r')})
            UNION ALL
            SELECT 'link' AS entity, l.id, l.relation AS kind,
                   CASE WHEN l.status <> 'approved' OR a.status <> 'approved' OR b.status <> 'approved'
                             THEN 'withdrawn'
                        WHEN l.created_at >= ? THEN 'created' ELSE 'updated' END AS change,
                   greatest(l.updated_at, a.updated_at, b.updated_at) AS changed_at
            FROM record_links l JOIN records a ON a.id = l.from_id JOIN records b ON b.id = l.to_id
            WHERE greatest(l.updated_at, a.updated_at, b.updated_at) >= ?
              AND ((l.status IN ('approved', 'archived') AND a.status = 'approved' AND b.status = 'approved')
                   OR (l.status = 'approved' AND ({was_withdrawn('a')} OR {was_withdrawn('b')})))
        )
        SELECT entity, id, kind, change, changed_at FROM changed
    """
    params: list[Any] = [since, since, since, since]
    if after is not None:
        sql += " WHERE changed_at > ? OR (changed_at = ? AND (entity > ? OR (entity = ? AND id > ?)))"
        params += [after[0], after[0], after[1], after[1], after[2]]
    sql += f" ORDER BY changed_at, entity, id LIMIT {max(int(limit), 0)}"
    return store.df(sql, params)


def export_csv(store: Store, flt: Filter | None = None, *, today: date | None = None) -> bytes:
    """The selection (default: every approved record) as CSV, written by the database engine in
    the dialect and with the cells of :func:`mapping.exports.to_csv` (``;``, UTF-8 with BOM, CRLF,
    formula guard): seconds for a million records instead of a Python loop."""
    from mapping.exports import PUBLIC_COLUMNS

    where, params = filter_sql(flt or Filter(), today=today, alias="r")
    region_names = {"provincie_naam": "p.name", "gemeente_naam": "g.name", "wijk_naam": "w.name",
                    "zorgkantoorregio_naam": "z.name"}
    # empty cells as NULL: the engine writes those as nothing (an empty string would be "")
    cells = [f"nullif({_csv_cell_sql(column, region_names.get(column, f'r.{column}'))}, '') AS {column}"
             for column in PUBLIC_COLUMNS if column in EXPORT_COLUMNS or column in region_names]
    sql = (f"SELECT {', '.join(cells)} FROM {RECORDS_WITH_REGIONS} WHERE {where} "
           "ORDER BY r.kind, r.name, r.id")
    return store.export_csv(sql, params)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell_sql(column: str, source: str) -> str:
    """SQL for one CSV cell exactly as :func:`mapping.exports._csv_cell` writes it."""
    if column in ("all_day", "online", "synthetic"):
        return f"CASE WHEN coalesce({source}, false) THEN 'true' ELSE 'false' END"
    if column in ("lat", "lon"):
        return f"coalesce(CAST(round({source}, 6) AS VARCHAR), '')"
    if column == "themes":
        return f"coalesce(array_to_string({source}, ', '), '')"
    if column in ("source_date", "last_verified"):
        return f"coalesce(CAST(CAST({source} AS DATE) AS VARCHAR), '')"
    if column in ("starts_at", "ends_at"):
        return f"coalesce(substr(CAST({source} AS VARCHAR), 1, 16), '')"
    text = f"coalesce(CAST({source} AS VARCHAR), '')"
    starts = " OR ".join(f"substr({text}, 1, 1) = chr({ord(ch)})" for ch in _FORMULA_STARTS)
    return f"CASE WHEN {starts} THEN chr(39) || {text} ELSE {text} END"


def recent_records(store: Store, flt: Filter, *, limit: int = 50, today: date | None = None) -> pd.DataFrame:
    """The most recently created or changed approved records of the filter, newest first (feeds)."""
    where, params = filter_sql(flt, today=today)
    cols = ", ".join(("id", "name", "kind", "themes", "description", "place", "created_at", "updated_at"))
    return store.df(f"SELECT {cols} FROM public_records WHERE {where} "
                    f"ORDER BY updated_at DESC, id LIMIT {max(int(limit), 0)}", params)


def data_updated_at(store: Store) -> datetime | None:
    """When public records last changed (the version date of the open dataset)."""
    value = store.scalar("SELECT max(updated_at) FROM public_records")
    return None if _is_missing(value) else pd.Timestamp(value).to_pydatetime()


REGION_API_COLUMNS = ("code", "name", "level", "provincie_code", "gemeente_code", "zorgkantoorregio_code",
                      "year", "source", "display_geojson")


def regions_page(store: Store, *, level: str | None = None, parent: tuple[str, str] | None = None,
                 after: str | None = None, before: str | None = None, limit: int = 100) -> tuple[pd.DataFrame, int]:
    """Regions (simplified outlines) by keyset on the code, optionally of one ``level`` and
    inside one ``parent`` (level, code); with how many match in all."""
    clauses, params = ["true"], []
    if level:
        clauses.append("level = ?")
        params.append(level)
    if parent:
        if parent[0] not in GAP_SCOPE_COLUMNS:
            raise ValueError(f"unknown parent level {parent[0]!r}")
        clauses.append(f"{GAP_SCOPE_COLUMNS[parent[0]]} = ?")
        params.append(parent[1])
    where = " AND ".join(clauses)
    total = int(store.scalar(f"SELECT count(*) FROM regions WHERE {where}", params) or 0)
    order = "code"
    if after is not None:
        where, params = where + " AND code > ?", [*params, after]
    elif before is not None:
        where, params, order = where + " AND code < ?", [*params, before], "code DESC"
    frame = store.df(f"SELECT * FROM (SELECT {', '.join(REGION_API_COLUMNS)} FROM regions WHERE {where} "
                     f"ORDER BY {order} LIMIT {max(int(limit), 0)}) x ORDER BY code", params)
    return frame, total


def region(store: Store, code: str) -> pd.DataFrame:
    """One region with the API columns (empty when the code does not exist)."""
    return store.df(f"SELECT {', '.join(REGION_API_COLUMNS)} FROM regions WHERE code = ?", [code])


def region_codes(store: Store) -> set[str]:
    return {code for (code,) in store.rows("SELECT code FROM regions")}


def region_label(store: Store, code: str) -> str | None:
    return store.scalar("SELECT name FROM regions WHERE code = ?", [code])
