"""Accessibility in headless Chromium (WCAG 2.1 AA): axe-core on every page in Dutch and English,
in the main document and in every map/component iframe; the document language and title; the
navigation's accessible names; a language switch; reflow at 320 CSS px.

axe-core comes bundled with ``axe-playwright-python`` (pinned, no CDN). Serious and critical
violations fail the test; moderate and minor ones are printed (``pytest -s`` or in the report of
a failing run). One app server for the whole module.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import AppServer, copy_db

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Frames are checked one by one (axe injected into each), so axe must not wait for them itself.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "iframes": False, "resultTypes": ["violations"]}
BLOCKING = {"serious", "critical"}

# (url path, has a map, page name nl, page name en) — expected titles written out by hand.
PAGES = [
    ("", True, "Overzicht", "Overview"),
    ("kaart", True, "Kaart", "Map"),
    ("verbindingen", True, "Verbindingen", "Connections"),
    ("witte_vlekken", True, "Witte vlekken", "Gaps"),
    ("aanmelden", True, "Aanmelden", "Sign up"),
    ("mijn_aanmelding", False, "Mijn aanmelding", "My submission"),
    ("moderatie", False, "Moderatie", "Moderation"),
    ("privacy", False, "Privacy", "Privacy"),
    ("toegankelijkheid", False, "Toegankelijkheid", "Accessibility"),
]


@pytest.fixture(scope="module")
def server(built_db, tmp_path_factory):
    db = copy_db(built_db, tmp_path_factory.mktemp("a11y"), "browser.duckdb")
    app = AppServer(db, env={"MAPPING_TILES": "none"})
    yield app
    app.stop()


def settle(page, has_map: bool) -> None:
    """Wait until the script run is over and, on map pages, the map has drawn."""
    expect(page.locator("[data-testid='stApp']")).to_have_attribute("data-test-script-state", "notRunning",
                                                                     timeout=60_000)
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)
    if has_map:
        frame = page.frame_locator("iframe").first
        expect(frame.locator(".leaflet-container")).to_be_visible(timeout=60_000)
        expect(frame.locator(".leaflet-interactive, .leaflet-marker-icon").first).to_be_attached(timeout=60_000)
    expect(page.locator("[data-testid='stApp']")).to_have_attribute("data-test-script-state", "notRunning",
                                                                     timeout=60_000)


def axe_report(page) -> tuple[list[str], list[str]]:
    """(blocking, other) violations as readable lines, over the page and all of its frames."""
    axe = Axe()
    blocking, other = [], []
    for frame in page.frames:
        if frame.is_detached():
            continue
        response = axe.run(frame, options=AXE_OPTIONS).response
        where = "page" if frame == page.main_frame else f"frame {frame.url[:60]}"
        for violation in response["violations"]:
            targets = "; ".join(str(node["target"]) for node in violation["nodes"][:3])
            line = f"{violation['impact']} {violation['id']} ({len(violation['nodes'])}×) in {where}: " \
                   f"{violation['help']} — {targets}"
            (blocking if violation["impact"] in BLOCKING else other).append(line)
    return blocking, other


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path,has_map,name_nl,name_en", PAGES, ids=[p[0] or "overzicht" for p in PAGES])
def test_every_page_passes_axe_with_the_right_language_and_title(page, server, path, has_map, name_nl,
                                                                 name_en, lang):
    page.goto(f"{server.url}/{path}" + ("?lang=en" if lang == "en" else ""))
    settle(page, has_map)

    expect(page.locator("html")).to_have_attribute("lang", lang)
    name = name_nl if lang == "nl" else name_en
    expect(page).to_have_title(f"{name} – Zorgzame Buurten Kaart")
    assert page.locator("[data-testid='stMain'] h1").count() == 1    # one h1 per page
    if has_map:
        map_frame = page.frame_locator("iframe").first
        expect(map_frame.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("iframe").first).to_have_attribute("title", "Kaart" if lang == "nl" else "Map")

    blocking, other = axe_report(page)
    for line in other:
        print("axe (not blocking):", line)
    assert not blocking, "\n".join(blocking)


def test_navigation_reads_only_page_names(page, server):
    """The Material icons before each page name are ligature text ("home", "map"): hidden from
    assistive technology, so the links are named by the page alone."""
    page.goto(server.url)
    settle(page, has_map=True)
    nav = page.locator("[data-testid='stSidebarNav']")
    for name in ("Overzicht", "Kaart", "Verbindingen", "Witte vlekken", "Aanmelden", "Toegankelijkheid"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    for icon in nav.locator("[data-testid='stIconMaterial']").all():
        expect(icon).to_have_attribute("aria-hidden", "true")


def test_switching_language_updates_html_lang_and_title(page, server):
    page.goto(f"{server.url}/kaart")
    settle(page, has_map=True)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_text("English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=30_000)
    expect(page).to_have_title("Map – Zorgzame Buurten Kaart", timeout=30_000)
    page.get_by_text("Nederlands", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "nl", timeout=30_000)
    expect(page).to_have_title("Kaart – Zorgzame Buurten Kaart", timeout=30_000)


@pytest.mark.parametrize("path", ["kaart", "aanmelden"])
@pytest.mark.parametrize("width", [320, 640])   # 640 CSS px = a 1280 px screen at 200 % zoom
def test_core_pages_reflow_without_horizontal_scrolling(browser, server, path, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/{path}")
        settle(page, has_map=True)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at {width} px wide"
        # the legend is folded and covers less than half of the map
        frame = page.frame_locator("iframe").first
        legend = frame.locator(".zb-legend")
        if legend.count():
            expect(legend.locator("details")).not_to_have_attribute("open", "")
            box, map_box = legend.bounding_box(), frame.locator(".leaflet-container").bounding_box()
            assert box["width"] * box["height"] < 0.5 * map_box["width"] * map_box["height"]
    finally:
        context.close()


def test_on_a_wide_screen_the_kaart_map_gets_the_room(page, server):
    page.goto(f"{server.url}/kaart")      # the page fixture is 1400 px wide
    settle(page, has_map=True)
    row = page.locator("[data-testid='stHorizontalBlock']").filter(has=page.locator("iframe")).last
    content, map_box = row.bounding_box(), page.locator("iframe").first.bounding_box()
    assert map_box["width"] >= 0.6 * content["width"], (map_box, content)
    legend = page.frame_locator("iframe").first.locator(".zb-legend details")
    expect(legend).not_to_have_attribute("open", "")       # folded: it covers none of the map
