"""The served HTML shell (``<html lang>``, ``<title>``) and the map documents' own language,
title and zoomable viewport; numbers per language in distances and gap figures."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from mapping import gapmap, maps, network, web_shell

SHELL = '<!doctype html>\n<html lang="en">\n<head><title>Streamlit</title></head><body><div id="root"></div></body></html>'


def client() -> TestClient:
    app = Starlette(routes=[Route("/", lambda request: HTMLResponse(SHELL, headers={"ETag": '"abc"'})),
                            Route("/kaart", lambda request: HTMLResponse(SHELL)),
                            Route("/api", lambda request: JSONResponse({"html": '<html lang="en">'}))],
                    middleware=[Middleware(web_shell.ShellMiddleware)])
    return TestClient(app)


def test_shell_is_dutch_by_default_and_english_on_request():
    with client() as http:
        dutch = http.get("/")
        english = http.get("/kaart?gemeente=GM0579&lang=en")
    assert '<html lang="nl">' in dutch.text and "<title>Zorgzame Buurten Kaart</title>" in dutch.text
    assert '<html lang="en">' in english.text
    assert int(dutch.headers["content-length"]) == len(dutch.content)
    # the body differs per language: no validator of the unmodified file, no stale cache
    assert "etag" not in dutch.headers and dutch.headers["cache-control"] == "no-cache"


def test_other_responses_pass_untouched():
    with client() as http:
        response = http.get("/api?lang=nl")
    assert response.json() == {"html": '<html lang="en">'}


def test_unknown_language_falls_back_to_dutch():
    assert web_shell.language_of_query(b"lang=fr") == "nl"
    assert web_shell.language_of_query("lang=en&x=1") == "en"


def test_page_title_names_the_page_first():
    assert web_shell.page_title("Kaart") == "Kaart – Zorgzame Buurten Kaart"
    assert web_shell.page_title("") == "Zorgzame Buurten Kaart"


def test_map_document_has_language_title_and_allows_zoom():
    html = maps.render_html(maps.base_map(lang="en"))
    assert '<html lang="en">' in html and "<title>Map</title>" in html
    assert "user-scalable=no" not in html and "maximum-scale" not in html
    dutch = maps.render_html(maps.base_map(lang="nl", title="Overzichtskaart"))
    assert '<html lang="nl">' in dutch and "<title>Overzichtskaart</title>" in dutch


def test_legend_is_folded_by_default():
    legend = maps.Legend("Legenda")
    legend.add_entry("<i></i>", "Initiatieven")
    assert legend.inner_html().startswith("<details><summary>Legenda</summary>")


def test_distances_and_gap_numbers_follow_the_language():
    assert network.format_km(1.3, "nl") == "1,3 km" and network.format_km(1.3, "en") == "1.3 km"
    assert network.format_km(12.4, "en") == "12 km"
    assert network.format_km(0.05, "nl") == "< 0,1 km"
    assert gapmap.fmt(12345.6, "nl", 1) == "12.345,6"
    assert gapmap.fmt(12345.6, "en", 1) == "12,345.6"
