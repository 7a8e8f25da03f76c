"""Downloads of exactly the filtered selection: CSV, GeoJSON and iCalendar (.ics).

Pure functions: a DataFrame from :func:`mapping.queries.export_records` in, bytes out. Only the
public columns in :data:`PUBLIC_COLUMNS` ever leave (any other column, e.g. a contact field that
slipped into a frame, is dropped), so an export can never contain submitters' contact details.

Formats, chosen for the people who download them:

* **CSV** — UTF-8 with a byte order mark, ``;`` as separator and CRLF line ends: Dutch Excel
  (where ``,`` is the decimal sign) opens it with accents and columns intact by double-clicking.
  Column names and values are those of ``data/records.csv`` (kinds and themes as codes, dates
  ISO 8601, booleans ``true``/``false``), so an export can be imported again; coordinates use a
  decimal point (WGS84). Text that Excel would run as a formula (starting with ``= + - @``, tab or
  CR) gets a leading apostrophe (OWASP "CSV injection").
* **GeoJSON** — RFC 7946 FeatureCollection, Point geometries in WGS84 (lon, lat); records without a
  location keep their place in the selection with ``"geometry": null``.
* **iCalendar** — RFC 5545, written with the ``icalendar`` library: meet-ups with a start date,
  times in Europe/Amsterdam (its VTIMEZONE generated from the tz database), all-day events as DATE
  values, TEXT escaped and lines folded at 75 octets by the library, a stable
  UID per record (re-importing updates instead of duplicating). Online meet-ups carry their join
  link as URL and in the description, with LOCATION "Online".
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from mapping import csv_dialect
from mapping.i18n import t
from mapping.records import valid_url

PUBLIC_COLUMNS = (
    "id", "name", "kind", "themes", "description", "address", "postcode", "place", "lat", "lon",
    "location_precision", "location_note", "website", "source", "source_title", "source_date",
    "starts_at", "ends_at", "all_day", "online", "meeting_url",
    "provincie_code", "provincie_naam", "gemeente_code", "gemeente_naam", "wijk_code", "wijk_naam",
    "zorgkantoorregio_code", "zorgkantoorregio_naam", "last_verified", "synthetic",
)
DATE_COLUMNS = ("source_date", "last_verified")
TIMESTAMP_COLUMNS = ("starts_at", "ends_at")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UID_DOMAIN = "zorgzame-buurten-kaart"
TIMEZONE = "Europe/Amsterdam"

# -- values -----------------------------------------------------------------------------------

def _is_na(value: Any) -> bool:
    """None, NaN, NaT, pd.NA; never true for lists/arrays (themes)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (str, bytes, list, tuple, dict)) or hasattr(value, "__array__"):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_list(value: Any) -> list[str]:
    if _is_na(value):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return [str(item) for item in list(value)]


def _as_bool(value: Any) -> bool:
    return False if _is_na(value) else bool(value)


def _as_datetime(value: Any) -> datetime | None:
    if _is_na(value):
        return None
    stamp = pd.Timestamp(value)
    return None if pd.isna(stamp) else stamp.to_pydatetime()


def _as_date(value: Any) -> date | None:
    moment = _as_datetime(value)
    return moment.date() if moment else None


