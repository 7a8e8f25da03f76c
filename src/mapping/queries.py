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
            today: date | None = None) -> pd.DataFrame:
    """Approved records matching the filter (only the requested columns leave the database)."""
    where, params = filter_sql(flt, today=today)
    cols = ", ".join(columns)
    return store.df(f"SELECT {cols} FROM public_records WHERE {where} ORDER BY kind, name, id", params)


def counts_by_kind(store: Store, flt: Filter, *, today: date | None = None) -> dict[str, int]:
    where, params = filter_sql(flt, today=today)
    rows = store.rows(f"SELECT kind, count(*) FROM public_records WHERE {where} GROUP BY kind", params)
    counts = {kind: 0 for kind in KINDS}
    counts.update({kind: int(n) for kind, n in rows})
    return counts


def record_detail(store: Store, record_id: str) -> dict[str, Any] | None:
    """One approved record with its region names (public fields only)."""
    frame = store.df(
        """
        SELECT r.*, p.name AS provincie_naam, g.name AS gemeente_naam, w.name AS wijk_naam,
               z.name AS zorgkantoorregio_naam
        FROM public_records r
        LEFT JOIN regions p ON p.code = r.provincie_code
        LEFT JOIN regions g ON g.code = r.gemeente_code
        LEFT JOIN regions w ON w.code = r.wijk_code
        LEFT JOIN regions z ON z.code = r.zorgkantoorregio_code
        WHERE r.id = ?
        """,
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
    """Query parameters → (Filter, names of ignored parameters). Invalid values are dropped."""
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
    if len(good_themes) != len(raw_themes):
        ignored.append("thema")
    values["themes"] = good_themes
    raw_kinds = [k.strip().lower() for k in get("soort").split(",") if k.strip()]
    good_kinds = tuple(dict.fromkeys(k for k in raw_kinds if k in KINDS))
    if len(good_kinds) != len(raw_kinds):
        ignored.append("soort")
    values["kinds"] = good_kinds
    search = " ".join(get("q").split())
    if len(search) > MAX_SEARCH or any(ord(ch) < 32 for ch in search):
        ignored.append("q")
        search = search[:MAX_SEARCH]
    values["search"] = "".join(ch for ch in search if ord(ch) >= 32)
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
