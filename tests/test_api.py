"""The open data API, feeds and calendars through the real routes of the app (Starlette's
TestClient on the ``st.App`` of app.py, with its lifespan), and once against ``streamlit run``."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from datetime import date, datetime, timedelta

import feedparser
import httpx
import icalendar
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from conftest import PROJECT, AppServer
from mapping import api, exports, moderation, queries, submissions
from mapping.api.http import RateLimiter
from mapping.queries import Filter

BASE = "http://testserver/"
ITEMS = "/api/v1/collections/{}/items"
ROTTERDAM = "GM0599"
PRIVATE = {
    "name": "Buurtkamer Geheimhof", "kind": "initiative", "themes": ["buurthulp"],
    "description": "Nog niet goedgekeurd.", "postcode": "3024 AB", "place": "", "online": False,
    "website": "https://geheimhof.example.nl", "contact_name": "Fatima de Vries",
    "contact_email": "fatima.private@example.org", "consent": True,
}


@pytest.fixture(scope="module")
def client(tmp_path_factory, built_db):
    """The app's own ASGI app (app.py's ``st.App``) with its lifespan running."""
    mp = pytest.MonkeyPatch()
    mp.setenv("MAPPING_API_RATE", "100000/60")      # the rate limit has its own test below
    mp.setenv("MAPPING_DB", str(built_db))
    spec = importlib.util.spec_from_file_location("app_under_test", PROJECT / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with TestClient(module.app) as test_client:
        yield test_client
    mp.undo()


@pytest.fixture
def web(client, db_path, monkeypatch):
    """The client, answering from this test's private database copy."""
    monkeypatch.setenv("MAPPING_DB", str(db_path))
    return client


def approved_ids(store, kind=None, gemeente=None):
    """A second, plain computation: approved records straight from the records table."""
    sql, params = "SELECT id FROM records WHERE status = 'approved'", []
    if kind:
        sql, params = sql + " AND kind = ?", [*params, kind]
    if gemeente:
        sql, params = sql + " AND gemeente_code = ?", [*params, gemeente]
    return sorted(row[0] for row in store.rows(sql, params))


def submit(store, **changes):
    checked = submissions.check(store, {**PRIVATE, **changes})
    assert checked.ok, checked.errors
    return submissions.create_submission(store, checked)


# -- shape ----------------------------------------------------------------------------------------

def test_landing_conformance_collections_and_a_valid_openapi_document(web):
    from openapi_spec_validator import validate

    landing = web.get("/api/v1/").json()
    rels = {link["rel"]: link["href"] for link in landing["links"]}
    assert rels["service-desc"] == BASE + "api/v1/openapi.json" and rels["data"] == BASE + "api/v1/collections"
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in web.get("/api/v1/conformance").json()["conformsTo"]
    names = [c["id"] for c in web.get("/api/v1/collections").json()["collections"]]
    assert names == ["initiatives", "providers", "networks", "meetups", "links", "regions"]
    document = web.get("/api/v1/openapi.json").json()
    validate(document)                                    # raises on an invalid OpenAPI 3 document
    assert "/api/v1/collections/{collection}/items" in document["paths"]


def test_items_of_a_gemeente_are_its_approved_initiatives_with_kaart_links(web, store):
    response = web.get(ITEMS.format("initiatives"), params={"gemeente": ROTTERDAM})
    assert response.status_code == 200 and response.headers["content-type"] == "application/geo+json"
    body = response.json()
    expected = approved_ids(store, "initiative", ROTTERDAM)
    assert len(expected) == 9
    assert sorted(f["id"] for f in body["features"]) == expected
    assert body["numberMatched"] == body["numberReturned"] == 9
    feature = body["features"][0]
    assert feature["properties"]["url"] == f"{BASE}kaart?id={feature['id']}"
    lon, lat = feature["geometry"]["coordinates"]
    assert 4.3 < lon < 4.6 and 51.8 < lat < 52.0          # Rotterdam, GeoJSON order lon, lat
    one = web.get(f"/api/v1/collections/initiatives/items/{feature['id']}").json()
    assert one["properties"]["name"] == feature["properties"]["name"]
    assert web.get("/api/v1/collections/providers/items/" + feature["id"]).status_code == 404   # wrong collection


