"""Record types and the validation rules shared by the importer, the form and the CLI.

Pure functions: raw field values in, a cleaned record plus field errors out. Errors are
:class:`FieldError` values (a message key with parameters), rendered by ``i18n`` in the user's
language, so the same rule gives the same message everywhere.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

KINDS = ("initiative", "provider", "network", "meetup")
RELATIONS = ("member_of", "partner", "part_of", "organised_by", "hosted_at", "initiated_by", "supported_by")
PRECISIONS = ("address", "postcode", "wijk", "place", "online", "unknown")


# The statuses, in one place (schema.sql's CHECK constraints list the same values). StrEnum
# members are plain strings: they compare equal to, and bind as, the text stored in the database.
class RecordStatus(enum.StrEnum):
    """A record's (and a link's) place in its life: only APPROVED is public."""
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class SubmissionStatus(enum.StrEnum):
    """Where a sign-up or proposed change stands; only PENDING can still be decided."""
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"


LinkStatus = RecordStatus           # record_links use the same four statuses as records

STATUSES = tuple(RecordStatus)

# Generous for real text, small enough that nobody stores a novel in a popup.
LIMITS = {
    "name": 150,
    "description": 2000,
    "address": 200,
    "place": 100,
    "location_note": 300,
    "website": 500,
    "meeting_url": 500,
    "source_url": 500,
    "source_title": 300,
    "contact_name": 150,
    "contact_email": 254,
    "partners_text": 1000,
}
MIN_NAME_LENGTH = 2
MAX_THEMES = 12

# Netherlands bounding box (WGS84): a quick first test before point-in-polygon.
NL_BBOX = (50.70, 3.20, 53.70, 7.30)  # min_lat, min_lon, max_lat, max_lon

# C0 (except line break and tab), DEL and C1: invisible, and C1 holds terminal escapes (U+009B CSI).
_CONTROL = {c for c in map(chr, range(0x20)) if c not in "\n\t"} | {chr(c) for c in range(0x7f, 0xa0)}
_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})?\s*$")
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    params: dict = field(default_factory=dict)


@dataclass
class Validated:
    record: dict[str, Any]
    errors: list[FieldError]

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_field(self) -> dict[str, FieldError]:
        out: dict[str, FieldError] = {}
        for error in self.errors:
            out.setdefault(error.field, error)
        return out


def clean_text(value: Any, *, multiline: bool = False) -> str:
    """NFC-normalise, drop control characters (NUL included), trim. ``None`` → ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from pandas
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if not text.isprintable():  # fast path: printable text has no control characters or surrogates
        text = "".join(ch for ch in text if ch not in _CONTROL and unicodedata.category(ch) != "Cs")
    if not multiline:
        text = " ".join(text.split())
    else:
        text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return text.strip()


