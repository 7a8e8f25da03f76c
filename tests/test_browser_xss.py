"""Script injection, in a real browser: hostile text is shown as text on every page and in every download.

Approved records whose every text field holds a script payload (plus links between them, an
online meet-up, and a pending sign-up with payloads for the moderation page) are put into a private
database; the real app (`streamlit run app.py`) serves it and headless Chromium visits every page:
overzicht, kaart (record selected, tooltips opened, a marker clicked, the details panel), the
downloads (CSV, GeoJSON, iCalendar), verbindingen, witte vlekken, aanmelden (with the duplicate
question showing a hostile name), mijn aanmelding, and moderatie after signing in.

On every page, in the page and in every frame (Streamlit components share the app's origin,
streamlit #2466, so a script in the map iframe could act in the app): no dialog may open, no
injected element may exist (``img[src=x]``, ``svg[onload]``, an ``on*`` attribute calling alert, a
script whose code is the payload) and no ``javascript:`` URL may be a clickable link. Each check is
paired with positive evidence that the hostile text was rendered — as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import AppServer, copy_db, map_frame
from mapping import auth, ingest
from mapping.i18n import t
from mapping.store import Store

pytestmark = pytest.mark.browser
submissions = pytest.importorskip("mapping.submissions")

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
SVG = '"><svg onload=alert(1)>'
# folium puts tooltip text in JavaScript template literals: a backtick or ${} must stay inert too
TEMPLATE = "`${alert(1)}`"
ALL = f"{IMG} {SVG} {SCRIPT} {TEMPLATE}"
PASSWORD = "Browser-test wachtwoord 2025!"
GEMEENTE = "GM0193"  # Zwolle: no real records, so the map shows only the hostile ones

NAMES = {
    "hx-init": f"XSS initiatief {IMG}{SVG}{TEMPLATE}",
    "hx-prov": f"XSS aanbieder {SCRIPT}",
    "hx-net": f"XSS netwerk {SVG}{SCRIPT}",
    "hx-meet": f"XSS bijeenkomst {IMG}",
    "hx-online": f"XSS online {SVG}",
}
PENDING_NAME = f"XSS aanmelding {IMG}"

DETECT_JS = """
() => {
  const bad = [];
  const show = el => (el.outerHTML || String(el)).slice(0, 200);
  if (document.querySelector('img[src="x"]')) bad.push('img[src=x]');
  if (document.querySelector('svg[onload]')) bad.push('svg[onload]');
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on') && /alert/i.test(attr.value)) bad.push('handler: ' + show(el));
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc'].includes(name)
          && /^\\s*javascript:/i.test(attr.value)) bad.push('javascript url: ' + show(el));
    }
    if (el.tagName === 'SCRIPT' && /^\\s*alert\\(/.test(el.textContent)) bad.push('script: ' + show(el));
  }
  return [...new Set(bad)];
}
"""

OPEN_TOOLTIPS_JS = """
() => {
  let opened = 0;
  for (const key of Object.keys(window)) {
    const value = window[key];
    if (window.L && value instanceof L.Map) {
      value.eachLayer(layer => {
        if (layer.getTooltip && layer.getTooltip() && layer._map) { layer.openTooltip(); opened++; }
        if (layer.getPopup && layer.getPopup() && layer._map) { layer.openPopup(); opened++; }
      });
    }
  }
  return opened;
}
"""


# -- the hostile database and the app -----------------------------------------------------------

def _hostile_records() -> list[dict]:
    base = {"status": "approved", "origin": "import", "synthetic": False, "themes": ["ontmoeting", SVG],
            "description": f"Beschrijving {ALL}\nTweede regel {JS_URL}", "address": f"Straat {IMG} 1",
            "postcode": "8011 AB", "place": f"Zwolle {SVG}", "location_note": f"Achterom {SCRIPT}",
            "website": JS_URL, "source_url": JS_URL, "source_title": f"Bron {IMG}",
            "location_precision": "address", "last_verified": None}
    soon = datetime.now().replace(microsecond=0, second=0, minute=0) + timedelta(days=20)
    return [
        {**base, "id": "hx-init", "name": NAMES["hx-init"], "kind": "initiative", "lat": 52.5125, "lon": 6.0944},
        {**base, "id": "hx-prov", "name": NAMES["hx-prov"], "kind": "provider", "lat": 52.5155, "lon": 6.0990,
         "website": f'https://voorbeeld.nl/{SVG}'},
        {**base, "id": "hx-net", "name": NAMES["hx-net"], "kind": "network", "lat": 52.5095, "lon": 6.0900},
        {**base, "id": "hx-meet", "name": NAMES["hx-meet"], "kind": "meetup", "lat": 52.5110, "lon": 6.0960,
         "starts_at": soon, "ends_at": soon + timedelta(hours=2),
         "description": f"Agenda {SCRIPT}\nATTACH:{JS_URL}\r\nEND:VEVENT\nBEGIN:VALARM"},
        {**base, "id": "hx-online", "name": NAMES["hx-online"], "kind": "meetup", "lat": None, "lon": None,
         "online": True, "meeting_url": JS_URL, "location_precision": "online", "postcode": None,
         "address": None, "starts_at": soon + timedelta(days=1), "ends_at": None},
    ]


def _add_hostile_data(store: Store) -> dict:
    def write(cur) -> None:
        ingest.insert_records(cur, _hostile_records())
        for link_id, source, relation, target in (
                ("hx-1", "hx-init", "partner", "hx-prov"), ("hx-2", "hx-init", "member_of", "hx-net"),
                ("hx-3", "hx-meet", "organised_by", "hx-init"), ("hx-4", "hx-init", "partner", "zorgvrijstaat"),
                ("hx-5", "hx-online", "organised_by", "hx-net")):
            cur.execute("INSERT INTO record_links (id, from_id, relation, to_id, source_url, note, status, origin) "
                        "VALUES (?, ?, ?, ?, ?, ?, 'approved', 'import')",
                        [link_id, source, relation, target, JS_URL, f"Notitie {ALL}"])
        for record_id in NAMES:
            Store.add_revision(cur, "record", record_id, "import", f"importeur {IMG}", {"name": [None, ALL]})

    store.run_in_transaction(write)
    ingest.reassign_regions(store, only_missing=True)
    assert store.scalar("SELECT count(*) FROM records WHERE gemeente_code = ?", [GEMEENTE]) == 4
    store.bump_data_version()

    checked = submissions.check(store, {
        "name": PENDING_NAME, "kind": "initiative", "description": f"Aangemeld {ALL}", "postcode": "8011 AB",
        "place": "Zwolle", "address": f"Plein {SVG} 2", "online": False, "website": "https://voorbeeld.nl/aanmelding",
        "partners": ["hx-init"], "partners_text": f"Samen met {ALL}", "contact_name": f"Indiener {IMG}",
        "contact_email": "indiener.xss@voorbeeld.nl", "consent": True})
    assert checked.ok, checked.errors
    receipt = submissions.create_submission(store, checked)
    # a stored javascript: website, as if it had slipped past validation (defence in depth)
    payload = json.loads(store.scalar("SELECT payload FROM submissions WHERE id = ?", [receipt.reference]))
    payload["website"] = JS_URL
    store.execute("UPDATE submissions SET payload = ? WHERE id = ?", [json.dumps(payload), receipt.reference])
    store.execute("UPDATE records SET website = ? WHERE id = ?", [JS_URL, receipt.record_id])
    return {"reference": receipt.reference, "token": receipt.token, "record_id": receipt.record_id}


@pytest.fixture(scope="module")
def hostile_app(built_db, tmp_path_factory):
    directory = tmp_path_factory.mktemp("xss")
    db = copy_db(built_db, directory, "xss.duckdb")
    store = Store(db)
    pending = _add_hostile_data(store)
    store.checkpoint()
    store.close()
    server = AppServer(db, env={auth.PASSWORD_ENV: auth.hash_password(PASSWORD), "MAPPING_MIN_FILL_SECONDS": "0",
                                auth.EMAILS_ENV: "", "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"})
    try:
        yield server, pending
    finally:
        server.stop()


# -- the browser side --------------------------------------------------------------------------

class Watch:
    """Records every dialog (and dismisses it) and every media download response of a page."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.media: list[tuple[str, str, str]] = []
        page.on("dialog", self._dialog)
        page.on("response", self._response)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _response(self, response) -> None:
        if urlsplit(response.url).path.startswith("/media/"):
            self.media.append((response.url, response.headers.get("content-type", ""),
                               response.headers.get("content-disposition", "")))


