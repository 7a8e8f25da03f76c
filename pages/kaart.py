"""Kaart: the map explorer — filters, layers per kind, map ↔ list ↔ details, shareable URL, downloads.

Thin page: filters come from ``ui.filter_sidebar``, data from ``queries`` (cached here on the
filter value), the map from ``maps``, downloads from ``exports``. State: the filter (widgets,
mirrored in the URL) and the selected record (``st.session_state['kaart_selected']`` and ``id=``).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from mapping import exports, linkmap, listing, maps, queries, records, ui, ui_a11y
from mapping.i18n import format as number_format
from mapping.i18n import kind_label, precision_label, relation_label, t
from mapping.listing import md_escape as md   # user text in Markdown: shown literally
from mapping.queries import Filter
from mapping.store import Store

SELECTED = "kaart_selected"
LAST_CLICK = "kaart_last_click"
LAST_ROWS = "kaart_last_rows"
URL_CHECKED = "kaart_url_checked"
KNOWN_PARAMS = set(queries.PARAM_NAMES) | {"id", "lang", "embed"}
# Links in the details panel are link-styled buttons; their text reads left-aligned like a list.
DETAILS_CSS = """
<style>
[class*="st-key-kaart_show_"] button { justify-content: flex-start; text-align: left; }
[class*="st-key-kaart_show_"] button p { text-align: left; }
</style>
"""
EMBED_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
[data-testid="stHeader"], [data-testid="stToolbar"], header { display: none !important; }
.block-container { padding-top: 0.5rem !important; }
</style>
"""


# -- cached reads (keyed on the data version and the filter value) -----------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def _outlines(_store: Store, key: str, flt: Filter) -> maps.MapOutlines:
    return maps.outlines_for(_store, flt)


@st.cache_data(show_spinner=False, max_entries=64)
def _links(_store: Store, key: str, flt: Filter) -> pd.DataFrame:
    return queries.links_for(_store, flt)


@st.cache_data(show_spinner=False, max_entries=256)
def _detail(_store: Store, key: str, record_id: str) -> tuple[dict | None, pd.DataFrame]:
    return queries.record_detail(_store, record_id), queries.record_links(_store, record_id)


# -- page ---------------------------------------------------------------------------------------

ui.use_app_navigation()
store = ui.get_store()
lang = ui.language()
embed = ui.is_embed()
key = ui.db_key(store)

if URL_CHECKED not in st.session_state:
    # First run of this session: remember what the opened link asked for (and what it got wrong).
    st.session_state[URL_CHECKED] = True
    st.session_state["kaart_unknown_params"] = sorted(k for k in st.query_params.keys() if k not in KNOWN_PARAMS)
    st.session_state["kaart_url_id"] = ui.get_param("id").strip()
    # Embed mode locks what the embedding link fixed, not what the visitor chooses later.
    st.session_state["kaart_locked"] = ui.filter_from_url(store)[0] if embed else None

if embed:
    st.markdown(EMBED_CSS, unsafe_allow_html=True)
    locked = st.session_state.get("kaart_locked") or Filter()
    with st.expander(t("map.embed.filters", lang), expanded=False):
        flt = ui.filter_sidebar(store, lang, locked=locked, container=st.container())
    tiles = maps.default_tiles()
else:
    st.title(t("map.heading", lang))
    st.caption(t("map.intro", lang))
    locked = None
    flt = ui.filter_sidebar(store, lang)
    st.sidebar.divider()
    tiles = st.sidebar.selectbox(t("map.tiles.label", lang), list(maps.TILE_CHOICES),
                                 index=list(maps.TILE_CHOICES).index(maps.default_tiles()),
                                 format_func=lambda name: t(f"map.tiles.{name}", lang),
                                 help=t("map.tiles.help", lang), key="kaart_tiles")

unknown = st.session_state.pop("kaart_unknown_params", None)
if unknown:
    st.info(t("map.notice.unknown_params", lang, names=", ".join(md(name) for name in unknown)))

if embed and locked is not None and not locked.is_empty():
    parts = [ui.region_name(store, locked.region_code)] if locked.region_code else []
    theme_names = dict(zip(ui.themes(store)["code"], ui.themes(store)["label_nl" if lang == "nl" else "label_en"]))
    parts += [theme_names.get(code, code) for code in locked.themes]
    parts += [kind_label(kind, lang, plural=True) for kind in locked.kinds]
    if locked.search:
        parts.append(f"“{locked.search}”")
    st.caption(t("map.embed.locked", lang, what=", ".join(p for p in parts if p)))

