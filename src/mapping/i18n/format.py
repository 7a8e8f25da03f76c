"""Numbers, percentages and dates for people, per interface language (Babel's CLDR data).

The one formatting helper: every number or date that reaches a page, tooltip, table or download
meant for people goes through here, so Dutch shows ``590.223`` and ``18-03-2025`` and English
``590,223`` and ``18 Mar 2025``. Machine formats (CSV code columns, API, iCalendar) stay ISO.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from babel import dates as babel_dates
from babel import numbers as babel_numbers

LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["nl"])


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return False


def number(value: Any, lang: str = "nl", decimals: int = 0, missing: str = "–") -> str:
    """``12345.6`` → ``12.346`` (nl) / ``12,346`` (en); ``decimals`` fixes the fraction digits."""
    if _missing(value):
        return missing
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return babel_numbers.format_decimal(float(value), format=pattern, locale=locale(lang))


def percent(fraction: Any, lang: str = "nl", decimals: int = 0, missing: str = "–") -> str:
    """A fraction (``0.253``) as a percentage: ``25 %`` (nl) / ``25%`` (en)."""
    if _missing(fraction):
        return missing
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return babel_numbers.format_percent(float(fraction), format=pattern, locale=locale(lang))


def _as_datetime(value: Any) -> dt.datetime | dt.date | None:
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    if value is None or value == "" or (not isinstance(value, str) and _missing(value)):
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime()
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def date(value: Any, lang: str = "nl", style: str = "medium", missing: str = "–") -> str:
    """A calendar date: ``18 mrt 2025`` (nl, medium) / ``18 Mar 2025`` (en); ``style="short"``
    gives ``18-03-2025`` / ``18/03/2025``, ``"long"`` ``18 maart 2025`` / ``18 March 2025``."""
    moment = _as_datetime(value)
    if moment is None:
        return missing
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    return babel_dates.format_date(day, format=style, locale=locale(lang))


def time(value: Any, lang: str = "nl", missing: str = "–") -> str:
    """A clock time, 24-hour in both languages here: ``19:30``."""
    moment = _as_datetime(value)
    if not isinstance(moment, dt.datetime):
        return missing
    return babel_dates.format_time(moment, format="HH:mm", locale=locale(lang))


def datetime(value: Any, lang: str = "nl", style: str = "medium", missing: str = "–") -> str:
    """Date and time: ``18 mrt 2025 19:30``."""
    moment = _as_datetime(value)
    if not isinstance(moment, dt.datetime):
        return date(value, lang, style, missing)
    return f"{date(moment, lang, style)} {time(moment, lang)}"
