"""The map pages in real headless Chromium, with no internet: what only a browser shows.

One app server for the module; every request that leaves 127.0.0.1 is blocked and recorded, so a
CDN dependency would show up as a missing map, and tile requests (OpenStreetMap is the default
background) fail exactly as they do offline.
"""

from __future__ import annotations

import csv
import io
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import AppServer, copy_db, map_frame
from mapping import queries
from mapping.queries import Filter
from mapping.store import Store

pytestmark = pytest.mark.browser

MARKER_TOOLTIPS_JS = """
() => {
  const out = [];
  for (const id in window.map._layers) {
    const layer = window.map._layers[id];
    if (window.ZB && layer instanceof ZB.KindLayer) {
      layer.getLayers().forEach(m => {
        const span = document.createElement('span');
        span.innerHTML = m.getTooltip().getContent();
        out.push(span.querySelector('b').textContent);
      });
    }
  }
  return out;
}
"""


TAG_MARKER_JS = """
(name) => {
  for (const id in window.map._layers) {
    const layer = window.map._layers[id];
    if (!(window.ZB && layer instanceof ZB.KindLayer)) continue;
    for (const m of layer.getLayers()) {
      if (m.getTooltip().getContent().includes(name) && m._icon) {
        m._icon.setAttribute('data-test-target', '1');
        return true;
      }
    }
  }
  return false;
}
"""


@pytest.fixture(scope="module")
def server(built_db, tmp_path_factory):
    app = AppServer(copy_db(built_db, tmp_path_factory.mktemp("kaart_browser")))
    yield app
    app.stop()


@pytest.fixture(scope="module")
def reference(built_db, tmp_path_factory):
    store = Store(copy_db(built_db, tmp_path_factory.mktemp("kaart_reference")))
    yield store
    store.close()


@pytest.fixture
def offline(page, server):
    """Block (and record) every request that does not go to the app itself."""
    blocked: list[str] = []
    local = f"http://127.0.0.1:{server.port}"

    def route(request_route):
        if request_route.request.url.startswith(local) or request_route.request.url.startswith("data:"):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    page.context.route("**/*", route)
    return blocked


def markers_frame(page):
    frame = map_frame(page)
    frame.wait_for_selector(".leaflet-marker-icon", timeout=60_000)
    return frame


def spiderfy(frame) -> list:
    """Click cluster bubbles until single markers show (records share a town point); a second
    click on a spiderfied cluster would fold it again, so stop as soon as markers are there."""
    for _ in range(4):
        markers = frame.query_selector_all(".zb-marker")
        if markers:
            return markers
        frame.query_selector_all(".zb-cluster")[0].click()
        time.sleep(1.2)
    return frame.query_selector_all(".zb-marker")


def test_oegstgeest_link_shows_only_oegstgeest_markers(page, server, offline, reference):
    page.goto(f"{server.url}/kaart?gemeente=GM0579")
    frame = markers_frame(page)
    expected = queries.records(reference, Filter(gemeente="GM0579")).dropna(subset=["lat"])
    assert sorted(frame.evaluate(MARKER_TOOLTIPS_JS)) == sorted(expected["name"])
    assert len(spiderfy(frame)) == len(expected)
    assert not [url for url in offline if url.endswith((".js", ".css"))]    # nothing from a CDN
    assert all("tile.openstreetmap.org" in url for url in offline)          # only background tiles failed
    # the chosen gemeente is outlined and named in the legend
    assert "Gekozen gebied: Oegstgeest" in frame.text_content(".zb-legend")   # folded by default


def test_click_on_a_marker_shows_its_details_and_links(page, server, offline, reference):
    page.goto(f"{server.url}/kaart?gemeente=GM0579")
    frame = markers_frame(page)
    spiderfy(frame)
    # find the drawn marker of this record and tag its element, then click it like a user does
    assert frame.evaluate(TAG_MARKER_JS, "Langer Zelfstandig Leven"), "marker not drawn"
    target = frame.wait_for_selector("[data-test-target='1']")
    target.click()       # Playwright checks that this very marker receives the click
    heading = page.get_by_role("heading", name="Langer Zelfstandig Leven")
    heading.wait_for(timeout=30_000)
    page.get_by_role("button", name="Selectie wissen").wait_for(timeout=30_000)   # panel fully drawn
    text = page.locator("[data-testid='stColumn']").filter(has=heading).last.inner_text()
    assert "Verbindingen" in text
    links = queries.record_links(reference, "langer-zelfstandig-leven")
    for name in links["other_name"]:
        assert name in text
    page.wait_for_function("() => location.search.includes('id=langer-zelfstandig-leven')", timeout=15_000)


def test_csv_download_has_the_selected_rows(page, server, offline, reference):
    page.goto(f"{server.url}/kaart?gemeente=GM0579&soort=initiative")
    markers_frame(page)
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="CSV (Excel)").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    data = open(download.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=";"))
    expected = queries.records(reference, Filter(gemeente="GM0579", kinds=("initiative",)))
    assert sorted(row["id"] for row in rows) == sorted(expected["id"])
    assert all(row["gemeente_naam"] == "Oegstgeest" for row in rows)


def test_choosing_a_row_opens_details_and_centres_the_map(page, server, offline):
    page.goto(f"{server.url}/kaart?gemeente=GM0579&soort=provider")
    markers_frame(page)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=30_000)
    time.sleep(1)                                            # the grid draws on a canvas after mounting
    grid.click(position={"x": 18, "y": 53})                  # row selector of the first (only) row
    page.get_by_role("heading", name="Jottem (Gemiva)").wait_for(timeout=30_000)
    page.wait_for_function("() => location.search.includes('id=jottem')", timeout=15_000)
    frame = map_frame(page)
    frame.wait_for_function("() => window.map.getZoom() >= 15", timeout=15_000)


def test_url_restores_filters_and_selection(page, server, offline):
    page.goto(f"{server.url}/kaart?gemeente=GM0579&thema=voorzorgcirkel&id=club-oegstgeest")
    markers_frame(page)
    page.get_by_role("heading", name="Club Oegstgeest").wait_for(timeout=30_000)
    query = parse_qs(urlparse(page.url).query)
    assert query["gemeente"] == ["GM0579"] and query["thema"] == ["voorzorgcirkel"] and query["id"] == ["club-oegstgeest"]


def test_embed_shows_no_sidebar_and_keeps_the_map(page, server, offline):
    page.goto(f"{server.url}/kaart?embed=1&gemeente=GM0579")
    frame = markers_frame(page)
    assert frame.query_selector_all(".leaflet-marker-icon")
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.count() == 0 or not sidebar.first.is_visible()
    assert not page.locator("[data-testid='stSidebarNav']").is_visible()
    assert page.get_by_text(re.compile("Vaste selectie.*Oegstgeest")).is_visible()


def test_overview_shows_markers_without_internet(page, server, offline):
    responses = []
    page.on("response", lambda response: responses.append((response.url, response.status)))
    page.goto(server.url)
    frame = markers_frame(page)
    assert frame.query_selector_all(".leaflet-marker-icon")
    assert frame.evaluate("() => typeof L === 'object' && typeof L.markerClusterGroup === 'function'")
    static = {url: status for url, status in responses if "/app/static/vendor/" in url}
    assert any(url.endswith("leaflet/leaflet.js") for url in static) and set(static.values()) == {200}
    assert offline == []                               # the overview needs nothing from outside
    page.screenshot(path=str(server.log.name).replace(".server.log", ".overview.png"))
