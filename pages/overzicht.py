"""Overzicht: counts per kind, every approved record on a map of the provincies, the records
without a location, counts per provincie and the sources. Deliberately light, since it is the
first page every visitor sees: no filters (those live on the Kaart page), a bounded amount of data
at any database size (``ui.overview``) and a static map that never reruns the script."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapping import listing, queries, ui
from mapping.i18n import kind_label, t

ui.use_app_navigation()
store = ui.get_store()
lang = ui.language()

st.title(t("app.title", lang))
st.caption(t("app.tagline", lang))

data = ui.overview(store, listing.MAX_POINTS)
if data.total == 0:
    st.info(t("overview.empty", lang))
    ui.attribution(lang)
    st.stop()

st.subheader(t("overview.counts", lang))
columns = st.columns(len(queries.KINDS) + 1)
for column, kind in zip(columns, queries.KINDS):
    column.metric(kind_label(kind, lang, plural=True), data.totals[kind])
columns[-1].metric(t("overview.total", lang), data.total)

# A static document (local Leaflet, escaped text): the overview map never reruns the script.
st.iframe(ui.overview_map_html(store, listing.MAX_POINTS, lang), height=520)
st.caption(t("overview.map_caption", lang) + " " + t("overview.map_hint", lang))
try:
    st.page_link("pages/kaart.py", label=t("overview.open_map", lang), icon=":material/map:")
except Exception:  # run standalone (tests, a single page): there is no page to link to
    pass

# Static Markdown tables, not st.dataframe: the interactive grid makes every first visitor's
# browser load ~1.2 MB more JavaScript (half a second here); the Kaart page has the full list.
st.subheader(t("overview.per_provincie", lang))
per_provincie = data.per_provincie
st.markdown(listing.markdown_table(pd.DataFrame({
    t("level.provincie", lang): per_provincie["provincie"].where(per_provincie["provincie"].notna(),
                                                                 t("overview.unknown_provincie", lang)),
    **{kind_label(kind, lang, plural=True): per_provincie[f"n_{kind}"].astype(int) for kind in queries.KINDS},
    t("overview.total", lang): per_provincie["n"].astype(int),
})))

st.subheader(t("overview.without_location", lang))
if data.n_without_location == 0:
    st.caption(t("overview.all_located", lang))
else:
    theme_table = ui.themes(store)
    theme_labels = dict(zip(theme_table["code"], theme_table["label_nl" if lang == "nl" else "label_en"]))
    listed = listing.list_frame(data.without_location, lang, theme_labels, {})
    st.markdown(listing.markdown_table(listed[["name", "kind", "themes", "when"]].rename(columns={
        "name": t("common.name", lang), "kind": t("common.kind", lang), "themes": t("common.themes", lang),
        "when": t("map.col.when", lang)})))
    if data.n_without_location > len(listed):
        st.caption(t("overview.without_location_more", lang, shown=len(listed), total=data.n_without_location))

ui.attribution(lang)
