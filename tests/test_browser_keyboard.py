"""Keyboard only, end to end in headless Chromium (no mouse at all): on Kaart choose a gemeente and
a theme and open a record's details from the table; on Aanmelden get the errors announced, then
fill and send the whole form and read the confirmation. One app server for the module."""

from __future__ import annotations

import csv

import pytest
from playwright.sync_api import expect

from conftest import PROJECT, AppServer, copy_db

pytestmark = pytest.mark.browser

# What the focused element is called: its aria-label, its <label>, or its own text.
FOCUSED_NAME = """() => {
  let e = document.activeElement;
  while (e && e.tagName === 'IFRAME') {
    try { e = e.contentDocument.activeElement; } catch (error) { return ''; }
  }
  if (!e) { return ''; }
  const own = e.getAttribute('aria-label');
  if (own) { return own; }
  const wrapping = e.closest('label');
  if (wrapping) { return wrapping.textContent; }
  if (e.id) { const f = document.querySelector('label[for="' + e.id + '"]'); if (f) { return f.textContent; } }
  return e.tagName === 'IFRAME' ? '' : (e.textContent || '');
}"""


@pytest.fixture(scope="module")
def server(built_db, tmp_path_factory):
    db = copy_db(built_db, tmp_path_factory.mktemp("keyboard"), "browser.duckdb")
    app = AppServer(db, env={"MAPPING_TILES": "none", "MAPPING_MIN_FILL_SECONDS": "0"})
    yield app
    app.stop()


def settled(page) -> None:
    expect(page.locator("[data-testid='stApp']")).to_have_attribute("data-test-script-state", "notRunning",
                                                                     timeout=60_000)


def tab_to(page, name: str, *, presses: int = 200, prefix: bool = False) -> None:
    """Press Tab until the focused element is called ``name`` (or starts with it)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = " ".join((page.evaluate(FOCUSED_NAME) or "").split())
        if focused == name or (prefix and focused.startswith(name)):
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def oegstgeest_care_circles() -> list[str]:
    """Names of the Oegstgeest records with theme voorzorgcirkel, read from the raw data file."""
    with open(PROJECT / "data" / "records.csv", encoding="utf-8") as handle:
        return [row["name"] for row in csv.DictReader(handle)
                if row["place"] == "Oegstgeest" and "voorzorgcirkel" in row["themes"].split(";")]


def test_kaart_gemeente_theme_and_details_with_keys_only(page, server):
    expected = oegstgeest_care_circles()
    assert "Club Oegstgeest" in expected
    page.goto(f"{server.url}/kaart")
    settled(page)

    tab_to(page, "Gemeente")
    page.keyboard.type("Oegstgeest")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('gemeente=GM0579')", timeout=60_000)
    settled(page)

    tab_to(page, "Thema's")
    page.keyboard.type("Voorzorgcirkel")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function("() => location.search.includes('thema=voorzorgcirkel')", timeout=60_000)
    settled(page)

    # into the map and out again by its skip link (no keyboard trap), on to the table's record choice
    tab_to(page, "Sla de kaart over (naar de tabel)")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.tagName") != "IFRAME"
    tab_to(page, "Details tonen van", presses=10)
    page.keyboard.type("Club Oegstgeest")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Club Oegstgeest")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Gemeente Oegstgeest", exact=False).first).to_be_visible()


def test_map_markers_have_names_and_open_with_enter(page, server):
    page.goto(f"{server.url}/kaart?gemeente=GM0579&thema=voorzorgcirkel")
    settled(page)
    frame = page.frame_locator("iframe").first
    expect(frame.locator(".zb-cluster, .zb-marker").first).to_be_attached(timeout=60_000)
    marker = frame.get_by_role("button", name="Club Oegstgeest", exact=False)
    # Tab into the map; Enter on the cluster spreads its markers; Tab on to the marker, Enter: details
    spread = False
    for _ in range(150):
        page.keyboard.press("Tab")
        if marker.count() and marker.evaluate("el => el === document.activeElement"):
            break
        if not spread and frame.locator(".zb-cluster:focus").count():
            page.keyboard.press("Enter")
            spread = True
    else:
        raise AssertionError("the marker cannot be reached with the keyboard")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Club Oegstgeest")).to_be_visible(timeout=60_000)


def test_aanmelden_errors_announced_then_sent_with_keys_only(page, server):
    page.goto(f"{server.url}/aanmelden")
    settled(page)

    # sending an empty form: an alert that names the missing fields
    tab_to(page, "Aanmelding versturen")
    page.keyboard.press("Enter")
    alerts = page.get_by_role("alert")
    expect(alerts.filter(has_text="Naam van het initiatief of de organisatie").first).to_be_visible(timeout=60_000)
    expect(alerts.filter(has_text="Uw e-mailadres").first).to_be_visible()

    tab_to(page, "Naam van het initiatief of de organisatie")
    page.keyboard.type("Buurtkamer Toetsenbord")
    tab_to(page, "Postcode")
    page.keyboard.type("3024")
    tab_to(page, "Uw naam")
    page.keyboard.type("Kees Toets")
    tab_to(page, "Uw e-mailadres")
    page.keyboard.type("kees.toets@example.org")
    tab_to(page, "Ik ga akkoord met de privacyverklaring", prefix=True)
    page.keyboard.press("Space")
    tab_to(page, "Aanmelding versturen")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Uw kenmerk: ZB-", exact=False)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Dank u wel", exact=False).first).to_be_visible()
