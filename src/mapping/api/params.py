"""Query parameters of the API → the Kaart page's :class:`~mapping.queries.Filter`.

Region, theme and search parameters are handed to :func:`mapping.queries.from_params` (the parser
of the Kaart page's URL), so the API and the page share one set of rules; what that parser drops
is a 400 here instead of silently ignored. Only API parameters (bbox, datetime, updated_since,
limit, cursor, f) are parsed in this module. Every value is plain text checked against known
values; nothing is ever deserialised except the cursor, which is base64 JSON of two strings.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from mapping import queries
from mapping.api.problems import ApiProblem, bad_parameter
from mapping.queries import Filter

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_VALUE = 500
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LEVELS = ("provincie", "gemeente", "wijk", "zorgkantoorregio")
# API name → the Kaart page's URL parameter (queries.PARAM_NAMES)
_KAART_NAMES = {"provincie": "provincie", "gemeente": "gemeente", "wijk": "wijk", "zorgkantoorregio": "zkr",
                "thema": "thema", "q": "q"}
_API_NAMES = {kaart: api for api, kaart in _KAART_NAMES.items()}
FILTER_PARAMS = ("bbox", "provincie", "gemeente", "wijk", "zorgkantoorregio", "thema", "q", "datetime",
                 "updated_since")
COMMON_PARAMS = ("f", "lang")
PAGE_PARAMS = ("limit", "cursor")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})?)?$")


class Query:
    """The request's parameters as a multi-dict of strings (from Starlette's ``query_params``)."""

    def __init__(self, items: Sequence[tuple[str, str]]):
        self.items = [(str(k), str(v)) for k, v in items]

    def get(self, name: str) -> str:
        values = self.getlist(name)
        return values[-1] if values else ""

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.items if k == name]

    def names(self) -> set[str]:
        return {k for k, _ in self.items}


def check_known(query: Query, allowed: Sequence[str]) -> None:
    """400 for a parameter this endpoint does not know (a typo would otherwise return everything)."""
    for name in sorted(query.names()):
        if name not in allowed:
            raise ApiProblem(400, "bad_parameter", "api.problem.unknown_parameter", name=name[:40],
                             allowed=", ".join(allowed))
    for name, value in query.items:
        if len(value) > MAX_VALUE or any(ord(ch) < 32 for ch in value):
            raise bad_parameter(name)


def language(query: Query, accept_language: str = "") -> str:
    chosen = query.get("lang").strip().lower()
    if chosen in ("nl", "en"):
        return chosen
    if chosen:
        return "nl"
    first = (accept_language or "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "nl"


def output_format(query: Query, *, csv_allowed: bool = True) -> str:
    value = query.get("f").strip().lower() or "json"
    if value in ("json", "geojson"):
        return "json"
    if value == "csv":
        if not csv_allowed:
            raise bad_parameter("f", "api.hint.f_csv")
        return "csv"
    raise bad_parameter("f", "api.hint.f")


def limit(query: Query) -> int:
    """``limit``: 1–1000 (larger values are capped at 1000, as OGC API – Features asks)."""
    raw = query.get("limit").strip()
    if not raw:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"\d{1,7}", raw) or int(raw) < 1:
        raise bad_parameter("limit", "api.hint.limit")
    return min(int(raw), MAX_LIMIT)


def parse_instant(raw: str, name: str, *, end: bool = False) -> datetime:
    """An RFC 3339 instant (or a date: its start, or with ``end`` its last moment) as an aware
    datetime; a time without offset is Amsterdam time."""
    text = raw.strip()
    if not _RFC3339.match(text):
        raise bad_parameter(name, "api.hint.datetime" if name == "datetime" else "api.hint.timestamp")
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day + timedelta(days=1) if end else day, datetime.min.time())
            return (moment - timedelta(microseconds=1) if end else moment).replace(tzinfo=AMSTERDAM)
        moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00").replace("t", "T"))
    except ValueError as exc:
        raise bad_parameter(name, "api.hint.datetime" if name == "datetime" else "api.hint.timestamp") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


def server_time(moment: datetime) -> datetime:
    """An aware moment as the naive server-local time the database stores (``updated_at``)."""
    return moment.astimezone().replace(tzinfo=None)


def date_range(raw: str) -> tuple[date | None, date | None]:
    """``datetime`` (instant or ``start/end`` interval, ``..`` = open) → the Kaart page's meet-up
    dates (from, to; both inclusive, Amsterdam days)."""
    text = raw.strip()
    if not text:
        return None, None
    parts = text.split("/")
    if len(parts) == 1:
        day = parse_instant(parts[0], "datetime").astimezone(AMSTERDAM).date()
        return day, day
    if len(parts) != 2 or parts == ["..", ".."] or "" in parts:
        raise bad_parameter("datetime", "api.hint.datetime")
    start = None if parts[0] == ".." else parse_instant(parts[0], "datetime").astimezone(AMSTERDAM).date()
    stop = None if parts[1] == ".." else parse_instant(parts[1], "datetime", end=True).astimezone(AMSTERDAM).date()
    if start and stop and stop < start:
        raise bad_parameter("datetime", "api.hint.datetime")
    return start, stop


def bbox(raw: str) -> tuple[float, float, float, float] | None:
    text = raw.strip()
    if not text:
        return None
    parts = text.split(",")
    try:
        values = [float(part) for part in parts]
    except ValueError as exc:
        raise bad_parameter("bbox", "api.hint.bbox") from exc
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise bad_parameter("bbox", "api.hint.bbox")
    min_lon, min_lat, max_lon, max_lat = values
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise bad_parameter("bbox", "api.hint.bbox")
    return min_lon, min_lat, max_lon, max_lat


@dataclass(frozen=True)
class KnownValues:
    """What codes exist (checked so that a typo is a 400, not an empty answer)."""
    regions: frozenset[str]
    themes: frozenset[str]


def record_filter(query: Query, known: KnownValues, *, kind: str | None = None) -> Filter:
    """The API's filter parameters → a Filter, through the Kaart page's own parser."""
    kaart: dict[str, Any] = {}
    for api_name, kaart_name in _KAART_NAMES.items():
        values = query.getlist(api_name)
        if api_name == "thema":
            if values:
                kaart[kaart_name] = ",".join(values)
                if any(not part.strip() for value in values for part in value.split(",")):
                    raise bad_parameter("thema", "api.hint.thema")
        elif values:
            if len(values) > 1:
                raise bad_parameter(api_name)
            if not values[0].strip():
                raise bad_parameter(api_name, "api.hint.code" if api_name in LEVELS else None)
            kaart[kaart_name] = values[0]
    flt, ignored = queries.from_params(kaart, known_themes=set(known.themes), known_regions=set(known.regions))
    if ignored:
        param = ignored[0].partition("=")[0]       # "thema=onbekend" names its dropped values
        name = _API_NAMES.get(param, param)
        hint = "api.hint.code" if name in LEVELS else f"api.hint.{name}" if name in ("thema", "q") else None
        raise bad_parameter(name, hint)
    date_from, date_to = date_range(query.get("datetime"))
    updated = query.get("updated_since").strip()
    return replace(
        flt,
        kinds=(kind,) if kind else (),
        bbox=bbox(query.get("bbox")),
        date_from=date_from,
        date_to=date_to,
        updated_since=server_time(parse_instant(updated, "updated_since")) if updated else None,
    )


# -- cursors ----------------------------------------------------------------------------------
# Opaque to clients: base64url of {"d": "a"|"b", "k": [...]} — after/before the given key.

def encode_cursor(direction: str, key: Sequence[str]) -> str:
    raw = json.dumps({"d": direction, "k": list(key)}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(raw: str, *, size: int = 1) -> tuple[str, list[str]] | None:
    """``(direction, key)`` of a cursor made by :func:`encode_cursor`; None when absent; 400 when
    it is not one of ours."""
    text = raw.strip()
    if not text:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise bad_parameter("cursor", "api.hint.cursor") from exc
    if (not isinstance(data, dict) or data.get("d") not in ("a", "b") or not isinstance(data.get("k"), list)
            or len(data["k"]) != size or not all(isinstance(v, str) and 0 < len(v) <= 200 for v in data["k"])):
        raise bad_parameter("cursor", "api.hint.cursor")
    return data["d"], data["k"]


def utc_text(moment: Any) -> str | None:
    """A naive server-local timestamp from the database as RFC 3339 UTC (``…Z``)."""
    if moment is None:
        return None
    import pandas as pd

    if pd.isna(moment):
        return None
    value = pd.Timestamp(moment).to_pydatetime()
    aware = value.astimezone(timezone.utc) if value.tzinfo else value.astimezone().astimezone(timezone.utc)
    return aware.isoformat(timespec="microseconds").replace("+00:00", "Z")


def area(level: str, code: str, known: KnownValues) -> Filter:
    """The Filter of a feed's area (``/feeds/{level}/{code}``)."""
    if level not in LEVELS:
        raise bad_parameter("level", "api.hint.level")
    kaart_name = _KAART_NAMES[level]
    flt, ignored = queries.from_params({kaart_name: code}, known_regions=set(known.regions))
    if ignored:
        raise bad_parameter(level, "api.hint.code")
    return flt


def themes_only(query: Query, known: KnownValues, base: Filter) -> Filter:
    values = query.getlist("thema")
    if not values:
        return base
    flt, ignored = queries.from_params({"thema": ",".join(values)}, known_themes=set(known.themes))
    if ignored or any(not part.strip() for value in values for part in value.split(",")):
        raise bad_parameter("thema", "api.hint.thema")
    return replace(base, themes=flt.themes)
