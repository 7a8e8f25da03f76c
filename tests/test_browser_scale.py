"""The dashboard on a 100k-record demo database in real headless Chromium: the map page opens and
shows its map (counts per region, not 100,000 markers) within a generous bound."""

from __future__ import annotations

import contextlib
import time

import pytest

from conftest import AppServer
from mapping import demo
from mapping.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RECORDS = 100_000
MAP_BOUND_S = 90


@pytest.fixture(scope="module")
def scale_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "demo_100k.duckdb"
    started = time.perf_counter()
    demo.create_demo_database(path, RECORDS, seed=42)
    print(f"\n100k demo database built in {time.perf_counter() - started:.1f} s")
    store = Store(path, read_only=True)
    located = store.scalar("SELECT count(*) FROM public_records WHERE lat IS NOT NULL AND lon IS NOT NULL")
    store.close()
    server = AppServer(path)
    server.located = located
    yield server
    server.stop()


def leaflet_frame(page, deadline: float):
    while time.perf_counter() < deadline:
        for frame in page.frames:
            with contextlib.suppress(Exception):
                if frame.query_selector(".leaflet-container"):
                    return frame
        time.sleep(0.25)
    return None


def test_map_page_shows_the_map_of_100k_records(scale_server, page):
    # Offline, as in production without internet: only the app itself answers.
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(scale_server.url)
               else route.abort())
    started = time.perf_counter()
    deadline = started + MAP_BOUND_S
    page.goto(f"{scale_server.url}/kaart", timeout=MAP_BOUND_S * 1000)
    frame = leaflet_frame(page, deadline)
    assert frame is not None, f"no map within {MAP_BOUND_S} s"
    bubbles: list = []
    while time.perf_counter() < deadline:   # until the count bubbles are drawn and their number is stable
        previous = len(bubbles)
        bubbles = frame.query_selector_all(".zb-bubble")
        if bubbles and len(bubbles) == previous:
            break
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    print(f"map with {len(bubbles)} count bubbles after {elapsed:.1f} s")
    assert bubbles, f"the map shows no counts within {MAP_BOUND_S} s"
    # counts per region (bubbles, themselves clustered), never one marker per record
    assert len(bubbles) <= 400
    assert not frame.query_selector_all(".zb-marker")
    layers = frame.inner_text(".leaflet-control-layers")
    assert f"({scale_server.located})" in layers, f"the counts layer covers every located record: {layers!r}"
    # the visible count comes first; the rest is the bubble's spoken name for screen readers
    texts = [bubble.inner_text().strip() for bubble in bubbles[:50]]
    labels = [text.splitlines()[0] for text in texts]
    assert all(label and (label.isdigit() or label.endswith("k")) for label in labels), labels
    assert all("Enter" in text for text in texts), texts
    body = page.inner_text("body")
    assert "Demodata" in body, "the synthetic-data banner is shown"
