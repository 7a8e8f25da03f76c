"""Links between records on maps: a folium "Verbindingen" layer and a pydeck network view.

Both draw what :func:`mapping.queries.links_for` returns (one row per link with both ends' names,
kinds, points and whether each end is inside the current filter):

- links with both ends inside the filter: solid lines, coloured per relation (legend);
- links whose other end lies outside the filter: drawn faded and dashed to that end (the line runs
  on to the edge of the view), never silently dropped;
- links with an end without a point (national networks, records without a location): listed in
  the legend (and returned), since there is nothing to draw them to.

Records that share one point (several initiatives placed at their town's centre) are set on a
small circle around that point (:func:`mapping.network.spread_positions`), so lines between them
have a length; each line end gets a small dot named after its record.

Every user text that reaches HTML is escaped here. Hover texts travel as JSON strings (never in
folium's backtick template literals, where ``${…}`` would run); :func:`escape` also neutralises
backticks and ``$`` so the texts stay safe wherever they are embedded.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from mapping import network
from mapping.maps import COORD_DECIMALS, KIND_STYLES, js_value
from mapping.i18n import kind_label, relation_label, t
from mapping.records import KINDS, RELATIONS

# Okabe–Ito colours (distinguishable with common colour-vision deficiencies); yellow is replaced
# by dark grey because it vanishes on a light, tile-less map.
RELATION_COLORS = {
    "member_of": "#0072B2",
    "partner": "#D55E00",
    "part_of": "#009E73",
    "organised_by": "#CC79A7",
    "hosted_at": "#E69F00",
    "initiated_by": "#56B4E9",
    "supported_by": "#333333",
}
# The marker colours of mapping.maps, so a line end looks like the record's marker.
KIND_COLORS = {kind: style.colour for kind, style in KIND_STYLES.items()}
INSIDE_STYLE = {"weight": 3, "opacity": 0.9, "dash_array": None}
FADED_STYLE = {"weight": 2, "opacity": 0.35, "dash_array": "6 6"}
OTHER_COLOR = "#777777"
MAX_LINES = 3000     # ~0.5 MB of map data; above it the legend says how many were left out
LEGEND_ITEMS = 30   # links without a point listed in the legend (the page lists them all)
LINK_CLASS = "zbk-link"            # every drawn link path; tests and styles find lines by it
FADED_CLASS = "zbk-link-faded"
END_CLASS = "zbk-link-end"


def escape(text: Any) -> str:
    """HTML-escape, and neutralise what breaks out of a JavaScript template literal (`, $, \\)."""
    value = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return (html.escape(value, quote=True).replace("`", "&#96;").replace("$", "&#36;")
            .replace("\\", "&#92;"))


def _truthy(value: Any, default: bool = True) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return default
    return bool(value)


