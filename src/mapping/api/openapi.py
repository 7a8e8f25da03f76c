"""The OpenAPI 3.0 description of the API (validated in a test with openapi-spec-validator)."""

from __future__ import annotations

from typing import Any

from mapping.api.params import DEFAULT_LIMIT, MAX_LIMIT, KnownValues

COLLECTIONS = ("initiatives", "providers", "networks", "meetups", "links", "regions")
RECORD_COLLECTIONS = ("initiatives", "providers", "networks", "meetups")


def _param(name: str, description: str, schema: dict[str, Any], *, where: str = "query",
           required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema, **extra}


def _code(name: str, pattern: str, example: str) -> dict[str, Any]:
    return _param(name, f"CBS code of the {name} (only records in it)", {"type": "string", "pattern": pattern},
                  example=example)


def _problem_responses() -> dict[str, Any]:
    problem = {"description": "Problem (RFC 9457), title/detail in Dutch or English, both under i18n",
               "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return {"400": problem, "404": problem,
            "429": {**problem, "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                           "description": "seconds to wait"}}},
            "503": problem}


def _ok(description: str, media: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description,
            "headers": {"ETag": {"schema": {"type": "string"}, "description": "send back as If-None-Match"}},
            "content": {media: {"schema": schema or {"type": "object"}}}}


def document(base: str, known: KnownValues | None = None) -> dict[str, Any]:
    themes = sorted(known.themes) if known else []
    lang = _param("lang", "language of titles and problems", {"type": "string", "enum": ["nl", "en"]})
    limit = _param("limit", f"items per page (default {DEFAULT_LIMIT}, larger values are capped at {MAX_LIMIT})",
                   {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT})
    cursor = _param("cursor", "opaque: take it from a 'next' or 'prev' link", {"type": "string"})
    thema = _param("thema", "theme code (repeatable, or comma-separated): records with any of them",
                   {"type": "array", "items": {"type": "string", **({"enum": themes} if themes else {})}},
                   style="form", explode=True)
    filters = [
        _param("bbox", "min_lon,min_lat,max_lon,max_lat (WGS84)", {"type": "array", "items": {"type": "number"},
                                                                    "minItems": 4, "maxItems": 4},
               style="form", explode=False),
        _code("provincie", "^PV\\d{2}$", "PV28"), _code("gemeente", "^GM\\d{4}$", "GM0546"),
        _code("wijk", "^WK\\d{6}$", "WK054600"), _code("zorgkantoorregio", "^ZK\\d{2}$", "ZK18"),
        thema,
        _param("q", "search text in name, description and place (accents and case ignored)",
               {"type": "string", "maxLength": 100}),
        _param("datetime", "meet-ups on this day or in this interval (RFC 3339, '..' = open end)",
               {"type": "string"}, example="2025-07-01/2025-07-31"),
        _param("updated_since", "records created or changed since this instant (RFC 3339)",
               {"type": "string", "format": "date-time"}),
    ]
    fmt = _param("f", "json (GeoJSON, default) or csv (the whole selection, record collections only)",
                 {"type": "string", "enum": ["json", "csv"]})
    collection = _param("collection", "collection id", {"type": "string", "enum": list(COLLECTIONS)}, where="path",
                        required=True)
    errors = _problem_responses()
    paths: dict[str, Any] = {
        "/api/v1/": {"get": {"summary": "Landing page", "operationId": "landing", "parameters": [lang],
                             "responses": {"200": _ok("links to the API", "application/json"), **errors}}},
        "/api/v1/conformance": {"get": {"summary": "Conformance classes", "operationId": "conformance",
                                        "responses": {"200": _ok("conformsTo", "application/json"), **errors}}},
        "/api/v1/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
                                         "responses": {"200": _ok("OpenAPI 3.0",
                                                                  "application/vnd.oai.openapi+json;version=3.0")}}},
        "/api/v1/collections": {"get": {"summary": "The collections and the theme codes", "operationId": "collections",
                                        "parameters": [lang],
                                        "responses": {"200": _ok("collections", "application/json"), **errors}}},
        "/api/v1/collections/{collection}": {"get": {
            "summary": "One collection", "operationId": "collection", "parameters": [collection, lang],
            "responses": {"200": _ok("collection", "application/json"), **errors}}},
        "/api/v1/collections/{collection}/items": {"get": {
            "summary": "Items of a collection (GeoJSON FeatureCollection), filtered, paginated",
            "description": "Filters have the semantics of the Kaart page. Regions take level and one "
                           "of provincie, gemeente or zorgkantoorregio instead of the record filters.",
            "operationId": "items", "parameters": [collection, *filters, limit, cursor, fmt, lang],
            "responses": {"200": {**_ok("FeatureCollection", "application/geo+json",
                                        {"$ref": "#/components/schemas/FeatureCollection"}),
                                  "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}},
                                              "text/csv": {"schema": {"type": "string"}}}},
                          "304": {"description": "not modified (If-None-Match matched the ETag)"}, **errors}}},
        "/api/v1/collections/{collection}/items/{item_id}": {"get": {
            "summary": "One item", "operationId": "item",
            "parameters": [collection, _param("item_id", "record id, link id or region code", {"type": "string"},
                                              where="path", required=True), lang],
            "responses": {"200": _ok("Feature", "application/geo+json", {"$ref": "#/components/schemas/Feature"}),
                          **errors}}},
        "/api/v1/changes": {"get": {
            "summary": "Records and links created, changed or withdrawn since a moment, oldest first",
            "operationId": "changes",
            "parameters": [_param("since", "RFC 3339 instant", {"type": "string", "format": "date-time"},
                                  required=True, example="2025-01-01T00:00:00Z"), limit, cursor, lang],
            "responses": {"200": _ok("changes", "application/json", {"$ref": "#/components/schemas/Changes"}),
                          **errors}}},
        "/api/v1/dataset/zorgzame-buurten.{format}": {"get": {
            "summary": "The whole open dataset", "operationId": "dataset",
            "parameters": [_param("format", "file format", {"type": "string", "enum": ["csv", "geojson"]},
                                  where="path", required=True)],
            "responses": {"200": {"description": "file", "content": {"text/csv": {"schema": {"type": "string"}},
                                                                      "application/geo+json": {"schema": {"type": "object"}}}},
                          **errors}}},
        "/feeds/nederland.atom": {"get": {
            "summary": "Atom feed of new and changed records in the Netherlands", "operationId": "feedNational",
            "parameters": [thema, lang],
            "responses": {"200": _ok("Atom 1.0", "application/atom+xml", {"type": "string"}), **errors}}},
        "/feeds/{level}/{code}.atom": {"get": {
            "summary": "Atom feed of new and changed records in one area", "operationId": "feedArea",
            "parameters": [_param("level", "area level", {"type": "string", "enum": ["provincie", "gemeente", "wijk",
                                                                                   "zorgkantoorregio"]},
                                  where="path", required=True),
                           _param("code", "CBS code", {"type": "string"}, where="path", required=True), thema, lang],
            "responses": {"200": _ok("Atom 1.0", "application/atom+xml", {"type": "string"}), **errors}}},
        "/feeds/nederland/bijeenkomsten.ics": {"get": {
            "summary": "Calendar of upcoming and recent meet-ups (last 30 days)", "operationId": "calendarNational",
            "parameters": [thema, lang],
            "responses": {"200": _ok("iCalendar", "text/calendar", {"type": "string"}), **errors}}},
        "/feeds/{level}/{code}/bijeenkomsten.ics": {"get": {
            "summary": "Calendar of upcoming and recent meet-ups of one area", "operationId": "calendarArea",
            "parameters": [_param("level", "area level", {"type": "string", "enum": ["provincie", "gemeente", "wijk",
                                                                                   "zorgkantoorregio"]},
                                  where="path", required=True),
                           _param("code", "CBS code", {"type": "string"}, where="path", required=True), thema, lang],
            "responses": {"200": _ok("iCalendar", "text/calendar", {"type": "string"}), **errors}}},
    }
    link = {"type": "object", "required": ["href", "rel"],
            "properties": {"href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
                           "title": {"type": "string"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Zorgzame Buurten Kaart – open data API", "version": "1.0.0",
                 "description": "Approved records and public fields only (never contact details), shaped as "
                                "OGC API – Features. Records: CC BY 4.0. Rate limit per client with 429 and "
                                "Retry-After; ETag/If-None-Match; CORS for GET.",
                 "license": {"name": "CC BY 4.0 (data)", "url": "https://creativecommons.org/licenses/by/4.0/"}},
        "servers": [{"url": base.rstrip("/")}],
        "paths": paths,
        "components": {"schemas": {
            "Link": link,
            "Problem": {"type": "object", "required": ["type", "title", "status"],
                        "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                                       "status": {"type": "integer"}, "detail": {"type": "string"},
                                       "instance": {"type": "string"}, "parameter": {"type": "string"},
                                       "i18n": {"type": "object"}}},
            "Feature": {"type": "object", "required": ["type", "geometry", "properties"],
                        "properties": {"type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string"},
                                       "geometry": {"type": "object", "nullable": True},
                                       "properties": {"type": "object", "properties": {
                                           "url": {"type": "string", "description": "the record on the Kaart page"}}}}},
            "FeatureCollection": {"type": "object", "required": ["type", "features"],
                                  "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                                                 "features": {"type": "array",
                                                              "items": {"$ref": "#/components/schemas/Feature"}},
                                                 "numberMatched": {"type": "integer"},
                                                 "numberReturned": {"type": "integer"},
                                                 "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}}}},
            "Changes": {"type": "object", "properties": {
                "since": {"type": "string"},
                "changes": {"type": "array", "items": {"type": "object", "properties": {
                    "entity": {"type": "string", "enum": ["record", "link"]}, "id": {"type": "string"},
                    "collection": {"type": "string"}, "change": {"type": "string",
                                                                 "enum": ["created", "updated", "withdrawn"]},
                    "changed_at": {"type": "string", "format": "date-time"}, "href": {"type": "string"}}}},
                "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}}}},
        }},
    }
