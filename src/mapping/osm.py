"""OpenStreetMap as a source: Overpass API JSON and overpass-turbo GeoJSON exports → records.

Tags become kind and themes by ``data/osm_tags.csv`` (first matching row wins; ``*`` matches any
value). ``name``, ``addr:*``, ``website`` and ``opening_hours`` are carried over; ways and areas
become their centroid; every point is an OSM-mapped location (precision ``address``). Each record's
id is ``osm-{type}-{id}`` and its source ``https://www.openstreetmap.org/{type}/{id}``, so a newer
export updates the records whose element changed and withdraws those whose element vanished, all in
one import batch (undoable like any other). OSM data is ODbL: :func:`attribution` gives the line a
page must show next to such records.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from mapping import config, imports
from mapping.ingest import ImportFileError
from mapping.records import clean_text
from mapping.store import Store

TAGS_FILE = "osm_tags.csv"
SOURCE_PREFIX = "https://www.openstreetmap.org/"
ELEMENT_TYPES = ("node", "way", "relation")
COLUMNS = ["id", "name", "kind", "themes", "address", "postcode", "place", "website", "description",
           "source", "source_title", "lat", "lon", "location_precision"]


@dataclass(frozen=True)
class TagRule:
    key: str
    value: str
    kind: str
    themes: tuple[str, ...]


def read_tag_rules(data_dir: Path | None = None) -> list[TagRule]:
    path = (data_dir or config.data_dir()) / TAGS_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        return [TagRule(r["key"], r["value"], r["kind"], tuple(t for t in r["themes"].split(";") if t))
                for r in csv.DictReader(handle)]


def classify(tags: dict[str, str], rules: list[TagRule]) -> TagRule | None:
    for rule in rules:
        value = tags.get(rule.key)
        if value is not None and (rule.value == "*" or rule.value == value):
            return rule
    return None


def source_url(element_type: str, element_id: Any) -> str:
    return f"{SOURCE_PREFIX}{element_type}/{element_id}"


def is_osm_source(url: Any) -> bool:
    return isinstance(url, str) and url.startswith(SOURCE_PREFIX)


def attribution(sources: Iterable[Any], lang: str = "nl") -> str | None:
    """The ODbL attribution line when any of ``sources`` (record source URLs) is OpenStreetMap;
    pages showing records call this with the sources of what they show."""
    from mapping.i18n import t

    return t("osm.attribution", lang) if any(is_osm_source(s) for s in sources) else None



def has_public_osm_records(store: Store) -> bool:
    """True when an approved (public) record comes from OpenStreetMap: then every page, export and
    feed that shows the records carries :func:`attribution` (ODbL 4.3)."""
    return bool(store.scalar("SELECT count(*) FROM public_records WHERE source LIKE ?", [SOURCE_PREFIX + "%"]))


def public_attribution(store: Store, lang: str = "nl") -> str | None:
    """The attribution line for what the public views show, or None without OpenStreetMap records."""
    from mapping.i18n import t

    return t("osm.attribution", lang) if has_public_osm_records(store) else None

# -- geometry -------------------------------------------------------------------------------------

def _centroid(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """(lat, lon) centroid of a closed ring (area) or of a line's points."""
    from shapely.geometry import LineString, Point, Polygon

    points = [(lon, lat) for lat, lon in points]
    if not points:
        return None
    if len(points) >= 4 and points[0] == points[-1]:
        centre = Polygon(points).centroid
    elif len(points) >= 2:
        centre = LineString(points).centroid
    else:
        centre = Point(points[0])
    return (centre.y, centre.x) if not centre.is_empty else None


def _geojson_centroid(geometry: dict) -> tuple[float, float] | None:
    from shapely.geometry import shape

    try:
        centre = shape(geometry).centroid
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    return (centre.y, centre.x) if not centre.is_empty else None


# -- reading ----------------------------------------------------------------------------------------

@dataclass
class Element:
    type: str
    id: str
    tags: dict[str, str]
    lat: float | None
    lon: float | None


def _overpass_elements(document: dict) -> list[Element]:
    nodes = {e["id"]: (e["lat"], e["lon"]) for e in document["elements"]
             if isinstance(e, dict) and e.get("type") == "node" and "lat" in e and "lon" in e}
    ways: dict[Any, list[tuple[float, float]]] = {}
    for e in document["elements"]:
        if isinstance(e, dict) and e.get("type") == "way":
            if isinstance(e.get("geometry"), list):
                ways[e.get("id")] = [(p["lat"], p["lon"]) for p in e["geometry"] if p]
            else:
                ways[e.get("id")] = [nodes[n] for n in e.get("nodes", []) if n in nodes]
    out: list[Element] = []
    for e in document["elements"]:
        if not isinstance(e, dict) or e.get("type") not in ELEMENT_TYPES or not e.get("tags"):
            continue                        # untagged nodes are the corners of ways
        point = None
        if e["type"] == "node":
            point = (e.get("lat"), e.get("lon"))
        elif isinstance(e.get("center"), dict):
            point = (e["center"].get("lat"), e["center"].get("lon"))
        elif e["type"] == "way":
            point = _centroid(ways.get(e.get("id"), []))
        else:
            corners = [p for m in e.get("members", []) if m.get("type") == "way" for p in ways.get(m.get("ref"), [])]
            corners += [(p["lat"], p["lon"]) for m in e.get("members", []) for p in (m.get("geometry") or [])]
            point = _centroid(corners) if corners else None
            if point and corners:           # a multipolygon's outer ring is not closed as one list
                from shapely.geometry import MultiPoint

                hull = MultiPoint([(lon, lat) for lat, lon in corners]).convex_hull.centroid
                point = (hull.y, hull.x)
        lat, lon = point if point else (None, None)
        out.append(Element(e["type"], str(e.get("id")), {str(k): str(v) for k, v in e["tags"].items()}, lat, lon))
    return out