# Never the whole selection: counts, the map's data (points or counts per region), the first rows
# for the table; downloads are made when asked for. That keeps 100k+ records fluid.
counts = ui.counts(store, flt)
totals = ui.counts(store, Filter())
n_selected = sum(counts.values())


def in_view(record_id: str | None) -> bool:
    return ui.in_selection(store, flt, record_id)


# The selected record: from the link once, then from clicks and rows; dropped when filtered out.
url_id = st.session_state.pop("kaart_url_id", "")
if url_id:
    if in_view(url_id):
        st.session_state[SELECTED] = url_id
    else:
        st.warning(t("map.notice.bad_id", lang, value=url_id[:80]))
if not in_view(st.session_state.get(SELECTED)):
    st.session_state.pop(SELECTED, None)
selected = st.session_state.get(SELECTED)

# "N van M" per kind
metric_columns = st.columns(len(queries.KINDS))
for column, kind in zip(metric_columns, queries.KINDS):
    column.metric(kind_label(kind, lang, plural=True), t("map.count_of", lang, shown=counts[kind], total=totals[kind]),
                  help=t("map.count_help", lang))

if n_selected == 0:
    st.warning(t("map.empty", lang))

max_points = maps.MAX_POINTS
level = maps.count_level(flt)
data = ui.map_data(store, flt, max_points, level)
points = data.points
aggregated = data.aggregated
outlines = _outlines(store, key, replace(Filter(), provincie=flt.provincie, gemeente=flt.gemeente, wijk=flt.wijk,
                                         zorgkantoorregio=flt.zorgkantoorregio))
fmap = maps.explorer_map(points, lang=lang, outlines=outlines, region_counts=data.region_counts,
                         count_level_name=level, tiles=tiles, max_points=max_points, n_located=data.n_located,
                         n_records=data.n_records)
if not aggregated:
    # Links between the records as a switchable layer ("Verbindingen" in the layer control).
    links = _links(store, key, flt)
    if len(links):
        linkmap.add_links_layer(fmap, links, lang, records=points, show=False)

map_column, detail_column = st.columns([2, 1], gap="medium")   # the map ≥ 60 % of the width (#14)
with map_column:
    centre = zoom = ring = None
    if selected and not aggregated:
        row = points[points["id"] == selected]
        if len(row):
            centre = [float(row["lat"].iloc[0]), float(row["lon"].iloc[0])]
            zoom = maps.SELECTED_ZOOM
            ring = maps.selection_layer(*centre)
    result = st_folium(maps.stabilise_ids(fmap), key="kaart_map", height=560, use_container_width=True,
                       returned_objects=["last_object_clicked_tooltip"], center=centre, zoom=zoom,
                       feature_group_to_add=ring)
    if aggregated:
        st.info(t("map.aggregated", lang, max=number_format.number(max_points, lang),
                  level=t(f"map.level.{level}", lang)))
    if data.n_records > data.n_located:
        st.caption(t("map.not_on_map", lang, count=data.n_records - data.n_located))
    if not embed:
        st.caption(t("map.share", lang))

clicked = (result or {}).get("last_object_clicked_tooltip")
if clicked and clicked != st.session_state.get(LAST_CLICK):
    st.session_state[LAST_CLICK] = clicked
    record_id = maps.clicked_record_id(clicked)
    if record_id and record_id != selected and in_view(record_id):
        st.session_state[SELECTED] = record_id
        st.rerun()


def select(record_id: str) -> None:
    st.session_state[SELECTED] = record_id


