"""Presentation of the gap view: colour classes, the folium choropleth, legend, tooltips and the
printable regional summary (self-contained HTML with an inline SVG map, so it works offline).

No SQL and no Streamlit here: the page passes DataFrames and GeoJSON in and renders what comes
out. Every text that reaches HTML is escaped here.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import folium
import numpy as np
import pandas as pd

from mapping import gaps, maps, needs
from mapping.i18n import format as number_format
from mapping.i18n import t

# Sequential, colour-blind-safe palettes (5 classes, light = low, dark = high), sampled from
# matplotlib's viridis and cividis. Need and gap share viridis; supply uses cividis so the two
# are never confused.
VIRIDIS_5 = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
CIVIDIS_5 = ("#fee838", "#bcaf6f", "#7c7b78", "#414d6b", "#00224e")
PALETTES = {"gap": VIRIDIS_5, "need": VIRIDIS_5, "supply": CIVIDIS_5}
MISSING_COLOUR = "#d9d9d9"
OUTLINE_COLOUR = "#444444"
GAP_BREAKS = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)

# Units shown after values (the need measure keys come from needs.NEED_MEASURES).
PERCENT_MEASURES = {"aandeel_65plus", "aandeel_75plus", "aandeel_eenpersoonshuishoudens"}
ONE_DECIMAL_MEASURES = {"kwetsbaarheid", "huishoudensgrootte", "afstand_huisarts"}


# -- number formatting ------------------------------------------------------------------------

def fmt(value: Any, lang: str, decimals: int = 0, missing: str | None = None) -> str:
    """A number in the user's language (nl: 12.345,6; en: 12,345.6); missing → "niet beschikbaar"."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return missing if missing is not None else t("gaps.not_available", lang)
    return number_format.number(float(value), lang, decimals)


def fmt_measure(measure: str, value: Any, lang: str) -> str:
    if measure in PERCENT_MEASURES:
        return fmt(value, lang, 1) + ("" if _missing(value) else " %")
    if measure == "afstand_huisarts":
        return fmt(value, lang, 1) + ("" if _missing(value) else " km")
    if measure in ONE_DECIMAL_MEASURES:
        return fmt(value, lang, 1)
    if measure == "bevolkingsdichtheid":
        return fmt(value, lang, 0) + ("" if _missing(value) else " " + t("gaps.unit.density", lang))
    return fmt(value, lang, 0)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


# -- colour classes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Classes:
    """Colour classes of one map layer: ``breaks`` has len(colours) + 1 edges (low → high)."""

    layer: str
    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    zero_class: bool = False        # supply: the first class holds exactly 0 ("no supply")

    def colour(self, value: Any) -> str:
        if _missing(value):
            return MISSING_COLOUR
        if self.zero_class and value == 0:
            return self.colours[0]
        offset = 1 if self.zero_class else 0
        edges = self.breaks[offset:]
        colours = self.colours[offset:]
        if not colours:
            return self.colours[0]
        position = int(np.searchsorted(np.asarray(edges[1:-1]), float(value), side="right"))
        return colours[min(position, len(colours) - 1)]

    def labels(self, lang: str, measure: str | None = None) -> list[tuple[str, str]]:
        """(colour, label) pairs for the legend, low to high."""
        decimals = 1 if (self.layer == "supply" or measure in PERCENT_MEASURES) else 0
        out: list[tuple[str, str]] = []
        offset = 0
        if self.zero_class:
            out.append((self.colours[0], t("gaps.legend.no_supply", lang)))
            offset = 1
        for i, colour in enumerate(self.colours[offset:]):
            low, high = self.breaks[offset + i], self.breaks[offset + i + 1]
            out.append((colour, f"{fmt(low, lang, decimals)} – {fmt(high, lang, decimals)}"))
        return out


