"""Zorgzame Buurten Kaart — entry point: `streamlit run app.py`.

Builds the database from data/ on first start, serves the map assets locally and routes to the
pages. All logic lives in the `mapping` package; pages only wire widgets to it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).parent / "pages"
# Page icons are Material symbols (Streamlit ships the font): they render everywhere, also where no
# emoji font is installed. The browser tab icon stays an emoji: a Material one is fetched from Google
# Fonts, and the dashboard must not need anything from outside.
# url_path equals the file name: right after a server start Streamlit resolves a deep link against
# the pages/ folder before app.py has run, and a differing name would show "Page not found".
PAGE_SPECS = [
    ("overzicht.py", "nav.overview", ":material/home:", "overzicht", True),
    ("kaart.py", "nav.map", ":material/map:", "kaart", False),
    ("verbindingen.py", "nav.network", ":material/hub:", "verbindingen", False),
    ("witte_vlekken.py", "nav.gaps", ":material/explore:", "witte_vlekken", False),
    ("aanmelden.py", "nav.submit", ":material/edit_note:", "aanmelden", False),
    ("mijn_aanmelding.py", "nav.status", ":material/key:", "mijn_aanmelding", False),
    ("moderatie.py", "nav.moderation", ":material/shield:", "moderatie", False),
    ("privacy.py", "nav.privacy", ":material/lock:", "privacy", False),
    ("open_data.py", "nav.open_data", ":material/dataset:", "open_data", False),
    ("toegankelijkheid.py", "nav.accessibility", ":material/accessibility:", "toegankelijkheid", False),
]


def main() -> None:
    """The page script: Streamlit runs it for every visitor and every rerun."""
    from mapping import ui
    from mapping.i18n import t

    st.set_page_config(page_title="Zorgzame Buurten Kaart", page_icon="🏘️", layout="wide")

    try:
        from mapping import assets

        assets.ensure_static_once()
    except ImportError:  # assets module not installed in a minimal checkout
        pass

    lang = ui.language()
    pages = [
        st.Page(str(PAGES_DIR / file), title=t(title_key, lang), icon=icon, url_path=url_path, default=default)
        for file, title_key, icon, url_path, default in PAGE_SPECS
    ]
    embed = ui.is_embed()
    ui.open_default_page_by_name(next(spec[3] for spec in PAGE_SPECS if spec[4]))
    navigation = st.navigation(pages, position="hidden" if embed else "sidebar")
    # Each page its own <title> (WCAG 2.4.2) and <html lang> in step with the language choice.
    from mapping import web_shell

    st.set_page_config(page_title=web_shell.page_title(navigation.title))
    web_shell.page_frame(lang)

    store = ui.get_store()
    if not embed:
        ui.language_selector()
    from mapping.store import StoreUnavailable

    try:
        ui.demo_banner(store, lang)
        navigation.run()
    except StoreUnavailable:  # server mode, database stopped: every page says so; the next run recovers
        ui.unavailable()


if __name__ == "__main__":
    main()
else:
    # `streamlit run app.py` imports this file, finds `app` and serves it (Streamlit runs the same
    # file as the page script above). Its lifespan warms the process — libraries, database, the
    # first page's data — while the first visitor's browser is still loading the frontend.
    # Its routes serve the open data API (/api/v1/) and the area feeds and calendars (/feeds/)
    # from the same server; its middleware gives the served page shell the visitor's language.
    from starlette.middleware import Middleware

    from mapping import api, startup, web_shell

    app = st.App(__file__, lifespan=startup.lifespan, routes=api.routes(),
                 middleware=[Middleware(web_shell.ShellMiddleware)])
