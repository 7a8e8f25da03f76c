"""Witte vlekken: need against supply per area, as pure functions on DataFrames.

Inputs come from ``queries`` (section ``gaps``): the areas of one level within a chosen region,
their CBS figures (long form, see :func:`needs.figures_wide`), approved records counted per area
and kind, and link counts per area. Nothing here touches the database or the UI.

The gap score (:func:`gap_scores`) is the one place where need and supply are combined; every
weight it uses is defined in :data:`WEIGHTS` below, and the page explains it in plain Dutch
(i18n keys ``gaps.explain.*``) with these same numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from mapping import needs

# "venue": a meet-up place that is not itself an initiative (a kind or flag added by the import
# work of issue 15); counted as community supply with its own weight, never as an initiative.
COUNTED_KINDS = ("initiative", "network", "provider", "meetup", "venue")


@dataclass(frozen=True)
class Weights:
    """Every number the gap score uses, in one place (shown on the page as they are here)."""

    # How much one approved record adds to the supply of its area.
    initiative: float = 1.0
    network: float = 1.0
    provider: float = 1.0
    meetup: float = 0.5
    venue: float = 0.5
    # An initiative without a link to any care provider counts for this fraction of an initiative:
    # the zorgkantoor looks for neighbourhoods where informal and formal care work together.
    unlinked_initiative: float = 0.5
    # Supply per 10,000 inhabitants at which the supply index reaches 1 - 1/e (≈ 0.63); the index
    # approaches 1 as supply grows, so a few extra records matter most where there are none.
    saturation_per_10k: float = 2.0
    # Areas with fewer inhabitants (CBS 2024) are listed but not scored: industrial estates and
    # harbours would otherwise top the list on a handful of residents.
    min_inhabitants: int = 250
    # Professional-supply proxy: every this many km to the nearest huisartsenpraktijk (CBS 85984NED)
    # halves the professional supply index (0 km → 1, 1 km → 0.5, 2 km → 0.25).
    huisarts_halving_km: float = 1.0

    def per_kind(self) -> dict[str, float]:
        return {kind: getattr(self, kind) for kind in COUNTED_KINDS}


WEIGHTS = Weights()

# Need measures a user can switch between (all: higher = more need).
NEED_MEASURES = needs.NEED_MEASURES
DEFAULT_NEED = "aandeel_75plus"
MAP_LAYERS = ("gap", "need", "supply")
# Which supply the gap score weighs need against (URL parameter ``aanbod``).
SUPPLY_MODES = ("gemeenschap", "huisarts", "beide")
DEFAULT_SUPPLY = "gemeenschap"
LEVELS = ("gemeente", "wijk")
SCOPE_LEVELS = ("zorgkantoorregio", "provincie", "gemeente")

# Status of an area in the ranking (why it has no score, if it has none).
STATUS_SCORED = "scored"
STATUS_NEED_MISSING = "need_missing"
STATUS_POPULATION_MISSING = "population_missing"
STATUS_TOO_SMALL = "too_small"
STATUS_SUPPLY_MISSING = "supply_missing"


# -- supply -----------------------------------------------------------------------------------

def supply_table(areas: pd.DataFrame, counts: pd.DataFrame, link_counts: pd.DataFrame,
                 figures: pd.DataFrame, weights: Weights = WEIGHTS) -> pd.DataFrame:
    """Supply per area.

    ``areas``: code, name (+ any parent columns, kept); ``counts``: area_code, kind, n (approved
    records per area and kind, already limited to the chosen themes); ``link_counts``: area_code,
    initiatives, initiatives_linked_provider, links; ``figures``: wide figures (code, inwoners,
    inwoners_75plus, …) as from :func:`needs.figures_wide`.

    Counts of records are true counts (an area with no records has 0); rates per 10,000 inhabitants
    or per 1,000 aged 75+ are NaN where the denominator is missing or 0, never 0.
    """
    table = areas.copy()
    pivot = (counts.pivot_table(index="area_code", columns="kind", values="n", aggfunc="sum")
             if len(counts) else pd.DataFrame())
    for kind in COUNTED_KINDS:
        column = pivot[kind] if kind in pivot.columns else pd.Series(dtype=float)
        table[f"n_{kind}"] = table["code"].map(column).fillna(0).astype(int)
    table["n_records"] = table[[f"n_{kind}" for kind in COUNTED_KINDS]].sum(axis=1)
    links = link_counts.set_index("area_code") if len(link_counts) else pd.DataFrame(
        columns=["initiatives_linked_provider", "links"])
    table["n_initiative_linked"] = table["code"].map(links["initiatives_linked_provider"]).fillna(0).astype(int)
    table["n_links"] = table["code"].map(links["links"]).fillna(0).astype(int)
    # Never more linked initiatives than initiatives (theme filters apply to both the same way).
    table["n_initiative_linked"] = table[["n_initiative_linked", "n_initiative"]].min(axis=1)
    table["effective_supply"] = effective_supply(table, weights)
    wide = figures.set_index("code") if "code" in figures.columns else figures
    for column in ("inwoners", "inwoners_75plus"):
        table[column] = table["code"].map(wide[column]) if column in wide.columns else np.nan
    inhabitants = table["inwoners"].where(table["inwoners"] > 0)
    older = table["inwoners_75plus"].where(table["inwoners_75plus"] > 0)
    table["records_per_10k"] = table["n_records"] / inhabitants * 10_000
    table["initiatives_per_10k"] = table["n_initiative"] / inhabitants * 10_000
    table["records_per_1k_75plus"] = table["n_records"] / older * 1_000
    table["effective_per_10k"] = table["effective_supply"] / inhabitants * 10_000
    # No records is no supply whatever the population (a true zero, not a missing figure).
    table.loc[table["effective_supply"] == 0, "effective_per_10k"] = 0.0
    return table.drop(columns=["inwoners", "inwoners_75plus"])


def effective_supply(table: pd.DataFrame, weights: Weights = WEIGHTS) -> pd.Series:
    """Weighted record count: initiatives linked to a care provider count fully, unlinked ones
    for ``weights.unlinked_initiative``; other kinds by their weight."""
    linked = table["n_initiative_linked"]
    unlinked = table["n_initiative"] - linked
    total = weights.initiative * (linked + weights.unlinked_initiative * unlinked)
    for kind in ("network", "provider", "meetup", "venue"):
        total = total + getattr(weights, kind) * table[f"n_{kind}"]
    return total.astype(float)


# -- the gap score ----------------------------------------------------------------------------

def professional_supply_index(distance_km: pd.Series, weights: Weights = WEIGHTS) -> pd.Series:
    """Professional-supply proxy in (0, 1]: ``0.5 ** (km to the nearest huisarts / halving km)``;
    NaN where CBS publishes no distance."""
    distance = pd.to_numeric(distance_km, errors="coerce")
    return 0.5 ** (distance.clip(lower=0) / weights.huisarts_halving_km)


def gap_scores(table: pd.DataFrame, figures: pd.DataFrame, need_measure: str = DEFAULT_NEED,
               weights: Weights = WEIGHTS, supply: str = DEFAULT_SUPPLY) -> pd.DataFrame:
    """The gap score per area: high need and little supply give a high score (0–100).

    ``table``: output of :func:`supply_table`; ``figures``: wide figures (code, inwoners and the
    need measure). Steps:

    1. **Need index** (0–1]: the area's rank on ``need_measure`` among the scored areas of the
       chosen region (percentile; the highest need gets 1). Areas whose need figure is missing get
       no score (``need_missing``): a missing figure is never treated as zero, and it does not
       shift the other areas' ranks.
    2. **Supply index** [0–1): ``1 - exp(-effective supply per 10,000 inhabitants /
       saturation_per_10k)``; 0 for an area without records.
       With ``supply="huisarts"`` the supply index is the professional proxy
       :func:`professional_supply_index`; with ``"beide"`` the mean of the two (missing distance:
       no score, ``supply_missing``).
    3. **Gap score** = 100 × need index × (1 − supply index).

    Areas with fewer than ``min_inhabitants`` inhabitants (``too_small``) or without a population
    figure (``population_missing``) are listed but get no score. Returns ``table`` with need_value,
    need_index, supply_index, gap_score, status and rank (1 = largest gap; NaN when unscored),
    sorted by rank, unscored areas last.
    """
    if need_measure not in NEED_MEASURES:
        raise ValueError(f"unknown need measure {need_measure!r}; choose one of {', '.join(NEED_MEASURES)}")
    if supply not in SUPPLY_MODES:
        raise ValueError(f"unknown supply {supply!r}; choose one of {', '.join(SUPPLY_MODES)}")
    wide = figures.set_index("code")
    out = table.copy()
    out["inwoners"] = out["code"].map(wide["inwoners"]) if "inwoners" in wide.columns else np.nan
    out["need_value"] = out["code"].map(wide[need_measure]) if need_measure in wide.columns else np.nan
    status = pd.Series(STATUS_SCORED, index=out.index, dtype=object)
    status[out["inwoners"].isna()] = STATUS_POPULATION_MISSING
    status[out["inwoners"].notna() & (out["inwoners"] < weights.min_inhabitants)] = STATUS_TOO_SMALL
    status[(status == STATUS_SCORED) & out["need_value"].isna()] = STATUS_NEED_MISSING
    distance = (out["code"].map(wide[needs.PROFESSIONAL_MEASURE]) if needs.PROFESSIONAL_MEASURE in wide.columns
                else pd.Series(np.nan, index=out.index))
    out["professional_index"] = professional_supply_index(distance, weights)
    if supply != "gemeenschap":
        status[(status == STATUS_SCORED) & out["professional_index"].isna()] = STATUS_SUPPLY_MISSING
    out["status"] = status
    scored = out["status"] == STATUS_SCORED
    out["need_index"] = np.nan
    if scored.any():
        out.loc[scored, "need_index"] = out.loc[scored, "need_value"].rank(method="average", pct=True)
    per_10k = out["effective_per_10k"]
    out["community_index"] = 1.0 - np.exp(-per_10k / weights.saturation_per_10k)
    if supply == "gemeenschap":
        out["supply_index"] = out["community_index"]
    elif supply == "huisarts":
        out["supply_index"] = out["professional_index"]
    else:
        out["supply_index"] = (out["community_index"] + out["professional_index"]) / 2.0
    out["gap_score"] = (100.0 * out["need_index"] * (1.0 - out["supply_index"])).where(scored)
    out["gap_score"] = out["gap_score"].round(1)
    out = out.sort_values(["gap_score", "need_value", "inwoners", "code"],
                          ascending=[False, False, False, True], na_position="last", kind="mergesort")
    out["rank"] = np.where(out["gap_score"].notna(), np.arange(1, len(out) + 1), np.nan)
    return out.reset_index(drop=True)


def build_gap_table(areas: pd.DataFrame, figures_long: pd.DataFrame, counts: pd.DataFrame,
                    link_counts: pd.DataFrame, need_measure: str = DEFAULT_NEED,
                    weights: Weights = WEIGHTS, supply: str = DEFAULT_SUPPLY) -> pd.DataFrame:
    """Areas + long figures + counts → the full ranked table (figures, supply, score)."""
    figures = needs.figures_wide(figures_long)
    figures = areas[["code"]].merge(figures, on="code", how="left")
    level = "wijk" if len(areas) and str(areas["code"].iloc[0]).startswith("WK") else "gemeente"
    figures = needs.add_vulnerability_index(figures, level)
    table = gap_scores(supply_table(areas, counts, link_counts, figures, weights), figures, need_measure, weights,
                       supply)
    table = table.drop(columns=["inwoners"]).merge(figures, on="code", how="left")
    table["pc4_coverage"] = needs.coverage(table)
    return table


# -- presentation helpers (still pure) --------------------------------------------------------

LAYER_COLUMN = {"gap": "gap_score", "need": "need_value", "supply": "records_per_10k"}


def layer_values(table: pd.DataFrame, layer: str) -> pd.Series:
    """The values a map layer colours by, indexed by area code."""
    if layer not in LAYER_COLUMN:
        raise ValueError(f"unknown map layer {layer!r}")
    return table.set_index("code")[LAYER_COLUMN[layer]]


def top_gaps(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    return table[table["gap_score"].notna()].head(n)


def export_table(table: pd.DataFrame, need_measure: str, labels: dict[str, str]) -> pd.DataFrame:
    """The ranked table as users download it: figures with their sources and years, supply, score.

    ``labels`` maps internal column names to the user's language (missing labels keep the name).
    """
    columns = ["rank", "code", "name", "gemeente_name", "gap_score", "status", "need_value"]
    for measure in needs.FIGURE_MEASURES:
        if measure in table.columns:
            columns += [measure, f"{measure}__source", f"{measure}__method"]
    columns += ["pc4_coverage"] + [f"n_{kind}" for kind in COUNTED_KINDS] + [
        "n_records", "n_initiative_linked", "n_links", "records_per_10k", "initiatives_per_10k",
        "records_per_1k_75plus", "effective_supply", "need_index", "community_index", "professional_index",
        "supply_index"]
    present = [c for c in columns if c in table.columns]
    out = table[present].copy()
    out.insert(present.index("need_value") + 1, "need_measure", need_measure)
    for column in ("records_per_10k", "initiatives_per_10k", "records_per_1k_75plus", "need_index",
                   "community_index", "professional_index", "supply_index", "pc4_coverage"):
        if column in out.columns:
            out[column] = out[column].round(3)
    # Whole numbers (rank, counts of people) as integers; missing stays empty, never 0.
    for column in ["rank"] + [m for m in needs.FIGURE_MEASURES if m in out.columns and m not in (
            "kwetsbaarheid", "huishoudensgrootte", needs.PROFESSIONAL_MEASURE)]:
        values = pd.to_numeric(out[column], errors="coerce")
        if values.dropna().eq(values.dropna().round()).all():
            out[column] = values.round().astype("Int64")
    return out.rename(columns={c: labels.get(c, c) for c in out.columns})


def regional_summary(table: pd.DataFrame, gemeente_figures: pd.DataFrame, counts: dict[str, int],
                     n_links: int) -> dict[str, Any]:
    """Key numbers of a region: inhabitants and 75+ (sums over its gemeenten, NaN if any is missing),
    records per kind, links, and the ten largest gaps of ``table``."""
    def total(measure: str) -> float:
        if measure not in gemeente_figures.columns or gemeente_figures.empty:
            return math.nan
        values = gemeente_figures[measure]
        return math.nan if values.isna().any() else float(values.sum())

    inhabitants_2021 = total("inwoners_2021_pc4")
    older = total("inwoners_75plus")
    return {
        "gemeenten": int(len(gemeente_figures)),
        "inwoners": total("inwoners"),
        "inwoners_65plus": total("inwoners_65plus"),
        "inwoners_75plus": older,
        "aandeel_75plus": (100.0 * older / inhabitants_2021) if inhabitants_2021 and not math.isnan(
            inhabitants_2021) and not math.isnan(older) else math.nan,
        "counts": {kind: int(counts.get(kind, 0)) for kind in COUNTED_KINDS},
        "links": int(n_links),
        "areas": int(len(table)),
        "scored": int(table["gap_score"].notna().sum()),
        "top": top_gaps(table, 10),
    }


# -- the view in the URL ----------------------------------------------------------------------

_CODES = {"zorgkantoorregio": re.compile(r"^ZK\d{2}$"), "provincie": re.compile(r"^PV\d{2}$"),
          "gemeente": re.compile(r"^GM\d{4}$"), "wijk": re.compile(r"^WK\d{6}$")}
_THEME = re.compile(r"^[a-z0-9_-]{1,60}$")
SCOPE_PARAM = {"zorgkantoorregio": "zkr", "provincie": "provincie", "gemeente": "gemeente"}


@dataclass(frozen=True)
class GapView:
    """Everything that defines what the gap page shows; mirrored in the URL."""

    scope_level: str | None = None          # zorgkantoorregio | provincie | gemeente | None (Nederland)
    scope_code: str | None = None
    level: str = "gemeente"                 # gemeente | wijk (the areas that are compared)
    need: str = DEFAULT_NEED
    layer: str = "gap"                      # gap | need | supply
    supply: str = DEFAULT_SUPPLY            # gemeenschap | huisarts | beide (what the score weighs)
    themes: tuple[str, ...] = ()
    selected: str | None = None             # area whose summary is open
    ignored: tuple[str, ...] = field(default=(), compare=False)

    def normalised(self) -> GapView:
        """A gemeente is compared by its wijken; a view without a region compares gemeenten."""
        level = self.level
        if self.scope_level == "gemeente":
            level = "wijk"
        return replace(self, level=level)


def view_from_params(params: dict[str, Any], *, known_regions: set[str] | None = None,
                     known_themes: set[str] | None = None) -> GapView:
    """URL parameters → :class:`GapView`; invalid values are dropped and named in ``ignored``."""
    ignored: list[str] = []

    def get(name: str) -> str:
        value = params.get(name)
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        return str(value or "").strip()[:200]

    values: dict[str, Any] = {}
    for level in SCOPE_LEVELS:
        raw = get(SCOPE_PARAM[level]).upper()
        if not raw:
            continue
        if _CODES[level].match(raw) and (known_regions is None or raw in known_regions):
            if "scope_level" not in values:
                values.update(scope_level=level, scope_code=raw)
        else:
            ignored.append(SCOPE_PARAM[level])
    for name, key, allowed in (("niveau", "level", LEVELS), ("maat", "need", NEED_MEASURES),
                               ("laag", "layer", MAP_LAYERS), ("aanbod", "supply", SUPPLY_MODES)):
        raw = get(name).lower()
        if raw:
            if raw in allowed:
                values[key] = raw
            else:
                ignored.append(name)
    raw_themes = [t.strip().lower() for t in get("thema").split(",") if t.strip()]
    good = tuple(dict.fromkeys(t for t in raw_themes if _THEME.match(t)
                               and (known_themes is None or t in known_themes)))
    if len(good) != len(raw_themes):
        ignored.append("thema")
    values["themes"] = good
    selected = get("gebied").upper()
    if selected:
        if (_CODES["gemeente"].match(selected) or _CODES["wijk"].match(selected)) and (
                known_regions is None or selected in known_regions):
            values["selected"] = selected
        else:
            ignored.append("gebied")
    if "level" not in values and values.get("scope_level"):
        values["level"] = "wijk"   # a chosen region is most useful per wijk
    return GapView(**values, ignored=tuple(ignored)).normalised()


def view_to_params(view: GapView) -> dict[str, str]:
    """:class:`GapView` → URL parameters (defaults omitted, plain strings)."""
    out: dict[str, str] = {}
    if view.scope_level and view.scope_code:
        out[SCOPE_PARAM[view.scope_level]] = view.scope_code
    default_level = "wijk" if view.scope_level else "gemeente"
    if view.level != default_level:
        out["niveau"] = view.level
    if view.need != DEFAULT_NEED:
        out["maat"] = view.need
    if view.layer != "gap":
        out["laag"] = view.layer
    if view.supply != DEFAULT_SUPPLY:
        out["aanbod"] = view.supply
    if view.themes:
        out["thema"] = ",".join(view.themes)
    if view.selected:
        out["gebied"] = view.selected
    return out


def map_page_params(code: str) -> dict[str, str]:
    """Query parameters that open an area on the map page (its region filter)."""
    if _CODES["wijk"].match(code):
        # the map page's region cascade needs the gemeente to show a wijk (GM + digits 3–6)
        return {"gemeente": "GM" + code[2:6], "wijk": code}
    if _CODES["gemeente"].match(code):
        return {"gemeente": code}
    raise ValueError(f"not a gemeente or wijk code: {code!r}")


def example_area(table: pd.DataFrame) -> dict | None:
    """The area the method section works through: the largest gap with a kwetsbaarheid index
    (so every step of the example has a figure), else the largest gap; None without scores."""
    scored = table[table["gap_score"].notna()]
    if scored.empty:
        return None
    complete = scored[scored.get("kwetsbaarheid", pd.Series(dtype=float)).notna()] if "kwetsbaarheid" in scored else scored
    return (complete if len(complete) else scored).iloc[0].to_dict()


GEMEENTE_SUMMARY_MEASURES = ("inwoners", "aandeel_65plus", "aandeel_75plus", "aandeel_eenpersoonshuishoudens",
                             needs.PROFESSIONAL_MEASURE)


def gemeente_summary(wijk_table: pd.DataFrame, gemeente_figures: pd.DataFrame, top_n: int = 5) -> pd.DataFrame:
    """Per gemeente of a region (for a purchasing conversation): its need figures with sources,
    community supply (records and links in its wijken), the professional proxy, and the ``top_n``
    wijken with the largest gap (``wijk_table``: the ranked wijk table of the region).

    ``gemeente_figures``: wide figures per gemeente (code, name optional, measures and
    ``<measure>__source``). Returns one row per gemeente, sorted by name when present."""
    out = gemeente_figures[["code"] + [c for c in gemeente_figures.columns if c.split("__")[0]
                                       in GEMEENTE_SUMMARY_MEASURES]].copy()
    grouped = wijk_table.groupby("gemeente_code")
    out["n_records"] = out["code"].map(grouped["n_records"].sum()).fillna(0).astype(int)
    out["n_initiative"] = out["code"].map(grouped["n_initiative"].sum()).fillna(0).astype(int)
    out["n_links"] = out["code"].map(grouped["n_links"].sum()).fillna(0).astype(int)
    ranked = wijk_table[wijk_table["gap_score"].notna()].sort_values("rank")
    out["top_wijken"] = out["code"].map(
        lambda code: list(ranked.loc[ranked["gemeente_code"] == code, "name"].head(top_n)))
    out["top_wijken_scores"] = out["code"].map(
        lambda code: list(ranked.loc[ranked["gemeente_code"] == code, "gap_score"].head(top_n)))
    return out.reset_index(drop=True)