def render_details(record_id: str) -> None:
    detail, links = _detail(store, key, record_id)
    if detail is None:
        st.info(t("map.details.empty", lang))
        return
    theme_table = ui.themes(store)
    theme_names = dict(zip(theme_table["code"], theme_table["label_nl" if lang == "nl" else "label_en"]))
    st.subheader(md(detail["name"]))
    codes = detail.get("themes")
    themes = ", ".join(theme_names.get(code, code) for code in (list(codes) if codes is not None else []))
    st.markdown(f"**{md(kind_label(detail['kind'], lang))}**" + (f" · {md(themes)}" if themes else ""))
    if detail.get("synthetic"):
        st.caption(t("map.details.synthetic", lang))
    if detail.get("description"):
        st.markdown(md(detail["description"]))
    if detail["kind"] == "meetup":
        when = maps.format_when(detail.get("starts_at"), detail.get("ends_at"), detail.get("all_day"), lang)
        if when:
            if detail.get("all_day"):
                when += f" ({t('map.details.all_day', lang)})"
            st.markdown(f"**{md(t('map.details.when', lang))}:** {md(when)}")
    if detail.get("online"):
        st.markdown(f"**{md(t('map.details.online', lang))}**")
        if records.valid_url(detail.get("meeting_url") or ""):
            st.link_button(t("map.details.meeting_link", lang), detail["meeting_url"], key="kaart_join")
    areas = [f"{t(f'level.{lvl}', lang)} {detail.get(f'{lvl}_naam')}"
             for lvl in ("wijk", "gemeente", "provincie", "zorgkantoorregio") if detail.get(f"{lvl}_naam")]
    if areas:
        st.markdown(f"**{md(t('map.details.regions', lang))}:** {md(' · '.join(areas))}")
    if detail.get("lat") is not None and detail.get("lon") is not None:
        address = ", ".join(str(detail[c]) for c in ("address", "postcode", "place") if detail.get(c))
        precision = precision_label(detail.get("location_precision") or "unknown", lang)
        st.caption(md(t("map.details.precision", lang, precision=precision) + (f" — {address}" if address else "")))
    elif not detail.get("online"):
        st.caption(t("map.details.no_location", lang))
    buttons = st.columns(2)
    if records.valid_url(detail.get("website") or ""):
        buttons[0].link_button(t("common.website", lang), detail["website"], key="kaart_site")
    if records.valid_url(detail.get("source") or ""):
        buttons[1].link_button(t("map.details.source", lang), detail["source"], key="kaart_source")
    source_title = listing.public_source_title(detail.get("source_title"))
    if source_title:
        dated = number_format.date(detail.get("source_date"), lang, missing="")
        st.caption(f"{md(t('map.details.source', lang))}: {md(source_title)}" + (f" ({md(dated)})" if dated else ""))
    if detail.get("last_verified") is not None:
        st.caption(f"{md(t('common.last_verified', lang))}: {md(str(detail['last_verified'])[:10])}")
    st.markdown(f"**{md(t('map.details.links', lang))}** ({len(links)})")
    if links.empty:
        st.caption(t("map.details.no_links", lang))
    for link in links.to_dict("records"):
        relation = relation_label(link["relation"], lang)
        kind = kind_label(link["other_kind"], lang).lower()
        if link["direction"] == "in":   # the other record points at this one ("X organised by this")
            label = f"**{md(link['other_name'])}** ({md(kind)}) {md(relation)} {md('→')} {md(detail['name'])}"
        else:
            label = f"{md(relation)} {md('→')} **{md(link['other_name'])}** ({md(kind)})"
        if in_view(link["other_id"]):
            # a link-styled button: choosing it opens the connected record here and on the map
            st.button(label, key=f"kaart_show_{link['id']}_{link['other_id']}", type="tertiary",
                      help=t("map.details.show_linked_help", lang), on_click=select, args=(link["other_id"],))
        else:
            st.markdown(label, help=t("map.details.linked_outside", lang, name=link["other_name"]))
    if st.button(t("map.details.clear", lang), key="kaart_clear"):
        st.session_state.pop(SELECTED, None)
        st.rerun()


with detail_column:
    st.markdown(DETAILS_CSS, unsafe_allow_html=True)
    with st.container(border=True):
        st.markdown(f"**{md(t('map.details.heading', lang))}**")
        if st.session_state.get(SELECTED):
            render_details(st.session_state[SELECTED])
        else:
            st.caption(t("map.details.empty", lang))

# The list: sortable, one row selectable; choosing a row selects the record and centres the map.
st.subheader(t("map.table.heading", lang))
theme_table = ui.themes(store)
theme_labels = dict(zip(theme_table["code"], theme_table["label_nl" if lang == "nl" else "label_en"]))
region_table = ui.region_table(store)
table = maps.list_frame(ui.list_records(store, flt, maps.LIST_LIMIT), lang, theme_labels,
                       dict(zip(region_table["code"], region_table["name"])))
if n_selected > len(table):
    st.caption(t("map.table.truncated", lang, shown=len(table), total=n_selected))
