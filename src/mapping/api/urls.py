"""The addresses of the API, feeds and calendars for an area and themes (pure; for the pages)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from mapping.queries import Filter


def app_base(page_url: str | None) -> str:
    """The app's root URL (ending in ``/``) from the URL of one of its pages: the page name is the
    last path segment, so a base path (``server.baseUrlPath``) is kept."""
    if not page_url:
        return "/"
    parts = urlsplit(page_url)
    path = parts.path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{path}" if parts.netloc else path


def _area_path(flt: Filter) -> str:
    level = flt.region_level
    return f"{level}/{flt.region_code}" if level else "nederland"


def _themes_query(flt: Filter) -> list[tuple[str, str]]:
    return [("thema", theme) for theme in flt.themes]


def feed_url(base: str, flt: Filter) -> str:
    query = urlencode(_themes_query(flt))
    return f"{base}feeds/{_area_path(flt)}.atom" + (f"?{query}" if query else "")


def calendar_url(base: str, flt: Filter) -> str:
    query = urlencode(_themes_query(flt))
    return f"{base}feeds/{_area_path(flt)}/bijeenkomsten.ics" + (f"?{query}" if query else "")


def items_url(base: str, flt: Filter, collection: str = "initiatives", **extra: str) -> str:
    params: list[tuple[str, str]] = []
    if flt.region_level:
        params.append((flt.region_level, flt.region_code or ""))
    params += _themes_query(flt)
    params += list(extra.items())
    query = urlencode(params)
    return f"{base}api/v1/collections/{collection}/items" + (f"?{query}" if query else "")


def follow_urls(base: str, flt: Filter) -> dict[str, str]:
    """What "Volg dit gebied" offers: feed, calendar and API address of the filter's area and themes."""
    return {"feed": feed_url(base, flt), "calendar": calendar_url(base, flt), "api": items_url(base, flt)}
