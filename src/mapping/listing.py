"""The selection as pages list it, without any map library: which records have a point, the
sortable list beside a map, meet-up dates for people, online meet-ups.

Folium-free on purpose: the Overzicht page (the dashboard's first page) lists records but draws
its map from a cached HTML document, so it never has to import folium. :mod:`mapping.maps`
re-exports these names.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from mapping.i18n import format as fmt
from mapping.i18n import kind_label
from mapping.records import valid_url

MAX_POINTS = 2_000   # above this many located records a map shows counts, not markers
MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~&$:")


def md_escape(text: Any) -> str:
    """User text for Streamlit Markdown (st.markdown, tables, help tooltips): Streamlit already
    shows raw HTML as text; backslashes keep Markdown syntax (links, emphasis, headings, table
    cells, $math$) literal, and a line break becomes a space."""
    value = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in value.replace("\n", " "))


def markdown_table(frame: pd.DataFrame) -> str:
    """``frame`` as a Markdown table, every header and cell escaped. For short static tables:
    unlike ``st.dataframe`` it needs none of the browser code for interactive grids (~1.2 MB of
    JavaScript), which is what keeps the first page quick."""
    lines = ["| " + " | ".join(md_escape(column) for column in frame.columns) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(md_escape(value) for value in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def located(records: pd.DataFrame) -> pd.DataFrame:
    """Records that have a point (the others appear in lists only)."""
    if records.empty or "lat" not in records:
        return records.iloc[0:0]
    lat = pd.to_numeric(records["lat"], errors="coerce")
    lon = pd.to_numeric(records["lon"], errors="coerce")
    return records[lat.notna() & lon.notna()]


def split_located(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records with a point, records without one)."""
    with_point = located(records)
    return with_point, records.drop(index=with_point.index)


def is_aggregated(n_located: int, max_points: int = MAX_POINTS) -> bool:
    """Whether a map of ``n_located`` points shows counts instead of markers."""
    return n_located > max_points


LIST_LIMIT = 5_000   # rows sent to the browser table; downloads always hold the full selection


def _timestamp(value: Any) -> pd.Timestamp | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    stamp = pd.Timestamp(value)
    return None if pd.isna(stamp) else stamp


def format_when(starts_at: Any, ends_at: Any = None, all_day: Any = False, lang: str = "nl") -> str:
    """A meet-up's date and time for people in the interface language (``mapping.i18n.format``):
    '3 jul 2025 10:00–11:30' (nl) or '3 Jul 2025 10:00–11:30' (en); all-day events show the date
    only; '' without a start."""
    start = _timestamp(starts_at)
    if start is None:
        return ""
    end = _timestamp(ends_at)
    if bool(all_day) and not (isinstance(all_day, float) and math.isnan(all_day)):
        text = fmt.date(start, lang)
        if end is not None and end.date() != start.date():
            text += " – " + fmt.date(end, lang)
        return text
    text = fmt.datetime(start.to_pydatetime(), lang)
    if end is not None and end > start:
        text += ("–" + fmt.time(end.to_pydatetime(), lang)) if end.date() == start.date() \
            else (" – " + fmt.datetime(end.to_pydatetime(), lang))
    return text


def list_frame(records: pd.DataFrame, lang: str, theme_labels: dict[str, str],
               region_names: dict[str, str], limit: int = LIST_LIMIT) -> pd.DataFrame:
    """The sortable list of the selection: one row per record (index = record id) with name,
    kind, themes, place, gemeente, date, website and whether it is on the map. Plain text only:
    the page shows it with ``st.dataframe``, which never interprets HTML or Markdown."""
    shown = records.head(limit)
    on_map = shown["lat"].notna() & shown["lon"].notna() if len(shown) else pd.Series(dtype=bool)

    def themes_text(value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return ", ".join(theme_labels.get(code, code) for code in list(value))

    frame = pd.DataFrame({
        "name": shown["name"].astype(str),
        "kind": [kind_label(kind, lang) for kind in shown["kind"]],
        "themes": [themes_text(value) for value in shown["themes"]],
        "place": shown["place"].where(shown["place"].notna(), ""),
        "gemeente": [region_names.get(code, "") if isinstance(code, str) else "" for code in shown["gemeente_code"]],
        "when": [format_when(s, e, a, lang) for s, e, a in zip(shown["starts_at"], shown["ends_at"], shown["all_day"])],
        "on_map": on_map.to_numpy(dtype=bool) if len(shown) else [],
        # only http(s) links become clickable (never javascript: or data: from an old import)
        "website": [url if isinstance(url, str) and valid_url(url) else None for url in shown["website"]],
    })
    frame.index = pd.Index(shown["id"].astype(str), name="id")
    return frame


def online_meetups(records: pd.DataFrame) -> pd.DataFrame:
    """Online meet-ups of the selection (no point on the map), soonest first."""
    if records.empty:
        return records
    online = records[(records["kind"] == "meetup") & records["online"].fillna(False).astype(bool)]
    return online.sort_values(["starts_at", "name"], na_position="last")


# Curation notes that the data files keep in a source title's brackets for the people who curate
# them ("seeds/001_….txt, geen URL in de bron"): never shown to the public (#18.3).
INTERNAL_SOURCE_NOTES = ("seeds/", "geen url in de bron", "titel niet in de bron", ".txt")


def public_source_title(title: Any) -> str:
    """The source's public name: the title with internal curation notes taken out of its
    bracketed remarks; public remarks (publisher, issue) stay, an empty bracket goes."""
    text = "" if title is None or (isinstance(title, float) and math.isnan(title)) else str(title).strip()
    opening = text.find("(")
    if opening < 0 or not text.endswith(")"):
        return text
    head, remark = text[:opening].rstrip(), text[opening + 1:-1]
    kept = []
    for part in remark.split(";"):
        pieces = [p.strip() for p in part.split(",")
                  if p.strip() and not any(note in p.lower() for note in INTERNAL_SOURCE_NOTES)]
        if pieces:
            kept.append(", ".join(pieces))
    return f"{head} ({'; '.join(kept)})" if kept else head