st.caption(t("map.table.help", lang))
table_key = f"kaart_table_{abs(hash(flt)) % 10**8}_{lang}"
ui_a11y.record_picker(table, SELECTED, lang, key=f"{table_key}_pick")   # the row choice for keyboards
event = st.dataframe(
    table, key=table_key, on_select="rerun", selection_mode="single-row", hide_index=True,
    height=min(420, 38 + 35 * max(len(table), 1)),
    column_config={
        "name": st.column_config.TextColumn(t("common.name", lang), width="large"),
        "kind": st.column_config.TextColumn(t("common.kind", lang)),
        "themes": st.column_config.TextColumn(t("common.themes", lang)),
        "place": st.column_config.TextColumn(t("common.place", lang)),
        "gemeente": st.column_config.TextColumn(t("level.gemeente", lang)),
        "when": st.column_config.TextColumn(t("map.col.when", lang)),
        "on_map": st.column_config.CheckboxColumn(t("map.col.on_map", lang)),
        "website": st.column_config.LinkColumn(t("common.website", lang)),
    },
)
rows = tuple(event.selection.rows) if event is not None and hasattr(event, "selection") else ()
if rows != st.session_state.get(LAST_ROWS, ()):
    st.session_state[LAST_ROWS] = rows
    if rows and 0 <= rows[0] < len(table):
        chosen = table.index[rows[0]]
        if chosen != st.session_state.get(SELECTED):
            st.session_state[SELECTED] = chosen
            st.rerun()

online = ui.online_meetups(store, flt)
if len(online):
    st.subheader(t("map.online.heading", lang))
    st.caption(t("map.online.help", lang))
    st.dataframe(
        pd.DataFrame({
            "name": online["name"].astype(str),
            "when": [maps.format_when(s, e, a, lang) for s, e, a in zip(online["starts_at"], online["ends_at"], online["all_day"])],
            "link": [url if records.valid_url(url or "") else None for url in online["meeting_url"].where(online["meeting_url"].notna(), None)],
        }),
        hide_index=True,
        column_config={
            "name": st.column_config.TextColumn(t("common.name", lang), width="large"),
            "when": st.column_config.TextColumn(t("map.col.when", lang)),
            "link": st.column_config.LinkColumn(t("map.online.join", lang)),
        },
    )

# Downloads of exactly this selection, made when asked for.
st.subheader(t("map.downloads.heading", lang))
st.caption(t("map.downloads.help", lang, count=n_selected))
name_parts = [flt.region_code or "", *flt.themes[:2], *flt.kinds[:2]]
d1, d2, d3 = st.columns(3)
d1.download_button(t("map.download.csv", lang), ui.download(store, flt, "csv", lang), file_name=exports.file_name("zorgzame-buurten", "csv", name_parts),
                   mime="text/csv", help=t("map.download.csv_help", lang), key="kaart_dl_csv", on_click="ignore")
d2.download_button(t("map.download.geojson", lang), ui.download(store, flt, "geojson", lang),
                   file_name=exports.file_name("zorgzame-buurten", "geojson", name_parts),
                   mime="application/geo+json", help=t("map.download.geojson_help", lang), key="kaart_dl_geojson",
                   on_click="ignore")
if ui.dated_meetups(store, flt):
    d3.download_button(t("map.download.ics", lang), ui.download(store, flt, "ics", lang),
                       file_name=exports.file_name("zorgzame-buurten-bijeenkomsten", "ics", name_parts),
                       mime="text/calendar", help=t("map.download.ics_help", lang), key="kaart_dl_ics",
                       on_click="ignore")
else:
    d3.caption(t("map.download.ics_none", lang))

if embed:
    # the same view in the full app, in a new tab (relative, so it also works under a base path)
    full_view = {**queries.to_params(flt), **({"id": st.session_state[SELECTED]} if st.session_state.get(SELECTED) else {})}
    st.link_button(t("map.embed.open_full", lang), "kaart?" + urlencode(full_view), key="kaart_open_full")
    ui.osm_attribution(lang)  # ODbL: an embedded map names OpenStreetMap too (issue 15)
else:
    from mapping import ui_open_data

    area_name = ui.region_name(store, flt.region_code) if flt.region_code else t("feed.nederland", lang)
    ui_open_data.follow_area(flt, area_name, lang, key="kaart_follow")
    ui.attribution(lang)

ui.sync_url(flt, {"id": st.session_state.get(SELECTED) or ""})