def classify(values: pd.Series, layer: str) -> Classes:
    """Colour classes for a layer: fixed 0–100 steps for the gap score, quantiles otherwise
    (supply: zero is its own class, quantiles of the positive values above it)."""
    palette = PALETTES[layer]
    known = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    if layer == "gap":
        return Classes(layer, GAP_BREAKS, palette)
    if layer == "supply":
        positive = known[known > 0]
        if positive.empty:
            return Classes(layer, (0.0, 0.0), palette[:1], zero_class=True)
        edges = _quantile_edges(positive, len(palette) - 1)
        colours = (palette[0],) + _spread(palette[1:], len(edges) - 1)
        return Classes(layer, (0.0,) + edges, colours, zero_class=True)
    if known.empty:
        return Classes(layer, (0.0, 0.0), palette[:1])
    edges = _quantile_edges(known, len(palette))
    return Classes(layer, edges, _spread(palette, len(edges) - 1))


def _quantile_edges(values: pd.Series, classes: int) -> tuple[float, ...]:
    edges = np.unique(np.quantile(values, np.linspace(0, 1, classes + 1)))
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0]])
    return tuple(float(e) for e in edges)


def _spread(palette: tuple[str, ...], count: int) -> tuple[str, ...]:
    """``count`` colours spread over the palette (keeps light-to-dark order)."""
    if count <= 0:
        return palette[:1]
    if count >= len(palette):
        return palette
    positions = np.linspace(0, len(palette) - 1, count).round().astype(int)
    return tuple(palette[p] for p in positions)


# -- tooltips ---------------------------------------------------------------------------------

def area_tooltip(row: dict | pd.Series, need_measure: str, lang: str) -> str:
    """Escaped HTML for hovering an area: name, gemeente, need figure with source, supply, score.
    Kept short (one line per fact, no inline styles): the national wijk map carries 3,393 of them."""
    def line(label: str, value: str) -> str:
        return f"{html.escape(label)}: <b>{html.escape(value)}</b>"

    name = str(row.get("name") or row.get("code"))
    gemeente = row.get("gemeente_name")
    title = f"<b>{html.escape(name)}</b>" + (f" ({html.escape(str(gemeente))})"
                                              if isinstance(gemeente, str) and gemeente != name else "")
    source = row.get(f"{need_measure}__source")
    need_text = fmt_measure(need_measure, row.get("need_value"), lang)
    lines = [title, line(t(f"gaps.measure.{need_measure}", lang), need_text)
             + (f" <small>{html.escape(source)}</small>" if isinstance(source, str)
                and not _missing(row.get("need_value")) else "")]
    lines.append(line(t("gaps.col.inwoners", lang), fmt(row.get("inwoners"), lang)) + " · "
                 + line(t("gaps.col.inwoners_75plus", lang), fmt(row.get("inwoners_75plus"), lang)))
    counts = {kind: int(row.get(f"n_{kind}", 0) or 0) for kind in gaps.COUNTED_KINDS}
    if sum(counts.values()):
        supply = t("gaps.tooltip.supply", lang, initiatives=counts["initiative"], providers=counts["provider"],
                   meetups=counts["meetup"], networks=counts["network"])
        supply += " · " + t("gaps.tooltip.links", lang, n=int(row.get("n_links", 0) or 0))
    else:
        supply = t("gaps.tooltip.no_supply", lang)
    lines.append(line(t("gaps.col.supply", lang), supply))
    distance = row.get(needs.PROFESSIONAL_MEASURE)
    distance_source = row.get(f"{needs.PROFESSIONAL_MEASURE}__source")
    lines.append(line(t("gaps.measure.afstand_huisarts", lang), fmt_measure(needs.PROFESSIONAL_MEASURE, distance, lang))
                 + (f" <small>{html.escape(distance_source)}</small>"
                    if isinstance(distance_source, str) and not _missing(distance) else ""))
    lines.append(line(t("gaps.col.gap_score", lang), score_text(row, lang)))
    if needs.is_rough(row.get("pc4_coverage")) or "rough" in str(row.get(f"{need_measure}__method") or ""):
        lines.append(f"<i>{html.escape(t('gaps.tooltip.rough', lang))}</i>")
    return "<br>".join(lines)