def _turbo_elements(document: dict) -> list[Element]:
    out: list[Element] = []
    for feature in document["features"]:
        if not isinstance(feature, dict):
            continue
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        ident = str(properties.get("@id") or feature.get("id") or "")
        if "/" in ident:
            element_type, element_id = ident.split("/", 1)
            tags = {k: v for k, v in properties.items() if not k.startswith("@")}
        else:                               # older overpass-turbo: {type, id, tags: {...}}
            element_type, element_id = str(properties.get("type") or ""), str(properties.get("id") or "")
            tags = properties.get("tags") if isinstance(properties.get("tags"), dict) else {}
        if element_type not in ELEMENT_TYPES or not element_id:
            continue
        point = _geojson_centroid(feature["geometry"]) if isinstance(feature.get("geometry"), dict) else None
        lat, lon = point if point else (None, None)
        out.append(Element(element_type, element_id, {str(k): str(v) for k, v in tags.items()}, lat, lon))
    return out


def read_elements(data: bytes) -> list[Element]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ImportFileError(f"The file is not valid JSON ({str(exc)[:80]}). Export it again from "
                              "overpass-turbo (Export → GeoJSON) or the Overpass API ([out:json]).") from None
    if isinstance(document, dict) and isinstance(document.get("elements"), list):
        return _overpass_elements(document)
    if isinstance(document, dict) and isinstance(document.get("features"), list):
        return _turbo_elements(document)
    raise ImportFileError("This is neither Overpass API JSON (with 'elements') nor a GeoJSON FeatureCollection. "
                          "Export it again from overpass-turbo (Export → GeoJSON) or the Overpass API ([out:json]).")


def element_row(element: Element, rules: list[TagRule]) -> tuple[list[Any], bool]:
    """A row in :data:`COLUMNS` order, and whether a tag rule matched."""
    tags = element.tags
    rule = classify(tags, rules)
    street = " ".join(p for p in (tags.get("addr:street"), tags.get("addr:housenumber")) if p)
    description = clean_text(tags.get("description"))
    if tags.get("opening_hours"):
        hours = f"Openingstijden (OpenStreetMap): {clean_text(tags['opening_hours'])}"
        description = f"{description}\n{hours}" if description else hours
    row = [f"osm-{element.type}-{element.id}", tags.get("name") or tags.get("official_name") or "",
           rule.kind if rule else "", ";".join(rule.themes) if rule else "", street,
           tags.get("addr:postcode", ""), tags.get("addr:city") or tags.get("addr:place") or "",
           tags.get("website") or tags.get("contact:website") or "", description,
           source_url(element.type, element.id), "OpenStreetMap", element.lat, element.lon,
           "address" if element.lat is not None else ""]
    return row, rule is not None


# -- importing --------------------------------------------------------------------------------------

@dataclass
class OsmReport(imports.ImportReport):
    withdrawn: list[str] = field(default_factory=list)


def osm_table(name: str, data: bytes, rules: list[TagRule]) -> imports.Table:
    elements = read_elements(data)
    records = []
    for element in elements:
        row, matched = element_row(element, rules)
        if not matched:
            row[2] = "osm:" + ",".join(f"{k}={v}" for k, v in sorted(element.tags.items())
                                       if k in {r.key for r in rules})[:60]
        records.append(row)
    return imports._tabular(name, "osm", COLUMNS, records, None, ",", "utf-8")


def import_osm(store: Store, path: Path | str, *, content: bytes | None = None, actor: str = "import",
               dry_run: bool = False, now: datetime | None = None, data_dir: Path | None = None) -> OsmReport:
    """Import an OSM export as approved records; update changed elements, withdraw vanished ones."""
    path = Path(path)
    data = content if content is not None else path.read_bytes()
    table = osm_table(path.name, data, read_tag_rules(data_dir))
    in_file = {clean_text(row.get("id")) for row in table.rows}
    vanished = [r[0] for r in store.rows(
        "SELECT id FROM records WHERE origin = 'import' AND status IN ('approved', 'pending') "
        "AND id LIKE 'osm-%' AND source_url LIKE ?", [SOURCE_PREFIX + "%"]) if r[0] not in in_file]
    withdrawn: list[str] = []

    def withdraw(cur, store: Store, batch_id: str, now: datetime) -> None:
        withdrawn.clear()
        for record_id in vanished:
            done = cur.execute("UPDATE records SET status = 'archived', updated_at = ? WHERE id = ? "
                               "AND status IN ('approved', 'pending') RETURNING id", [now, record_id]).fetchall()
            if done:
                withdrawn.append(record_id)
                cur.execute("INSERT INTO import_batch_records (batch_id, record_id, action, status, stamp) "
                            "VALUES (?, ?, 'withdraw', 'archived', ?)", [batch_id, record_id, now])
                store.add_revision(cur, "record", record_id, "withdraw", actor,
                                   {"batch": batch_id, "reason": "element no longer in the OpenStreetMap export"})

    base = imports.import_table(store, table, actor=actor, status="approved", dry_run=dry_run,
                                update_existing=True, source="osm", now=now,
                                extra_write=None if dry_run else withdraw)
    report = OsmReport(**{f: getattr(base, f) for f in imports.ImportReport.__dataclass_fields__})
    report.withdrawn = list(vanished) if dry_run else withdrawn
    return report
