"""The Overzicht page's data: totals, the national map and the two lists, at any number of records.

Everything here is a bounded amount of data, whatever the database holds: the map gets at most
``max_points`` points or else counts per gemeente (:func:`mapping.queries.map_data`), the list of
records without a location is cut at ``list_limit`` rows (with the full count beside it). That is
what keeps the first page of the dashboard quick at 1M records.

The national map's HTML is kept in the database (``page_cache``) under a fingerprint of the data
version and the code that draws it: a restarted dashboard shows it without importing folium or
loading the spatial extension, and any change to the data or to the code draws it anew.
:func:`prepare` draws it right after a build.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from mapping import queries, regions
from mapping.listing import MAX_POINTS
from mapping.queries import Filter, MapData
from mapping.store import Store

LIST_LIMIT = 50        # records without a location listed on the page; the Kaart page has them all


@dataclass(frozen=True)
class Overview:
    totals: dict[str, int]              # approved records per kind
    map: MapData                        # what the national map draws
    provincie_outlines: dict            # GeoJSON FeatureCollection
    per_provincie: pd.DataFrame         # queries.counts_by_provincie
    without_location: pd.DataFrame      # first ``LIST_LIMIT`` records without a point (LIST_COLUMNS)
    n_without_location: int

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def overview(store: Store, *, max_points: int = MAX_POINTS, list_limit: int = LIST_LIMIT) -> Overview:
    everything = Filter()
    data = queries.map_data(store, everything, max_points=max_points, level="gemeente")
    return Overview(
        totals=queries.counts_by_kind(store, everything),
        map=data,
        provincie_outlines=regions.outlines_geojson(store, "provincie"),
        per_provincie=queries.counts_by_provincie(store),
        without_location=queries.records(store, everything, located=False, limit=list_limit),
        n_without_location=data.n_records - data.n_located,
    )


def render_map(data: Overview, lang: str) -> str:
    """The national map as one standalone HTML document (local assets only)."""
    from mapping import maps

    fmap = maps.overview_map(data.map.points, data.provincie_outlines, lang, region_counts=data.map.region_counts,
                             max_points=data.map.max_points, n_located=data.map.n_located,
                             n_records=data.map.n_records)
    return maps.render_html(fmap)


@functools.cache
def code_fingerprint() -> str:
    """Changes with any source file of this package or the folium version (what draws the map)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    for distribution in ("folium", "branca"):
        try:
            digest.update(metadata.version(distribution).encode())
        except metadata.PackageNotFoundError:
            pass
    return digest.hexdigest()[:16]


def map_html(store: Store, data: Overview, lang: str) -> str:
    """:func:`render_map`, kept in the database while the data and the code stay the same."""
    name = f"overview_map:{lang}:{data.map.max_points}"
    fingerprint = f"{store.get_meta('data_version') or '0'}:{code_fingerprint()}"
    html = store.cached_page(name, fingerprint)
    if html is None:
        html = render_map(data, lang)
        store.cache_page(name, fingerprint, html)
    return html


def prepare(store: Store, *, max_points: int = MAX_POINTS, languages: tuple[str, ...] = ("nl", "en")) -> None:
    """Draw and keep the national map in every language (after a build, so the first start is quick)."""
    data = overview(store, max_points=max_points)
    for lang in languages:
        map_html(store, data, lang)