def score_text(row: dict | pd.Series, lang: str) -> str:
    status = row.get("status")
    if status == "scored":
        return fmt(row.get("gap_score"), lang, 1) + " / 100 (#" + str(int(row.get("rank"))) + ")"
    return status_text(status, lang)


def status_text(status: str, lang: str) -> str:
    return t(f"gaps.status.{status}", lang, min=gaps.WEIGHTS.min_inhabitants)


_N_PC4 = re.compile(r"over the (\d+) PC4")
_POSTCODE = re.compile(r"PC4 area \((\d{4})\)")


def method_text(method: Any, lang: str) -> str:
    """The stored (English, technical) method of a figure as a short note in the user's language."""
    text = str(method or "")
    if not text or text == "published":
        return t("gaps.method.published", lang)
    if text.startswith("published ("):
        return t("gaps.method.one_person", lang)
    if text.startswith("computed: published 65+"):
        return t("gaps.method.share_65", lang)
    if text.startswith("computed: 100"):
        return t("gaps.method.vulnerability_gemeente" if "one-person household share among" in text
                 else "gaps.method.vulnerability_wijk", lang)
    if text.startswith("not available"):
        return t("gaps.method.missing", lang)
    if text.startswith("rough approximation"):
        found = _POSTCODE.search(text)
        return t("gaps.method.nearest", lang, postcode=found.group(1) if found else "?")
    if "in the gemeente" in text:
        return t("gaps.method.gemeente_pc4", lang)
    found = _N_PC4.search(text)
    return t("gaps.method.pc4", lang, n=found.group(1) if found else "?")


# -- the folium choropleth --------------------------------------------------------------------

def choropleth(areas_geojson: dict, table: pd.DataFrame, layer: str, need_measure: str, lang: str, *,
               outlines: dict | None = None, bounds: tuple[float, float, float, float] | None = None,
               canvas_above: int = 1500) -> tuple[folium.Map, Classes]:
    """A tile-less Leaflet map (:func:`mapping.maps.base_map`: Leaflet from the app's static files):
    areas filled by ``layer`` (gap | need | supply), outlines of the parent regions on top, escaped
    tooltips.

    ``table``: output of :func:`gaps.build_gap_table`; ``bounds``: (min_lat, min_lon, max_lat,
    max_lon; None = the Netherlands). Above ``canvas_above`` areas Leaflet draws on a canvas instead of SVG (the national
    wijk map stays smooth). Returns the map and its colour classes (for the legend).
    """
    values = gaps.layer_values(table, layer)
    classes = classify(values, layer)
    rows = {row["code"]: row for row in table.to_dict("records")}
    features = []
    for feature in areas_geojson.get("features", []):
        code = feature["properties"]["code"]
        row = rows.get(code)
        if row is None:
            continue
        features.append({
            "type": "Feature", "geometry": feature["geometry"],
            "properties": {"code": code, "name": html.escape(str(row.get("name") or code)),
                           "fill": classes.colour(values.get(code)),
                           "tooltip": area_tooltip(row, need_measure, lang)},
        })
    collection = {"type": "FeatureCollection", "features": features}
    dense = len(features) > canvas_above     # national wijk map: canvas, thin lines
    # The shared base map: local Leaflet/jQuery (mapping.assets), no tiles, fitted to the region.
    fmap = maps.base_map(bounds=bounds, tiles=None, lang=lang)
    fmap.options["prefer_canvas"] = dense
    fmap.get_root().header.add_child(folium.Element(
        "<style>.leaflet-tooltip{min-width:240px;max-width:360px;white-space:normal}</style>"))
    border = 0.25 if dense else 0.7
    folium.GeoJson(
        collection, name=t(f"gaps.layer.{layer}", lang),
        style_function=lambda feature: {"fillColor": feature["properties"]["fill"], "fillOpacity": 0.85,
                                        "color": "#ffffff", "weight": border},
        highlight_function=lambda _feature: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        zoom_on_click=False,
    ).add_to(fmap)
    if outlines and outlines.get("features"):
        folium.GeoJson(
            outlines, name=t("gaps.layer.outlines", lang), interactive=False,
            style_function=lambda _feature: {"fill": False, "color": OUTLINE_COLOUR, "weight": 0.6 if dense else 1.6},
        ).add_to(fmap)
    return fmap, classes


