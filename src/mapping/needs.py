"""Need figures per gemeente and wijk: CBS key figures plus honest derivations where CBS has none.

What CBS publishes in ``data/``:

* per gemeente and wijk (85984NED, 1 Jan 2024): inhabitants, density, housing stock, land area,
  65+ (``kwb2024_*.csv``), households, average household size, distance to the nearest
  huisartsenpraktijk (km, by road);
* per gemeente (85984NED 2024): share of one-person households (whole %);
* per gemeente (83502NED, 1 Jan 2021, derived in the data file): 75+ counts and shares;
* per PC4 (83502NED, 1 Jan 2021): inhabitants per 5-year age group.

What is missing: 75+ per wijk, one-person households per wijk, Wmo clients at any level.

The wijk 75+ figures are derived here, at build time, by summing the PC4 age table over the PC4
*centroids* that fall in each wijk (one spatial join through :func:`regions.assign_regions`). It is
an approximation: a PC4 area that straddles a wijk border counts wholly in the wijk holding its
centroid, so small wijken can get too many or no inhabitants. Every derived row says so in its
``method`` column, and ``inwoners_2021_pc4`` (the PC4 inhabitants that went into the wijk) lets the
page show how well the approximation covers the wijk. PC4 points without any published population
(PO-box codes) are ignored. A wijk without a populated PC4 centroid gets NULL counts ("niet
beschikbaar"), never a zero; its 65+/75+ *shares* are taken from the nearest populated PC4 centroid
in the same gemeente and labelled "rough approximation" (a share describes the surroundings; a
count would double the neighbour's people).

Check: within each gemeente the derived wijk counts must add up to the gemeente's PC4-derived
counts (``kerncijfers_gemeenten_2024.csv``), within :data:`CHECK_TOLERANCE_RELATIVE` of the
gemeente value or :data:`CHECK_TOLERANCE_ABSOLUTE` persons, whichever is larger. Both derivations
sum the same PC4 rows, so the expected difference is 0; the tolerance only absorbs a border PC4
whose centroid the two point-in-polygon runs place in different gemeenten (CBS rounds every PC4
cell to 5, so one such PC4 moves tens to hundreds of people). The result of the check is stored in
``meta`` (key ``wijk_age_check``) and shown on the gap page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from mapping import regions
from mapping.store import Store

AGE_GROUPS_65PLUS = ("65-69", "70-74", "75-79", "80-84", "85-89", "90-94", "95+")
AGE_GROUPS_75PLUS = ("75-79", "80-84", "85-89", "90-94", "95+")

AGE_TABLE = "83502NED"       # CBS Bevolking en leeftijd per postcode, 1 January 2021
POPULATION_TABLE = "83503NED"  # CBS inhabitants per PC4 (the share's denominator, as for gemeenten)
AGE_YEAR = 2021

# Derived measures written per wijk (same names as the gemeente figures, so one query serves both).
# 65+ is published per wijk (85984NED 2024), so only 75+ is derived from PC4.
DERIVED_MEASURES = ("inwoners_75plus", "aandeel_75plus", "inwoners_2021_pc4")

KWB_TABLE = "85984NED"    # CBS Kerncijfers wijken en buurten 2024
KWB_YEAR = 2024
PUBLISHED = "published"
# Columns of kwb2024_{gemeente,wijk}.csv: column → (measure, unit)
KWB_COLUMNS = {
    "inwoners65plus": ("inwoners_65plus", "personen"),
    "huishoudens": ("huishoudens", "huishoudens"),
    "huishoudensgrootte": ("huishoudensgrootte", "personen per huishouden"),
    "afstandHuisarts": ("afstand_huisarts", "km"),
}
METHOD_SHARE_65 = "computed: published 65+ / published inhabitants (both CBS 85984NED, 1 Jan 2024)"
METHOD_ONE_PERSON = "published (share of one-person households, rounded to whole % in the copy)"

CHECK_TOLERANCE_RELATIVE = 0.01   # 1 % of the gemeente value ...
CHECK_TOLERANCE_ABSOLUTE = 25     # ... or 25 persons, whichever is larger
CHECK_META_KEY = "wijk_age_check"

# Coverage = PC4 inhabitants 2021 in the wijk / CBS inhabitants 2024 of the wijk. Outside this band
# the wijk's counts are a rough approximation (PC4 areas larger or smaller than the wijk).
COVERAGE_GOOD = (0.8, 1.25)

METHOD_COUNT = ("approximation: sum of the CBS 83502NED age groups {groups} over the {n} PC4 areas whose "
                "centroid lies in this wijk (PC4 areas can straddle wijk borders)")
METHOD_SHARE = ("approximation: PC4-derived {what} / PC4 inhabitants 2021 (83503NED), both summed over the "
                "{n} PC4 centroids in this wijk")
METHOD_POPULATION = ("approximation: CBS 83503NED inhabitants 2021 summed over the {n} PC4 centroids in this "
                     "wijk (denominator of the 65+/75+ shares)")
METHOD_MISSING = "not available: no PC4 centroid lies in this wijk"
METHOD_NEAREST = ("rough approximation: no PC4 centroid lies in this wijk; {what} share of the nearest PC4 area "
                  "({postcode}) in the same gemeente")

# Measures a user can see per area, in display order: (measure, unit) — table and year come
# from key_figures, so they are always the ones of the stored value.
NEED_MEASURES = (
    "aandeel_75plus", "aandeel_65plus", "kwetsbaarheid", "aandeel_eenpersoonshuishoudens",
    "inwoners_75plus", "inwoners_65plus", "bevolkingsdichtheid", "inwoners",
)
# Professional-supply proxy (lower = more supply; not a need measure)
PROFESSIONAL_MEASURE = "afstand_huisarts"
FIGURE_MEASURES = NEED_MEASURES + ("huishoudens", "huishoudensgrootte", PROFESSIONAL_MEASURE,
                                   "woningvoorraad", "oppervlakte_land", "inwoners_2021_pc4")


# -- published KWB figures --------------------------------------------------------------------

def published_figures(data_dir: Path) -> pd.DataFrame:
    """Long-form key figures from the KWB 2024 copies: 65+, households, household size and
    distance to the huisarts per gemeente and wijk, the 65+ share computed from the published
    counts, and the one-person household share per gemeente. Empty cells (CBS suppression) stay
    NULL, never 0."""
    columns = ["region_code", "measure", "value", "unit", "cbs_table", "year", "method"]
    frames = []
    for file in ("kwb2024_gemeente.csv", "kwb2024_wijk.csv"):
        table = pd.read_csv(data_dir / file, dtype={"code": str})
        for column, (measure, unit) in KWB_COLUMNS.items():
            frames.append(pd.DataFrame({"region_code": table["code"], "measure": measure,
                                        "value": pd.to_numeric(table[column], errors="coerce"), "unit": unit,
                                        "cbs_table": KWB_TABLE, "year": KWB_YEAR, "method": PUBLISHED}))
        inhabitants = pd.to_numeric(table["inwoners"], errors="coerce")
        share = (100.0 * pd.to_numeric(table["inwoners65plus"], errors="coerce")
                 / inhabitants.where(inhabitants > 0)).round(1)
        frames.append(pd.DataFrame({"region_code": table["code"], "measure": "aandeel_65plus", "value": share,
                                    "unit": "%", "cbs_table": KWB_TABLE, "year": KWB_YEAR,
                                    "method": METHOD_SHARE_65}))
    one_person = pd.read_csv(data_dir / "eenpersoonshuishoudens_gemeenten_2024.csv", dtype={"gemeente_code": str})
    frames.append(pd.DataFrame({
        "region_code": one_person["gemeente_code"], "measure": "aandeel_eenpersoonshuishoudens",
        "value": pd.to_numeric(one_person["aandeel_eenpersoonshuishoudens_pct"], errors="coerce"), "unit": "%",
        "cbs_table": KWB_TABLE, "year": KWB_YEAR, "method": METHOD_ONE_PERSON}))
    return pd.concat(frames, ignore_index=True)[columns]


# -- kwetsbaarheid index ----------------------------------------------------------------------

VULNERABILITY_SOURCE = "berekend uit CBS 85984NED (2024)"
VULNERABILITY_METHOD_GEMEENTE = ("computed: 100 × mean of the percentile ranks of the 65+ share and the "
                                 "one-person household share among the compared areas")
VULNERABILITY_METHOD_WIJK = ("computed: 100 × mean of the percentile ranks of the 65+ share and of the "
                             "average household size (smallest first) among the compared areas; "
                             "CBS publishes no one-person household share per wijk")


def vulnerability_index(wide: pd.DataFrame, level: str) -> pd.Series:
    """Kwetsbaarheid index (0–100] per area of one level, relative to the areas in ``wide``:

        K = 100 × ( r(aandeel 65+) + r(alleenwonen) ) / 2

    where r is the percentile rank among the compared areas (highest = 1) and "alleenwonen" is the
    share of one-person households for gemeenten; for wijken, where that figure does not exist,
    the average household size ranked from small to large. NaN where either part is missing."""
    age = pd.to_numeric(wide.get("aandeel_65plus"), errors="coerce")
    if level == "gemeente":
        alone = pd.to_numeric(wide.get("aandeel_eenpersoonshuishoudens"), errors="coerce")
    else:
        alone = -pd.to_numeric(wide.get("huishoudensgrootte"), errors="coerce")
    if age is None or alone is None:
        return pd.Series(float("nan"), index=wide.index)
    index = 100.0 * (age.rank(pct=True) + alone.rank(pct=True)) / 2.0
    return index.round(1)


def add_vulnerability_index(wide: pd.DataFrame, level: str) -> pd.DataFrame:
    """``wide`` with the ``kwetsbaarheid`` column, its source and its method."""
    out = wide.copy()
    for column in ("aandeel_65plus", "aandeel_eenpersoonshuishoudens", "huishoudensgrootte"):
        if column not in out.columns:
            out[column] = float("nan")
    out["kwetsbaarheid"] = vulnerability_index(out, level)
    known = out["kwetsbaarheid"].notna()
    out["kwetsbaarheid__source"] = pd.Series(VULNERABILITY_SOURCE, index=out.index).where(known)
    out["kwetsbaarheid__method"] = (VULNERABILITY_METHOD_GEMEENTE if level == "gemeente"
                                    else VULNERABILITY_METHOD_WIJK)
    return out


# -- pure derivation --------------------------------------------------------------------------

def pc4_age_sums(age_table: pd.DataFrame) -> pd.DataFrame:
    """65+ and 75+ per PC4 from the long age table (``postcode, leeftijd, inwoners``).

    Empty (suppressed) cells are skipped; a PC4 with no published cell in a band gets NaN for
    that band, not 0.
    """
    table = age_table[["postcode", "leeftijd", "inwoners"]].copy()
    table["inwoners"] = pd.to_numeric(table["inwoners"], errors="coerce")
    out = pd.DataFrame({"postcode": sorted(table["postcode"].unique())}).set_index("postcode")
    for column, groups in (("inwoners_65plus", AGE_GROUPS_65PLUS), ("inwoners_75plus", AGE_GROUPS_75PLUS)):
        band = table[table["leeftijd"].isin(groups)]
        out[column] = band.groupby("postcode")["inwoners"].sum(min_count=1)
    return out.reset_index()


def wijk_age_figures(pc4_wijk: pd.DataFrame, pc4_sums: pd.DataFrame, wijk_codes: list[str]) -> pd.DataFrame:
    """Long-form key figures per wijk from PC4 points already assigned to wijken.

    ``pc4_wijk``: ``postcode, wijk_code, inwoners_2021`` (one row per PC4 centroid; wijk_code None
    outside NL); ``pc4_sums``: output of :func:`pc4_age_sums`; ``wijk_codes``: every wijk, so a wijk
    without PC4 centroids still gets rows (value NULL, method "not available").
    """
    points = pc4_wijk.merge(pc4_sums, on="postcode", how="left")
    points["inwoners_2021"] = pd.to_numeric(points["inwoners_2021"], errors="coerce")
    # PC4 points without any published population (PO-box and other non-residential codes) say
    # nothing about the wijk: a wijk holding only such points is "not available", not "0 people".
    published = points[["inwoners_2021", "inwoners_65plus", "inwoners_75plus"]].notna().any(axis=1)
    points = points[points["wijk_code"].notna() & published]
    # The share uses only PC4 areas where both numerator and denominator are published.
    for band in ("65plus", "75plus"):
        known = points["inwoners_2021"].notna() & points[f"inwoners_{band}"].notna()
        points[f"share_num_{band}"] = points[f"inwoners_{band}"].where(known)
        points[f"share_den_{band}"] = points["inwoners_2021"].where(known)
    grouped = points.groupby("wijk_code")
    per_wijk = pd.DataFrame({
        "n_pc4": grouped.size(),
        "inwoners_65plus": grouped["inwoners_65plus"].sum(min_count=1),
        "inwoners_75plus": grouped["inwoners_75plus"].sum(min_count=1),
        "inwoners_2021_pc4": grouped["inwoners_2021"].sum(min_count=1),
        **{f"{part}_{band}": grouped[f"share_{part}_{band}"].sum(min_count=1)
           for band in ("65plus", "75plus") for part in ("num", "den")},
    }).reindex(pd.Index(sorted(set(wijk_codes)), name="wijk_code"))
    rows: list[dict] = []
    for code, row in per_wijk.iterrows():
        n = 0 if pd.isna(row["n_pc4"]) else int(row["n_pc4"])

        def add(measure: str, value, unit: str, table: str, method: str) -> None:
            missing = n == 0 or value is None or pd.isna(value)
            rows.append({"region_code": code, "measure": measure, "value": None if missing else float(value),
                         "unit": unit, "cbs_table": table, "year": AGE_YEAR,
                         "method": METHOD_MISSING if n == 0 else method})

        add("inwoners_75plus", row["inwoners_75plus"], "personen", AGE_TABLE,
            METHOD_COUNT.format(groups="75+", n=n))
        add("inwoners_2021_pc4", row["inwoners_2021_pc4"], "personen", POPULATION_TABLE,
            METHOD_POPULATION.format(n=n))
        for band, label in (("75plus", "75+"),):   # 65+ per wijk is published (85984NED 2024)
            denominator = row[f"den_{band}"]
            share = (100.0 * row[f"num_{band}"] / denominator
                     if denominator and not pd.isna(denominator) and denominator > 0 else None)
            add(f"aandeel_{band}", None if share is None else round(share, 1), "%", AGE_TABLE,
                METHOD_SHARE.format(what=label, n=n))
    return pd.DataFrame(rows, columns=["region_code", "measure", "value", "unit", "cbs_table", "year", "method"])


def check_against_gemeenten(wijk_figures: pd.DataFrame, gemeente_figures: pd.DataFrame,
                            wijk_gemeente: pd.DataFrame,
                            measures: tuple[str, ...] = ("inwoners_75plus",)) -> pd.DataFrame:
    """Sum of the wijk counts per gemeente against the gemeente figure.

    ``wijk_figures``/``gemeente_figures``: long form (region_code, measure, value);
    ``wijk_gemeente``: ``code, gemeente_code`` of every wijk. Returns one row per gemeente and
    measure: wijk_sum, gemeente_value, difference, tolerance, within_tolerance.
    """
    wijk = wijk_figures[wijk_figures["measure"].isin(measures)].merge(
        wijk_gemeente.rename(columns={"code": "region_code"}), on="region_code", how="left")
    sums = (wijk.groupby(["gemeente_code", "measure"])["value"].sum(min_count=1)
            .rename("wijk_sum").reset_index())
    gem = gemeente_figures[gemeente_figures["measure"].isin(measures)][["region_code", "measure", "value"]]
    gem = gem.rename(columns={"region_code": "gemeente_code", "value": "gemeente_value"})
    table = gem.merge(sums, on=["gemeente_code", "measure"], how="outer")
    table["difference"] = table["wijk_sum"].fillna(0) - table["gemeente_value"].fillna(0)
    table["tolerance"] = (table["gemeente_value"].abs() * CHECK_TOLERANCE_RELATIVE).clip(
        lower=CHECK_TOLERANCE_ABSOLUTE)
    table["tolerance"] = table["tolerance"].fillna(CHECK_TOLERANCE_ABSOLUTE)
    both_missing = table["wijk_sum"].isna() & table["gemeente_value"].isna()
    table["within_tolerance"] = both_missing | (table["difference"].abs() <= table["tolerance"])
    return table.sort_values(["gemeente_code", "measure"]).reset_index(drop=True)


def check_summary(check: pd.DataFrame) -> dict:
    """Compact, JSON-safe summary of :func:`check_against_gemeenten` for ``meta`` and the page."""
    outside = check[~check["within_tolerance"]]
    largest = check.loc[check["difference"].abs().idxmax()] if len(check) else None
    return {
        "gemeenten": int(check["gemeente_code"].nunique()),
        "outside_tolerance": sorted(set(outside["gemeente_code"])),
        "max_abs_difference": float(check["difference"].abs().max()) if len(check) else 0.0,
        "max_difference_gemeente": None if largest is None else str(largest["gemeente_code"]),
        "tolerance_relative": CHECK_TOLERANCE_RELATIVE,
        "tolerance_absolute": CHECK_TOLERANCE_ABSOLUTE,
    }


# -- build step -------------------------------------------------------------------------------

def pc4_shares(pc4_points: pd.DataFrame, pc4_sums: pd.DataFrame) -> pd.DataFrame:
    """65+ and 75+ share (%) per PC4 where inhabitants and the band are published (NaN otherwise)."""
    table = pc4_points[["postcode", "inwoners_2021"]].merge(pc4_sums, on="postcode", how="left")
    inhabitants = pd.to_numeric(table["inwoners_2021"], errors="coerce")
    inhabitants = inhabitants.where(inhabitants > 0)
    return pd.DataFrame({"postcode": table["postcode"],
                         "aandeel_65plus": (100.0 * table["inwoners_65plus"] / inhabitants).round(1),
                         "aandeel_75plus": (100.0 * table["inwoners_75plus"] / inhabitants).round(1)})


def fill_shares_from_nearest_pc4(figures: pd.DataFrame, nearest: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """For wijken without a PC4 centroid, take the 65+/75+ *share* of the nearest PC4 centroid in the
    same gemeente (``nearest``: wijk_code, postcode). Counts stay NULL: a share describes the
    neighbourhood around the wijk, a count would double the neighbour's people."""
    if nearest.empty:
        return figures
    patched = figures.copy()
    lookup = nearest.merge(shares, on="postcode", how="left").set_index("wijk_code")
    for measure, label in (("aandeel_65plus", "65+"), ("aandeel_75plus", "75+")):
        mask = (patched["measure"] == measure) & patched["region_code"].isin(lookup.index) & patched["value"].isna()
        values = patched.loc[mask, "region_code"].map(lookup[measure])
        postcodes = patched.loc[mask, "region_code"].map(lookup["postcode"])
        known = values.notna()
        index = values[known].index
        patched.loc[index, "value"] = values[known].astype(float)
        patched.loc[index, "method"] = [METHOD_NEAREST.format(what=label, postcode=int(pc)) for pc in postcodes[known]]
    return patched