def public_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the public columns, in a fixed order (missing ones are left out)."""
    return frame[[c for c in PUBLIC_COLUMNS if c in frame.columns]]


def _plain(column: str, value: Any) -> Any:
    """A JSON-friendly value: lists for themes, ISO text for dates, None for missing."""
    if column == "themes":
        return _as_list(value)
    if column in ("all_day", "online", "synthetic"):
        return _as_bool(value)
    if _is_na(value):
        return None
    if column in DATE_COLUMNS:
        found = _as_date(value)
        return found.isoformat() if found else None
    if column in TIMESTAMP_COLUMNS:
        found = _as_datetime(value)
        return found.strftime("%Y-%m-%dT%H:%M") if found else None
    if column in ("lat", "lon"):
        return round(float(value), 6)
    if hasattr(value, "item"):
        return value.item()
    return value


def json_value(column: str, value: Any) -> Any:
    """A public value as JSON: lists for themes, ISO text for dates, None for missing (the API)."""
    return _plain(column, value)


# -- CSV --------------------------------------------------------------------------------------

def _csv_cell(column: str, value: Any) -> str:
    plain = _plain(column, value)
    if plain is None:
        return ""
    if column == "themes":
        return ", ".join(plain)
    if isinstance(plain, bool):
        return "true" if plain else "false"
    if column in TIMESTAMP_COLUMNS:
        return plain.replace("T", " ")
    text = str(plain)
    if column not in ("lat", "lon") and text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def _csv_column(column: str, values: pd.Series) -> list[str]:
    """The cells of one column, exactly as :func:`_csv_cell` writes them, but converted column by
    column (vectorised where the column's type allows; a million-row export takes seconds)."""
    missing = values.isna().to_numpy()
    if column in ("all_day", "online", "synthetic"):
        truth = values.where(~missing, False).astype(bool).to_numpy()
        return np.where(truth, "true", "false").tolist()
    if column in ("lat", "lon") and pd.api.types.is_float_dtype(values.dtype):
        return ["" if gone else str(round(float(value), 6)) for value, gone in zip(values.to_numpy(), missing)]
    if column == "themes":
        return ["" if gone and not isinstance(value, (list, np.ndarray)) else
                ", ".join(map(str, value)) if isinstance(value, (list, np.ndarray)) else _csv_cell(column, value)
                for value, gone in zip(values.to_numpy(dtype=object), missing)]
    if column in DATE_COLUMNS or column in TIMESTAMP_COLUMNS:
        if pd.api.types.is_datetime64_dtype(values.dtype):
            text = values.dt.strftime("%Y-%m-%d" if column in DATE_COLUMNS else "%Y-%m-%d %H:%M")
            return text.where(~missing, "").tolist()
    elif pd.api.types.is_string_dtype(values.dtype):
        # a pandas string column holds only str; an object column is checked value by value
        if isinstance(values.dtype, pd.StringDtype) or all(
                isinstance(value, str) for value in values.to_numpy(dtype=object)[~missing]):
            text = values.where(~missing, "").astype(str)
            formula = text.str.startswith(_FORMULA_START).to_numpy()
            if column in ("lat", "lon") or not formula.any():
                return text.tolist()
            return np.where(formula, "'" + text, text).tolist()
    return [_csv_cell(column, value) for value in values.to_numpy(dtype=object)]


def to_csv(frame: pd.DataFrame) -> bytes:
    """The selection as CSV for Excel (``;``, UTF-8 with BOM, CRLF); see the module docs."""
    public = public_frame(frame)
    return csv_dialect.rows_to_csv(list(public.columns),
                                   zip(*(_csv_column(column, public[column]) for column in public.columns)))


# -- GeoJSON ----------------------------------------------------------------------------------

def to_geojson(frame: pd.DataFrame, lang: str = "nl") -> bytes:
    """The selection as a GeoJSON FeatureCollection (records without a point: geometry null).
    With OpenStreetMap records it carries the ODbL notice as a top-level ``attribution`` member."""
    from mapping import osm

    public = public_frame(frame)
    features = []
    for record in public.to_dict("records"):
        lat, lon = record.get("lat"), record.get("lon")
        geometry = None
        if not _is_na(lat) and not _is_na(lon):
            geometry = {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]}
        properties = {column: _plain(column, value) for column, value in record.items() if column not in ("lat", "lon")}
        features.append({"type": "Feature", "id": properties.get("id"), "geometry": geometry,
                         "properties": properties})
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    notice = osm.attribution(public["source"] if "source" in public.columns else (), lang)
    if notice:
        collection["attribution"] = notice          # a foreign member (RFC 7946 §6.1)
    return json.dumps(collection, ensure_ascii=False, indent=1).encode("utf-8")