def legend_html(classes: Classes, title: str, lang: str, measure: str | None = None,
                missing_label: str | None = None) -> str:
    """The legend as escaped HTML (swatches with ranges, plus the grey "not available" class)."""
    items = [(colour, label) for colour, label in classes.labels(lang, measure)]
    items.append((MISSING_COLOUR, missing_label or t("gaps.not_available", lang)))
    cells = "".join(
        f"<span style='display:inline-flex;align-items:center;margin-right:12px;white-space:nowrap'>"
        f"<span style='display:inline-block;width:16px;height:12px;background:{colour};border:1px solid #888;"
        f"margin-right:4px'></span>{html.escape(label)}</span>"
        for colour, label in items)
    return f"<div class='wv-legend'><b>{html.escape(title)}</b><br>{cells}</div>"


# -- printable summary ------------------------------------------------------------------------

def svg_map(geojson: dict, colours: dict[str, str], titles: dict[str, str], *, width: int = 520,
            outlines: dict | None = None) -> str:
    """An inline SVG of the areas (equirectangular, scaled by cos(latitude)); no scripts, no tiles.
    ``titles`` are plain text (escaped here) shown by browsers on hover."""
    rings_by_code: list[tuple[str, list[list[tuple[float, float]]]]] = []
    xs: list[float] = []
    ys: list[float] = []
    for feature in geojson.get("features", []):
        rings = list(_rings(feature.get("geometry") or {}))
        rings_by_code.append((feature["properties"]["code"], rings))
        for ring in rings:
            xs += [p[0] for p in ring]
            ys += [p[1] for p in ring]
    if not xs:
        return ""
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    factor = math.cos(math.radians((min_y + max_y) / 2))
    span_x = max((max_x - min_x) * factor, 1e-9)
    span_y = max(max_y - min_y, 1e-9)
    scale = width / span_x
    height = int(span_y * scale) + 1

    def path(rings: list[list[tuple[float, float]]]) -> str:
        parts = []
        for ring in rings:
            points = " L".join(f"{(x - min_x) * factor * scale:.1f} {(max_y - y) * scale:.1f}" for x, y in ring)
            parts.append(f"M{points} Z")
        return " ".join(parts)

    shapes = [
        f"<path d='{path(rings)}' fill='{colours.get(code, MISSING_COLOUR)}' stroke='#ffffff' stroke-width='0.6' "
        f"fill-rule='evenodd'><title>{html.escape(titles.get(code, code))}</title></path>"
        for code, rings in rings_by_code
    ]
    if outlines:
        for feature in outlines.get("features", []):
            rings = list(_rings(feature.get("geometry") or {}))
            shapes.append(f"<path d='{path(rings)}' fill='none' stroke='{OUTLINE_COLOUR}' stroke-width='1.2'/>")
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' "
            f"height='{height}' role='img'>{''.join(shapes)}</svg>")


def _rings(geometry: dict):
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        for ring in coordinates:
            yield [(float(x), float(y)) for x, y, *_ in ring]
    elif kind == "MultiPolygon":
        for polygon in coordinates:
            for ring in polygon:
                yield [(float(x), float(y)) for x, y, *_ in ring]
    elif kind == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            yield from _rings(part)