def _hex_rgb(color: str, alpha: int = 255) -> list[int]:
    value = color.lstrip("#")
    return [int(value[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


@dataclass
class PreparedLinks:
    """Links split by how they can be drawn, with display positions of their ends."""

    drawable: pd.DataFrame     # + from_x/from_y/to_x/to_y (display lon/lat) and 'faded'
    unplaced: pd.DataFrame     # links with an end without a point
    nodes: pd.DataFrame        # id, name, kind, lat, lon, display_lat, display_lon, inside


def prepare_links(links: pd.DataFrame | None, records: pd.DataFrame | None = None) -> PreparedLinks:
    """Pure: positions and drawing class of every link (see the module docstring)."""
    frame = links.copy() if links is not None else pd.DataFrame()
    for column in ("id", "from_id", "to_id", "relation", "from_name", "to_name", "from_kind", "to_kind"):
        if column not in frame.columns:
            frame[column] = pd.Series(dtype=object)
    for column in ("from_lat", "from_lon", "to_lat", "to_lon"):
        if column not in frame.columns:
            frame[column] = np.nan
    nodes = network.spread_positions(network.node_points(frame, records))
    inside_ids: set[str] = set(records["id"].astype(str)) if records is not None else set()
    for side in ("from", "to"):
        column = f"{side}_inside"
        flags = frame[column].map(_truthy) if column in frame.columns else pd.Series(True, index=frame.index)
        inside_ids |= set(frame.loc[flags.astype(bool), f"{side}_id"].astype(str))
    nodes["inside"] = nodes["id"].isin(inside_ids)
    position = nodes.set_index("id")[["display_lat", "display_lon"]]
    for side in ("from", "to"):
        ids = frame[f"{side}_id"].astype(str)
        frame[f"{side}_y"] = ids.map(position["display_lat"]).astype(float)
        frame[f"{side}_x"] = ids.map(position["display_lon"]).astype(float)
    placed = frame[["from_x", "from_y", "to_x", "to_y"]].notna().all(axis=1)
    inside = pd.Series(True, index=frame.index)
    for side in ("from", "to"):
        if f"{side}_inside" in frame.columns:
            inside &= frame[f"{side}_inside"].map(_truthy).astype(bool)
    frame["faded"] = ~inside
    return PreparedLinks(frame[placed].reset_index(drop=True), frame[~placed].reset_index(drop=True), nodes)


LABEL_LENGTH = 28
MAX_LABELS = 10     # more names than this overlap; hover still names every record


def short_name(name: Any, length: int = LABEL_LENGTH) -> str:
    text = str(name or "")
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def end_name(row: Any, side: str) -> str:
    """The name of a link's ``from``/``to`` end (its id when the name is missing)."""
    name = row.get(f"{side}_name")
    return str(name) if isinstance(name, str) and name else str(row.get(f"{side}_id") or "")


def link_tooltip(row: Any, lang: str) -> str:
    """'<b>A</b> partner van <b>B</b>' (escaped), with a note when an end is outside the filter."""
    text = (f"<b>{escape(end_name(row, 'from'))}</b> {escape(relation_label(row['relation'], lang))} "
            f"<b>{escape(end_name(row, 'to'))}</b>")
    if row.get("faded"):
        text += f"<br><i>{escape(t('network.layer.outside', lang))}</i>"
    return text


def unplaced_text(row: Any, lang: str) -> str:
    """Plain text of a link that cannot be drawn: 'A partner van B (geen locatie: B)'."""
    missing = [end_name(row, side) for side in ("from", "to")
               if pd.isna(row.get(f"{side}_lat")) or pd.isna(row.get(f"{side}_lon"))]
    return (f"{end_name(row, 'from')} {relation_label(row['relation'], lang)} "
            f"{end_name(row, 'to')} ({t('network.layer.no_point', lang)}: {', '.join(missing)})")


class _Legend(MacroElement):
    """A Leaflet control with the relation colours, shown while the links layer is on the map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create('div', 'zbk-links-legend leaflet-control');
            div.style.cssText = 'background: rgba(255,255,255,0.92); padding: 6px 8px; font: 12px/1.35 sans-serif;'
                + 'border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); max-width: 300px;'
                + 'max-height: 45vh; overflow: auto;';
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        if ({{ this.fmap.get_name() }}.hasLayer({{ this.group.get_name() }})) {
            {{ this.fmap.get_name() }}.addControl({{ this.get_name() }});
        }
        {{ this.fmap.get_name() }}.on('overlayadd', function (e) {
            if (e.layer === {{ this.group.get_name() }}) { {{ this.get_name() }}.addTo({{ this.fmap.get_name() }}); }
        });
        {{ this.fmap.get_name() }}.on('overlayremove', function (e) {
            if (e.layer === {{ this.group.get_name() }}) { {{ this.get_name() }}.remove(); }
        });
        {% endmacro %}
    """)

    def __init__(self, fmap: folium.Map, group: folium.map.Layer, legend_html: str,
                 position: str = "bottomright"):
        super().__init__()
        self._name = "LinksLegend"
        # Names are resolved at render time: maps.stabilise_ids renames elements before rendering.
        self.fmap = fmap
        self.group = group
        self.html = legend_html
        self.position = position


def legend_html(relations: list[str], lang: str, *, faded: int, unplaced: list[str], spread: bool,
                left_out: int = 0) -> str:
    """The legend's HTML (every text escaped)."""
    # Folded by default, like the map's own legend: open, it would cover the map on a narrow screen.
    parts = [f"<details><summary style='font-weight:bold;margin-bottom:3px;cursor:pointer'>"
             f"{escape(t('network.layer.legend', lang))}</summary>"]
    for relation in relations:
        color = RELATION_COLORS.get(relation, OTHER_COLOR)
        parts.append(f"<div><span style='display:inline-block;width:22px;height:0;border-top:3px solid {color};"
                     f"vertical-align:middle;margin-right:5px'></span>{escape(relation_label(relation, lang))}</div>")
    if faded:
        parts.append("<div><span style='display:inline-block;width:22px;height:0;border-top:2px dashed #555;"
                     "opacity:0.5;vertical-align:middle;margin-right:5px'></span>"
                     f"{escape(t('network.layer.faded', lang))}</div>")
    if spread:
        parts.append(f"<div style='color:#555;margin-top:3px'>{escape(t('network.layer.spread', lang))}</div>")
    if left_out:
        parts.append(f"<div style='color:#8a3b00;margin-top:3px'>"
                     f"{escape(t('network.layer.left_out', lang, count=left_out))}</div>")
    if unplaced:
        items = "".join(f"<li>{escape(item)}</li>" for item in unplaced[:LEGEND_ITEMS])
        if len(unplaced) > LEGEND_ITEMS:
            items += f"<li>{escape(t('network.layer.more', lang, count=len(unplaced) - LEGEND_ITEMS))}</li>"
        parts.append(f"<details class='zbk-links-unplaced' style='margin-top:3px'><summary>"
                     f"{escape(t('network.layer.unplaced', lang, count=len(unplaced)))}</summary>"
                     f"<ul style='margin:2px 0 0 14px;padding:0'>{items}</ul></details>")
    return "".join(parts) + "</details>"


def _layer_control_last(fmap: folium.Map) -> None:
    """Move an existing LayerControl behind the layers added later: its script refers to every
    layer by variable, so a layer defined after the control would be undefined there (and break
    the map's script). ``mapping.maps.explorer_map`` adds its control before we add ours."""
    for key, child in list(fmap._children.items()):
        if isinstance(child, folium.LayerControl):
            del fmap._children[key]
            fmap._children[key] = child


@dataclass
class LinksLayer:
    """What :func:`add_links_layer` drew: the layer, counts and the links it could not draw (an
    end without a point; they are listed in the legend too) or left out above ``max_lines``."""

    group: folium.map.Layer
    drawn: int
    faded: int
    unplaced: pd.DataFrame
    left_out: int = 0


class _LinksGroup(folium.map.Layer):
    """The links as one Leaflet feature group built in the browser from compact rows (a few dozen
    bytes per link instead of a folium object each, so large selections stay light). Hover texts
    travel as JSON strings (escaped HTML), never inside a JavaScript template literal."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var group = L.featureGroup();
            var relations = {{ this.relations_js }};
            {{ this.lines_js }}.forEach(function (r) {
                var relation = relations[r[4]], faded = r[5] === 1;
                var line = L.polyline([[r[0], r[1]], [r[2], r[3]]], {
                    color: relation.color, weight: faded ? {{ this.faded_weight }} : {{ this.weight }},
                    opacity: faded ? {{ this.faded_opacity }} : {{ this.opacity }},
                    dashArray: faded ? {{ this.faded_dash_js }} : null,
                    className: {{ this.line_class_js }} + ' ' + {{ this.line_class_js }} + '-' + relation.name
                        + (faded ? ' ' + {{ this.faded_class_js }} : '')
                });
                line.bindTooltip(r[6], {sticky: true});
                group.addLayer(line);
            });
            {{ this.ends_js }}.forEach(function (r) {
                var dot = L.circleMarker([r[0], r[1]], {radius: 5, color: '#ffffff', weight: 1.5, fill: true,
                    fillColor: r[2], fillOpacity: r[3] ? 1 : 0.45, className: {{ this.end_class_js }}});
                if (r[5]) {
                    dot.bindTooltip(r[5], {permanent: true, direction: r[6], className: 'zbk-link-label', opacity: 0.85});
                } else {
                    dot.bindTooltip(r[4]);
                }
                group.addLayer(dot);
            });
            return group;
        })();
        {% endmacro %}
    """)

    def __init__(self, name: str, show: bool, lines: list[list], ends: list[list]):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "LinksGroup"
        self.relations_js = js_value([{"name": r, "color": RELATION_COLORS[r]} for r in RELATIONS]
                                     + [{"name": "other", "color": OTHER_COLOR}])
        self.lines_js = js_value(lines)
        self.ends_js = js_value(ends)
        self.weight, self.opacity = INSIDE_STYLE["weight"], INSIDE_STYLE["opacity"]
        self.faded_weight, self.faded_opacity = FADED_STYLE["weight"], FADED_STYLE["opacity"]
        self.faded_dash_js = js_value(FADED_STYLE["dash_array"])
        self.line_class_js, self.faded_class_js = js_value(LINK_CLASS), js_value(FADED_CLASS)
        self.end_class_js = js_value(END_CLASS)


def _line_rows(drawable: pd.DataFrame, lang: str) -> list[list]:
    """[from lat, from lon, to lat, to lon, relation index, faded 0/1, hover html] per link."""
    index = {relation: i for i, relation in enumerate(RELATIONS)}
    return [[round(float(row["from_y"]), COORD_DECIMALS), round(float(row["from_x"]), COORD_DECIMALS),
             round(float(row["to_y"]), COORD_DECIMALS), round(float(row["to_x"]), COORD_DECIMALS),
             index.get(str(row["relation"]), len(RELATIONS)), int(bool(row["faded"])), link_tooltip(row, lang)]
            for row in drawable.to_dict("records")]


def _end_rows(nodes: pd.DataFrame, lang: str, labels: bool) -> list[list]:
    """[lat, lon, colour, inside 0/1, hover html, permanent label html or '', label direction]."""
    rows = []
    for node in nodes.to_dict("records"):
        hover = f"<b>{escape(node['name'])}</b>" + (
            f"<br>{escape(kind_label(node['kind'], lang))}" if node["kind"] in KINDS else "")
        # A permanent name points away from the centre of the circle the records were set on.
        west = node["display_lon"] < node["lon"] - 1e-9
        rows.append([round(float(node["display_lat"]), COORD_DECIMALS), round(float(node["display_lon"]), COORD_DECIMALS),
                     KIND_COLORS.get(node["kind"], "#555555"), int(bool(node["inside"])), hover,
                     escape(short_name(node["name"])) if labels else "", "left" if west else "right"])
    return rows


def add_links_layer(fmap: folium.Map, links_df: pd.DataFrame | None, lang: str, *,
                    records: pd.DataFrame | None = None, name: str | None = None, show: bool = True,
                    legend: bool = True, end_dots: bool = True, end_labels: bool = False,
                    max_lines: int = MAX_LINES) -> LinksLayer:
    """Draw links on a folium map as a toggleable "Verbindingen" layer and return what was drawn.

    Parameters
    ----------
    fmap: the folium map (e.g. :func:`mapping.maps.explorer_map`). The layer joins its layer
        control (an existing ``folium.LayerControl`` is moved behind the new layer).
    links_df: :func:`mapping.queries.links_for` output (``id, from_id, to_id, relation, from_name,
        to_name, from_kind, to_kind, from_lat, from_lon, to_lat, to_lon, from_inside, to_inside``).
    lang: "nl" or "en" for hover texts and legend.
    records: optional records of the current view; records sharing a point with them are spread
        consistently with the page's other drawings.
    name: layer name in the layer control (default "Verbindingen"/"Connections").
    show: whether the layer starts switched on.
    legend: add a legend control (relation colours, faded lines, links without a point); it
        disappears while the layer is switched off.
    end_dots: small dots at each line end (at the spread position), named on hover.
    end_labels: show each dot's name permanently (for small networks; names are shortened to
        :data:`LABEL_LENGTH` characters, the hover text has them in full).
    max_lines: draw at most this many lines (links inside the filter first); the legend says how
        many were left out, so nothing disappears silently.

    Lines carry the CSS class ``zbk-link`` (``zbk-link-faded`` when an end is outside the
    filter); hovering a line names both ends and the relation.
    """
    prepared = prepare_links(links_df, records)
    drawable = prepared.drawable.sort_values("faded", kind="stable")
    left_out = max(len(drawable) - max_lines, 0)
    drawable = drawable.head(max_lines)
    ends: list[list] = []
    if end_dots and len(drawable):
        end_ids = set(drawable["from_id"].astype(str)) | set(drawable["to_id"].astype(str))
        nodes = prepared.nodes[prepared.nodes["id"].isin(end_ids) & prepared.nodes["display_lat"].notna()]
        ends = _end_rows(nodes, lang, end_labels)
    group = _LinksGroup(name or t("network.layer.name", lang), show, _line_rows(drawable, lang), ends)
    group.add_to(fmap)
    _layer_control_last(fmap)
    unplaced_lines = [unplaced_text(row, lang) for row in prepared.unplaced.to_dict("records")]
    if legend and (len(drawable) or unplaced_lines):
        relations = [r for r in RELATIONS if r in set(drawable["relation"].astype(str))]
        spread = bool(((prepared.nodes["display_lat"] != prepared.nodes["lat"])
                       & prepared.nodes["lat"].notna()).any())
        _Legend(fmap, group,
                legend_html(relations, lang, faded=int(drawable["faded"].sum()), unplaced=unplaced_lines,
                            spread=spread, left_out=left_out)).add_to(fmap)
    return LinksLayer(group, int(len(drawable)), int(drawable["faded"].sum()) if len(drawable) else 0,
                      prepared.unplaced, left_out)


# -- pydeck network view (no basemap: region outlines give the context) -----------------------

def fit_view(lats: list[float], lons: list[float], bounds: tuple[float, float, float, float] | None = None,
             *, width_px: int = 700, height_px: int = 560) -> dict[str, float]:
    """Centre and zoom (Web Mercator) that show the points, or else the bounds (min_lat, min_lon,
    max_lat, max_lon), in a view of about ``width_px`` × ``height_px``."""
    if lats:
        min_lat, max_lat, min_lon, max_lon = min(lats), max(lats), min(lons), max(lons)
    elif bounds:
        min_lat, min_lon, max_lat, max_lon = bounds
    else:
        min_lat, min_lon, max_lat, max_lon = 50.75, 3.36, 53.55, 7.23   # the Netherlands
    mid_lat = (min_lat + max_lat) / 2
    lon_span = max(max_lon - min_lon, 0.005)
    lat_span = max(max_lat - min_lat, 0.003) / max(math.cos(math.radians(mid_lat)), 0.2)
    # deck.gl: at zoom z the world is 512·2^z px wide, so px pixels hold 360·px / (512·2^z) degrees.
    zoom = min(math.log2(360 * width_px / (512 * lon_span)), math.log2(360 * height_px / (512 * lat_span))) - 0.4
    return {"latitude": mid_lat, "longitude": (min_lon + max_lon) / 2, "zoom": round(float(np.clip(zoom, 5.0, 15.0)), 2)}


def deck_data(links: pd.DataFrame | None, records: pd.DataFrame | None, lang: str
              ) -> tuple[list[dict], list[dict], PreparedLinks]:
    """JSON-ready rows for the pydeck line and node layers (tooltips pre-escaped in ``tip``)."""
    prepared = prepare_links(links, records)
    lines = []
    for row in prepared.drawable.to_dict("records"):
        alpha = 90 if row["faded"] else 230
        lines.append({
            "source": [float(row["from_x"]), float(row["from_y"])],
            "target": [float(row["to_x"]), float(row["to_y"])],
            "color": _hex_rgb(RELATION_COLORS.get(str(row["relation"]), OTHER_COLOR), alpha),
            "width": 2 if row["faded"] else 3,
            "tip": link_tooltip(row, lang),
        })
    nodes = []
    for node in prepared.nodes[prepared.nodes["display_lat"].notna()].to_dict("records"):
        nodes.append({
            "position": [float(node["display_lon"]), float(node["display_lat"])],
            "color": _hex_rgb(KIND_COLORS.get(node["kind"], "#555555"), 255 if node["inside"] else 110),
            "name": str(node["name"]), "inside": bool(node["inside"]),
            "tip": f"<b>{escape(node['name'])}</b><br>{escape(kind_label(node['kind'], lang))}"
            if node["kind"] in KINDS else f"<b>{escape(node['name'])}</b>",
        })
    return lines, nodes, prepared


def network_deck(links: pd.DataFrame | None, records: pd.DataFrame | None, lang: str, *,
                 outlines: dict | None = None, bounds: tuple[float, float, float, float] | None = None,
                 labels: bool = True):
    """A pydeck Deck of the network: region outlines (GeoJsonLayer), links (LineLayer, coloured per
    relation, faded when an end is outside the filter) and records (ScatterplotLayer, coloured per
    kind), without a basemap so it reads offline."""
    import pydeck as pdk

    lines, nodes, prepared = deck_data(links, records, lang)
    layers = []
    if outlines and outlines.get("features"):
        layers.append(pdk.Layer(
            "GeoJsonLayer", data=outlines, stroked=True, filled=True, get_fill_color=[238, 238, 232, 120],
            get_line_color=[110, 110, 110, 200], line_width_min_pixels=1, pickable=False))
    layers.append(pdk.Layer(
        "LineLayer", data=lines, get_source_position="source", get_target_position="target",
        get_color="color", get_width="width", width_units="'pixels'", pickable=True, auto_highlight=True))
    layers.append(pdk.Layer(
        "ScatterplotLayer", data=nodes, get_position="position", get_fill_color="color",
        get_line_color=[255, 255, 255, 255], stroked=True, line_width_min_pixels=1,
        get_radius=6, radius_units="'pixels'", pickable=True, auto_highlight=True))
    if labels and 0 < len(nodes) <= MAX_LABELS:
        layers.append(pdk.Layer(
            "TextLayer", data=[{**n, "label": short_name(n["name"])} for n in nodes], get_position="position",
            get_text="label", get_size=12, get_color=[30, 30, 30, 255], get_pixel_offset=[0, -16],
            character_set="'auto'", font_family="'sans-serif'", background=True,
            get_background_color=[255, 255, 255, 210], pickable=False))
    # Fit the records of the selection (far ends outside it would zoom the view out).
    located = [n["position"] for n in nodes if n["inside"]] or [n["position"] for n in nodes]
    view = fit_view([p[1] for p in located], [p[0] for p in located], bounds)
    return pdk.Deck(
        layers=layers, initial_view_state=pdk.ViewState(**view, pitch=0, bearing=0),
        map_provider=None, map_style=None,
        tooltip={"html": "{tip}", "style": {"backgroundColor": "white", "color": "#222", "fontSize": "12px"}},
    )

