"""Verbindingen: who works with whom — links on the map, the network, zorg-eilandjes, schakels.

Thin page: reads the filter (sidebar + URL), calls mapping.queries / network / linkmap / maps and
renders. Analysis results are cached per filter and data version.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from mapping import linkmap, listing, maps, network, queries, ui
from mapping.i18n import t
from mapping.queries import Filter

VIEWS = ("kaart", "netwerk")
MAX_TABLE_ROWS = 200
LABELLED_RECORDS = linkmap.MAX_LABELS  # up to this many records the map names every line end


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def load_network(_store, key: str, flt: Filter) -> tuple[pd.DataFrame, pd.DataFrame, network.NetworkAnalysis]:
    records = queries.network_records(_store, flt)
    links = queries.links_for(_store, flt)
    return records, links, network.analyse(records, links)


@st.cache_data(show_spinner=False, max_entries=4, ttl=3600)
def load_pool(_store, key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All approved records and links: the candidates for suggested schakels."""
    return queries.network_records(_store, Filter()), queries.links_for(_store, Filter())


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def island_suggestions(_store, key: str, flt: Filter) -> pd.DataFrame:
    records, _, analysis = load_network(_store, key, flt)
    pool, all_links = load_pool(_store, key)
    subjects = records[records["id"].isin(analysis.islands["id"])]
    return network.suggest_partners(subjects, pool, all_links, k=3)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def cluster_gaps(_store, key: str, flt: Filter, kind: str, lang: str) -> pd.DataFrame:
    """Clusters of the selection without a care provider (or initiative), with suggestions."""
    _, _, analysis = load_network(_store, key, flt)
    pool, all_links = load_pool(_store, key)
    themes = ui.themes(_store)
    labels = dict(zip(themes["code"], themes["label_nl" if lang == "nl" else "label_en"]))
    return network.cluster_gap_table(analysis, pool, all_links, kind, lang, labels)


def capped_table(frame: pd.DataFrame) -> None:
    """st.table for short lists; long ones are cut with a note (the downloads hold everything)."""
    if len(frame) > MAX_TABLE_ROWS:
        st.caption(t("network.truncated", lang, shown=MAX_TABLE_ROWS, total=len(frame)))
    st.table(frame.head(MAX_TABLE_ROWS))


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def outlines(_store, key: str, flt: Filter) -> maps.MapOutlines:
    return maps.outlines_for(_store, flt)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def region_summary(_store, key: str, flt: Filter, level: str) -> pd.DataFrame:
    records, links, _ = load_network(_store, key, flt)
    names = dict(zip(ui.region_table(_store)["code"], ui.region_table(_store)["name"]))
    return network.region_summary(records, links, level, names)


ui.use_app_navigation()
store = ui.get_store()
lang = ui.language()
key = ui.db_key(store)
st.title(t("network.title", lang))
st.caption(t("network.intro", lang))
flt = ui.filter_sidebar(store, lang)

records, links, analysis = load_network(store, key, flt)
theme_table = ui.themes(store)
theme_labels = dict(zip(theme_table["code"], theme_table["label_nl" if lang == "nl" else "label_en"]))
summary = analysis.summary

if "network_view" not in st.session_state:
    requested = ui.get_param("weergave")
    st.session_state["network_view"] = requested if requested in VIEWS else VIEWS[0]
if "network_record" not in st.session_state:
    st.session_state["network_record"] = ui.get_param("record") or None
if st.session_state["network_record"] not in set(records["id"]):
    st.session_state["network_record"] = None   # not in this selection (any more)

if records.empty:
    st.info(t("network.empty", lang))
    ui.sync_url(flt)
    st.stop()

# -- key figures ------------------------------------------------------------------------------
cols = st.columns(6)
cols[0].metric(t("network.metric.records", lang), summary["records"])
cols[1].metric(t("network.metric.links", lang), summary["links"],
               help=t("network.metric.links_help", lang, inside=summary["links_inside"]))
cols[2].metric(t("network.metric.clusters", lang), summary["clusters"], help=t("network.metric.clusters_help", lang))
cols[3].metric(t("network.metric.largest", lang), summary["largest_cluster"],
               help=listing.md_escape(summary["largest_cluster_label"]) or None)
cols[4].metric(t("network.metric.islands", lang), summary["islands"], help=t("network.metric.islands_help", lang))
cols[5].metric(t("network.metric.with_provider", lang),
               t("network.metric.with_provider_value", lang, n=summary["initiatives_with_provider"],
                 total=summary["initiatives"]), help=t("network.metric.with_provider_help", lang))

# -- the network on a map ---------------------------------------------------------------------
view = st.radio(t("network.view", lang), VIEWS, format_func=lambda v: t(f"network.view.{v}", lang),
                horizontal=True, key="network_view")
if links.empty:
    st.info(t("network.no_links", lang))