PRINT_CSS = """
@page { size: A4 landscape; margin: 10mm; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; margin: 0; font-size: 11px; }
h1 { font-size: 18px; margin: 0 0 2px 0; } h2 { font-size: 13px; margin: 8px 0 4px 0; }
.sub { color: #444; margin-bottom: 6px; }
.grid { display: grid; grid-template-columns: 44% 1fr; gap: 14px; align-items: start; }
svg { width: 100%; height: auto; max-height: 120mm; }
td.src { white-space: nowrap; } small { color: #555; }
.numbers { display: grid; grid-template-columns: repeat(8, 1fr); gap: 5px; margin-bottom: 6px; }
.num { border: 1px solid #ccc; border-radius: 4px; padding: 4px 6px; }
.num b { display: block; font-size: 14px; }
.num small { display: block; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 2px 4px; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; }
.legend span { display: inline-block; margin-right: 8px; }
.swatch { display: inline-block; width: 12px; height: 10px; border: 1px solid #888; margin-right: 3px; }
.note { color: #444; font-size: 10px; margin-top: 6px; }
@media print { * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def gemeente_summary_frame(per_gemeente: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    """:func:`gaps.gemeente_summary` as the table people read: formatted numbers, each CBS figure
    followed by its table and year, the five largest wijk gaps as text."""
    def figure(row: pd.Series, measure: str) -> str:
        value = fmt_measure(measure, row.get(measure), lang)
        source = row.get(f"{measure}__source")
        return f"{value} ({source})" if isinstance(source, str) and not _missing(row.get(measure)) else value

    rows = []
    for _, row in per_gemeente.iterrows():
        top = "; ".join(f"{name} ({fmt(score, lang, 1)})" for name, score in zip(row["top_wijken"],
                                                                                row["top_wijken_scores"]))
        rows.append({
            t("level.gemeente", lang): names.get(row["code"], row["code"]),
            t("gaps.col.inwoners", lang): figure(row, "inwoners"),
            t("gaps.measure.aandeel_65plus", lang): figure(row, "aandeel_65plus"),
            t("gaps.measure.aandeel_75plus", lang): figure(row, "aandeel_75plus"),
            t("gaps.measure.aandeel_eenpersoonshuishoudens", lang): figure(row, "aandeel_eenpersoonshuishoudens"),
            t("gaps.measure.afstand_huisarts", lang): figure(row, needs.PROFESSIONAL_MEASURE),
            t("gaps.col.n_records", lang): fmt(row["n_records"], lang),
            t("gaps.col.n_links", lang): fmt(row["n_links"], lang),
            t("gaps.summary.top5", lang): top or "—",
        })
    return pd.DataFrame(rows)


def summary_html(*, title: str, region_name: str, level: str, need_measure: str, summary: dict, lang: str,
                 areas_geojson: dict, table: pd.DataFrame, outlines: dict | None = None,
                 generated: date | None = None, per_gemeente: pd.DataFrame | None = None) -> str:
    """The one-screen regional summary as a self-contained HTML page (A4 landscape when printed):
    key numbers, a gap map, the ten largest gaps with their figures and sources, and the caveats."""
    esc = html.escape
    generated = generated or date.today()
    classes = classify(table["gap_score"], "gap")
    colours = {code: classes.colour(score) for code, score in zip(table["code"], table["gap_score"])}
    titles = {str(row["code"]): f"{row['name']}: {score_text(row, lang)}" for _, row in table.iterrows()}
    svg = svg_map(areas_geojson, colours, titles, outlines=outlines)
    counts = summary["counts"]
    numbers = [
        (t("gaps.col.inwoners", lang), fmt(summary["inwoners"], lang), "CBS 85984NED (2024)"),
        (t("gaps.col.inwoners_75plus", lang), fmt(summary["inwoners_75plus"], lang), "CBS 83502NED (2021)"),
        (t("gaps.measure.aandeel_75plus", lang), fmt_measure("aandeel_75plus", summary["aandeel_75plus"], lang),
         "CBS 83502NED (2021)"),
        (t("gaps.summary.gemeenten", lang), fmt(summary["gemeenten"], lang), ""),
        (t("kind.initiative.plural", lang), fmt(counts["initiative"], lang), ""),
        (t("kind.provider.plural", lang), fmt(counts["provider"], lang), ""),
        (t("kind.meetup.plural", lang), fmt(counts["meetup"], lang), ""),
        (t("gaps.summary.links_networks", lang),
         f"{fmt(summary['links'], lang)} / {fmt(counts['network'], lang)}", ""),
    ]
    number_html = "".join(f"<div class='num'>{esc(label)}<b>{esc(value)}</b><small>{esc(source)}</small></div>"
                          for label, value, source in numbers)
    top = summary["top"]
    head = "".join(f"<th{' class=n' if numeric else ''}>{esc(label)}</th>" for label, numeric in (
        ("#", True), (t(f"level.{level}", lang), False), (t("gaps.col.gap_score", lang), True),
        (t(f"gaps.measure.{need_measure}", lang), True), (t("gaps.col.inwoners", lang), True),
        (t("gaps.col.n_records", lang), True), (t("gaps.col.n_links", lang), True),
        (t("gaps.col.source", lang) + " (CBS)", False)))
    body_rows = []
    approximated = False
    for _, row in top.iterrows():
        name = esc(str(row["name"]))
        if level == "wijk" and isinstance(row.get("gemeente_name"), str):
            name += f"<br><small>{esc(row['gemeente_name'])}</small>"
        source = str(row.get(f"{need_measure}__source") or "").removeprefix("CBS ")
        method = str(row.get(f"{need_measure}__method") or "")
        if method and method != "published":
            source += " *"
            approximated = True
        body_rows.append(
            "<tr>" + f"<td class=n>{int(row['rank'])}</td><td>{name}</td>"
            f"<td class=n>{esc(fmt(row['gap_score'], lang, 1))}</td>"
            f"<td class=n>{esc(fmt_measure(need_measure, row['need_value'], lang))}</td>"
            f"<td class=n>{esc(fmt(row.get('inwoners'), lang))}</td><td class=n>{int(row['n_records'])}</td>"
            f"<td class=n>{int(row['n_links'])}</td><td class=src>{esc(source)}</td></tr>")
    if not body_rows:
        body_rows.append(f"<tr><td colspan=8>{esc(t('gaps.summary.no_scores', lang))}</td></tr>")
    legend = "".join(f"<span><i class='swatch' style='background:{c}'></i>{esc(label)}</span>"
                     for c, label in classes.labels(lang) + [(MISSING_COLOUR, t("gaps.legend.unscored", lang))])
    keys = (("gaps.summary.note_approximation",) if approximated else ()) + (
        "gaps.summary.note_score", "gaps.explain.blind_households", "gaps.summary.note_sources")
    notes = " ".join(esc(t(key, lang)) for key in keys)
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}"><head><meta charset="utf-8"><title>{esc(title)} — {esc(region_name)}</title>
<style>{PRINT_CSS}</style></head>
<body>
<h1>{esc(title)}: {esc(region_name)}</h1>
<div class="sub">{esc(t('gaps.summary.subtitle', lang, level=t(f'level.{level}', lang).lower(),
                       measure=t(f'gaps.measure.{need_measure}', lang), date=generated.isoformat()))}</div>
<div class="numbers">{number_html}</div>
<div class="grid">
<div>{svg}<div class="legend"><b>{esc(t('gaps.layer.gap', lang))}</b><br>{legend}</div><p class="note">{notes}</p></div>
<div><h2>{esc(t('gaps.summary.top10', lang))}</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(body_rows)}</tbody></table></div>
</div>
{_per_gemeente_html(per_gemeente, lang)}
</body></html>"""


def _per_gemeente_html(frame: pd.DataFrame | None, lang: str) -> str:
    """The per-gemeente table of the printable summary (already formatted text, escaped here)."""
    if frame is None or frame.empty:
        return ""
    esc = html.escape
    head = "".join(f"<th>{esc(str(column))}</th>" for column in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(str(value))}</td>" for value in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return (f"<h2>{esc(t('gaps.summary.per_gemeente', lang))}</h2><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table><p class='note'>{esc(t('gaps.summary.per_gemeente_sources', lang))}</p>")
