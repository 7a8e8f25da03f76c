"""The Verbindingen page in headless Chromium: link lines on the Leaflet map, hover text, the layer
toggle and the list of zorg-eilandjes. One app server for the whole module."""

from __future__ import annotations

import time

import pytest

from conftest import AppServer, copy_db, map_frame
from mapping.store import Store
from test_page_verbindingen import LZL_PARTNERS, add_approved_record

pytestmark = pytest.mark.browser

ISLAND = "Buurtcirkel Lange Voort"
HOSTILE = "<img src=x onerror=window.top.__pwned=1>`${document.title}`"
# Links of the Oegstgeest records whose both ends have a point (3 more lead to records without
# one), plus the test's link from Jottem to a record in Leiden, outside the filter. (Issue 15.8
# removed jottem → voorzorgcirkels-oegstgeest: an intention in the source, not a partnership.)
OEGSTGEEST_LINES = 8

TOOLTIPS_JS = """
() => {
  const map = Object.values(window).find(v => v && v instanceof L.Map);
  const found = [];
  map.eachLayer(layer => {
    if (layer instanceof L.Polyline && String(layer.options.className || '').includes('zbk-link')
        && layer.getTooltip()) {
      const box = document.createElement('div');
      box.innerHTML = layer.getTooltip().getContent();
      found.push(box.textContent.replace(/\\s+/g, ' ').trim());
    }
  });
  return found;
}
"""


@pytest.fixture(scope="module")
def server(built_db, tmp_path_factory, browser):
    db = copy_db(built_db, tmp_path_factory.mktemp("verbindingen_browser"))
    # one record without any link in Oegstgeest: the islands list must name it
    add_approved_record(db, "buurtcirkel-test", ISLAND, "initiative", ["voorzorgcirkel"], 52.1822, 4.4702, "Oegstgeest")
    # a hostile name in Leiden, linked to Jottem in Oegstgeest: drawn faded, shown as plain text
    add_approved_record(db, "hostile-test", HOSTILE, "initiative", ["voorzorgcirkel"], 52.1601, 4.4970, "Leiden")
    store = Store(db)
    store.execute("INSERT INTO record_links (id, from_id, to_id, relation, note) VALUES "
                  "('hostile', 'hostile-test', 'jottem', 'partner', 'test')")
    store.checkpoint()
    store.close()
    app = AppServer(db)
    yield app
    app.stop()


def open_network_map(page, server, query: str):
    page.goto(f"{server.url}/verbindingen?{query}", wait_until="domcontentloaded")
    frame = map_frame(page)
    frame.wait_for_selector("path.zbk-link", timeout=60_000)
    return frame


def test_links_layer_draws_lines_between_the_oegstgeest_records(page, server):
    frame = open_network_map(page, server, "gemeente=GM0579")
    lines = frame.query_selector_all("path.zbk-link")
    assert len(lines) == OEGSTGEEST_LINES
    for line in lines:
        box = line.bounding_box()
        assert box and (box["width"] > 5 or box["height"] > 5)   # visible length, not a dot
    # every partner of Langer Zelfstandig Leven is joined to it by a line, named on hover
    texts = frame.evaluate(TOOLTIPS_JS)
    lzl_lines = [text for text in texts if "Langer Zelfstandig Leven" in text]
    assert {partner for partner in LZL_PARTNERS if any(partner in text for text in lzl_lines)} == LZL_PARTNERS
    assert "Vitality Club opgezet door Langer Zelfstandig Leven" in texts
    # a real hover shows the tooltip with both ends and the relation
    target = next(line for line in lines if "zbk-link-partner" in (line.get_attribute("class") or ""))
    target.scroll_into_view_if_needed()
    box = target.bounding_box()   # page coordinates; a straight line passes through its box's centre
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = frame.wait_for_selector(".leaflet-tooltip:has-text('partner van')", timeout=10_000)
    assert " partner van " in f" {tooltip.inner_text()} "
    # the legend explains the colours and lists the links that cannot be drawn
    legend = frame.text_content(".zbk-links-legend")   # folded by default: all of its text
    assert "partner van" in legend and "opgezet door" in legend
    assert "3 verbinding(en) zonder punt op de kaart" in legend


def test_link_to_a_record_outside_the_filter_is_faded_and_its_name_is_plain_text(page, server):
    frame = open_network_map(page, server, "gemeente=GM0579")
    faded = frame.query_selector_all("path.zbk-link-faded")
    assert len(faded) == 1
    assert float(faded[0].get_attribute("stroke-opacity")) < 0.5
    assert faded[0].get_attribute("stroke-dasharray")
    faded[0].scroll_into_view_if_needed()
    box = faded[0].bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = frame.wait_for_selector(".leaflet-tooltip:has-text('buiten het filter')", timeout=10_000)
    assert HOSTILE in tooltip.inner_text()
    assert tooltip.query_selector("img") is None
    assert page.evaluate("window.__pwned") is None and frame.evaluate("window.top.__pwned") is None


def test_switching_the_links_layer_off_hides_lines_and_legend(page, server):
    frame = open_network_map(page, server, "gemeente=GM0579")
    toggle = frame.locator(".leaflet-control-layers-overlays label", has_text="Verbindingen").locator("input")
    toggle.uncheck()
    deadline = time.time() + 10
    while time.time() < deadline and frame.query_selector_all("path.zbk-link"):
        time.sleep(0.2)
    assert frame.query_selector_all("path.zbk-link") == []
    assert frame.query_selector(".zbk-links-legend") is None
    toggle.check()
    frame.wait_for_selector("path.zbk-link")
    assert len(frame.query_selector_all("path.zbk-link")) == OEGSTGEEST_LINES
    assert frame.query_selector(".zbk-links-legend") is not None


def test_islands_list_names_the_unlinked_records(page, server):
    page.goto(f"{server.url}/verbindingen?gemeente=GM0579", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Zorg-eilandjes").click()
    table = page.locator("[data-testid='stTable']", has_text=ISLAND)
    table.wait_for(timeout=60_000)
    text = table.inner_text()
    assert "Jottem (Gemiva)" in text and "zelfde thema voorzorgcirkel" in text
    # without a region filter: the two records of the dataset that nobody links to
    page.goto(f"{server.url}/verbindingen", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Zorg-eilandjes").click()
    table = page.locator("[data-testid='stTable']", has_text="Formaat")
    table.wait_for(timeout=60_000)
    text = table.inner_text()
    assert "Het Laefhoês" in text and ISLAND in text
    assert "afstand onbekend" in text
