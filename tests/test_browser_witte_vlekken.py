"""The Witte vlekken page in headless Chromium: the choropleth draws, hover and click work, the ranked
table lists the wijken, and printing hides the controls. One app server for the whole module."""

from __future__ import annotations

import json
import re
import time

import pytest

from conftest import PROJECT, AppServer, copy_db, map_frame

pytestmark = pytest.mark.browser

VIRIDIS = {"#fde725", "#5ec962", "#21918c", "#3b528b", "#440154", "#d9d9d9"}


@pytest.fixture(scope="module")
def server(built_db, tmp_path_factory, browser):
    db = copy_db(built_db, tmp_path_factory.mktemp("witte_vlekken"), "browser.duckdb")
    app = AppServer(db)
    # Streamlit 1.67 answers the first session after a server start that opens a page other than
    # the default one with a "Page not found" modal (which makes the page inert). Users would see
    # it once per server start; the tests open the default page first so they test this page.
    warm = browser.new_page()
    try:
        warm.goto(app.url)
        warm.wait_for_selector("[data-testid='stSidebar']", timeout=60_000)
    finally:
        warm.close()
    yield app
    app.stop()


def open_gap_page(page, server, query: str):
    page.goto(f"{server.url}/witte_vlekken?{query}")
    assert page.get_by_text("Page not found").count() == 0
    frame = map_frame(page)
    frame.wait_for_selector("path.leaflet-interactive", timeout=60_000)
    return frame


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def ranked_table_text(page) -> list[str]:
    table = page.locator("[class*='st-key-wv_table_']").first
    table.wait_for(timeout=60_000)
    return [cell.text_content() or "" for cell in table.locator("[role=gridcell]").all()]


def test_choropleth_draws_rotterdam_wijken_and_the_table_lists_them(page, server):
    frame = open_gap_page(page, server, "zkr=ZK20")
    # every wijk of zorgkantoorregio Rotterdam (Rotterdam, Capelle, Krimpen), counted in the raw
    # PDOK file, each a filled path
    features = json.loads((PROJECT / "data" / "wijken_2024.geojson").read_text(encoding="utf-8"))["features"]
    expected = sum(1 for f in features if f["properties"]["gemeente_code"] in ("GM0599", "GM0502", "GM0542"))
    assert expected > 30
    areas = wait_for(lambda: len(frame.query_selector_all("path.leaflet-interactive")) >= expected and
                     frame.query_selector_all("path.leaflet-interactive"))
    assert len(areas) == expected
    fills = {(path.get_attribute("fill") or "").lower() for path in areas}
    assert fills <= VIRIDIS and len(fills) >= 4              # sequential colour-blind-safe classes
    assert frame.query_selector_all("path:not(.leaflet-interactive)")   # gemeente outlines on top
    cells = wait_for(lambda: ranked_table_text(page) or None)
    assert "Hoek van Holland" in cells and "Prins Alexander" in cells and "Rotterdam" in cells
    assert cells[:2] == ["1", "Middelwatering Oost"]


def test_hovering_an_area_shows_its_figures(page, server):
    frame = open_gap_page(page, server, "zkr=ZK20")
    frame.locator("path.leaflet-interactive").nth(5).hover(force=True)
    tooltip = frame.wait_for_selector(".leaflet-tooltip", timeout=15_000)
    text = tooltip.inner_text()
    assert "Aandeel 75-plussers" in text and "Inwoners" in text and "Witte-vlekscore" in text
    assert re.search(r"CBS (83502|85984)NED", text) or "niet beschikbaar" in text


def test_clicking_an_area_opens_its_summary_and_the_map_page_link(page, server):
    frame = open_gap_page(page, server, "zkr=ZK20")
    frame.locator("path.leaflet-interactive").nth(3).dispatch_event("click")
    link = page.get_by_role("link", name=re.compile("Open dit gebied op de kaart"))
    link.wait_for(timeout=30_000)
    assert re.fullmatch(r"kaart\?gemeente=GM\d{4}&wijk=WK\d{6}", link.get_attribute("href") or "")
    wait_for(lambda: "gebied=WK" in page.url)
    assert page.get_by_text("Initiatieven, zorgaanbieders en bijeenkomsten in dit gebied").count() == 1


def test_printing_hides_the_sidebar_and_buttons(page, server):
    open_gap_page(page, server, "zkr=ZK20")
    page.get_by_text("Regio-overzicht: Rotterdam").wait_for(timeout=30_000)
    download = page.locator("[data-testid='stDownloadButton']").first
    assert download.is_visible()
    page.emulate_media(media="print")
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert not download.is_visible()
    assert page.get_by_text("De tien grootste witte vlekken").is_visible()
    page.emulate_media(media="screen")
    assert page.locator("[data-testid='stSidebar']").is_visible()


def test_ranked_list_downloads_as_csv_with_sources(page, server):
    open_gap_page(page, server, "zkr=ZK20")
    button = page.get_by_role("button", name="Download lijst (CSV, met cijfers en bronnen)")
    button.wait_for(timeout=30_000)
    with page.expect_download() as download:
        button.click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    header, first = text.splitlines()[:2]
    assert "Aandeel 75-plussers — bron" in header and "Inwoners — bron" in header
    assert first.startswith("1;WK050203;Middelwatering Oost;Capelle aan den IJssel;100,0;")
    assert "CBS 83502NED (2021)" in first and "CBS 85984NED (2024)" in first
