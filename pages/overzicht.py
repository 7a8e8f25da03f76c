"""Overzicht: counts per kind, every approved record on a map of the provincies, the records
without a location, counts per provincie and the sources. Deliberately light: no filters (those
live on the Kaart page) and a map that never reruns the script."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from mapping import maps, queries, regions, ui
from mapping.i18n import kind_label, t
from mapping.queries import Filter
from mapping.store import Store


@st.cache_data(show_spinner=False, max_entries=4)
def _provincie_outlines(_store: Store, key: str) -> dict:
    return regions.outlines_geojson(_store, "provincie")


@st.cache_data(show_spinner=False, max_entries=8)
def _per_provincie(_store: Store, key: str) -> pd.DataFrame:
    return queries.counts_by_provincie(_store)


@st.cache_data(show_spinner=False, max_entries=8)
def _gemeente_counts(_store: Store, key: str) -> pd.DataFrame:
    return queries.region_counts(_store, Filter(), "gemeente")


ui.use_app_navigation()
store = ui.get_store()
lang = ui.language()
key = ui.db_key(store)

st.title(t("app.title", lang))
st.caption(t("app.tagline", lang))

totals = ui.counts(store, Filter())
if sum(totals.values()) == 0:
    st.info(t("overview.empty", lang))
    ui.attribution(lang)
    st.stop()

st.subheader(t("overview.counts", lang))
columns = st.columns(len(queries.KINDS) + 1)
for column, kind in zip(columns, queries.KINDS):
    column.metric(kind_label(kind, lang, plural=True), totals[kind])
columns[-1].metric(t("overview.total", lang), sum(totals.values()))

all_records = ui.filtered_records(store, Filter())
points, without_point = maps.split_located(all_records)
max_points = maps.MAX_POINTS
region_counts = _gemeente_counts(store, key) if maps.is_aggregated(len(points), max_points) else None
fmap = maps.overview_map(all_records, _provincie_outlines(store, key), lang, region_counts=region_counts,
                         max_points=max_points)
st_folium(maps.stabilise_ids(fmap), key="overzicht_map", height=520, use_container_width=True, returned_objects=[])
st.caption(t("overview.map_caption", lang) + " " + t("overview.map_hint", lang))
try:
    st.page_link("pages/kaart.py", label=t("overview.open_map", lang), icon="🗺️")
except Exception:  # run standalone (tests, a single page): there is no page to link to
    pass

left, right = st.columns(2, gap="large")
with left:
    st.subheader(t("overview.per_provincie", lang))
    per_provincie = _per_provincie(store, key)
    table = pd.DataFrame({
        t("level.provincie", lang): per_provincie["provincie"].where(per_provincie["provincie"].notna(),
                                                                     t("overview.unknown_provincie", lang)),
        **{kind_label(kind, lang, plural=True): per_provincie[f"n_{kind}"].astype(int) for kind in queries.KINDS},
        t("overview.total", lang): per_provincie["n"].astype(int),
    })
    st.dataframe(table, hide_index=True)

with right:
    st.subheader(t("overview.without_location", lang))
    if without_point.empty:
        st.caption(t("overview.all_located", lang))
    else:
        theme_table = ui.themes(store)
        theme_labels = dict(zip(theme_table["code"], theme_table["label_nl" if lang == "nl" else "label_en"]))
        listed = maps.list_frame(without_point, lang, theme_labels, {})
        st.dataframe(
            listed[["name", "kind", "themes", "when"]], hide_index=True,
            column_config={
                "name": st.column_config.TextColumn(t("common.name", lang), width="large"),
                "kind": st.column_config.TextColumn(t("common.kind", lang)),
                "themes": st.column_config.TextColumn(t("common.themes", lang)),
                "when": st.column_config.TextColumn(t("map.col.when", lang)),
            },
        )

ui.attribution(lang)
