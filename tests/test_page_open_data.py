"""The Open data page and the "Volg dit gebied" blocks on Kaart and Witte vlekken (AppTest)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import page_path
from mapping.api import urls
from mapping.queries import Filter

TIMEOUT = 90


def run(page: str, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(page_path(page), default_timeout=TIMEOUT)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def codes(at: AppTest) -> list[str]:
    return [block.value for block in at.code]


@pytest.mark.parametrize("lang, licence, version", [("nl", "CC BY 4.0", "Versie van"), ("en", "CC BY 4.0", "Version of")])
def test_open_data_page_has_three_curl_examples_licence_and_the_dataset(app_env, store, lang, licence, version):
    at = run("open_data.py", {"lang": lang})
    curls = [code for code in codes(at) if code.startswith("curl ")]
    assert curls == ["curl '/api/v1/collections/initiatives/items?gemeente=GM0546&limit=100'",
                     "curl '/api/v1/changes?since=2025-01-01T00:00:00Z'",
                     "curl '/feeds/gemeente/GM0546/bijeenkomsten.ics'"]
    text = " ".join(block.value for block in at.markdown)
    assert licence in text and "EUPL-1.2" in text
    approved = int(store.scalar("SELECT count(*) FROM records WHERE status = 'approved'"))
    assert f"{version} " in text and f": {approved} records" in text
    assert any("api/v1/dataset/zorgzame-buurten.csv" in code for code in codes(at))


def test_kaart_follow_block_has_the_area_and_theme_addresses(app_env, monkeypatch):
    monkeypatch.setattr("streamlit_folium.st_folium", lambda *args, **kwargs: {})
    at = run("kaart.py", {"gemeente": "GM0599", "thema": "zorgcooperatie"})
    blocks = codes(at)
    assert "/feeds/gemeente/GM0599.atom?thema=zorgcooperatie" in blocks
    assert "/feeds/gemeente/GM0599/bijeenkomsten.ics?thema=zorgcooperatie" in blocks
    assert "/api/v1/collections/initiatives/items?gemeente=GM0599&thema=zorgcooperatie" in blocks
    assert any(expander.label == "Volg dit gebied" for expander in at.expander)


def test_witte_vlekken_follow_block_follows_the_scope(app_env, monkeypatch):
    monkeypatch.setattr("streamlit_folium.st_folium", lambda *args, **kwargs: {})
    at = run("witte_vlekken.py", {"zkr": "ZK18", "thema": "buurthulp"})
    blocks = codes(at)
    assert "/feeds/zorgkantoorregio/ZK18.atom?thema=buurthulp" in blocks
    assert "/api/v1/collections/initiatives/items?zorgkantoorregio=ZK18&thema=buurthulp" in blocks


def test_follow_urls_keep_a_base_path():
    assert urls.app_base("https://kaart.example.nl/zorg/kaart?gemeente=GM0599") == "https://kaart.example.nl/zorg/"
    assert urls.app_base("http://127.0.0.1:8501/kaart") == "http://127.0.0.1:8501/"
    assert urls.follow_urls("https://x/", Filter()) == {
        "feed": "https://x/feeds/nederland.atom", "calendar": "https://x/feeds/nederland/bijeenkomsten.ics",
        "api": "https://x/api/v1/collections/initiatives/items"}