def derive_wijk_age_figures(store: Store, data_dir: Path) -> pd.DataFrame:
    """Read the PC4 files, place every PC4 centroid in its wijk (one spatial join) and derive;
    wijken without a centroid get the shares of the nearest PC4 centroid in their gemeente."""
    centroids = pd.read_csv(data_dir / "pc4_centroids.csv", usecols=["postcode", "lat", "lon", "inwoners_2021"])
    ages = pd.read_csv(data_dir / "bevolking_pc4_leeftijd_2021.csv", usecols=["postcode", "leeftijd", "inwoners"])
    assigned = regions.assign_regions(store, centroids.rename(columns={"postcode": "id"}))
    pc4_wijk = centroids.merge(assigned[["id", "gemeente_code", "wijk_code"]].rename(columns={"id": "postcode"}),
                               on="postcode")
    wijk_codes = [row[0] for row in store.rows("SELECT code FROM regions WHERE level = 'wijk'")]
    sums = pc4_age_sums(ages)
    figures = wijk_age_figures(pc4_wijk, sums, wijk_codes)
    shares = pc4_shares(pc4_wijk, sums)
    usable = pc4_wijk.merge(shares, on="postcode")
    usable = usable[usable["aandeel_75plus"].notna() & usable["gemeente_code"].notna()]
    without = figures.loc[(figures["measure"] == "inwoners_2021_pc4") & figures["value"].isna(), "region_code"]
    return fill_shares_from_nearest_pc4(figures, nearest_pc4(store, list(without), usable), shares)