def settle(page, *, quiet_seconds: float = 1.5, timeout: float = 90) -> None:
    """Wait until Streamlit has finished running the script (no 'Stop' status for a while)."""
    page.wait_for_selector("h1", timeout=timeout * 1000)
    deadline = time.time() + timeout
    quiet_since = None
    while time.time() < deadline:
        # the status widget says "Stop" while the script runs (other notices, e.g. a file change, are idle)
        running = page.evaluate("() => { const w = document.querySelector('[data-testid=\"stStatusWidget\"]');"
                                " return !!w && /Stop|Running/.test(w.innerText); }")
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since >= quiet_seconds:
            return
        time.sleep(0.2)
    page.screenshot(path=str(Path(__file__).resolve().parent.parent / "var" / "xss-timeout.png"), full_page=True)
    raise AssertionError(f"the page kept running: {page.url}")


def assert_clean(page, watch: Watch, where: str) -> None:
    """No dialog, and no injected element or javascript: link in the page or any of its frames."""
    time.sleep(0.5)  # let img onerror / svg onload fire if anything was injected
    found: dict[str, list[str]] = {}
    for frame in page.frames:
        try:
            bad = frame.evaluate(DETECT_JS)
        except Exception as exc:  # a frame that navigated away meanwhile
            if "detached" in str(exc).lower() or "destroyed" in str(exc).lower():
                continue
            raise
        if bad:
            found[frame.url[:120]] = bad
    assert not watch.dialogs, f"{where}: a dialog opened: {watch.dialogs}"
    assert not found, f"{where}: injected markup: {found}"


