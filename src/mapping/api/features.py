"""Pure serializers: query frames → GeoJSON features, link objects, change entries.

Only the public columns of :data:`mapping.exports.PUBLIC_COLUMNS` (plus ``updated``) reach a
feature; ``properties.url`` is the record on the Kaart page, the same link a person would open.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pandas as pd

from mapping import exports
from mapping.api.params import utc_text

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KIND_COLLECTIONS = {"initiatives": "initiative", "providers": "provider", "networks": "network", "meetups": "meetup"}
COLLECTION_OF_KIND = {kind: name for name, kind in KIND_COLLECTIONS.items()}
COLLECTIONS = (*KIND_COLLECTIONS, "links", "regions")


def kaart_url(base: str, record_id: str) -> str:
    """The Kaart page with this record selected (``base`` ends with ``/``)."""
    return f"{base}kaart?{urlencode({'id': record_id})}"


def item_url(base: str, collection: str, item_id: str) -> str:
    return f"{base}api/v1/collections/{collection}/items/{quote(item_id, safe='')}"


def _local_rfc3339(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    moment = pd.Timestamp(value).to_pydatetime()
    return moment.replace(tzinfo=AMSTERDAM).isoformat()


def record_feature(row: dict[str, Any], base: str) -> dict[str, Any]:
    public = {column: row[column] for column in exports.PUBLIC_COLUMNS if column in row}
    lat, lon = public.pop("lat", None), public.pop("lon", None)
    geometry = None
    if lat is not None and lon is not None and not pd.isna(lat) and not pd.isna(lon):
        geometry = {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]}
    properties = {column: exports.json_value(column, value) for column, value in public.items()}
    for column in ("starts_at", "ends_at"):
        if column in properties:
            properties[column] = _local_rfc3339(public[column])
    properties["updated"] = utc_text(row.get("updated_at"))
    properties["collection"] = COLLECTION_OF_KIND.get(str(row.get("kind")), None)
    properties["url"] = kaart_url(base, str(row["id"]))
    return {"type": "Feature", "id": str(row["id"]), "geometry": geometry, "properties": properties}


def link_feature(row: dict[str, Any], base: str) -> dict[str, Any]:
    """A link as a Feature with a LineString between its ends (null when an end has no point)."""
    points = [(row.get("from_lon"), row.get("from_lat")), (row.get("to_lon"), row.get("to_lat"))]
    geometry = None
    if all(v is not None and not pd.isna(v) for point in points for v in point):
        geometry = {"type": "LineString",
                    "coordinates": [[round(float(lon), 6), round(float(lat), 6)] for lon, lat in points]}
    properties = {
        "relation": row["relation"],
        "from_id": row["from_id"], "from_name": row.get("from_name"), "from_kind": row.get("from_kind"),
        "to_id": row["to_id"], "to_name": row.get("to_name"), "to_kind": row.get("to_kind"),
        "source": exports.json_value("source", row.get("source")),
        "source_date": exports.json_value("source_date", row.get("source_date")),
        "note": exports.json_value("note", row.get("note")),
        "from_url": kaart_url(base, str(row["from_id"])),
        "to_url": kaart_url(base, str(row["to_id"])),
    }
    return {"type": "Feature", "id": str(row["id"]), "geometry": geometry, "properties": properties}


def region_feature(row: dict[str, Any], base: str) -> dict[str, Any]:
    try:
        geometry = json.loads(row["display_geojson"]) if row.get("display_geojson") else None
    except ValueError:
        geometry = None
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    properties = {key: exports.json_value(key, row.get(key)) for key in
                  ("code", "name", "level", "provincie_code", "gemeente_code", "zorgkantoorregio_code", "year",
                   "source")}
    properties["feed"] = f"{base}feeds/{row['level']}/{row['code']}.atom"
    properties["calendar"] = f"{base}feeds/{row['level']}/{row['code']}/bijeenkomsten.ics"
    return {"type": "Feature", "id": str(row["code"]), "geometry": geometry, "properties": properties}


def change_entry(row: dict[str, Any], base: str) -> dict[str, Any]:
    entity, item_id = row["entity"], str(row["id"])
    collection = "links" if entity == "link" else COLLECTION_OF_KIND.get(str(row["kind"]))
    entry = {"entity": entity, "id": item_id, "collection": collection, "change": row["change"],
             "changed_at": utc_text(row["changed_at"])}
    if row["change"] != "withdrawn" and collection:
        entry["href"] = item_url(base, collection, item_id)
        if entity == "record":
            entry["url"] = kaart_url(base, item_id)
    return entry


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if _missing(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and value != value


def changed_at_key(value: Any) -> str:
    """The exact database timestamp of a change, as text for the cursor."""
    return pd.Timestamp(value).isoformat()


def parse_changed_at_key(text: str) -> datetime:
    return pd.Timestamp(text).to_pydatetime()