def nearest_pc4(store: Store, wijk_codes: list[str], points: pd.DataFrame) -> pd.DataFrame:
    """The nearest PC4 centroid (``points``: postcode, lat, lon, gemeente_code) in the same gemeente
    for each inhabited wijk in ``wijk_codes``. Returns wijk_code, postcode."""
    if not wijk_codes or points.empty:
        return pd.DataFrame(columns=["wijk_code", "postcode"])
    cur = store.cursor()
    cur.register("nearest_pc4_points", points[["postcode", "lat", "lon", "gemeente_code"]])
    try:
        return cur.execute(
            """
            SELECT w.code AS wijk_code, arg_min(p.postcode, ST_Distance(w.geom, ST_Point(p.lon, p.lat))) AS postcode
            FROM regions w
            JOIN nearest_pc4_points p ON p.gemeente_code = w.gemeente_code
            JOIN key_figures k ON k.region_code = w.code AND k.measure = 'inwoners' AND k.value > 0
            WHERE w.level = 'wijk' AND w.code IN (SELECT unnest(?::VARCHAR[]))
            GROUP BY w.code
            """, [wijk_codes]).df()
    finally:
        cur.unregister("nearest_pc4_points")


def derive_reference_figures(store: Store, data_dir: Path) -> int:
    """Build step (called by ``ingest.build``): write the derived wijk figures into ``key_figures``
    and store the check against the gemeente totals in ``meta``. Returns the number of rows."""
    figures = derive_wijk_age_figures(store, data_dir)
    gemeente_figures = store.df(
        "SELECT k.region_code, k.measure, k.value FROM key_figures k JOIN regions r ON r.code = k.region_code "
        "WHERE r.level = 'gemeente'")
    wijk_gemeente = store.df("SELECT code, gemeente_code FROM regions WHERE level = 'wijk'")
    summary = check_summary(check_against_gemeenten(figures, gemeente_figures, wijk_gemeente,
                                                    measures=("inwoners_75plus",)))
    figures = pd.concat([figures, gemeente_pc4_population(data_dir)], ignore_index=True)

    def write(cur) -> None:
        cur.execute(
            "DELETE FROM key_figures WHERE measure IN (SELECT unnest(?::VARCHAR[])) "
            "AND region_code IN (SELECT code FROM regions WHERE level = 'wijk')", [list(DERIVED_MEASURES)])
        cur.execute("DELETE FROM key_figures WHERE measure = 'inwoners_2021_pc4' "
                    "AND region_code IN (SELECT code FROM regions WHERE level = 'gemeente')")
        cur.register("derived_wijk_figures", figures)
        cur.execute("INSERT INTO key_figures SELECT region_code, measure, CAST(value AS DOUBLE), unit, cbs_table, "
                    "CAST(year AS INTEGER), method FROM derived_wijk_figures")
        cur.unregister("derived_wijk_figures")

    store.run_in_transaction(write)
    store.set_meta(CHECK_META_KEY, json.dumps(summary))
    return len(figures)


