"""The routes: handlers that parse, query (through :mod:`mapping.queries`) and serialise."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mapping import config, exports, queries
from mapping.api import feeds, features, openapi
from mapping.api.http import RateLimiter, endpoint
from mapping.api.params import (COMMON_PARAMS, FILTER_PARAMS, LEVELS, PAGE_PARAMS, KnownValues, Query,
                                bad_parameter, check_known, decode_cursor, encode_cursor, limit, output_format,
                                parse_instant, record_filter, server_time)
from mapping.api.problems import ApiProblem
from mapping.i18n import t
from mapping.queries import Filter
from mapping.store import Store, open_store

GEOJSON = "application/geo+json"
JSON = "application/json"
FEED_ENTRIES = 50
CALENDAR_PAST_DAYS = 30
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


# -- the store and what it knows ----------------------------------------------------------------

_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def default_store() -> Store:
    """The app's database, opened once per process for the API (never created here: the first
    visitor of the dashboard builds it, and until then the API answers 503). In server mode the
    PostgreSQL store of ``MAPPING_DATABASE_URL`` / ``[database] url``, as the pages use."""
    url = config.database_url()
    target = url or str(config.db_path())
    with _stores_lock:
        store = _stores.get(target)
        if store is None:
            store = open_store(database_url=url, create=False) if url else \
                Store(target, create=False, lazy_spatial=True)
            _stores[target] = store
    if store.get_meta("built_at") is None:
        from mapping.store import StoreError

        raise StoreError("The database is still being built.")
    return store


_known: dict[tuple[str, str], KnownValues] = {}


def known_values(store: Store) -> KnownValues:
    key = (store.path, store.get_meta("data_version") or "0")
    found = _known.get(key)
    if found is None:
        found = KnownValues(regions=frozenset(queries.region_codes(store)),
                            themes=frozenset(queries.themes(store)["code"]))
        _known.clear()
        _known[key] = found
    return found


def base_url(request: Request) -> str:
    base = str(request.base_url)
    return base if base.endswith("/") else base + "/"


def json_response(body: Any, media_type: str = JSON, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, default=str), status_code=status, media_type=media_type,
                    headers=headers)


def _with_query(url: str, params: dict[str, Any] | list[tuple[str, str]]) -> str:
    items = params.items() if isinstance(params, dict) else params
    kept = [(k, v) for k, v in items if v not in (None, "")]
    return url + ("?" + urlencode(kept) if kept else "")


# -- landing, conformance, OpenAPI, collections -------------------------------------------------

def landing(request: Request, store: Store, lang: str) -> Response:
    check_known(Query(request.query_params.multi_items()), COMMON_PARAMS)
    base = base_url(request)
    api = f"{base}api/v1"
    return json_response({
        "title": t("api.title", lang),
        "description": t("api.description", lang),
        "links": [
            {"href": f"{api}/", "rel": "self", "type": JSON, "title": t("api.title", lang)},
            {"href": f"{api}/openapi.json", "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0"},
            {"href": f"{base}open_data", "rel": "service-doc", "type": "text/html"},
            {"href": f"{api}/conformance", "rel": "conformance", "type": JSON},
            {"href": f"{api}/collections", "rel": "data", "type": JSON},
            {"href": f"{api}/changes", "rel": "changes", "type": JSON},
            {"href": f"{base}feeds/nederland.atom", "rel": "alternate", "type": "application/atom+xml"},
            {"href": "https://creativecommons.org/licenses/by/4.0/", "rel": "license", "type": "text/html"},
        ],
    })


def conformance(request: Request, store: Store, lang: str) -> Response:
    check_known(Query(request.query_params.multi_items()), COMMON_PARAMS)
    return json_response({"conformsTo": CONFORMANCE})


def openapi_document(request: Request, store: Store, lang: str) -> Response:
    check_known(Query(request.query_params.multi_items()), COMMON_PARAMS)
    return json_response(openapi.document(base_url(request), known_values(store)),
                         media_type="application/vnd.oai.openapi+json;version=3.0")


def _collection(name: str, base: str, lang: str) -> dict[str, Any]:
    items = f"{base}api/v1/collections/{name}/items"
    links = [{"href": f"{base}api/v1/collections/{name}", "rel": "self", "type": JSON},
             {"href": items, "rel": "items", "type": GEOJSON},
             {"href": "https://creativecommons.org/licenses/by/4.0/", "rel": "license", "type": "text/html"}]
    if name in features.KIND_COLLECTIONS:
        links.append({"href": f"{items}?f=csv", "rel": "alternate", "type": "text/csv"})
    return {"id": name, "title": t(f"api.collection.{name}", lang), "itemType": "feature",
            "extent": {"spatial": {"bbox": [[3.2, 50.7, 7.3, 53.6]], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"], "links": links}


def collections(request: Request, store: Store, lang: str) -> Response:
    check_known(Query(request.query_params.multi_items()), COMMON_PARAMS)
    base = base_url(request)
    themes = queries.themes(store)
    return json_response({
        "links": [{"href": f"{base}api/v1/collections", "rel": "self", "type": JSON}],
        "collections": [_collection(name, base, lang) for name in features.COLLECTIONS],
        "themes": [{"code": row["code"], "title": row["label_nl" if lang == "nl" else "label_en"]}
                   for row in themes.to_dict("records")],
    })


def _collection_name(request: Request) -> str:
    name = request.path_params["collection"]
    if name not in features.COLLECTIONS:
        raise ApiProblem(404, "not_found", "api.problem.not_found", what=f"collection {name[:40]}")
    return name


def collection(request: Request, store: Store, lang: str) -> Response:
    check_known(Query(request.query_params.multi_items()), COMMON_PARAMS)
    return json_response(_collection(_collection_name(request), base_url(request), lang))


# -- items ----------------------------------------------------------------------------------------

def _page_links(request: Request, query: Query, rows: list[dict[str, Any]], key: str, *, more_after: bool,
                more_before: bool, media_type: str) -> list[dict[str, Any]]:
    url = str(request.url).split("?")[0]
    keep = [(k, v) for k, v in query.items if k != "cursor"]
    links = [{"href": _with_query(url, query.items), "rel": "self", "type": media_type}]
    if rows and more_after:
        links.append({"href": _with_query(url, keep + [("cursor", encode_cursor("a", [str(rows[-1][key])]))]),
                      "rel": "next", "type": media_type})
    if rows and more_before:
        links.append({"href": _with_query(url, keep + [("cursor", encode_cursor("b", [str(rows[0][key])]))]),
                      "rel": "prev", "type": media_type})
    return links


def items(request: Request, store: Store, lang: str) -> Response:
    name = _collection_name(request)
    query = Query(request.query_params.multi_items())
    base = base_url(request)
    if name == "regions":
        return _region_items(request, query, store, base)
    check_known(query, (*FILTER_PARAMS, *PAGE_PARAMS, *COMMON_PARAMS))
    kind = features.KIND_COLLECTIONS.get(name)
    fmt = output_format(query, csv_allowed=kind is not None)
    flt = record_filter(query, known_values(store), kind=kind)
    if fmt == "csv":
        return Response(queries.export_csv(store, flt), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="zorgzame-buurten-{name}.csv"'})
    size = limit(query)
    cursor = decode_cursor(query.get("cursor"))
    after = cursor[1][0] if cursor and cursor[0] == "a" else None
    before = cursor[1][0] if cursor and cursor[0] == "b" else None
    if kind is None:   # links
        frame, matched = queries.links_page(store, flt, after=after, before=before, limit=size + 1)
        rows = features.records(frame)
        rows, more = _trim(rows, size, before is not None)
        feats = [features.link_feature(row, base) for row in rows]
    else:
        rows = queries.records_page(store, flt, after=after, before=before, limit=size + 1)
        matched = queries.count_records(store, flt)
        rows, more = _trim(rows, size, before is not None)
        feats = [features.record_feature(row, base) for row in rows]
    # more in the paging direction is known from the extra row; the other direction exists when
    # the page started from a cursor
    more_after = more if before is None else bool(rows)
    more_before = (after is not None and bool(rows)) if before is None else more
    body = {
        "type": "FeatureCollection",
        "features": feats,
        "numberMatched": matched,
        "numberReturned": len(feats),
        "timeStamp": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": _page_links(request, query, rows, "id", more_after=more_after, more_before=more_before,
                             media_type=GEOJSON)
                 + ([{"href": _with_query(str(request.url).split("?")[0],
                                          [(k, v) for k, v in query.items if k not in ("f", "cursor", "limit")]
                                          + [("f", "csv")]),
                      "rel": "alternate", "type": "text/csv"}] if kind else []),
    }
    return json_response(body, GEOJSON)


def _trim(rows: list[dict[str, Any]], size: int, backwards: bool) -> tuple[list[dict[str, Any]], bool]:
    """Drop the one extra row fetched to know whether there is more (at the far end of the direction)."""
    if len(rows) <= size:
        return rows, False
    return (rows[1:], True) if backwards else (rows[:size], True)


def _region_items(request: Request, query: Query, store: Store, base: str) -> Response:
    check_known(query, ("level", "provincie", "gemeente", "zorgkantoorregio", *PAGE_PARAMS, *COMMON_PARAMS))
    output_format(query, csv_allowed=False)
    level = query.get("level").strip().lower() or None
    if level is not None and level not in LEVELS:
        raise bad_parameter("level", "api.hint.level")
    parents = [(name, query.get(name).strip().upper()) for name in ("provincie", "gemeente", "zorgkantoorregio")
               if query.get(name).strip()]
    if len(parents) > 1:
        raise bad_parameter(parents[1][0])
    known = known_values(store)
    for name, code in parents:
        if code not in known.regions or not code.startswith({"provincie": "PV", "gemeente": "GM",
                                                              "zorgkantoorregio": "ZK"}[name]):
            raise bad_parameter(name, "api.hint.code")
    size = limit(query)
    cursor = decode_cursor(query.get("cursor"))
    after = cursor[1][0] if cursor and cursor[0] == "a" else None
    before = cursor[1][0] if cursor and cursor[0] == "b" else None
    frame, matched = queries.regions_page(store, level=level, parent=parents[0] if parents else None,
                                          after=after, before=before, limit=size + 1)
    rows, more = _trim(features.records(frame), size, before is not None)
    more_after = more if before is None else bool(rows)
    more_before = (after is not None and bool(rows)) if before is None else more
    return json_response({
        "type": "FeatureCollection",
        "features": [features.region_feature(row, base) for row in rows],
        "numberMatched": matched,
        "numberReturned": len(rows),
        "links": _page_links(request, query, rows, "code", more_after=more_after, more_before=more_before,
                             media_type=GEOJSON),
    }, GEOJSON)


def item(request: Request, store: Store, lang: str) -> Response:
    name = _collection_name(request)
    check_known(Query(request.query_params.multi_items()), COMMON_PARAMS)
    item_id = request.path_params["item_id"]
    base = base_url(request)
    kind = features.KIND_COLLECTIONS.get(name)
    feature = None
    if kind:
        rows = features.records(queries.public_record(store, item_id))
        if rows and rows[0]["kind"] == kind:
            feature = features.record_feature(rows[0], base)
    elif name == "links":
        rows = features.records(queries.public_link(store, item_id))
        feature = features.link_feature(rows[0], base) if rows else None
    else:
        rows = features.records(queries.region(store, item_id))
        feature = features.region_feature(rows[0], base) if rows else None
    if feature is None:
        raise ApiProblem(404, "not_found", "api.problem.not_found", what=f"{name}/{item_id[:80]}")
    feature["links"] = [
        {"href": features.item_url(base, name, item_id), "rel": "self", "type": GEOJSON},
        {"href": f"{base}api/v1/collections/{name}", "rel": "collection", "type": JSON},
    ]
    if kind:
        feature["links"].append({"href": feature["properties"]["url"], "rel": "alternate", "type": "text/html"})
    return json_response(feature, GEOJSON)


# -- changes --------------------------------------------------------------------------------------

def changes(request: Request, store: Store, lang: str) -> Response:
    query = Query(request.query_params.multi_items())
    check_known(query, ("since", *PAGE_PARAMS, *COMMON_PARAMS))
    raw_since = query.get("since").strip()
    if not raw_since:
        raise ApiProblem(400, "bad_parameter", "api.problem.missing_parameter", name="since",
                         hint_key="api.hint.timestamp")
    since = server_time(parse_instant(raw_since, "since"))
    size = limit(query)
    cursor = decode_cursor(query.get("cursor"), size=3)
    after = None
    if cursor:
        if cursor[0] != "a" or cursor[1][1] not in ("record", "link"):
            raise bad_parameter("cursor", "api.hint.cursor")
        try:
            after = (features.parse_changed_at_key(cursor[1][0]), cursor[1][1], cursor[1][2])
        except ValueError as exc:
            raise bad_parameter("cursor", "api.hint.cursor") from exc
    frame = queries.changes(store, since, after=after, limit=size + 1)
    rows = features.records(frame)
    more = len(rows) > size
    rows = rows[:size]
    base = base_url(request)
    url = f"{base}api/v1/changes"
    keep = [(k, v) for k, v in query.items if k != "cursor"]
    links = [{"href": _with_query(url, query.items), "rel": "self", "type": JSON}]
    if more:
        last = rows[-1]
        token = encode_cursor("a", [features.changed_at_key(last["changed_at"]), last["entity"], str(last["id"])])
        links.append({"href": _with_query(url, keep + [("cursor", token)]), "rel": "next", "type": JSON})
    return json_response({
        "since": raw_since,
        "changes": [features.change_entry(row, base) for row in rows],
        "numberReturned": len(rows),
        "links": links,
    })


# -- full dataset ---------------------------------------------------------------------------------

def dataset(request: Request, store: Store, lang: str) -> Response:
    check_known(Query(request.query_params.multi_items()), COMMON_PARAMS)
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "geojson"):
        raise ApiProblem(404, "not_found", "api.problem.not_found", what=request.url.path[:80])
    if fmt == "csv":
        body, media = queries.export_csv(store), "text/csv; charset=utf-8"
    else:
        body, media = exports.to_geojson(queries.export_records(store, Filter())), GEOJSON
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="zorgzame-buurten.{fmt}"'})


# -- feeds and calendars --------------------------------------------------------------------------

def _area(request: Request, store: Store, lang: str) -> tuple[Filter, str, str]:
    """(filter, area name, path part) of a feed URL; 400 for an unknown level or code."""
    from mapping.api.params import area, themes_only

    query = Query(request.query_params.multi_items())
    check_known(query, ("thema", *COMMON_PARAMS))
    known = known_values(store)
    level = request.path_params.get("level")
    if level is None:
        flt, name = Filter(), t("feed.nederland", lang)
    else:
        code = request.path_params["code"]
        flt = area(level, code, known)
        name = queries.region_label(store, flt.region_code) or flt.region_code
    flt = themes_only(query, known, flt)
    if flt.themes:
        name = t("feed.themes", lang, area=name, themes=", ".join(flt.themes))
    return flt, name, request.url.path


def atom_feed(request: Request, store: Store, lang: str) -> Response:
    flt, name, _ = _area(request, store, lang)
    rows = features.records(queries.recent_records(store, flt, limit=FEED_ENTRIES))
    body = feeds.atom(rows, title=t("feed.title", lang, area=name), self_url=str(request.url),
                      base=base_url(request), lang=lang)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def calendar(request: Request, store: Store, lang: str) -> Response:
    flt, name, _ = _area(request, store, lang)
    flt = replace(flt, kinds=("meetup",), date_from=date.today() - timedelta(days=CALENDAR_PAST_DAYS))
    body = exports.to_ics(queries.export_records(store, flt), lang, name=t("calendar.title", lang, area=name))
    return Response(body, media_type="text/calendar; charset=utf-8")


def method_not_allowed(request: Request, store: Store, lang: str) -> Response:
    raise ApiProblem(405, "method", "api.problem.method", headers={"Allow": "GET, HEAD, OPTIONS"})


# -- the route table ------------------------------------------------------------------------------

def routes(*, get_store: Callable[[], Store] | None = None, limiter: RateLimiter | None = None) -> list[BaseRoute]:
    """The Starlette routes for ``st.App(routes=...)``: ``get_store`` gives the database
    (default: the app's file, see :func:`default_store`), ``limiter`` the per-client rate limit
    (default: ``MAPPING_API_RATE`` or 120 per minute)."""
    provider = get_store or default_store
    limits = limiter or RateLimiter.from_env()
    read = ["GET", "HEAD", "OPTIONS"]

    def route(path: str, handler: Callable[[Request, Store, str], Response]) -> Route:
        return Route(path, endpoint(handler, get_store=provider, limiter=limits), methods=read)

    table = [
        ("/api/v1", landing), ("/api/v1/", landing), ("/api/v1/conformance", conformance),
        ("/api/v1/openapi.json", openapi_document), ("/api/v1/collections", collections),
        ("/api/v1/collections/{collection}", collection), ("/api/v1/collections/{collection}/items", items),
        ("/api/v1/collections/{collection}/items/{item_id}", item), ("/api/v1/changes", changes),
        ("/api/v1/dataset/zorgzame-buurten.{fmt:str}", dataset),
        ("/feeds/nederland.atom", atom_feed), ("/feeds/nederland/bijeenkomsten.ics", calendar),
        ("/feeds/{level}/{code}.atom", atom_feed), ("/feeds/{level}/{code}/bijeenkomsten.ics", calendar),
    ]
    return [route(path, handler) for path, handler in table]