# -- iCalendar --------------------------------------------------------------------------------
# Written with the ``icalendar`` library: it escapes TEXT, folds lines at 75 octets without
# splitting a character and generates the VTIMEZONE of Europe/Amsterdam from the tz database.

def _clean_text(value: Any) -> str:
    """Text for a calendar value: no control characters other than newline and tab."""
    text = "" if _is_na(value) else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32 and ch != "\x7f")


def _uri(value: Any) -> str:
    """A URI value: no escaping (commas are legal), but no control characters either."""
    return "".join(ch for ch in str(value) if ord(ch) > 32 and ch != "\x7f")


def _event(record: dict, lang: str, stamp: datetime) -> Any:
    import icalendar

    start = _as_datetime(record.get("starts_at"))
    if start is None:
        return None
    zone = ZoneInfo(TIMEZONE)
    end = _as_datetime(record.get("ends_at"))
    all_day = _as_bool(record.get("all_day"))
    online = _as_bool(record.get("online"))
    event = icalendar.Event()
    event.add("uid", f"{_clean_text(record['id'])}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    if all_day:
        last_day = (end or start).date()
        event.add("dtstart", start.date())
        event.add("dtend", last_day + timedelta(days=1))
    else:
        event.add("dtstart", start.replace(tzinfo=zone))
        if end is not None and end > start:
            event.add("dtend", end.replace(tzinfo=zone))
    event.add("summary", _clean_text(record.get("name")))
    description_parts = []
    if not _is_na(record.get("description")):
        description_parts.append(_clean_text(record["description"]))
    meeting_url = None if _is_na(record.get("meeting_url")) else str(record["meeting_url"])
    if online and meeting_url:
        description_parts.append(f"{t('export.ics.join', lang)}: {meeting_url}")
    if not _is_na(record.get("source")):
        description_parts.append(f"{t('export.ics.source', lang)}: {record['source']}")
    if description_parts:
        event.add("description", _clean_text("\n".join(description_parts)))
    if online:
        event.add("location", t("export.ics.online", lang))
    else:
        where = [str(record[c]) for c in ("address", "postcode", "place") if not _is_na(record.get(c))]
        if where:
            event.add("location", _clean_text(", ".join(where)))
        lat, lon = record.get("lat"), record.get("lon")
        if not _is_na(lat) and not _is_na(lon):
            event.add("geo", (round(float(lat), 6), round(float(lon), 6)))
    link = meeting_url if online and meeting_url else next(
        (str(record[c]) for c in ("website", "source") if not _is_na(record.get(c))), None)
    if link and valid_url(link):  # calendar apps make URL clickable: never a javascript: or data: link
        event.add("url", _uri(link))
    return event


def ics_events(frame: pd.DataFrame) -> pd.DataFrame:
    """The meet-ups of a selection that can go into a calendar (they have a start)."""
    if frame.empty or "kind" not in frame:
        return frame.iloc[0:0]
    meetups = frame[frame["kind"] == "meetup"]
    return meetups[meetups["starts_at"].notna()]


def to_ics(frame: pd.DataFrame, lang: str = "nl", *, now: datetime | None = None,
           name: str | None = None) -> bytes:
    """The selection's meet-ups with a start as an iCalendar file (other kinds are skipped).
    ``name`` replaces the default calendar name (a subscription names its area)."""
    import icalendar

    now = now or datetime.now(timezone.utc)
    now = now.astimezone(timezone.utc) if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Zorgzame Buurten Kaart//Bijeenkomsten//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _clean_text(name or t("export.ics.calendar_name", lang)))
    calendar.add("x-wr-timezone", TIMEZONE)
    for record in public_frame(ics_events(frame)).to_dict("records"):
        event = _event(record, lang, now)
        if event is not None:
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def file_name(stem: str, extension: str, parts: Iterable[str] = ()) -> str:
    """A download name like ``zorgzame-buurten_GM0579_zorgcooperatie.csv`` (safe characters only)."""
    clean = [stem] + ["".join(ch for ch in part if ch.isalnum() or ch in "-_")[:40] for part in parts if part]
    return "_".join(p for p in clean if p) + "." + extension