def gemeente_pc4_population(data_dir: Path) -> pd.DataFrame:
    """The gemeente's PC4 inhabitants 2021 (denominator of its published-derived 65+/75+ shares),
    so regional shares can be computed as sums of counts."""
    table = pd.read_csv(data_dir / "kerncijfers_gemeenten_2024.csv", dtype={"gemeente_code": str},
                        usecols=["gemeente_code", "inwoners_2021_pc4_afgeleid"])
    return pd.DataFrame({
        "region_code": table["gemeente_code"], "measure": "inwoners_2021_pc4",
        "value": pd.to_numeric(table["inwoners_2021_pc4_afgeleid"], errors="coerce"),
        "unit": "personen", "cbs_table": POPULATION_TABLE, "year": AGE_YEAR,
        "method": "sum of CBS 83503NED inhabitants 2021 over the PC4 centroids in the gemeente "
                  "(denominator of the 65+/75+ shares)",
    })


# Bumped when the derivation changes, so `build` re-derives on existing databases.
derive_reference_figures.version = "5"


def stored_check(store: Store) -> dict | None:
    """The check stored by the last build (None when the database predates this derivation)."""
    raw = store.get_meta(CHECK_META_KEY) if not store.read_only else store.scalar(
        "SELECT value FROM meta WHERE key = ?", [CHECK_META_KEY])
    return json.loads(raw) if raw else None