def main_text(page) -> str:
    return page.inner_text("[data-testid='stMain']")


def goto(page, server, path: str) -> None:
    page.goto(server.url + path)
    settle(page)


def test_overview_privacy_and_gap_pages(hostile_app, page):
    server, _ = hostile_app
    watch = Watch(page)
    for path in ("/", "/privacy", "/witte_vlekken", f"/witte_vlekken?provincie=PV23&gemeente={GEMEENTE}"):
        goto(page, server, path)
        assert_clean(page, watch, path)


def test_map_tooltips_details_and_table_show_payloads_as_text(hostile_app, page):
    server, _ = hostile_app
    watch = Watch(page)
    goto(page, server, f"/kaart?gemeente={GEMEENTE}&id=hx-init")
    frame = map_frame(page)
    frame.wait_for_selector(".leaflet-marker-icon", timeout=60_000)
    assert_clean(page, watch, "kaart loaded")
    # the details panel of the selected record shows its hostile name and links as plain text
    text = main_text(page)
    assert NAMES["hx-init"] in text, "the details panel must show the name literally"
    assert NAMES["hx-prov"] in text, "the links of the record are listed by name"

    # every cluster opened, every marker hovered, every tooltip and popup opened
    for _ in range(3):
        clusters = frame.query_selector_all(".marker-cluster, .zb-cluster")
        if not clusters:
            break
        clusters[0].click()
        time.sleep(0.8)
    for marker in frame.query_selector_all(".zb-marker"):
        marker.dispatch_event("mouseover")  # what a hover does (the legend may cover the icon)
        time.sleep(0.2)
    opened = frame.evaluate(OPEN_TOOLTIPS_JS)
    assert opened >= 1
    tooltips = " ".join(el.inner_text() for el in frame.query_selector_all(".leaflet-tooltip"))
    assert any(name in tooltips for name in NAMES.values()), f"tooltips show payloads as text: {tooltips[:300]}"
    assert_clean(page, watch, "kaart with tooltips open")

    # a click on a marker selects it (rerun, details panel of another hostile record)
    frame.evaluate(OPEN_TOOLTIPS_JS)
    markers = frame.query_selector_all(".zb-marker")
    assert markers
    markers[-1].dispatch_event("click")
    time.sleep(1.0)
    settle(page)
    assert_clean(page, watch, "kaart after a marker click")

    # the online meet-up (no point) is listed in the table of online meet-ups; its javascript:
    # link must not become a clickable link there
    goto(page, server, "/kaart?soort=meetup")
    assert t("map.online.heading", "nl") in main_text(page)  # the table is drawn on a canvas
    assert_clean(page, watch, "kaart with online meet-ups")


def _downloads(page, watch: Watch) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    buttons = page.locator("[data-testid='stDownloadButton'] button:visible")
    deadline = time.time() + 60
    while buttons.count() < 3 and time.time() < deadline:
        time.sleep(0.5)
    assert buttons.count() >= 3, "CSV, GeoJSON and iCalendar downloads"
    for index in range(buttons.count()):
        with page.expect_download() as info:
            buttons.nth(index).click()
        download = info.value
        files[download.suggested_filename] = Path(download.path()).read_bytes()
    return files


def test_downloads_carry_payloads_as_inert_data(hostile_app, page):
    server, _ = hostile_app
    watch = Watch(page)
    goto(page, server, f"/kaart?gemeente={GEMEENTE}")
    files = _downloads(page, watch)
    assert_clean(page, watch, "kaart after downloads")
    by_ext = {name.rsplit(".", 1)[-1]: data for name, data in files.items()}
    assert {"csv", "geojson", "ics"} <= set(by_ext), files.keys()

    rows = list(csv.DictReader(io.StringIO(by_ext["csv"].decode("utf-8-sig")), delimiter=";"))
    names = {row.get("name") or row.get("naam") for row in rows}
    assert NAMES["hx-init"] in names and NAMES["hx-meet"] in names  # exact text, no HTML entities
    assert not any(value.startswith(("=", "+", "@")) for row in rows for value in row.values() if value)

    collection = json.loads(by_ext["geojson"])
    assert collection["type"] == "FeatureCollection"
    assert {f["properties"]["name"] for f in collection["features"]} >= {NAMES["hx-init"], NAMES["hx-net"]}

    ics = by_ext["ics"].decode("utf-8")
    unfolded = ics.replace("\r\n ", "").replace("\r\n\t", "")
    lines = [line for line in unfolded.split("\r\n") if line]
    assert all(re.match(r"^[A-Z][A-Z0-9-]*[;:]", line) for line in lines), "every line is one property"
    assert not [line for line in lines if re.search(r"^(URL|ATTACH)[;:].*javascript:", line, re.I)]
    assert not [line for line in lines if line.startswith(("ATTACH", "BEGIN:VALARM"))], \
        "a newline in a description must not start a new iCalendar property"
    # the one meet-up in Zwolle; its description tries to end the event early and start an alarm
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    # downloads are served as attachments with a non-HTML type, so a browser never renders them
    assert watch.media, "download responses were seen"
    for url, content_type, disposition in watch.media:
        assert "html" not in content_type.lower(), (url, content_type)
        assert "attachment" in disposition.lower(), (url, disposition)