if view == "kaart":
    fmap = maps.explorer_map(records, lang=lang, outlines=outlines(store, key, flt))
    layer = linkmap.add_links_layer(fmap, links, lang, records=records,
                                    end_labels=len(records) <= LABELLED_RECORDS)
    maps.stabilise_ids(fmap)
    st.caption(t("network.map_caption", lang))
    clicked = st_folium(fmap, key=f"network_map_{key}", height=560, use_container_width=True,
                        returned_objects=["last_object_clicked_tooltip"])
    clicked_id = maps.clicked_record_id((clicked or {}).get("last_object_clicked_tooltip"))
    if clicked_id and clicked_id in set(records["id"]) and clicked_id != st.session_state.get("network_clicked"):
        st.session_state["network_clicked"] = clicked_id
        st.session_state["network_record"] = clicked_id
    unplaced = layer.unplaced
else:
    plan = outlines(store, key, flt)
    deck = linkmap.network_deck(links, records, lang, outlines=plan.context, bounds=plan.bounds)
    st.caption(t("network.deck_caption", lang))
    st.pydeck_chart(deck, height=560)
    unplaced = linkmap.prepare_links(links, records).unplaced
if len(unplaced):
    with st.expander(t("network.unplaced_heading", lang, count=len(unplaced))):
        st.caption(t("network.unplaced_intro", lang))
        st.table(pd.DataFrame({t("network.col.links", lang): [linkmap.unplaced_text(row, lang)
                                                              for row in unplaced.to_dict("records")]}))

# -- tables -----------------------------------------------------------------------------------
tab_records, tab_regions, tab_islands, tab_schakels, tab_downloads = st.tabs([
    t("network.tab.records", lang), t("network.tab.regions", lang), t("network.tab.islands", lang),
    t("network.tab.schakels", lang), t("network.tab.downloads", lang)])

names = dict(zip(records["id"], records["name"]))
with tab_records:
    st.dataframe(network.record_table(analysis, lang), hide_index=True, width="stretch")
    chosen = st.selectbox(t("network.record_pick", lang), list(records["id"]), format_func=names.get,
                          key="network_record", index=None, placeholder=t("network.record_pick_placeholder", lang))
    if chosen:
        partners = network.partner_table(links, chosen, lang)
        if partners.empty:
            st.info(t("network.record_no_partners", lang, name=listing.md_escape(names[chosen])))
        else:
            st.caption(t("network.record_partners", lang, name=listing.md_escape(names[chosen])))
            st.table(partners)

with tab_regions:
    level = "wijk" if (flt.gemeente or flt.wijk) else "gemeente"
    st.caption(t("network.regions_caption", lang, level=t(f"network.level.{level}", lang)))
    st.dataframe(network.region_table(region_summary(store, key, flt, level), lang), hide_index=True,
                 width="stretch")

wijk_names = dict(zip(ui.region_table(store)["code"], ui.region_table(store)["name"]))
with tab_islands:
    st.subheader(t("network.islands_heading", lang))
    islands = records[records["id"].isin(analysis.islands["id"])].sort_values("name")
    if islands.empty:
        st.success(t("network.islands_none", lang))
        island_table = pd.DataFrame()
    else:
        st.caption(t("network.islands_intro", lang))
        island_table = network.suggestion_table(islands, island_suggestions(store, key, flt), lang, theme_labels,
                                                region_names=wijk_names)
        capped_table(island_table)
    if len(analysis.local_alone) and not flt.is_empty():
        st.subheader(t("network.alone_heading", lang))
        st.caption(t("network.alone_intro", lang))
        capped_table(network.record_table(analysis, lang, ids=analysis.local_alone["id"]))
    st.subheader(t("network.no_provider_heading", lang))
    gaps = cluster_gaps(store, key, flt, "provider", lang)
    if gaps.empty:
        st.success(t("network.no_provider_none", lang))
    else:
        st.caption(t("network.no_provider_intro", lang))
        capped_table(gaps)
    st.subheader(t("network.no_initiative_heading", lang))
    gaps = cluster_gaps(store, key, flt, "initiative", lang)
    if gaps.empty:
        st.success(t("network.no_initiative_none", lang))
    else:
        capped_table(gaps)

with tab_schakels:
    st.caption(t("network.schakels_intro", lang))
    chosen = st.session_state.get("network_record")
    if chosen:
        pool, all_links = load_pool(store, key)
        subject = pool[pool["id"] == chosen]
        found = network.suggest_partners(subject, pool, all_links, k=5)
        if found.empty:
            st.info(t("network.schakels_none", lang, name=listing.md_escape(names.get(chosen, chosen))))
        else:
            st.table(network.suggestion_table(subject, found, lang, theme_labels, subject_header="network.col.name",
                                              region_names=wijk_names))
    else:
        st.info(t("network.record_pick_placeholder", lang))

with tab_downloads:
    st.caption(t("network.downloads_caption", lang, count=len(links)))
    st.download_button(t("network.download_csv", lang), network.links_csv(links, lang),
                       file_name="verbindingen.csv", mime="text/csv", key="network_csv")
    st.download_button(t("network.download_geojson", lang), network.geojson_bytes(network.links_geojson(links, lang)),
                       file_name="verbindingen.geojson", mime="application/geo+json", key="network_geojson")
    if len(island_table):
        st.download_button(t("network.download_islands", lang),
                           network.table_csv(island_table),
                           file_name="zorg-eilandjes.csv", mime="text/csv", key="network_islands_csv")

ui.sync_url(flt, extra={"weergave": view if view != VIEWS[0] else "",
                        "record": st.session_state.get("network_record") or ""})
ui.attribution(lang)