def fold(text: str) -> str:
    """Case- and accent-insensitive form for search: 'Coöperatie' → 'cooperatie'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def slugify(text: str) -> str:
    return _SLUG.sub("-", fold(text)).strip("-")[:60] or "record"


def parse_postcode(value: Any) -> tuple[str | None, int | None]:
    """'1234ab' / '1234 AB' / '1234' → ('1234 AB', 1234); invalid → (None, None)."""
    text = clean_text(value)
    if not text:
        return None, None
    match = _POSTCODE.match(text)
    if not match:
        return None, None
    digits, letters = match.group(1), match.group(2)
    if letters and letters.upper() in ("SA", "SD", "SS"):  # never issued by PostNL
        return None, None
    pretty = f"{digits} {letters.upper()}" if letters else digits
    return pretty, int(digits)


def valid_url(value: str) -> bool:
    if not value or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and "." in host


def valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value or "")) and len(value) <= LIMITS["contact_email"]


def in_nl_bbox(lat: float, lon: float) -> bool:
    min_lat, min_lon, max_lat, max_lon = NL_BBOX
    return min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


def parse_float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond float range (e.g. 400 digits in a GeoJSON file)
            raise ValueError(str(value)[:30]) from None
    else:
        text = clean_text(value).replace(",", ".")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValueError(text) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(str(value))
    return number


def parse_bool(value: Any) -> bool:
    text = clean_text(value).casefold()
    return text in ("1", "true", "ja", "yes", "waar", "y", "j", "x", "online")


def parse_datetime(value: Any) -> tuple[datetime | None, bool]:
    """ISO-ish date or date-time ('2025-07-03', '2025-07-03T10:00', '3-7-2025 10:00').
    Returns (value, all_day). Raises ValueError on unreadable text."""
    if isinstance(value, datetime):
        return value, False
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day), True
    text = clean_text(value)
    if not text:
        return None, False
    for fmt, all_day in (("%Y-%m-%dT%H:%M", False), ("%Y-%m-%d %H:%M", False), ("%Y-%m-%dT%H:%M:%S", False),
                         ("%Y-%m-%d %H:%M:%S", False), ("%Y-%m-%d", True), ("%d-%m-%Y %H:%M", False),
                         ("%d-%m-%Y", True), ("%d/%m/%Y", True)):
        try:
            return datetime.strptime(text, fmt), all_day
        except ValueError:
            continue
    raise ValueError(text)


def parse_date(value: Any) -> date | None:
    parsed, _ = parse_datetime(value)
    return parsed.date() if parsed else None


def split_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        items = list(value)
    else:
        items = re.split(r"[;,|]", clean_text(value))
    return [clean_text(item) for item in items if clean_text(item)]


def _limited(record: dict, errors: list[FieldError], name: str, value: Any, *, multiline: bool = False) -> str:
    text = clean_text(value, multiline=multiline)
    limit = LIMITS.get(name)
    if limit and len(text) > limit:
        errors.append(FieldError(name, "error.too_long", {"max": limit, "length": len(text)}))
    record[name] = text or None
    return text


def theme_lookup(themes: list[dict] | Any) -> dict[str, str]:
    """Map every accepted spelling of a theme (code, Dutch or English label, any case or
    accents) to its code. ``themes`` is a list of dicts or a DataFrame of the themes table."""
    rows = themes.to_dict("records") if hasattr(themes, "to_dict") else list(themes)
    lookup: dict[str, str] = {}
    for row in rows:
        for key in ("code", "label_nl", "label_en"):
            if row.get(key):
                lookup[slugify(str(row[key]))] = row["code"]
    return lookup


def validate_record(raw: dict[str, Any], *, themes: dict[str, str],
                    require_source: bool = False) -> Validated:
    """Clean and check one record's fields (no geocoding, no database).

    ``themes`` comes from :func:`theme_lookup`. ``raw`` keys follow the records table (name, kind, themes, description, address, postcode,
    place, lat, lon, location_precision, website, source_url, starts_at, ends_at, online, …).
    Location completeness (postcode/place → point) is checked by :mod:`mapping.geocode`.
    """
    errors: list[FieldError] = []
    record: dict[str, Any] = {}

    name = _limited(record, errors, "name", raw.get("name"))
    if len(name) < MIN_NAME_LENGTH:
        errors.append(FieldError("name", "error.required" if not name else "error.too_short",
                                 {"min": MIN_NAME_LENGTH}))

    kind = clean_text(raw.get("kind")).casefold()
    kind = KIND_ALIASES.get(kind, kind)
    if kind not in KINDS:
        errors.append(FieldError("kind", "error.kind", {"value": kind[:40]}))
    record["kind"] = kind

    chosen: list[str] = []
    for item in split_list(raw.get("themes")):
        code = themes.get(slugify(item))
        if code is None:
            errors.append(FieldError("themes", "error.theme", {"value": item[:40]}))
        elif code not in chosen:
            chosen.append(code)
    if len(chosen) > MAX_THEMES:
        errors.append(FieldError("themes", "error.too_many_themes", {"max": MAX_THEMES}))
    record["themes"] = chosen

    _limited(record, errors, "description", raw.get("description"), multiline=True)
    _limited(record, errors, "address", raw.get("address"))
    _limited(record, errors, "place", raw.get("place"))
    _limited(record, errors, "location_note", raw.get("location_note"))
    _limited(record, errors, "source_title", raw.get("source_title"))

    postcode_raw = clean_text(raw.get("postcode"))
    pretty, _ = parse_postcode(postcode_raw)
    if postcode_raw and not pretty:
        errors.append(FieldError("postcode", "error.postcode_format", {"value": postcode_raw[:20]}))
    record["postcode"] = pretty

    for url_field in ("website", "source_url", "meeting_url"):
        url = _limited(record, errors, url_field, raw.get(url_field))
        if url and not valid_url(url):
            errors.append(FieldError(url_field, "error.url", {}))
    if require_source and not record.get("source_url") and not record.get("source_title"):
        errors.append(FieldError("source_url", "error.source_required", {}))

    lat = lon = None
    try:
        lat = parse_float(raw.get("lat"))
        lon = parse_float(raw.get("lon"))
    except ValueError:
        errors.append(FieldError("lat", "error.coordinates", {}))
        lat = lon = None
    if (lat is None) != (lon is None):
        errors.append(FieldError("lat", "error.coordinates", {}))
        lat = lon = None
    if lat is not None and lon is not None and not in_nl_bbox(lat, lon):
        errors.append(FieldError("lat", "error.outside_nl", {}))
    record["lat"], record["lon"] = lat, lon

    online = parse_bool(raw.get("online"))
    record["online"] = online
    precision = clean_text(raw.get("location_precision")).casefold()
    if precision and precision not in PRECISIONS:
        errors.append(FieldError("location_precision", "error.precision", {"value": precision[:20]}))
    if not precision:
        if online and lat is None:
            precision = "online"
        elif lat is not None:
            precision = "address" if record.get("address") else ("postcode" if pretty else "place")
        else:
            precision = "unknown"
    record["location_precision"] = precision

    try:
        starts_at, all_day = parse_datetime(raw.get("starts_at"))
        ends_at, _ = parse_datetime(raw.get("ends_at"))
    except ValueError as exc:
        errors.append(FieldError("starts_at", "error.datetime", {"value": str(exc)[:30]}))
        starts_at = ends_at = None
        all_day = False
    if starts_at and ends_at and ends_at < starts_at:
        errors.append(FieldError("ends_at", "error.ends_before_start", {}))
    record["starts_at"], record["ends_at"], record["all_day"] = starts_at, ends_at, all_day
    if kind == "meetup" and online and not record.get("meeting_url") and not record.get("website"):
        errors.append(FieldError("meeting_url", "error.online_needs_link", {}))

    try:
        record["source_date"] = parse_date(raw.get("source_date"))
        record["last_verified"] = parse_date(raw.get("last_verified"))
    except ValueError as exc:
        errors.append(FieldError("source_date", "error.date", {"value": str(exc)[:30]}))
        record["source_date"] = record["last_verified"] = None

    return Validated(record, errors)


KIND_ALIASES = {
    "initiatief": "initiative", "bewonersinitiatief": "initiative", "burgerinitiatief": "initiative",
    "zorgaanbieder": "provider", "aanbieder": "provider", "care provider": "provider",
    "netwerk": "network", "coalitie": "network", "organisatie": "network",
    "meet-up": "meetup", "bijeenkomst": "meetup", "meet up": "meetup", "activiteit": "meetup",
}


def new_id(name: str, existing: set[str] | None = None) -> str:
    """A stable, readable id from a name; unique against ``existing``."""
    import secrets

    base = slugify(name)
    candidate = f"{base}-{secrets.token_hex(3)}"
    while existing and candidate in existing:
        candidate = f"{base}-{secrets.token_hex(3)}"
    return candidate
