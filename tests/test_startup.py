"""Warm-up at server start: the first page's data and libraries are ready before a visitor comes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import streamlit as st

from mapping import listing, overview, startup, ui


def test_warm_up_fills_the_first_pages_caches(app_env, monkeypatch):
    st.cache_data.clear()
    st.cache_resource.clear()
    steps = startup.warm_up(rest_delay=None)
    assert set(steps) == {"imports", "first_page"}
    store = ui.get_store()

    def not_again(*args, **kwargs):
        raise AssertionError("computed again: the warm-up did not fill the cache")

    # what the Overzicht page asks for is now answered from memory
    monkeypatch.setattr(overview, "overview", not_again)
    monkeypatch.setattr(overview, "map_html", not_again)
    data = ui.overview(store, listing.MAX_POINTS)
    assert data.total > 0
    assert ui.overview_map_html(store, listing.MAX_POINTS, "nl").startswith("<!DOCTYPE html>")


def test_first_page_warm_up_needs_neither_folium_nor_spatial(app_env):
    """The map comes from the database's page cache (drawn at build time), so the first page's
    warm-up stays small: run it in a fresh interpreter and look at what it loaded."""
    code = (
        "import sys; from mapping import startup, ui; startup.warm_up(rest_delay=None); "
        "store = ui.get_store(); print('folium' in sys.modules, store._spatial)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "MAPPING_DB": str(app_env)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-2:] == ["False", "False"]


def test_warm_up_leaves_a_missing_database_to_the_first_visitor(tmp_path, monkeypatch):
    target = tmp_path / "nieuw.duckdb"
    monkeypatch.setenv("MAPPING_DB", str(target))
    steps = startup.warm_up(rest_delay=None)
    assert "first_page" in steps and not target.exists()


def test_app_is_served_as_an_asgi_app_with_the_warm_up():
    """`streamlit run app.py` finds `app` (an st.App whose lifespan starts the warm-up)."""
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(Path(__file__).resolve().parent.parent / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app"
