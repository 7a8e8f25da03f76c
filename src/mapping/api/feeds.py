"""Atom feeds of new and changed public records, written with ``feedgen`` (pure: rows in, bytes out)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pandas as pd

from mapping.api.features import kaart_url
from mapping.i18n import kind_label, t

SUMMARY_LENGTH = 400


def _utc(value: Any) -> datetime:
    moment = pd.Timestamp(value).to_pydatetime()
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.astimezone().astimezone(timezone.utc)


def _clean(text: Any) -> str:
    """Text for XML: control characters (not allowed in XML 1.0) out."""
    value = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    return "".join(ch for ch in value if ch in "\n\t" or ord(ch) >= 32 and ch not in "\x7f\ufffe\uffff")


def atom(rows: list[dict[str, Any]], *, title: str, self_url: str, base: str, lang: str,
         since: datetime | None = None, updated: datetime | None = None) -> bytes:
    """An Atom feed: one entry per record (newest first), linking to the record on the Kaart page.
    ``since``: entries created after it read "New", others "Changed"."""
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(_clean(title))
    feed.subtitle(t("feed.subtitle", lang))
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=f"{base}kaart", rel="alternate", type="text/html")
    feed.author({"name": "Zorgzame Buurten Kaart"})
    feed.rights(t("api.licence", lang))
    feed.language(lang)
    feed.generator("Zorgzame Buurten Kaart (feedgen)")
    stamps = [_utc(row["updated_at"]) for row in rows if row.get("updated_at") is not None]
    feed.updated(max(stamps) if stamps else (updated or datetime(2000, 1, 1, tzinfo=timezone.utc)))
    # feedgen prepends entries: add the oldest first so the newest is on top
    for row in reversed(rows):
        entry = feed.add_entry()
        link = kaart_url(base, str(row["id"]))
        entry.id(link)
        is_new = row.get("created_at") is not None and _utc(row["created_at"]) >= _utc(row["updated_at"]) - pd.Timedelta(seconds=1)
        state = t("feed.entry.created" if is_new else "feed.entry.updated", lang)
        where = f" – {_clean(row['place'])}" if row.get("place") else ""
        entry.title(f"{state}: {_clean(row['name'])} ({kind_label(str(row['kind']), lang).lower()}){where}")
        entry.link(href=link, rel="alternate", type="text/html")
        entry.updated(_utc(row["updated_at"]))
        entry.published(_utc(row.get("created_at") or row["updated_at"]))
        description = _clean(row.get("description"))
        if description:
            entry.summary(description[:SUMMARY_LENGTH] + ("…" if len(description) > SUMMARY_LENGTH else ""))
        for theme in list(row.get("themes") if row.get("themes") is not None else []):
            entry.category(term=str(theme))
    return feed.atom_str(pretty=True)