def test_cursor_pages_walk_every_record_once_and_back(web, store):
    url, seen, pages = ITEMS.format("initiatives") + "?limit=4", [], []
    while url:
        body = web.get(url).json()
        assert body["numberMatched"] == len(approved_ids(store, "initiative"))
        pages.append(body)
        seen += [f["id"] for f in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert seen == approved_ids(store, "initiative") and len(seen) == len(set(seen))
    assert not any(link["rel"] == "prev" for link in pages[0]["links"])
    prev = next(link["href"] for link in pages[1]["links"] if link["rel"] == "prev")
    assert [f["id"] for f in web.get(prev).json()["features"]] == [f["id"] for f in pages[0]["features"]]


def test_filters_share_the_kaart_semantics(web, store):
    theme = "voorzorgcirkel"
    body = web.get(ITEMS.format("initiatives"), params=[("thema", theme), ("thema", "zorgcooperatie")]).json()
    expected = queries.records(store, Filter(kinds=("initiative",), themes=(theme, "zorgcooperatie")))["id"]
    assert sorted(f["id"] for f in body["features"]) == sorted(expected)
    assert all({theme, "zorgcooperatie"} & set(f["properties"]["themes"]) for f in body["features"])
    # bbox around Rotterdam: only located records inside it
    boxed = web.get(ITEMS.format("initiatives"), params={"bbox": "4.3,51.85,4.6,52.0"}).json()["features"]
    assert boxed and all(4.3 <= f["geometry"]["coordinates"][0] <= 4.6 for f in boxed)
    assert {f["id"] for f in boxed} <= set(approved_ids(store, "initiative", ROTTERDAM))
    found = web.get(ITEMS.format("initiatives"), params={"q": "wijkpaleis"}).json()["features"]
    assert [f["id"] for f in found] == ["het-wijkpaleis"]
    meetups = web.get(ITEMS.format("meetups"), params={"datetime": "2025-07-01/2025-07-31"}).json()["features"]
    assert [f["id"] for f in meetups] == ["online-sparsessie-2025-07-03"]
    assert meetups[0]["properties"]["starts_at"] == "2025-07-03T10:00:00+02:00"


def test_csv_alternate_is_the_kaart_download_of_the_same_selection(web, store):
    response = web.get(ITEMS.format("initiatives"), params={"gemeente": ROTTERDAM, "f": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    expected = exports.to_csv(queries.export_records(store, Filter(kinds=("initiative",), gemeente=ROTTERDAM)))
    assert response.content == expected
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(r["id"] for r in rows) == approved_ids(store, "initiative", ROTTERDAM)


def test_engine_csv_equals_the_python_writer_for_every_record(store):
    assert queries.export_csv(store) == exports.to_csv(queries.export_records(store, Filter()))


def test_links_and_regions_collections(web, store):
    links = web.get(ITEMS.format("links"), params={"limit": 1000}).json()
    assert links["numberMatched"] == int(store.scalar("SELECT count(*) FROM links")) == len(links["features"])
    regions = web.get(ITEMS.format("regions"), params={"level": "provincie"}).json()
    assert regions["numberMatched"] == 12
    zuid = web.get("/api/v1/collections/regions/items/PV28").json()
    assert zuid["properties"]["name"] == "Zuid-Holland" and zuid["geometry"]["type"] in ("Polygon", "MultiPolygon")


# -- HTTP -----------------------------------------------------------------------------------------

def test_etag_304_cache_and_cors(web, store):
    first = web.get(ITEMS.format("initiatives"), params={"gemeente": ROTTERDAM})
    etag = first.headers["etag"]
    assert first.headers["access-control-allow-origin"] == "*" and "max-age" in first.headers["cache-control"]
    again = web.get(ITEMS.format("initiatives"), params={"gemeente": ROTTERDAM}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = web.get(ITEMS.format("initiatives"), params={"gemeente": "GM0579"}, headers={"If-None-Match": etag})
    assert other.status_code == 200                     # another query, another ETag
    store.bump_data_version()                           # the data changed: the old ETag is stale
    fresh = web.get(ITEMS.format("initiatives"), params={"gemeente": ROTTERDAM}, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    preflight = web.options(ITEMS.format("initiatives"), headers={"Origin": "https://gemeente.example",
                                                                  "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204 and "GET" in preflight.headers["access-control-allow-methods"]


HOSTILE = [
    (ITEMS.format("initiatives"), {"gemeente": "GM9999"}, "gemeente"),
    (ITEMS.format("initiatives"), {"provincie": "'; DROP TABLE records; --"}, "provincie"),
    (ITEMS.format("initiatives"), {"bbox": "4,52,3,51"}, "bbox"),
    (ITEMS.format("initiatives"), {"bbox": "nan,1,2,3"}, "bbox"),
    (ITEMS.format("initiatives"), {"bbox": "1,2,3"}, "bbox"),
    (ITEMS.format("initiatives"), {"limit": "-1"}, "limit"),
    (ITEMS.format("initiatives"), {"limit": "abc"}, "limit"),
    (ITEMS.format("meetups"), {"datetime": "gisteren"}, "datetime"),
    (ITEMS.format("meetups"), {"datetime": "2025-13-45"}, "datetime"),
    (ITEMS.format("meetups"), {"datetime": "../.."}, "datetime"),
    (ITEMS.format("initiatives"), {"updated_since": "2025-02-30T00:00:00Z"}, "updated_since"),
    (ITEMS.format("initiatives"), {"thema": "<script>alert(1)</script>"}, "thema"),
    (ITEMS.format("initiatives"), {"q": "x" * 101}, "q"),
    (ITEMS.format("initiatives"), {"cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
    (ITEMS.format("initiatives"), {"cursor": "%%%"}, "cursor"),
    (ITEMS.format("initiatives"), {"f": "xml"}, "f"),
    (ITEMS.format("links"), {"f": "csv"}, "f"),
    (ITEMS.format("initiatives"), {"gemente": "GM0599"}, "gemente"),
    (ITEMS.format("regions"), {"level": "land"}, "level"),
    ("/api/v1/changes", {}, "since"),
    ("/api/v1/changes", {"since": "yesterday"}, "since"),
    ("/feeds/gemeente/GM9999.atom", {}, "gemeente"),
    ("/feeds/land/NL.atom", {}, "level"),
    ("/feeds/gemeente/GM0599/bijeenkomsten.ics", {"thema": "<b>"}, "thema"),
]


@pytest.mark.parametrize("path, params, name", HOSTILE)
def test_hostile_parameters_are_400_problems_in_dutch_and_english(web, path, params, name):
    for lang, word in (("nl", "parameter"), ("en", "parameter")):
        response = web.get(path, params={**params, "lang": lang})
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == 400 and problem["parameter"] == name
        assert word in problem["detail"] and "Traceback" not in response.text and "<script" not in response.text
        assert problem["i18n"]["nl"]["title"] == "Ongeldige parameter"
        assert problem["i18n"]["en"]["title"] == "Invalid parameter"
        assert response.headers["content-language"] == lang


def test_unknown_collection_and_item_are_404_problems(web):
    assert web.get("/api/v1/collections/secrets/items").status_code == 404
    missing = web.get("/api/v1/collections/initiatives/items/does-not-exist", params={"lang": "en"})
    assert missing.status_code == 404 and missing.json()["title"] == "Not found"


def test_rate_limit_answers_429_with_retry_after(built_db, tmp_path, monkeypatch):
    monkeypatch.setenv("MAPPING_DB", str(built_db))
    app = Starlette(routes=api.routes(limiter=RateLimiter(rate=3, window=60)))
    with TestClient(app) as limited:
        codes = [limited.get("/api/v1/conformance").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = limited.get("/api/v1/conformance", params={"lang": "en"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.headers["content-type"] == "application/problem+json"
        assert "Try again in" in refused.json()["detail"]


def test_rate_limit_refills_per_client():
    clock = [0.0]
    limiter = RateLimiter(rate=2, window=10, clock=lambda: clock[0])
    assert [limiter.retry_after("a"), limiter.retry_after("a")] == [0, 0]
    assert limiter.retry_after("a") == 5                 # one token per 5 s
    assert limiter.retry_after("b") == 0                 # another client has its own bucket
    clock[0] = 5.0
    assert limiter.retry_after("a") == 0


# -- privacy --------------------------------------------------------------------------------------

def test_a_pending_sign_up_with_contact_email_appears_in_no_endpoint(web, store):
    receipt = submit(store)
    assert store.scalar("SELECT status FROM records WHERE id = ?", [receipt.record_id]) == "pending"
    paths = ["/api/v1/", "/api/v1/collections", "/api/v1/openapi.json", "/api/v1/changes?since=2000-01-01&limit=1000",
             "/feeds/nederland.atom", "/feeds/gemeente/GM0599.atom", "/feeds/nederland/bijeenkomsten.ics",
             "/api/v1/dataset/zorgzame-buurten.csv", "/api/v1/dataset/zorgzame-buurten.geojson"]
    paths += [ITEMS.format(name) + "?limit=1000" for name in ("initiatives", "providers", "networks", "meetups", "links")]
    paths += [ITEMS.format("initiatives") + "?f=csv", "/api/v1/collections/regions/items?limit=1000"]
    for path in paths:
        response = web.get(path)
        assert response.status_code == 200, path
        for secret in ("fatima", "Fatima", "Geheimhof", "geheimhof", receipt.record_id, receipt.reference):
            assert secret not in response.text, (path, secret)
    # asked for by name or id: nothing
    assert web.get(ITEMS.format("initiatives"), params={"q": "geheimhof"}).json()["features"] == []
    assert web.get(f"/api/v1/collections/initiatives/items/{receipt.record_id}").status_code == 404


# -- changes --------------------------------------------------------------------------------------

def test_changes_list_new_changed_and_withdrawn_records_oldest_first(web, store):
    before = datetime.now() - timedelta(seconds=1)
    since = before.astimezone().isoformat()
    assert web.get("/api/v1/changes", params={"since": since}).json()["changes"] == []
    moderation.archive_record(store, "het-wijkpaleis", "moderator", "Gestopt volgens de website.")
    receipt = submit(store, name="Buurtkamer Nieuwhof", website="https://nieuwhof.example.nl",
                     contact_email="someone@example.org")
    pending = web.get("/api/v1/changes", params={"since": since}).json()["changes"]
    assert [(c["id"], c["change"]) for c in pending if c["entity"] == "record"] == [("het-wijkpaleis", "withdrawn")]
    moderation.approve(store, receipt.reference, "moderator")
    entries = web.get("/api/v1/changes", params={"since": since}).json()["changes"]
    records = [(c["id"], c["change"]) for c in entries if c["entity"] == "record"]
    assert records == [("het-wijkpaleis", "withdrawn"), (receipt.record_id, "created")]
    withdrawn_links = {c["id"] for c in entries if c["entity"] == "link"}
    touching = {row[0] for row in store.rows(
        "SELECT id FROM record_links WHERE status = 'approved' AND 'het-wijkpaleis' IN (from_id, to_id)")}
    assert touching and withdrawn_links >= touching     # its links left the public view with it
    created = next(c for c in entries if c["id"] == receipt.record_id)
    assert web.get(created["href"].removeprefix("http://testserver")).json()["properties"]["name"] == "Buurtkamer Nieuwhof"
    assert "fatima" not in json.dumps(entries) and "someone@" not in json.dumps(entries)


def test_changes_paginate_without_gaps(web, store):
    everything = web.get("/api/v1/changes", params={"since": "2000-01-01T00:00:00Z", "limit": 1000}).json()["changes"]
    assert len(everything) == len(approved_ids(store)) + int(store.scalar("SELECT count(*) FROM links"))
    url, walked = "/api/v1/changes?since=2000-01-01T00:00:00Z&limit=7", []
    while url:
        body = web.get(url).json()
        walked += [(c["entity"], c["id"]) for c in body["changes"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert walked == [(c["entity"], c["id"]) for c in everything]


# -- feeds and calendars --------------------------------------------------------------------------

def test_area_feed_is_valid_atom_with_kaart_links(web, store):
    response = web.get(f"/feeds/gemeente/{ROTTERDAM}.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert "Rotterdam" in feed.feed.title
    ids = sorted(entry.link.split("id=")[1] for entry in feed.entries)
    assert ids == approved_ids(store, gemeente=ROTTERDAM)
    assert all(entry.link.startswith(BASE + "kaart?id=") for entry in feed.entries)
    themed = feedparser.parse(web.get("/feeds/nederland.atom", params={"thema": "zorgcooperatie"}).content)
    assert not themed.bozo and themed.entries
    assert all("zorgcooperatie" in {tag.term for tag in entry.tags} for entry in themed.entries)


def test_area_calendar_has_upcoming_meetups_with_the_online_link(web, store):
    start = datetime.combine(date.today() + timedelta(days=10), datetime.min.time()) + timedelta(hours=19)
    receipt = submit(store, name="Online buurtavond Rotterdam", kind="meetup", online=True,
                     meeting_url="https://meet.example.org/buurtavond", starts_at=start.isoformat(),
                     ends_at=(start + timedelta(hours=2)).isoformat(), postcode="3024 AB")
    moderation.approve(store, receipt.reference, "moderator")
    national = icalendar.Calendar.from_ical(web.get("/feeds/nederland/bijeenkomsten.ics").content)
    area = icalendar.Calendar.from_ical(web.get(f"/feeds/gemeente/{ROTTERDAM}/bijeenkomsten.ics").content)
    events = {str(e["uid"]): e for e in area.walk("VEVENT")}
    assert list(events) == [f"{receipt.record_id}@zorgzame-buurten-kaart"]   # the real ones are all past
    event = events[f"{receipt.record_id}@zorgzame-buurten-kaart"]
    assert str(event["url"]) == "https://meet.example.org/buurtavond" and str(event["location"]) == "Online"
    assert event.decoded("dtstart").replace(tzinfo=None) == start
    assert "Rotterdam" in str(area["x-wr-calname"])
    assert len(national.walk("VEVENT")) == 1
    assert web.get("/feeds/gemeente/GM0579/bijeenkomsten.ics").status_code == 200


# -- the real server ------------------------------------------------------------------------------

def test_streamlit_run_serves_the_api_and_feeds(db_path):
    server = AppServer(db_path, env={"MAPPING_API_RATE": "1000/60"})
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            items = http.get(ITEMS.format("initiatives"), params={"gemeente": ROTTERDAM})
            assert items.status_code == 200 and items.json()["numberMatched"] == 9
            assert items.json()["features"][0]["properties"]["url"].startswith(server.url + "/kaart?id=")
            assert not feedparser.parse(http.get("/feeds/nederland.atom").content).bozo
            assert http.get("/api/v1/collections/initiatives/items", params={"limit": "-1"}).status_code == 400
            assert http.get("/_stcore/health").status_code == 200          # Streamlit still serves itself
    finally:
        server.stop()