def test_network_view(hostile_app, page):
    server, _ = hostile_app
    watch = Watch(page)
    for path in (f"/verbindingen?gemeente={GEMEENTE}", f"/verbindingen?gemeente={GEMEENTE}&weergave=netwerk",
                 f"/verbindingen?gemeente={GEMEENTE}&record=hx-init"):
        goto(page, server, path)
        time.sleep(1.0)
        for frame in page.frames[1:]:
            try:
                frame.evaluate(OPEN_TOOLTIPS_JS)
            except Exception:
                pass
        assert_clean(page, watch, path)
    assert any(name in page.content() for name in NAMES.values()) or NAMES["hx-init"] in main_text(page)


def test_sign_up_form_duplicate_question_and_owner_page(hostile_app, page):
    server, pending = hostile_app
    watch = Watch(page)
    goto(page, server, "/aanmelden")
    assert_clean(page, watch, "aanmelden")

    def fill(label_key: str, value: str) -> None:
        page.locator(f".st-key-aanm_{label_key} input, .st-key-aanm_{label_key} textarea").first.fill(value)
        page.keyboard.press("Tab")

    # the same hostile name, nearby: the duplicate question shows the existing (hostile) record
    fill("name", NAMES["hx-init"])
    fill("postcode", "8011 AB")
    fill("description", f"Test {ALL}")
    fill("contact_name", f"Naam {SVG}")
    fill("contact_email", "test.xss@voorbeeld.nl")
    page.locator(".st-key-aanm_consent label").first.click()
    settle(page)
    page.locator(".st-key-aanm_submit button").click()
    time.sleep(1.0)
    settle(page)
    assert_clean(page, watch, "aanmelden after submit")
    text = main_text(page)
    assert NAMES["hx-init"] in text, "the duplicate question names the candidate literally"

    goto(page, server, f"/mijn_aanmelding?ref={pending['reference']}&token={pending['token']}")
    assert PENDING_NAME in main_text(page)
    for summary in page.query_selector_all("[data-testid='stExpander'] summary"):
        summary.click()
    settle(page)
    assert_clean(page, watch, "mijn aanmelding")


def test_moderation_page_after_sign_in(hostile_app, page):
    server, pending = hostile_app
    watch = Watch(page)
    goto(page, server, "/moderatie")
    assert PENDING_NAME not in main_text(page)
    page.locator(".st-key-moderation_login_name input").fill(f"Moderator {IMG}")
    page.locator(".st-key-moderation_login_password input").fill(PASSWORD)
    page.locator("[data-testid='stFormSubmitButton'] button, [data-testid='stBaseButton-secondaryFormSubmit']").first.click()
    time.sleep(1.0)
    settle(page)
    text = main_text(page)
    assert f"Moderator {IMG}" in text, "signed in, with the hostile actor name shown as text"
    assert PENDING_NAME in text, "the pending hostile submission is in the queue"
    for summary in page.query_selector_all("[data-testid='stExpander'] summary"):
        summary.click()
        time.sleep(0.2)
    settle(page)
    assert_clean(page, watch, "moderatie queue with the hostile submission open")
    assert "indiener.xss@voorbeeld.nl" in main_text(page), "the private contact is shown to the moderator only"

    # the history tab with a hostile record's audit trail
    tabs = page.query_selector_all("[data-testid='stTab']")
    assert len(tabs) >= 2
    tabs[1].click()
    settle(page)
    box = page.locator(".st-key-mod_history_pick")
    box.click()
    page.keyboard.type("XSS initiatief")
    page.keyboard.press("Enter")
    time.sleep(1.0)
    settle(page)
    assert_clean(page, watch, "moderatie history of a hostile record")
    if len(tabs) >= 3:
        page.locator("[data-testid='stTab']").nth(2).click()
        settle(page)
        assert_clean(page, watch, "moderatie link administration")
