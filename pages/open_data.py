"""Open data: the API explained with three copy-paste examples, feeds and calendars, licence and
attribution, and the whole dataset (GeoJSON + CSV, with its version date)."""

from __future__ import annotations

import streamlit as st

from mapping import exports, queries, ui, ui_open_data
from mapping.api import urls
from mapping.api.http import RateLimiter
from mapping.i18n import format as fmt
from mapping.i18n import t
from mapping.queries import Filter

ui.use_app_navigation()
store = ui.get_store()
lang = ui.language()
key = ui.db_key(store)
base = ui_open_data.base_url()
EXAMPLE = Filter(gemeente="GM0546")          # Leiden: the examples a gemeente editor adapts


@st.cache_data(show_spinner=False, max_entries=4)
def _version(_store, key: str) -> tuple[object, int]:
    return queries.data_updated_at(_store), queries.count_records(_store, Filter())


@st.cache_data(show_spinner=False, max_entries=2, ttl=600)
def _dataset(_store, key: str, file_format: str) -> bytes:
    if file_format == "csv":
        return queries.export_csv(_store)
    return exports.to_geojson(queries.export_records(_store, Filter()))


st.title(t("open_data.heading", lang))
st.markdown(t("open_data.intro", lang))

st.subheader(t("open_data.api.heading", lang))
st.markdown(t("open_data.api.body", lang, openapi=f"{base}api/v1/openapi.json"))
limits = RateLimiter.from_env()
st.markdown(t("open_data.http.body", lang, rate=fmt.number(limits.rate, lang), window=fmt.number(limits.window, lang)))

st.subheader(t("open_data.examples.heading", lang))
st.markdown(t("open_data.example.items", lang))
st.code(f"curl '{urls.items_url(base, EXAMPLE, limit='100')}'", language="bash")
st.markdown(t("open_data.example.changes", lang))
st.code(f"curl '{base}api/v1/changes?since=2025-01-01T00:00:00Z'", language="bash")
st.markdown(t("open_data.example.calendar", lang))
st.code(f"curl '{urls.calendar_url(base, EXAMPLE)}'", language="bash")

st.subheader(t("open_data.feeds.heading", lang))
st.markdown(t("open_data.feeds.body", lang))

st.subheader(t("open_data.download.heading", lang))
updated, count = _version(store, key)
st.markdown(t("open_data.download.version", lang, date=fmt.date(updated, lang, style="long"),
              count=fmt.number(count, lang)))
c1, c2 = st.columns(2)
c1.download_button(t("open_data.download.geojson", lang), lambda: _dataset(store, key, "geojson"),
                   file_name="zorgzame-buurten.geojson", mime="application/geo+json", key="od_geojson",
                   on_click="ignore")
c2.download_button(t("open_data.download.csv", lang), lambda: _dataset(store, key, "csv"),
                   file_name="zorgzame-buurten.csv", mime="text/csv", key="od_csv", on_click="ignore")
st.caption(t("open_data.download.urls", lang))
st.code(f"{base}api/v1/dataset/zorgzame-buurten.geojson\n{base}api/v1/dataset/zorgzame-buurten.csv", language=None)

st.subheader(t("open_data.licence.heading", lang))
st.markdown(t("open_data.licence.body", lang))
ui.attribution(lang)
