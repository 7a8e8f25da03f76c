"""Witte vlekken: where need is high and supply is low — the view for zorgkantoor staff.

Thin page: widgets → ``mapping.queries`` (gaps section) → ``mapping.gaps`` (score) → ``mapping.gapmap``
(map, legend, printable summary) → render. The view lives in ``st.session_state`` and is mirrored
in the URL (zkr/provincie/gemeente, niveau, maat, laag, thema, gebied), so a link reproduces it.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from mapping import csv_dialect, gapmap, gaps, listing, needs, queries, regions, ui
from mapping.i18n import kind_label, relation_label, t
from mapping.queries import Filter

ui.use_app_navigation()
store = ui.get_store()
lang = ui.language()
KEY = ui.db_key(store)


# -- cached reads (keyed on the data version and the view) ------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def load_table(_store, key: str, level: str, scope_level: str | None, scope_code: str | None,
               themes: tuple[str, ...], need: str, supply: str = gaps.DEFAULT_SUPPLY) -> pd.DataFrame:
    args = (level, scope_level, scope_code)
    return gaps.build_gap_table(
        queries.gap_areas(_store, *args), queries.gap_figures(_store, *args),
        queries.gap_record_counts(_store, *args, themes=themes), queries.gap_link_counts(_store, *args, themes=themes),
        need, supply=supply)


@st.cache_data(show_spinner=False, max_entries=32)
def load_outlines(_store, key: str, level: str, within: tuple[str, str] | None,
                  codes: tuple[str, ...] | None = None) -> dict:
    return regions.outlines_geojson(_store, level, within=within, codes=list(codes) if codes is not None else None)


@st.cache_data(show_spinner=False, max_entries=32)
def load_gemeente_figures(_store, key: str, scope_level: str | None, scope_code: str | None) -> pd.DataFrame:
    return needs.figures_wide(queries.gap_figures(_store, "gemeente", scope_level, scope_code))


@st.cache_data(show_spinner=False, max_entries=64)
def load_links(_store, key: str, flt: Filter) -> pd.DataFrame:
    return queries.links_for(_store, flt)


# -- the view: URL → session state → widgets --------------------------------------------------

region_rows = ui.region_table(store)
names = dict(zip(region_rows["code"], region_rows["name"]))
theme_rows = ui.themes(store)
theme_labels = dict(zip(theme_rows["code"], theme_rows["label_nl" if lang == "nl" else "label_en"]))
url_view = gaps.view_from_params(dict(st.query_params), known_regions=set(names), known_themes=set(theme_labels))

# Widget state is dropped when the user visits another page; restore it from the URL then.
defaults = {
    "wv_scope_level": url_view.scope_level or "zorgkantoorregio",
    "wv_level": url_view.level, "wv_need": url_view.need, "wv_layer": url_view.layer, "wv_supply": url_view.supply,
    "wv_themes": list(url_view.themes), "wv_area": url_view.selected or "",
}
defaults.update({f"wv_scope_{level}": (url_view.scope_code if url_view.scope_level == level else "")
                 for level in gaps.SCOPE_LEVELS})
for state_key, value in defaults.items():
    st.session_state.setdefault(state_key, value)


def scope_changed(state_key: str) -> None:
    """A newly chosen region is most useful per wijk; the open area belongs to the old region."""
    if st.session_state.get(state_key):
        st.session_state["wv_level"] = "wijk"
    st.session_state["wv_area"] = ""


sidebar = st.sidebar
sidebar.subheader(t("gaps.controls", lang))
scope_level = sidebar.radio(t("gaps.scope", lang), list(gaps.SCOPE_LEVELS), key="wv_scope_level",
                            format_func=lambda level: t(f"gaps.scope.{level}", lang), horizontal=True,
                            on_change=lambda: st.session_state.update(wv_area=""))
scope_options = [""] + list(regions.children(region_rows, scope_level)["code"])
scope_key = f"wv_scope_{scope_level}"
if st.session_state.get(scope_key) not in scope_options:
    st.session_state[scope_key] = ""
scope_code = sidebar.selectbox(t(f"level.{scope_level}", lang), scope_options, key=scope_key,
                               format_func=lambda code: names.get(code, code) if code else t("gaps.scope.all", lang),
                               on_change=scope_changed, args=(scope_key,)) or None
level_options = ["wijk"] if (scope_level == "gemeente" and scope_code) else list(gaps.LEVELS)
if st.session_state.get("wv_level") not in level_options:
    st.session_state["wv_level"] = level_options[0]
level = sidebar.radio(t("gaps.level", lang), level_options, key="wv_level", horizontal=True,
                      format_func=lambda lvl: t(f"gaps.level_plural.{lvl}", lang), help=t("gaps.level_help", lang),
                      on_change=lambda: st.session_state.update(wv_area=""))
need = sidebar.selectbox(t("gaps.need", lang), list(gaps.NEED_MEASURES), key="wv_need",
                         format_func=lambda measure: t(f"gaps.measure.{measure}", lang), help=t("gaps.need_help", lang))
supply = sidebar.radio(t("gaps.supply", lang), list(gaps.SUPPLY_MODES), key="wv_supply", horizontal=True,
                       format_func=lambda mode: t(f"gaps.supply.{mode}", lang), help=t("gaps.supply_help", lang))
layer = sidebar.radio(t("gaps.layer", lang), list(gaps.MAP_LAYERS), key="wv_layer",
                      format_func=lambda name: t(f"gaps.layer.{name}", lang))
st.session_state["wv_themes"] = [c for c in st.session_state["wv_themes"] if c in theme_labels]
themes = tuple(sidebar.multiselect(t("gaps.themes", lang), list(theme_labels), key="wv_themes",
                                   format_func=lambda code: theme_labels.get(code, code),
                                   help=t("gaps.themes_help", lang), placeholder=t("gaps.themes_placeholder", lang)))

view = gaps.GapView(scope_level=scope_level if scope_code else None, scope_code=scope_code, level=level,
                    need=need, layer=layer, supply=supply, themes=themes).normalised()
table = load_table(store, KEY, view.level, view.scope_level, view.scope_code, view.themes, view.need, view.supply)
codes = set(table["code"])


# -- which area is open: map click, table row or the select box -------------------------------

def new_map_click() -> str | None:
    """The area code of a map click not handled yet (st_folium keeps its last value)."""
    state = st.session_state.get("wv_map")
    if not isinstance(state, dict):
        return None
    drawing = state.get("last_active_drawing") or {}
    code = (drawing.get("properties") or {}).get("code") if isinstance(drawing, dict) else None
    ident = f"{code}@{state.get('last_object_clicked')}"
    if code and ident != st.session_state.get("wv_map_seen"):
        st.session_state["wv_map_seen"] = ident
        return str(code)
    return None


# One table widget per view: a row number selected in another view must not pick an area here.
TABLE_KEY = "wv_table_" + hashlib.sha1(repr((view.level, view.scope_level, view.scope_code, view.themes,
                                              view.need, view.supply)).encode()).hexdigest()[:12]


def new_table_pick() -> str | None:
    state = st.session_state.get(TABLE_KEY)
    rows = (state or {}).get("selection", {}).get("rows", []) if state is not None else []
    if not rows or rows[0] >= len(table):
        st.session_state["wv_table_seen"] = None     # deselected: picking the same row again counts
        return None
    code = str(table.iloc[rows[0]]["code"])
    if code != st.session_state.get("wv_table_seen"):
        st.session_state["wv_table_seen"] = code
        return code
    return None


for picked in (new_map_click(), new_table_pick()):
    if picked in codes:
        st.session_state["wv_area"] = picked
if st.session_state.get("wv_area") not in codes:
    st.session_state["wv_area"] = ""
view = replace(view, selected=st.session_state["wv_area"] or None)
ui.sync_url(Filter(), extra=gaps.view_to_params(view))


# -- page -------------------------------------------------------------------------------------

st.title(t("gaps.title", lang))
st.caption(t("gaps.intro", lang))
if url_view.ignored:
    st.info(t("gaps.ignored_params", lang, names=", ".join(sorted(set(url_view.ignored)))))
st.markdown(
    "<style>@media print { [data-testid='stSidebar'], [data-testid='stHeader'], [data-testid='stToolbar'], "
    "[data-testid='stDownloadButton'], [data-testid='stLinkButton'], .stButton { display: none !important; } "
    "[data-testid='stMainBlockContainer'] { padding-top: 0 !important; } "
    "* { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }</style>",
    unsafe_allow_html=True)

scored = table[table["gap_score"].notna()]
metric_columns = st.columns(4)
metric_columns[0].metric(t(f"gaps.metric.areas.{view.level}", lang), gapmap.fmt(len(table), lang),
                         t("gaps.metric.scored", lang, n=gapmap.fmt(len(scored), lang)), delta_color="off",
                         delta_arrow="off")
metric_columns[1].metric(t("gaps.metric.records", lang), gapmap.fmt(int(table["n_records"].sum()), lang))
metric_columns[2].metric(t("gaps.metric.without", lang), gapmap.fmt(int((scored["n_records"] == 0).sum()), lang))
metric_columns[3].metric(t("gaps.metric.linked", lang),
                         f"{gapmap.fmt(int(table['n_initiative_linked'].sum()), lang)} / "
                         f"{gapmap.fmt(int(table['n_initiative'].sum()), lang)}")

if table.empty:
    st.warning(t("gaps.no_areas", lang))
    st.stop()

scope_column = queries.GAP_SCOPE_COLUMNS.get(view.scope_level) if view.scope_level else None
within = (scope_column, view.scope_code) if scope_column else None
areas_geojson = load_outlines(store, KEY, view.level, within)
if view.level == "wijk":
    outlines = load_outlines(store, KEY, "gemeente", within if view.scope_level != "gemeente" else None,
                             (view.scope_code,) if view.scope_level == "gemeente" else None)
elif view.scope_level:
    outlines = load_outlines(store, KEY, view.scope_level, None, (view.scope_code,))
else:
    outlines = load_outlines(store, KEY, "provincie", None)
bounds = regions.bounds(store, view.scope_code) if view.scope_code else None   # None: the Netherlands

map_column, detail_column = st.columns([3, 2], gap="medium")
with map_column:
    fmap, classes = gapmap.choropleth(areas_geojson, table, view.layer, view.need, lang, outlines=outlines,
                                      bounds=bounds)
    st_folium(fmap, key="wv_map", height=560, use_container_width=True,
              returned_objects=["last_active_drawing", "last_object_clicked"])
    legend_title = t(f"gaps.legend.title.{view.layer}", lang, measure=t(f"gaps.measure.{view.need}", lang))
    st.markdown(gapmap.legend_html(classes, legend_title, lang, view.need if view.layer == "need" else None,
                                   missing_label=t("gaps.legend.unscored", lang)), unsafe_allow_html=True)
    st.caption(t("gaps.map_caption", lang))


def area_label(code: str) -> str:
    if not code:
        return t("gaps.area.none", lang)
    row = table.loc[table["code"] == code].iloc[0]
    name = str(row["name"])
    if view.level == "wijk" and isinstance(row.get("gemeente_name"), str):
        name += f" ({row['gemeente_name']})"
    return f"#{int(row['rank'])} {name}" if pd.notna(row["rank"]) else f"{name} — {gapmap.status_text(row['status'], lang)}"


def render_area(code: str) -> None:
    row = table.loc[table["code"] == code].iloc[0]
    st.subheader(str(row["name"]))
    if view.level == "wijk":
        st.caption(t("gaps.area.in_gemeente", lang, gemeente=row.get("gemeente_name") or ""))
    else:
        st.caption(t("gaps.area.gemeente", lang))
    st.markdown("**" + t("gaps.area.score", lang, score=gapmap.score_text(row, lang)).replace("*", "\\*") + "**")
    figures = [{t("gaps.area.figure", lang): t(f"gaps.measure.{measure}", lang),
                t("gaps.area.value", lang): gapmap.fmt_measure(measure, row.get(measure), lang),
                t("gaps.col.source", lang): row.get(f"{measure}__source") or "—",
                t("gaps.area.method", lang): gapmap.method_text(row.get(f"{measure}__method"), lang)}
               for measure in needs.NEED_MEASURES + ("huishoudens", "huishoudensgrootte", needs.PROFESSIONAL_MEASURE,
                                                     "woningvoorraad")
               if not (measure == "aandeel_eenpersoonshuishoudens" and view.level == "wijk")]
    # figures that do not exist in the data are named, not left out
    absent = [("gaps.measure.wmo", "gaps.method.wmo")]
    if view.level == "wijk":
        absent.insert(0, ("gaps.measure.eenpersoonshuishoudens_wijk", "gaps.method.households"))
    for label_key, method_key in absent:
        figures.append({t("gaps.area.figure", lang): t(label_key, lang),
                        t("gaps.area.value", lang): t("gaps.not_available", lang), t("gaps.col.source", lang): "—",
                        t("gaps.area.method", lang): t(method_key, lang)})
    st.markdown("**" + t("gaps.area.figures", lang) + "**")
    st.dataframe(pd.DataFrame(figures), hide_index=True, width="stretch")
    if view.level == "wijk" and pd.notna(row.get("pc4_coverage")):
        verdict = t("gaps.area.coverage_rough" if needs.is_rough(row["pc4_coverage"]) else "gaps.area.coverage_good", lang)
        st.caption(t("gaps.area.coverage", lang, pc4=gapmap.fmt(row.get("inwoners_2021_pc4"), lang),
                     wijk=gapmap.fmt(row.get("inwoners"), lang), verdict=verdict))
    flt = Filter(**{view.level: code}, themes=view.themes)
    records = ui.list_records(store, flt, listing.LIST_LIMIT)   # an area can hold tens of thousands
    n_records = sum(ui.counts(store, flt).values())
    st.markdown("**" + t("gaps.area.records", lang) + "**")
    if n_records > len(records):
        st.caption(t("gaps.area.records_truncated", lang, shown=len(records), total=n_records))
    if records.empty:
        st.info(t("gaps.area.no_records", lang, themes=t("gaps.area.with_themes", lang) if view.themes else ""))
    else:
        st.dataframe(pd.DataFrame({
            t("common.name", lang): records["name"],
            t("common.kind", lang): [kind_label(kind, lang) for kind in records["kind"]],
            t("common.themes", lang): [", ".join(theme_labels.get(c, c) for c in (list(codes_) if codes_ is not None else []))
                                       for codes_ in records["themes"]],
            t("common.place", lang): records["place"],
        }), hide_index=True, width="stretch")
        unlinked = int(row["n_initiative"] - row["n_initiative_linked"])
        if unlinked:
            st.caption(t("gaps.area.unlinked", lang, n=unlinked, total=int(row["n_initiative"])))
    links = load_links(store, KEY, flt)
    st.markdown("**" + t("gaps.area.links", lang) + "**")
    if links.empty:
        st.caption(t("gaps.area.no_links", lang))
    else:
        st.dataframe(pd.DataFrame({
            t("gaps.area.link_from", lang): links["from_name"],
            t("gaps.area.link_relation", lang): [relation_label(r, lang) for r in links["relation"]],
            t("gaps.area.link_to", lang): links["to_name"],
        }), hide_index=True, width="stretch")
    target = gaps.map_page_params(code)
    if lang != "nl":
        target["lang"] = lang
    st.link_button(t("gaps.area.open_map", lang), "kaart?" + urlencode(target), icon="🗺️")


with detail_column:
    area = st.selectbox(t("gaps.area.choose", lang), [""] + list(table["code"]), key="wv_area", format_func=area_label)
    if area:
        render_area(area)
    else:
        st.info(t("gaps.area.none", lang))


# -- ranked table -----------------------------------------------------------------------------

st.subheader(t("gaps.table.heading", lang))
st.caption(t("gaps.table.caption", lang))
need_label = t(f"gaps.measure.{view.need}", lang)
shown = pd.DataFrame({
    "rank": table["rank"], "name": table["name"], "gemeente_name": table["gemeente_name"],
    "gap_score": table["gap_score"], "need_value": table["need_value"],
    "need_source": table.get(f"{view.need}__source"),
    "inwoners": table["inwoners"], "inwoners_75plus": table["inwoners_75plus"],
    "aandeel_65plus": table["aandeel_65plus"], "aandeel_65plus_source": table.get("aandeel_65plus__source"),
    "kwetsbaarheid": table["kwetsbaarheid"],
    "afstand_huisarts": table["afstand_huisarts"], "afstand_huisarts_source": table.get("afstand_huisarts__source"),
    "n_initiative": table["n_initiative"], "n_provider": table["n_provider"], "n_meetup": table["n_meetup"],
    "n_network": table["n_network"], "n_initiative_linked": table["n_initiative_linked"], "n_links": table["n_links"],
    "n_venue": table["n_venue"],
    "records_per_10k": table["records_per_10k"], "records_per_1k_75plus": table["records_per_1k_75plus"],
    "supply_index": table["supply_index"],
    "status": [gapmap.status_text(s, lang) for s in table["status"]],
})
if view.level == "gemeente":
    shown = shown.drop(columns=["gemeente_name"])
column_config = {
    "rank": st.column_config.NumberColumn(t("gaps.col.rank", lang), format="%d"),
    "name": st.column_config.TextColumn(t(f"level.{view.level}", lang)),
    "gemeente_name": st.column_config.TextColumn(t("gaps.col.gemeente_name", lang)),
    "gap_score": st.column_config.ProgressColumn(t("gaps.col.gap_score", lang), min_value=0, max_value=100, format="%.1f"),
    "need_value": st.column_config.NumberColumn(need_label, format="%.1f" if view.need in gapmap.PERCENT_MEASURES else "%d"),
    "need_source": st.column_config.TextColumn(t("gaps.col.source", lang)),
    "inwoners": st.column_config.NumberColumn(t("gaps.col.inwoners", lang), format="localized"),
    "inwoners_75plus": st.column_config.NumberColumn(t("gaps.col.inwoners_75plus", lang), format="localized"),
    "records_per_10k": st.column_config.NumberColumn(t("gaps.col.records_per_10k", lang), format="%.2f"),
    "records_per_1k_75plus": st.column_config.NumberColumn(t("gaps.col.records_per_1k_75plus", lang), format="%.2f"),
    "status": st.column_config.TextColumn(t("gaps.col.status", lang)),
    "aandeel_65plus": st.column_config.NumberColumn(t("gaps.col.aandeel_65plus", lang), format="%.1f"),
    "aandeel_65plus_source": st.column_config.TextColumn(t("gaps.col.aandeel_65plus", lang) + " — "
                                                         + t("gaps.col.source_suffix", lang)),
    "kwetsbaarheid": st.column_config.NumberColumn(t("gaps.col.kwetsbaarheid", lang), format="%.1f"),
    "afstand_huisarts": st.column_config.NumberColumn(t("gaps.col.afstand_huisarts", lang), format="%.1f"),
    "afstand_huisarts_source": st.column_config.TextColumn(t("gaps.col.afstand_huisarts", lang) + " — "
                                                           + t("gaps.col.source_suffix", lang)),
    "supply_index": st.column_config.NumberColumn(t("gaps.col.supply_index", lang), format="%.2f"),
    **{column: st.column_config.NumberColumn(t(f"gaps.col.{column}", lang), format="%d")
       for column in ("n_initiative", "n_provider", "n_meetup", "n_network", "n_venue", "n_initiative_linked",
                      "n_links")},
}
st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config, key=TABLE_KEY,
             on_select="rerun", selection_mode="single-row", height=min(420, 38 + 35 * len(shown)))

export_labels = {column: t(f"gaps.col.{column}", lang) for column in (
    "rank", "code", "name", "gemeente_name", "gap_score", "status", "need_value", "need_measure", "pc4_coverage",
    "n_initiative", "n_network", "n_provider", "n_meetup", "n_venue", "n_records", "n_initiative_linked", "n_links",
    "records_per_10k", "initiatives_per_10k", "records_per_1k_75plus", "effective_supply", "need_index",
    "community_index", "professional_index", "supply_index")}
for measure in needs.FIGURE_MEASURES:
    label = t(f"gaps.measure.{measure}", lang)
    export_labels[measure] = label
    export_labels[f"{measure}__source"] = f"{label} — {t('gaps.col.source_suffix', lang)}"
    export_labels[f"{measure}__method"] = f"{label} — {t('gaps.col.method_suffix', lang)}"
export = table.assign(status=[gapmap.status_text(s, lang) for s in table["status"]],
                      **{f"{m}__method": [gapmap.method_text(v, lang) for v in table[f"{m}__method"]]
                         for m in needs.FIGURE_MEASURES if f"{m}__method" in table.columns})
export = gaps.export_table(export, view.need, export_labels)
export[export_labels["need_measure"]] = need_label
csv = csv_dialect.frame_to_csv(export, decimal="," if lang == "nl" else ".")   # the downloads' one dialect
region_slug = view.scope_code or "NL"
st.download_button(t("gaps.table.download", lang), csv, mime="text/csv",
                   file_name=f"witte-vlekken_{region_slug}_{view.level}_{view.need}_{view.supply}.csv", icon="⬇️")


# -- regional summary -------------------------------------------------------------------------

if view.scope_level:
    region_name = names.get(view.scope_code, view.scope_code)
    st.subheader(t("gaps.summary.heading", lang, region=region_name))
    st.caption(t("gaps.summary.caption", lang))
    region_filter = Filter(**{view.scope_level: view.scope_code}, themes=view.themes)
    summary = gaps.regional_summary(table, load_gemeente_figures(store, KEY, view.scope_level, view.scope_code),
                                    ui.counts(store, region_filter), len(load_links(store, KEY, region_filter)))
    people = st.columns(4)
    people[0].metric(t("gaps.col.inwoners", lang), gapmap.fmt(summary["inwoners"], lang), "CBS 85984NED (2024)",
                     delta_color="off", delta_arrow="off")
    people[1].metric(t("gaps.col.inwoners_75plus", lang), gapmap.fmt(summary["inwoners_75plus"], lang),
                     "CBS 83502NED (2021)", delta_color="off", delta_arrow="off")
    people[2].metric(t("gaps.measure.aandeel_75plus", lang), gapmap.fmt_measure("aandeel_75plus", summary["aandeel_75plus"], lang),
                     "CBS 83502NED (2021)", delta_color="off", delta_arrow="off")
    people[3].metric(t("gaps.summary.gemeenten", lang), gapmap.fmt(summary["gemeenten"], lang))
    supply_columns = st.columns(5)
    for column, kind in zip(supply_columns, ("initiative", "provider", "meetup", "network")):
        column.metric(kind_label(kind, lang, plural=True), gapmap.fmt(summary["counts"][kind], lang))
    supply_columns[4].metric(t("gaps.col.n_links", lang), gapmap.fmt(summary["links"], lang))
    top = summary["top"]
    if top.empty:
        st.info(t("gaps.summary.no_scores", lang))
    else:
        st.markdown("**" + t("gaps.summary.top10", lang) + "**")
        # st.table: a plain HTML table, so the summary prints as it looks
        st.table(pd.DataFrame({
            t("gaps.col.rank", lang): top["rank"].astype(int),
            t(f"level.{view.level}", lang): top["name"] + (" (" + top["gemeente_name"] + ")" if view.level == "wijk" else ""),
            t("gaps.col.gap_score", lang): [gapmap.fmt(v, lang, 1) for v in top["gap_score"]],
            need_label: [gapmap.fmt_measure(view.need, v, lang) for v in top["need_value"]],
            t("gaps.col.n_records", lang): top["n_records"],
            t("gaps.col.n_links", lang): top["n_links"],
            t("gaps.col.source", lang): top.get(f"{view.need}__source"),
        }), hide_index=True, border="horizontal")
    # per gemeente: need, community supply, professional proxy, links and the five largest wijk gaps
    wijk_table = table if view.level == "wijk" else load_table(
        store, KEY, "wijk", view.scope_level, view.scope_code, view.themes, view.need, view.supply)
    per_gemeente = gaps.gemeente_summary(wijk_table, load_gemeente_figures(store, KEY, view.scope_level, view.scope_code))
    st.markdown("**" + t("gaps.summary.per_gemeente", lang) + "**")
    st.table(gapmap.gemeente_summary_frame(per_gemeente, names, lang), border="horizontal")
    st.caption(t("gaps.summary.per_gemeente_sources", lang))
    report = gapmap.summary_html(title=t("gaps.title", lang), region_name=region_name, level=view.level,
                                 need_measure=view.need, summary=summary, lang=lang, areas_geojson=areas_geojson,
                                 table=table, outlines=outlines,
                                 per_gemeente=gapmap.gemeente_summary_frame(per_gemeente, names, lang))
    st.download_button(t("gaps.summary.download", lang), report.encode("utf-8"), mime="text/html",
                       file_name=f"witte-vlekken_{view.scope_code}_{view.level}.html", icon="🖨️")
    st.caption(t("gaps.summary.print_hint", lang))


# -- explanation ------------------------------------------------------------------------------

with st.expander(t("gaps.explain.heading", lang), expanded=False):
    w = gaps.WEIGHTS
    number = lambda value: gapmap.fmt(value, lang, 0 if float(value).is_integer() else 1)  # noqa: E731
    st.markdown(t("gaps.explain.inputs", lang))
    st.markdown(t("gaps.explain.weights", lang, initiative=number(w.initiative), unlinked=number(w.unlinked_initiative),
                  provider=number(w.provider), network=number(w.network), meetup=number(w.meetup),
                  saturation=number(w.saturation_per_10k)))
    st.markdown(t("gaps.explain.supply", lang, venue=number(w.venue), halving=number(w.huisarts_halving_km)))
    st.markdown(t("gaps.explain.vulnerability", lang))
    example = gaps.example_area(table)
    if example is not None:
        alone_measure = "aandeel_eenpersoonshuishoudens" if view.level == "gemeente" else "huishoudensgrootte"
        st.markdown(t("gaps.explain.example", lang, name=example["name"],
                      share65=gapmap.fmt_measure("aandeel_65plus", example.get("aandeel_65plus"), lang),
                      alone_label=t(f"gaps.measure.{alone_measure}", lang).lower(),
                      alone=gapmap.fmt_measure(alone_measure, example.get(alone_measure), lang),
                      index=gapmap.fmt_measure("kwetsbaarheid", example.get("kwetsbaarheid"), lang),
                      records=gapmap.fmt(example.get("n_records"), lang),
                      distance=gapmap.fmt_measure("afstand_huisarts", example.get("afstand_huisarts"), lang),
                      community=gapmap.fmt(example.get("community_index"), lang, 2),
                      professional=gapmap.fmt(example.get("professional_index"), lang, 2),
                      score=gapmap.score_text(example, lang)))
    st.markdown(t("gaps.explain.unscored", lang, min=gapmap.fmt(w.min_inhabitants, lang)))
    st.markdown(t("gaps.explain.blind", lang))
    st.markdown(t("gaps.explain.blind_households", lang))
    st.markdown(t("gaps.explain.figures", lang))
    check = needs.stored_check(store)
    if check is None:
        st.warning(t("gaps.explain.check_missing", lang))
    else:
        st.markdown(t("gaps.explain.check", lang, max_diff=gapmap.fmt(check["max_abs_difference"], lang),
                      gemeenten=check["gemeenten"], rel=gapmap.fmt(100 * check["tolerance_relative"], lang, 1),
                      abs=check["tolerance_absolute"]))
        if check["outside_tolerance"]:
            st.warning(t("gaps.explain.check_failed", lang, n=len(check["outside_tolerance"]),
                         codes=", ".join(check["outside_tolerance"][:20])))

from mapping import ui_open_data  # noqa: E402 — "Volg dit gebied" for the scope and themes shown

ui_open_data.follow_area(Filter(**({view.scope_level: view.scope_code} if view.scope_code else {}), themes=view.themes),
                         ui.region_name(store, view.scope_code) if view.scope_code else t("feed.nederland", lang),
                         lang, key="wv_follow")
ui.attribution(lang)