# -- need table for the page ------------------------------------------------------------------

def figures_wide(figures: pd.DataFrame, measures: tuple[str, ...] = FIGURE_MEASURES) -> pd.DataFrame:
    """Long key figures (region_code, measure, value, unit, cbs_table, year, method) → one row per
    region with a value column per measure plus ``<measure>__source`` ("CBS 85984NED (2024)") and
    ``<measure>__method``. Missing values stay NaN (shown as "niet beschikbaar")."""
    subset = figures[figures["measure"].isin(measures)]
    codes = pd.Index(sorted(figures["region_code"].unique()), name="region_code")
    wide = pd.DataFrame(index=codes)
    for measure in measures:
        rows = subset[subset["measure"] == measure].drop_duplicates("region_code").set_index("region_code")
        values = pd.to_numeric(rows["value"], errors="coerce") if len(rows) else pd.Series(dtype=float)
        wide[measure] = values.reindex(codes).astype(float)
        if len(rows):
            source = ("CBS " + rows["cbs_table"].fillna("?").astype(str) + " ("
                      + rows["year"].astype("Int64").astype(str).replace("<NA>", "?") + ")")
            wide[f"{measure}__source"] = source.reindex(codes)
            wide[f"{measure}__method"] = rows["method"].reindex(codes)
        else:
            wide[f"{measure}__source"] = None
            wide[f"{measure}__method"] = None
    return wide.reset_index().rename(columns={"region_code": "code"})


def coverage(figures_wide_table: pd.DataFrame) -> pd.Series:
    """PC4 inhabitants 2021 / CBS inhabitants 2024 per area (NaN where either is missing or 0)."""
    inhabitants = figures_wide_table["inwoners"].where(figures_wide_table["inwoners"] > 0)
    return figures_wide_table["inwoners_2021_pc4"] / inhabitants


def is_rough(coverage_ratio: float | None) -> bool:
    """True where the PC4 approximation covers the wijk badly (see :data:`COVERAGE_GOOD`).
    No ratio (gemeente figures, or a wijk without PC4 figures) is not flagged: nothing was derived."""
    if coverage_ratio is None or pd.isna(coverage_ratio):
        return False
    low, high = COVERAGE_GOOD
    return not (low <= coverage_ratio <= high)
