"""Streamlit glue for open data: the "Volg dit gebied" expander and the app's own base URL."""

from __future__ import annotations

import streamlit as st

from mapping.api import urls
from mapping.i18n import t
from mapping.queries import Filter


def base_url() -> str:
    """The root URL the visitor uses for this app (so copied addresses work from outside)."""
    return urls.app_base(st.context.url)


def follow_area(flt: Filter, area_name: str, lang: str, *, key: str) -> None:
    """A small expander with the feed, calendar and API address of the area and themes, each in a
    code block (one click copies it)."""
    addresses = urls.follow_urls(base_url(), Filter(provincie=flt.provincie, gemeente=flt.gemeente, wijk=flt.wijk,
                                                    zorgkantoorregio=flt.zorgkantoorregio, themes=flt.themes))
    with st.expander(t("follow.heading", lang), icon=":material/rss_feed:", key=key):
        st.caption(t("follow.intro", lang, area=area_name))
        for name in ("feed", "calendar", "api"):
            st.markdown(t(f"follow.{name}", lang))
            st.code(addresses[name], language=None)
        st.markdown(f"[{t('follow.more', lang)}](open_data)")   # relative: also under a base path
