"""End to end in headless Chromium: sign up through the form → not on the map → a moderator signs
in and approves → on the map in the right regions; the contact e-mail is in no public page or
download. One app server for the whole module."""

from __future__ import annotations

import time

import pytest

from conftest import AppServer, copy_db, map_frame
from mapping import auth

pytestmark = pytest.mark.browser

PASSWORD = "browser-test wachtwoord 42"
NAME = "Buurtkamer Zeeheldenplein"
EMAIL = "contact.prive.zeeheld@example.org"
CONTACT = "Yara Zeeheld"


@pytest.fixture(scope="module")
def server(built_db, tmp_path_factory):
    db = copy_db(built_db, tmp_path_factory.mktemp("aanmelden"), "browser.duckdb")
    app = AppServer(db, env={auth.PASSWORD_ENV: auth.hash_password(PASSWORD), "MAPPING_MIN_FILL_SECONDS": "1",
                             "MAPPING_TILES": "none"})
    app.db = db
    yield app
    app.stop()


def wait_for(predicate, timeout: float = 60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.4)
    raise AssertionError("condition not met in time")


def field(page, label: str):
    return page.get_by_label(label, exact=True)


def map_payload(page, server, query: str) -> str:
    """Everything the Kaart page's map received (its iframe document)."""
    page.goto(f"{server.url}/kaart?{query}")
    frame = map_frame(page)
    frame.wait_for_selector(".leaflet-container", timeout=60_000)
    wait_for(lambda: "ZbKind" in frame.content() or "ZB.KindLayer" in frame.content() or frame.query_selector(
        ".leaflet-marker-icon"))
    return frame.content()


def everything_public(page, server, path: str) -> str:
    """The text and HTML of a public page, including every iframe."""
    page.goto(f"{server.url}/{path}")
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=60_000)
    time.sleep(3)                     # let the page finish its script run and draw its iframes
    parts = [page.content()]
    for frame in page.frames:
        try:
            parts.append(frame.content())
        except Exception:
            pass
    return "\n".join(parts)


def test_submit_approve_and_show_on_the_map_without_contact_data(page, server):
    # 1. an initiative signs up with only a postcode
    page.goto(f"{server.url}/aanmelden")
    field(page, "Naam van het initiatief of de organisatie").fill(NAME)
    field(page, "Postcode").fill("3024")
    field(page, "Postcode").press("Tab")
    wait_for(lambda: page.get_by_text("postcode 3024 (Rotterdam)").count() > 0)
    field(page, "Uw naam").fill(CONTACT)
    field(page, "Uw e-mailadres").fill(EMAIL)
    field(page, "Uw e-mailadres").press("Tab")
    page.get_by_text("Ik ga akkoord met de privacyverklaring", exact=False).click()
    time.sleep(1.2)                                        # the minimum fill time of this server
    page.get_by_role("button", name="Aanmelding versturen").click()
    heading = page.get_by_text("Uw kenmerk: ZB-", exact=False)
    heading.wait_for(timeout=60_000)
    reference = heading.text_content().split(": ")[1].strip()
    assert page.get_by_text("Dank u wel", exact=False).count() == 1
    secret_link = page.locator("[data-testid='stCode'] code").first.text_content().strip()
    assert secret_link.startswith(server.url + "/mijn_aanmelding?ref=" + reference + "&token=")
    page.goto(secret_link)
    page.get_by_text("Wacht op een moderator.", exact=False).wait_for(timeout=60_000)

    # 2. pending: not on the map (which does carry the wijk's other records)
    pending_map = map_payload(page, server, "wijk=WK059903")
    assert "Het Wijkpaleis" in pending_map and NAME not in pending_map

    # 3. a moderator signs in and approves
    page.goto(f"{server.url}/moderatie")
    field(page, "Uw naam (komt in de geschiedenis)").fill("Browser Moderator")
    field(page, "Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_text(f"{reference} — {NAME}", exact=False).first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Goedkeuren en publiceren").click()
    page.get_by_text(f"Goedgekeurd: {NAME} staat nu op de kaart.").wait_for(timeout=60_000)

    page.goto(secret_link)
    page.get_by_text("Goedgekeurd en zichtbaar op de kaart.").wait_for(timeout=60_000)

    # 4. on the map, in wijk Delfshaven of Rotterdam and zorgkantoorregio Rotterdam, not elsewhere
    assert NAME in map_payload(page, server, "wijk=WK059903")
    assert NAME in map_payload(page, server, "zkr=ZK20")
    assert NAME not in map_payload(page, server, "gemeente=GM0579")

    # 5. the contact details appear on no public page and in no download
    for path in ("", "kaart?wijk=WK059903", "verbindingen", "witte_vlekken", "privacy",
                 f"mijn_aanmelding?ref={reference}&token=wrong"):
        text = everything_public(page, server, path)
        assert EMAIL not in text and CONTACT not in text, path
    page.goto(f"{server.url}/kaart?wijk=WK059903")
    map_frame(page)
    downloads = []
    for label in ("CSV (Excel)", "GeoJSON (GIS)"):
        button = page.get_by_role("button", name=label)
        button.wait_for(timeout=60_000)
        with page.expect_download() as info:
            button.click()
        downloads.append(info.value.path().read_bytes().decode("utf-8-sig"))
    assert all(NAME in data for data in downloads)
    assert all(EMAIL not in data and CONTACT not in data for data in downloads)
