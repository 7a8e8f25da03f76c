"""Folium maps built from query results: pure functions, local assets, escaped text, small payload.

Public API (every function takes data and returns data; nothing here touches SQL or Streamlit):

``explorer_map(records, *, lang, outlines, region_counts, tiles, max_points, selected)``
    The map of the Kaart page. Returns a :class:`folium.Map` that is not yet rendered, so a caller
    can add layers first (``mapping.linkmap.add_links_layer(fmap, links, lang)``) and then call
    ``st_folium(fmap, ...)`` or :func:`render_html`. Layout:

    * region outlines of the current level, always (a map without tiles still reads well), with the
      chosen region highlighted and the view fitted to it;
    * one layer per kind (initiative, provider, network, meetup) with its own colour and shape,
      switchable in the layer control; all kinds share one Leaflet.markercluster group, so records
      at the same point (e.g. a town centre) form one bubble whose ring shows the kinds;
    * a legend (bottom left), escaped and translated;
    * above ``max_points`` located records (default :data:`MAX_POINTS`) counts per region
      (``region_counts``, from :func:`mapping.queries.region_counts`) or, without those, per grid
      cell replace the markers, so the payload stays far below 2 MB at any record count.

``overview_map(records, outlines, lang)``
    All approved records over provincie outlines (the Overzicht page).

``outlines_for(store, flt)`` → :class:`MapOutlines`
    The outlines and bounds a filter needs (reads through :mod:`mapping.regions`). Cache it.

``selection_layer(lat, lon)`` → ``folium.FeatureGroup``
    A ring around the selected record; pass it as ``st_folium(feature_group_to_add=...)`` so that
    selecting a record does not reload the map.

``clicked_record_id(value)``
    The record id from ``st_folium``'s ``last_object_clicked_tooltip``. Every marker click puts
    ``[[<id>|<nonce>]]`` (hidden) into its tooltip, so each click is a new value (the page reruns
    once per click, never on pan or zoom) and the id is exact even when records share a point.

``stabilise_ids(fmap)``
    Call after adding your own layers, before ``st_folium``: moves the layer control behind all
    layers (it names them in its script) and makes element ids deterministic.

``render_html(fmap)`` / ``payload_bytes(fmap)``
    The standalone HTML and its size (what the benchmark measures). Element ids are derived from
    the position in the map, so the same input gives byte-identical output.

``add_legend_entry(fmap, swatch_html, label)``
    Lets other layers (e.g. links) add a line to the legend; ``label`` is escaped here,
    ``swatch_html`` must be trusted markup from code (an inline SVG or a styled span).

Layers added by other modules must not use ``folium.Icon`` (needs Font Awesome from a CDN) or
plugins whose ``default_js`` points at a CDN; ``CircleMarker``, ``PolyLine``, ``DivIcon`` and
``GeoJson`` work. Text in a ``folium.Popup``/``Tooltip`` is raw HTML (folium issue #766): pass it
through :func:`html.escape` first.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement

from mapping import assets
from mapping.i18n import format as number_format
from mapping.i18n import kind_label, t
# The list and selection helpers live in folium-free mapping.listing (the first page imports no
# folium); they are re-exported here because pages treat them as part of the map's data.
from mapping.listing import (  # noqa: F401
    LIST_LIMIT, MAX_POINTS, format_when, is_aggregated, list_frame, located, online_meetups, split_located,
)
from mapping.records import KINDS
from folium.template import Template

GRID_CELLS = 48               # grid fallback: at most GRID_CELLS x GRID_CELLS cells
COORD_DECIMALS = 5            # ~1 m; more digits only add bytes
NL_BOUNDS = (50.75, 3.36, 53.56, 7.23)   # min_lat, min_lon, max_lat, max_lon
SELECTED_ZOOM = 15
MIN_ZOOM = 6
MAX_ZOOM = 18


@dataclass(frozen=True)
class KindStyle:
    colour: str
    svg: str   # 26x26 inline SVG, trusted markup from this module


def _svg(shape: str, glyph: str, colour: str) -> str:
    return (f'<svg width="26" height="26" viewBox="0 0 26 26" aria-hidden="true">'
            f'<g fill="{colour}" stroke="#ffffff" stroke-width="2">{shape}</g>'
            f'<g fill="#ffffff" stroke="none">{glyph}</g></svg>')


# Colour-blind friendly (ColorBrewer Dark2) and each kind has its own shape as well.
KIND_STYLES: dict[str, KindStyle] = {
    "initiative": KindStyle("#d95f02", _svg(
        '<circle cx="13" cy="13" r="11"/>',
        '<path d="M13 18.5l-4.6-4.4a2.9 2.9 0 0 1 4.1-4.1l.5.5.5-.5a2.9 2.9 0 0 1 4.1 4.1z"/>', "#d95f02")),
    "provider": KindStyle("#1f78b4", _svg(
        '<rect x="2.5" y="2.5" width="21" height="21" rx="4"/>',
        '<path d="M11.2 7.5h3.6v3.7h3.7v3.6h-3.7v3.7h-3.6v-3.7H7.5v-3.6h3.7z"/>', "#1f78b4")),
    "network": KindStyle("#7570b3", _svg(
        '<path d="M13 1.5L24.5 13 13 24.5 1.5 13z"/>',
        '<circle cx="13" cy="8.6" r="2.2"/><circle cx="8.8" cy="15.6" r="2.2"/><circle cx="17.2" cy="15.6" r="2.2"/>'
        '<path d="M12.4 9.4l-3 5.6 1 .5 3-5.6zm1.2 0l3 5.6-1 .5-3-5.6zM9 15h8v1.2H9z"/>', "#7570b3")),
    "meetup": KindStyle("#1b9e77", _svg(
        '<path d="M13 1.8l9.7 5.6v11.2L13 24.2l-9.7-5.6V7.4z"/>',
        '<path d="M8.3 9h9.4v8.6H8.3zm1.3 3v4.3h6.8V12zM10 7.2h1.4v2.6H10zm4.6 0H16v2.6h-1.4z"/>', "#1b9e77")),
}

TILES: dict[str, tuple[str, str, int]] = {
    # name: (URL template, attribution (trusted HTML), max zoom)
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>', 19),
    "pdok": ("https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png",
             'Kaartgegevens &copy; <a href="https://www.kadaster.nl">Kadaster</a> (PDOK)', 19),
}
TILE_CHOICES = ("none", "osm", "pdok")

_CLICK_ID = re.compile(r"\[\[([^|\]\[]{1,200})\|[^\]]*\]\]")


# -- outlines ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class MapOutlines:
    """Region outlines for a map: the current level's outlines (``context``, a GeoJSON
    FeatureCollection with properties code/name/level), the chosen region (``highlight``) and
    the bounds to fit, (min_lat, min_lon, max_lat, max_lon)."""
    level: str = "provincie"
    context: dict = field(default_factory=lambda: {"type": "FeatureCollection", "features": []})
    highlight: dict | None = None
    highlight_name: str | None = None
    bounds: tuple[float, float, float, float] | None = None


def outline_plan(flt) -> tuple[str, tuple[str, str] | None, str | None]:
    """(level of the outlines to draw, (parent column, parent code) or None, region to highlight).

    Nothing chosen: provincies. A provincie or zorgkantoorregio: its gemeenten. A gemeente: its
    wijken. A wijk: the wijken of its gemeente, with the wijk highlighted.
    """
    if flt.wijk:
        return "wijk", None, flt.wijk          # parent gemeente is looked up from the wijk
    if flt.gemeente:
        return "wijk", ("gemeente_code", flt.gemeente), flt.gemeente
    if flt.provincie:
        return "gemeente", ("provincie_code", flt.provincie), flt.provincie
    if flt.zorgkantoorregio:
        return "gemeente", ("zorgkantoorregio_code", flt.zorgkantoorregio), flt.zorgkantoorregio
    return "provincie", None, None


def outlines_for(store, flt) -> MapOutlines:
    """The outlines the map of ``flt`` needs (via :mod:`mapping.regions`; cache the result)."""
    from mapping import regions

    level, within, chosen = outline_plan(flt)
    if flt.wijk:
        parent = store.rows("SELECT gemeente_code FROM regions WHERE code = ?", [flt.wijk])
        within = ("gemeente_code", parent[0][0]) if parent and parent[0][0] else None
    context = regions.outlines_geojson(store, level, within=within)
    highlight = highlight_name = bounds = None
    if chosen:
        chosen_level = {"WK": "wijk", "GM": "gemeente", "PV": "provincie", "ZK": "zorgkantoorregio"}[chosen[:2]]
        highlight = regions.outlines_geojson(store, chosen_level, codes=[chosen])
        names = [f["properties"]["name"] for f in highlight["features"]]
        highlight_name = names[0] if names else chosen
        bounds = regions.bounds(store, chosen)
    return MapOutlines(level=level, context=_compact_geojson(context), highlight=_compact_geojson(highlight)
                       if highlight else None, highlight_name=highlight_name, bounds=bounds)


def _round_coords(coords: Any, decimals: int) -> Any:
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], (int, float)):
            return [round(float(c), decimals) for c in coords]
        first = coords[0] if coords else None
        if isinstance(first, (list, tuple)) and len(first) == 2 and isinstance(first[0], (int, float)):
            # A ring or line of [lon, lat] positions: rounded in one numpy call (an outline has
            # thousands of positions, and every map with outlines rounds them).
            try:
                return np.round(np.asarray(coords, dtype=float), decimals).tolist()
            except ValueError:   # ragged positions: round one by one
                pass
        return [_round_coords(c, decimals) for c in coords]
    return coords


def _compact_geojson(collection: dict, decimals: int = 4) -> dict:
    """Round coordinates (4 decimals ≈ 10 m, finer than the simplified outlines) and keep only
    the properties the map shows: fewer bytes per map."""
    features = []
    for feature in collection.get("features", []):
        geometry = feature.get("geometry")
        if not geometry:
            continue
        props = feature.get("properties") or {}
        features.append({"type": "Feature",
                         "properties": {"code": props.get("code"), "name": props.get("name"),
                                        "level": props.get("level")},
                         "geometry": {"type": geometry["type"],
                                      "coordinates": _round_coords(geometry["coordinates"], decimals)}})
    return {"type": "FeatureCollection", "features": features}


# -- safe embedding ---------------------------------------------------------------------------

def js_value(value: Any) -> str:
    """JSON for a ``<script>`` block: ``<``, ``>``, ``&`` and line separators are escaped, so no
    data can close the script or open a comment, whatever it contains."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def esc(value: Any) -> str:
    """HTML-escape any value (None → empty) for popups, tooltips and the legend."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


# -- the JavaScript runtime shared by all elements of a map -----------------------------------

_RUNTIME_CSS = """
.leaflet-container{background:#dfe7ec;font-family:"Source Sans Pro","Helvetica Neue",Arial,sans-serif}
.leaflet-control-layers{font-size:13px;line-height:1.5}
.zb-marker{background:none;border:none}
.zb-marker svg{display:block;filter:drop-shadow(0 1px 1px rgba(0,0,0,.45))}
.zb-marker:focus{outline:2px solid #111;outline-offset:2px;border-radius:50%}
.leaflet-marker-icon:focus-visible,.leaflet-container a:focus-visible,.zb-legend summary:focus-visible{outline:3px solid #111;outline-offset:2px;box-shadow:0 0 0 5px #fff}
.zb-sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.zb-skip{position:absolute;left:8px;top:-60px;z-index:2000;background:#fff;color:#0b5cad;padding:6px 10px;border:2px solid #111;border-radius:4px;font:14px/1.3 "Source Sans Pro",Arial,sans-serif}
.zb-skip:focus{top:8px}
.zb-cluster{background:none;border:none}
.zb-bubble{border-radius:50%;display:flex;align-items:center;justify-content:center;box-shadow:0 1px 3px rgba(0,0,0,.5)}
.zb-bubble span{background:#fff;border-radius:50%;color:#111;font-weight:700;font-size:12px;display:flex;align-items:center;justify-content:center;width:68%;height:68%}
.zb-legend{background:rgba(255,255,255,.96);padding:8px 10px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.35);font-size:12px;line-height:1.35;max-width:min(260px,45vw);max-height:45vh;overflow:auto;color:#222}
.zb-legend summary{font-weight:700;font-size:13px;cursor:pointer;margin-bottom:2px}
.zb-legend .zb-row{display:flex;align-items:center;gap:6px;margin:2px 0}
.zb-legend .zb-row svg{width:18px;height:18px;flex:none}
.zb-legend .zb-note{margin-top:4px;color:#333}
.zb-line{display:inline-block;width:18px;flex:none}
.leaflet-control-layers-overlays svg{width:16px;height:16px;vertical-align:-3px}
.zb-region-tip{font-size:12px}
"""

_RUNTIME_JS = """
(function () {
  if (window.ZB) { return; }
  var ZB = window.ZB = {order: [], styles: {}, icons: {}, nonce: 0};
  // Accessibility of the map document itself: its language and title (also on the iframe element
  // when it is same-origin), a viewport that allows zooming (folium's forbids it, WCAG 1.4.4) and a
  // skip link past the map to what follows it in the page (the table twin).
  ZB.a11y = function (text) {
    ZB.text = text;
    document.documentElement.setAttribute('lang', text.lang);
    document.title = text.title;
    try { if (window.frameElement) { window.frameElement.setAttribute('title', text.title); } } catch (e) {}
    document.querySelectorAll('meta[name="viewport"]').forEach(function (meta) {
      meta.setAttribute('content', 'width=device-width, initial-scale=1');
    });
    if (!document.getElementById('zb-skip') && document.body) {
      var skip = document.createElement('a');
      skip.id = 'zb-skip'; skip.className = 'zb-skip'; skip.href = '#'; skip.textContent = text.skip;
      skip.addEventListener('click', function (ev) { ev.preventDefault(); ZB.skipPastMap(); });
      document.body.insertBefore(skip, document.body.firstChild);
    }
    if (!ZB.keysBound) { document.addEventListener('keydown', ZB.onKey); ZB.keysBound = true; }
  };
  ZB.skipPastMap = function () {
    var frame = null;
    try { frame = window.frameElement; } catch (e) { frame = null; }
    if (!frame) { return; }
    var doc = frame.ownerDocument;
    var focusable = doc.querySelectorAll('a[href], button, input, select, textarea, [tabindex="0"]');
    for (var i = 0; i < focusable.length; i++) {
      var el = focusable[i];
      if ((frame.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) && el.offsetParent !== null) {
        el.focus(); if (el.scrollIntoView) { el.scrollIntoView({block: 'center'}); } return;
      }
    }
  };
  ZB.plain = function (html) {
    var text = html.replace(/<br\\s*\\/?>/gi, ' — ');
    return new DOMParser().parseFromString(text, 'text/html').body.textContent.replace(/\\s+/g, ' ').trim();
  };
  // A marker icon is a <div role="button"> (Leaflet's divIcon): its name is its label, and Enter
  // or Space does what a click does (details of the record, via streamlit-folium's click).
  ZB.nameOnAdd = function (m, label) {
    m.on('add', function () { if (m._icon) { m._icon.setAttribute('aria-label', label); } });
  };
  // Enter or Space on a focused marker does what a click does: a record's details (through
  // streamlit-folium's click), on a cluster zoom in or spread its markers (markercluster's click).
  ZB.onKey = function (ev) {
    if ((ev.key !== 'Enter' && ev.key !== ' ') || !ZB.map || !ev.target.closest) { return; }
    var icon = ev.target.closest('.leaflet-marker-icon');
    var layer = icon && ZB.map._targets && ZB.map._targets[L.stamp(icon)];
    if (!layer) { return; }
    ev.preventDefault();
    layer.fire('click', {latlng: layer.getLatLng(), originalEvent: ev}, true);
    if (typeof layer.getAllChildMarkers === 'function') {
      // A cluster: once its markers are spread out (or zoomed to), focus the first one, so Tab
      // goes on through them instead of back to the start of the map.
      setTimeout(function () {
        var shown = layer.getAllChildMarkers().filter(function (m) { return m._icon && document.body.contains(m._icon); });
        if (shown.length) { shown[0]._icon.focus(); }
      }, 400);
    }
  };
  ZB.setup = function (styles, order, css, imagePath) {
    if (!document.getElementById('zb-style')) {
      var s = document.createElement('style'); s.id = 'zb-style'; s.textContent = css;
      document.head.appendChild(s);
    }
    ZB.styles = styles; ZB.order = order;
    order.forEach(function (kind) {
      ZB.icons[kind] = L.divIcon({html: styles[kind].svg, className: 'zb-marker zb-' + kind,
        iconSize: [26, 26], iconAnchor: [13, 13], tooltipAnchor: [0, -12]});
    });
    L.Icon.Default.imagePath = imagePath;
  };
  ZB.marker = function (row, kind) {
    var tip = row[3];
    var m = L.marker([row[0], row[1]], {icon: ZB.icons[kind], kind: kind, riseOnHover: true});
    m.bindTooltip(tip, {direction: 'top', className: 'zb-tip'});
    ZB.nameOnAdd(m, ZB.plain(tip));
    m.on('click', function () {
      ZB.nonce += 1;
      m.setTooltipContent(tip + '<span hidden>[[' + row[2] + '|' + Date.now().toString(36) + '.' + ZB.nonce + ']]</span>');
    });
    return m;
  };
  ZB.bubble = function (total, counts) {
    var stops = [], acc = 0;
    ZB.order.forEach(function (kind, i) {
      var n = counts[i] || 0; if (!n) { return; }
      stops.push(ZB.styles[kind].colour + ' ' + (acc / total * 360).toFixed(1) + 'deg ' + ((acc + n) / total * 360).toFixed(1) + 'deg');
      acc += n;
    });
    var size = Math.round(Math.min(64, 26 + 9 * Math.log(Math.max(total, 1)) / Math.LN10));
    var label = total >= 10000 ? Math.round(total / 1000) + 'k' : String(total);
    var spoken = ZB.text ? ' <span class="zb-sr">' + ZB.text.cluster.replace('{n}', label) + '</span>' : '';
    return L.divIcon({html: '<div class="zb-bubble" style="width:' + size + 'px;height:' + size + 'px;background:conic-gradient(' +
      (stops.join(',') || '#777 0deg 360deg') + ')"><span>' + label + '</span>' + spoken + '</div>',
      className: 'zb-cluster', iconSize: [size, size]});
  };
  ZB.clusterIcon = function (cluster) {
    var counts = ZB.order.map(function () { return 0; });
    cluster.getAllChildMarkers().forEach(function (m) {
      var i = ZB.order.indexOf(m.options.kind); if (i >= 0) { counts[i] += 1; }
    });
    return ZB.bubble(cluster.getChildCount(), counts);
  };
  // One switchable layer per kind whose markers live in a shared cluster group.
  ZB.KindLayer = L.Layer.extend({
    initialize: function (cluster, kind, rows) {
      this._cluster = cluster;
      this._markers = rows.map(function (row) { return ZB.marker(row, kind); });
    },
    onAdd: function () { this._cluster.addLayers(this._markers); },
    onRemove: function () { this._cluster.removeLayers(this._markers); },
    getLayers: function () { return this._markers; }
  });
  // Counts per region: bubbles that merge (summing their counts) where they would overlap.
  ZB.countClusterIcon = function (cluster) {
    var total = 0, counts = ZB.order.map(function () { return 0; });
    cluster.getAllChildMarkers().forEach(function (m) {
      total += m.options.n;
      m.options.perKind.forEach(function (n, i) { counts[i] += n; });
    });
    return ZB.bubble(total, counts);
  };
  ZB.counts = function (rows) {
    var group = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 45, chunkedLoading: true,
      spiderfyOnMaxZoom: false, iconCreateFunction: ZB.countClusterIcon});
    group.addLayers(rows.map(function (row) {
      var m = L.marker([row[0], row[1]], {icon: ZB.bubble(row[2], row[3]), kind: 'count', n: row[2], perKind: row[3]});
      m.bindTooltip(row[4], {direction: 'top', className: 'zb-tip'});
      ZB.nameOnAdd(m, ZB.plain(row[4]));
      return m;
    }));
    return group;
  };
  ZB.outlines = function (data, style, interactive) {
    return L.geoJSON(data, {style: style, interactive: interactive, onEachFeature: function (f, layer) {
      if (interactive && f.properties && f.properties.label) {
        layer.bindTooltip(f.properties.label, {sticky: true, className: 'zb-region-tip'});
        // Chromium makes an SVG shape with focus listeners (the tooltip's) a Tab stop: hundreds of
        // region outlines before the first marker. The names are in the filters; keep them out.
        layer.on('add', function () { var el = layer.getElement(); if (el) { el.setAttribute('tabindex', '-1'); } });
      }
    }});
  };
  ZB.legend = function (innerHtml, position) {
    var control = L.control({position: position});
    control.onAdd = function () {
      var div = L.DomUtil.create('div', 'zb-legend');
      div.setAttribute('role', 'region'); div.setAttribute('aria-label', ZB.text ? ZB.text.legend : 'Legend');
      div.innerHTML = innerHtml;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return control;
  };
})();
"""


class _Runtime(MacroElement):
    """Defines ``window.ZB`` (marker, cluster and legend helpers) and the map's CSS, once."""
    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.runtime_js }}
        ZB.map = {{ this._parent.get_name() }};
        ZB.a11y({{ this.text_js }});
        // Chromium makes every SVG shape with a tooltip a Tab stop (hundreds of areas or lines on
        // the gap and link maps): keep shapes out of the Tab order; markers and controls stay in.
        ZB.map.on('layeradd', function (e) {
            var el = e.layer && e.layer.getElement && e.layer.getElement();
            if (el && el.tagName && el.tagName.toLowerCase() === 'path') { el.setAttribute('tabindex', '-1'); }
        });
        ZB.setup({{ this.styles_js }}, {{ this.order_js }}, {{ this.css_js }}, {{ this.image_path_js }});
        {% endmacro %}
    """)

    def __init__(self, lang: str = "nl", title: str | None = None):
        super().__init__()
        self._name = "ZbRuntime"
        self.lang = lang
        self.title = title or t("map.frame_title", lang)
        self.text_js = js_value({"lang": lang, "title": self.title, "skip": t("map.skip", lang),
                                 "cluster": t("map.cluster_name", lang), "legend": t("map.legend.title", lang)})
        self.runtime_js = _RUNTIME_JS
        self.styles_js = js_value({k: {"colour": s.colour, "svg": s.svg} for k, s in KIND_STYLES.items()})
        self.order_js = js_value(list(KINDS))
        self.css_js = js_value(_RUNTIME_CSS)
        self.image_path_js = js_value(assets.LEAFLET_IMAGES)


class _Cluster(folium.elements.JSCSSMixin, MacroElement):
    """The Leaflet.markercluster group that all kind layers put their markers in (local assets)."""
    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.markerClusterGroup({
            showCoverageOnHover: false, spiderfyOnMaxZoom: true, chunkedLoading: true,
            maxClusterRadius: 40, iconCreateFunction: ZB.clusterIcon
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "ZbCluster"
        self.default_js = list(assets.CLUSTER_JS)
        self.default_css = list(assets.CLUSTER_CSS)


class _KindLayer(folium.map.Layer):
    """One kind's markers as a layer in the layer control (rows: [lat, lon, id, tooltip html])."""
    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new ZB.KindLayer({{ this.cluster.get_name() }}, {{ this.kind_js }}, {{ this.rows_js }});
        {% endmacro %}
    """)

    def __init__(self, cluster: _Cluster, kind: str, rows: list[list], name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "ZbKind"
        self.cluster = cluster
        self.kind = kind
        self.kind_js = js_value(kind)
        self.rows_js = js_value(rows)


class _Counts(folium.elements.JSCSSMixin, folium.map.Layer):
    """Counts per region or grid cell (rows: [lat, lon, total, [n per kind], tooltip html]);
    bubbles that would overlap merge into one with the summed count (Leaflet.markercluster)."""
    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = ZB.counts({{ this.rows_js }});
        {% endmacro %}
    """)

    def __init__(self, rows: list[list], name: str):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "ZbCounts"
        self.rows_js = js_value(rows)
        self.default_js = list(assets.CLUSTER_JS)
        self.default_css = list(assets.CLUSTER_CSS)


class _Outlines(MacroElement):
    """Region outlines (not in the layer control: they are the map's base, always drawn)."""
    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = ZB.outlines({{ this.data_js }}, {{ this.style_js }}, {{ this.interactive_js }})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, collection: dict, style: dict, interactive: bool, label_prefix: str = ""):
        super().__init__()
        self._name = "ZbOutlines"
        features = []
        for feature in collection.get("features", []):
            props = feature.get("properties") or {}
            label = esc(f"{label_prefix}{props.get('name') or props.get('code') or ''}")
            features.append({"type": "Feature", "properties": {"label": label} if interactive else {},
                             "geometry": feature["geometry"]})
        self.data_js = js_value({"type": "FeatureCollection", "features": features})
        self.style_js = js_value(style)
        self.interactive_js = "true" if interactive else "false"


class Legend(MacroElement):
    """The legend control. Entries are (trusted swatch HTML, escaped label HTML)."""
    _template = Template("""
        {% macro script(this, kwargs) %}
        ZB.legend({{ this.html_js() }}, {{ this.position_js }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, title: str, position: str = "bottomleft"):
        super().__init__()
        self._name = "ZbLegend"
        self.title = title
        self.entries: list[tuple[str, str]] = []
        self.notes: list[str] = []
        self.position_js = js_value(position)

    def add_entry(self, swatch_html: str, label: str) -> None:
        self.entries.append((swatch_html, esc(label)))

    def add_note(self, text: str) -> None:
        self.notes.append(esc(text))

    def inner_html(self) -> str:
        rows = "".join(f'<div class="zb-row">{swatch}<span>{label}</span></div>' for swatch, label in self.entries)
        notes = "".join(f'<div class="zb-note">{note}</div>' for note in self.notes)
        # Folded by default: open, it would cover part of the map (on a narrow screen most of it).
        return f"<details><summary>{esc(self.title)}</summary>{rows}{notes}</details>"

    def html_js(self) -> str:
        return js_value(self.inner_html())


# -- building blocks --------------------------------------------------------------------------

def count_level(flt) -> str:
    """The region level counts are shown at when markers are aggregated: wijken inside a gemeente
    or wijk, gemeenten otherwise."""
    return "wijk" if (flt.gemeente or flt.wijk) else "gemeente"


def tooltip_html(name: Any, kind: str, place: Any, lang: str) -> str:
    """The escaped hover text of a marker: bold name, then kind and place."""
    parts = [esc(kind_label(kind, lang))]
    if place is not None and str(place).strip() and not (isinstance(place, float) and math.isnan(place)):
        parts.append(esc(place))
    return f"<b>{esc(name)}</b><br>{' · '.join(parts)}"


def marker_rows(points: pd.DataFrame, kind: str, lang: str) -> list[list]:
    """Compact marker data of one kind: [lat, lon, escaped id, tooltip html], sorted by id."""
    subset = points[points["kind"] == kind].sort_values("id", kind="stable")
    places = subset["place"] if "place" in subset else pd.Series([None] * len(subset), index=subset.index)
    return [
        [round(float(lat), COORD_DECIMALS), round(float(lon), COORD_DECIMALS), esc(rid),
         tooltip_html(name, kind, place, lang)]
        for lat, lon, rid, name, place in zip(subset["lat"], subset["lon"], subset["id"], subset["name"], places)
    ]


def _kind_breakdown(counts: dict[str, int], lang: str) -> str:
    return ", ".join(f"{n} {kind_label(kind, lang, plural=True).lower()}" for kind, n in counts.items() if n)


def count_rows_from_regions(region_counts: pd.DataFrame, lang: str) -> list[list]:
    """Bubble data from :func:`mapping.queries.region_counts`: [lat, lon, n, [n per kind], tooltip]."""
    rows = []
    frame = region_counts[region_counts["lat"].notna() & (region_counts["n"] > 0)].sort_values("code")
    for record in frame.to_dict("records"):
        per_kind = {kind: int(record.get(f"n_{kind}", 0) or 0) for kind in KINDS}
        tip = (f"<b>{esc(record['name'])}</b><br>{esc(t('map.tooltip.count', lang, count=int(record['n'])))}"
               f"<br>{esc(_kind_breakdown(per_kind, lang))}")
        rows.append([round(float(record["lat"]), COORD_DECIMALS), round(float(record["lon"]), COORD_DECIMALS),
                     int(record["n"]), [per_kind[k] for k in KINDS], tip])
    return rows


def count_rows_from_grid(points: pd.DataFrame, lang: str, cells: int = GRID_CELLS) -> list[list]:
    """Bubble data per grid cell (when no region counts are given): at most ``cells``² bubbles,
    each at the mean position of its points."""
    if points.empty:
        return []
    lat = points["lat"].astype(float)
    lon = points["lon"].astype(float)
    span = max(lat.max() - lat.min(), lon.max() - lon.min(), 1e-6)
    size = span / cells
    row = ((lat - lat.min()) / size).astype(int).clip(upper=cells - 1)
    col = ((lon - lon.min()) / size).astype(int).clip(upper=cells - 1)
    frame = pd.DataFrame({"cell": row * cells + col, "lat": lat, "lon": lon, "kind": points["kind"]})
    centres = frame.groupby("cell", sort=True)[["lat", "lon"]].mean()
    per_kind = (pd.crosstab(frame["cell"], frame["kind"]).reindex(index=centres.index, columns=list(KINDS),
                                                                fill_value=0))
    rows = []
    for (cell_lat, cell_lon), counts in zip(centres.to_numpy(), per_kind.to_numpy()):
        by_kind = dict(zip(KINDS, (int(n) for n in counts)))
        total = sum(by_kind.values())
        tip = f"{esc(t('map.tooltip.grid', lang, count=total))}<br>{esc(_kind_breakdown(by_kind, lang))}"
        rows.append([round(float(cell_lat), COORD_DECIMALS), round(float(cell_lon), COORD_DECIMALS),
                     total, [by_kind[k] for k in KINDS], tip])
    return rows


def _bounds_of(points: pd.DataFrame) -> tuple[float, float, float, float] | None:
    if points.empty:
        return None
    lat = points["lat"].astype(float)
    lon = points["lon"].astype(float)
    pad = 0.02
    return (float(lat.min()) - pad, float(lon.min()) - pad, float(lat.max()) + pad, float(lon.max()) + pad)


def _zoom_for(bounds: tuple[float, float, float, float]) -> int:
    """A zoom level that shows the bounds in a ~700 px map (the fitBounds call refines it)."""
    span = max(bounds[2] - bounds[0], (bounds[3] - bounds[1]) * 0.62, 1e-4)
    return int(max(6, min(16, math.floor(math.log2(360 / span)) - 1)))


def base_map(*, bounds: tuple[float, float, float, float] | None = None, tiles: str | None = None,
             lang: str = "nl", title: str | None = None) -> folium.Map:
    """An empty folium map with local Leaflet/jQuery, the ZB runtime, optional tiles, fitted to
    ``bounds`` (min_lat, min_lon, max_lat, max_lon; the Netherlands by default)."""
    bounds = bounds or NL_BOUNDS
    centre = ((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    fmap = folium.Map(location=centre, zoom_start=_zoom_for(bounds), tiles=None, control_scale=True,
                      width="100%", height="100%")
    # Without a tile layer Leaflet knows no zoom range, and markercluster refuses to start.
    fmap.options["min_zoom"] = MIN_ZOOM
    fmap.options["max_zoom"] = MAX_ZOOM
    # Instance attributes: the class-level lists stay untouched for any other folium user.
    fmap.default_js = list(assets.MAP_JS)
    fmap.default_css = list(assets.MAP_CSS)
    _Runtime(lang, title).add_to(fmap)
    if tiles and tiles != "none":
        if tiles not in TILES:
            raise ValueError(f"unknown tile server {tiles!r}; choose one of {', '.join(TILE_CHOICES)}")
        url, attribution, max_zoom = TILES[tiles]
        folium.TileLayer(tiles=url, attr=attribution, name=t(f"map.tiles.{tiles}", lang),
                         max_zoom=min(max_zoom, MAX_ZOOM), control=False).add_to(fmap)
    # Not animated: a zoom animation still running would undo the view st_folium sets right after
    # (centre and zoom of a record chosen in the list or the link).
    fit = folium.map.FitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]])
    fit.options["animate"] = False
    fit.add_to(fmap)
    return fmap


CONTEXT_STYLE = {"color": "#5f6b73", "weight": 1, "opacity": 0.9, "fillColor": "#f7f5ef", "fillOpacity": 0.85}
HIGHLIGHT_STYLE = {"color": "#111111", "weight": 3.5, "opacity": 1, "fill": False, "dashArray": None}


def add_outlines(fmap: folium.Map, outlines: MapOutlines, lang: str) -> None:
    """Draw the context outlines (with region names on hover) and the highlighted region."""
    if outlines.context.get("features"):
        _Outlines(outlines.context, CONTEXT_STYLE, interactive=True).add_to(fmap)
    if outlines.highlight and outlines.highlight.get("features"):
        _Outlines(outlines.highlight, {k: v for k, v in HIGHLIGHT_STYLE.items() if v is not None},
                  interactive=False).add_to(fmap)


def _layer_name(kind: str, count: int, lang: str) -> str:
    small_svg = KIND_STYLES[kind].svg
    return f"{small_svg} {esc(kind_label(kind, lang, plural=True))} ({count})"


def legend_of(fmap: folium.Map) -> Legend | None:
    for child in fmap._children.values():
        if isinstance(child, Legend):
            return child
    return None


def add_legend_entry(fmap: folium.Map, swatch_html: str, label: str, lang: str = "nl") -> None:
    """Add a line to the map's legend (``label`` is escaped; ``swatch_html`` is trusted)."""
    legend = legend_of(fmap)
    if legend is None:
        legend = Legend(t("map.legend.title", lang))
        legend.add_to(fmap)
    legend.add_entry(swatch_html, label)


def _line_swatch(style: dict) -> str:
    dash = ' stroke-dasharray="4 3"' if style.get("dashArray") else ""
    return (f'<svg class="zb-line" width="18" height="12" viewBox="0 0 18 12" aria-hidden="true">'
            f'<rect x="1" y="1" width="16" height="10" fill="{style.get("fillColor", "none") if style.get("fill", True) else "none"}" '
            f'stroke="{style["color"]}" stroke-width="{min(style["weight"], 3)}"{dash}/></svg>')


def explorer_map(records: pd.DataFrame, *, lang: str = "nl", outlines: MapOutlines | None = None,
                 region_counts: pd.DataFrame | None = None, count_level_name: str = "gemeente",
                 tiles: str | None = None, max_points: int = MAX_POINTS, legend: bool = True,
                 n_located: int | None = None, n_records: int | None = None) -> folium.Map:
    """The Kaart map of ``records`` (columns id, name, kind, place, lat, lon; see module docs).

    ``outlines``: from :func:`outlines_for` (default: no outlines). ``region_counts``: from
    :func:`mapping.queries.region_counts` at ``count_level_name``; used only when more than
    ``max_points`` records have a point. ``tiles``: None/"none", "osm" or "pdok".
    ``n_located``/``n_records``: sizes of the whole selection when ``records`` holds only part of
    it (large selections, :func:`mapping.queries.map_data`: no points, just region counts), so
    100k records never have to leave the database to draw a map of counts.
    Returns the unrendered map; add further layers, then render.
    """
    outlines = outlines or MapOutlines(context={"type": "FeatureCollection", "features": []})
    points = located(records)
    n_located = len(points) if n_located is None else n_located
    n_records = len(records) if n_records is None else n_records
    bounds = outlines.bounds or _bounds_of(points)
    fmap = base_map(bounds=bounds, tiles=tiles, lang=lang)
    add_outlines(fmap, outlines, lang)
    legend_box = Legend(t("map.legend.title", lang))
    aggregated = is_aggregated(n_located, max_points)
    if not aggregated:
        cluster = _Cluster()
        cluster.add_to(fmap)
        for kind in KINDS:
            rows = marker_rows(points, kind, lang)
            _KindLayer(cluster, kind, rows, _layer_name(kind, len(rows), lang)).add_to(fmap)
            legend_box.add_entry(KIND_STYLES[kind].svg, kind_label(kind, lang, plural=True))
        legend_box.add_note(t("map.legend.cluster", lang))
    else:
        use_regions = region_counts is not None and len(region_counts) >= 2
        rows = (count_rows_from_regions(region_counts, lang) if use_regions
                else count_rows_from_grid(points, lang))
        _Counts(rows, f"{esc(t('map.layer.counts', lang))} ({n_located})").add_to(fmap)
        for kind in KINDS:
            legend_box.add_entry(KIND_STYLES[kind].svg, kind_label(kind, lang, plural=True))
        level_word = t(f"map.level.one.{count_level_name}", lang) if count_level_name in ("gemeente", "wijk") else ""
        legend_box.add_note(t("map.legend.counts", lang, max=number_format.number(max_points, lang), level=level_word)
                            if use_regions else t("map.legend.grid", lang, max=number_format.number(max_points, lang)))
    if outlines.context.get("features"):
        legend_box.add_entry(_line_swatch(CONTEXT_STYLE), t("map.legend.outline", lang,
                                                            level=t(f"map.level.{outlines.level}", lang)))
    if outlines.highlight_name:
        legend_box.add_entry(_line_swatch(HIGHLIGHT_STYLE),
                             t("map.legend.highlight", lang, name=outlines.highlight_name))
    missing = n_records - n_located
    if missing:
        legend_box.add_note(t("map.legend.not_on_map", lang, count=missing))
    if legend:
        legend_box.add_to(fmap)
    folium.LayerControl(position="topright", collapsed=False).add_to(fmap)
    return fmap


def overview_map(records: pd.DataFrame, outlines: MapOutlines | dict, lang: str = "nl",
                 *, region_counts: pd.DataFrame | None = None, max_points: int = MAX_POINTS,
                 n_located: int | None = None, n_records: int | None = None) -> folium.Map:
    """All records over provincie outlines, fitted to the Netherlands (the Overzicht page).
    ``outlines`` is a :class:`MapOutlines` or a provincie FeatureCollection; ``n_located`` and
    ``n_records`` as in :func:`explorer_map` (for counts drawn from ``queries.map_data``)."""
    if isinstance(outlines, dict):
        outlines = MapOutlines(level="provincie", context=_compact_geojson(outlines))
    outlines = MapOutlines(level=outlines.level, context=outlines.context, bounds=NL_BOUNDS)
    return explorer_map(records, lang=lang, outlines=outlines, region_counts=region_counts,
                        count_level_name="gemeente", max_points=max_points, n_located=n_located,
                        n_records=n_records)


def selection_layer(lat: float, lon: float) -> folium.FeatureGroup:
    """A ring around the selected record (not clickable, so clicks reach the marker below)."""
    group = folium.FeatureGroup(name="selection", control=False)
    _Ring(float(lat), float(lon)).add_to(group)
    return group


class _Ring(MacroElement):
    """Two circles (dark, white halo) that take no clicks; folium's CircleMarker drops
    ``interactive``."""
    _template = Template("""
        {% macro script(this, kwargs) %}
        L.circleMarker({{ this.point_js }}, {radius: 32, color: '#ffffff', weight: 3, fill: false, interactive: false})
            .addTo({{ this._parent.get_name() }});
        L.circleMarker({{ this.point_js }}, {radius: 28, color: '#111111', weight: 4, fill: false, interactive: false})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, lat: float, lon: float):
        super().__init__()
        self._name = "ZbRing"
        self.point_js = js_value([round(lat, COORD_DECIMALS), round(lon, COORD_DECIMALS)])


def clicked_record_id(value: Any) -> str | None:
    """The record id in a ``last_object_clicked_tooltip`` value, or None (region or cluster)."""
    if not isinstance(value, str):
        return None
    found = _CLICK_ID.findall(value)
    return html.unescape(found[-1]) if found else None


# -- rendering --------------------------------------------------------------------------------

def _walk(element) -> Iterable:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def layer_control_last(fmap: folium.Map) -> folium.Map:
    """Move the layer control behind every layer: its script names each layer, so a layer added
    after :func:`explorer_map` returned must be defined before the control."""
    for key, child in list(fmap._children.items()):
        if isinstance(child, folium.LayerControl):
            del fmap._children[key]
            fmap._children[key] = child
    return fmap


def stabilise_ids(fmap: folium.Map) -> folium.Map:
    """Prepare a finished map for rendering (call it after adding your own layers, before
    ``st_folium``): the layer control goes last, and folium's random element ids are replaced by
    ones derived from position, so equal input gives byte-identical HTML."""
    layer_control_last(fmap)
    for index, element in enumerate(_walk(fmap)):
        element._id = f"zb{index:05d}"
    return fmap


def render_html(fmap: folium.Map) -> str:
    """The complete standalone HTML of the map (what a browser downloads)."""
    stabilise_ids(fmap)
    runtime = next((c for c in fmap._children.values() if isinstance(c, _Runtime)), None)
    html_text = fmap.get_root().render()
    # The standalone document (an iframe's srcdoc) states its language, title and a zoomable
    # viewport in the HTML itself, not only once its script has run.
    lang, title = (runtime.lang, runtime.title) if runtime else ("nl", t("map.frame_title", "nl"))
    html_text = html_text.replace("<html>", f'<html lang="{esc(lang)}">', 1)
    html_text = re.sub(r'<meta name="viewport"[^>]*>', '<meta name="viewport" content="width=device-width, initial-scale=1" />',
                       html_text, count=1)
    return html_text.replace("<head>", f"<head>\n<title>{esc(title)}</title>", 1)


def payload_bytes(fmap: folium.Map) -> int:
    """Size of :func:`render_html` in bytes (UTF-8)."""
    return len(render_html(fmap).encode("utf-8"))


def default_tiles(environ: dict[str, str] | None = None) -> str:
    """The background map pages start with: ``MAPPING_TILES`` (none | osm | pdok), else
    OpenStreetMap. Tiles are decoration only: every map draws its own outlines, so a deployment
    without internet access (set ``MAPPING_TILES=none``) loses nothing but the background."""
    import os

    value = (environ if environ is not None else os.environ).get("MAPPING_TILES", "osm").strip().lower()
    return value if value in TILE_CHOICES else "osm"
