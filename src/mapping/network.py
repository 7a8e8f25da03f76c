"""Who works with whom: the network of records and links, zorg-eilandjes and suggested schakels.

Pure analysis on DataFrames (no SQL, no Streamlit):

- ``records``: approved records as returned by :func:`mapping.queries.records` (``id, name, kind,
  themes, lat, lon, location_precision, gemeente_code, wijk_code, …``).
- ``links``: approved links as returned by :func:`mapping.queries.links_for` (``id, from_id, to_id,
  relation, source, …`` plus, when present, ``from_kind``/``to_kind``/``from_name``/``to_name`` and
  the ends' points). Links may lead to records outside ``records``: they still count as links of
  the record inside (a record is only an *island* when it has no link at all).

Clusters are the connected components of the network *within the records given* (the current
selection). Computing them within the selection on purpose: national networks such as Radicale
vernieuwing link to almost everything, so on the whole graph every local cluster would melt into
one component and no local island or gap would show.

Suggested schakels (links worth making) are scored by :func:`schakel_score`, a pure, documented
function whose weights all live in :data:`WEIGHTS`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from mapping import csv_dialect
from mapping.distance import EARTH_RADIUS_KM, haversine_km  # noqa: F401  (re-exported)
from mapping.i18n import format as number_format
from mapping.i18n import kind_label, relation_label, t
from mapping.records import KINDS

# Precisions whose point is only a representative point of an area (a town or wijk centre):
# distances between such points are approximate, and reasons say so.
APPROXIMATE_PRECISIONS = ("place", "wijk")
NO_REGION = ""  # group key of records without a region (national networks, online meet-ups)


# -- weights: the one place that decides what a good schakel is --------------------------------

@dataclass(frozen=True)
class SchakelWeights:
    """Weights of :func:`schakel_score`. Change them here and only here."""

    distance: float = 4.0            # points for being at the same spot …
    distance_scale_km: float = 2.0   # … decaying as exp(-km / scale): 2 km → 37 %, 10 km → 1 %
    shared_theme: float = 2.0        # per shared theme …
    max_shared_themes: int = 3       # … counting at most this many
    complementary: float = 3.0       # an initiative and a care provider active on a shared theme
    same_wijk: float = 2.0
    same_gemeente: float = 1.0       # only when not already the same wijk
    same_source: float = 1.0         # both named in the same source (article, event page)
    min_score: float = 1.5           # below this a candidate has too little in common to suggest
    # Meet-ups are events, not partners: they are never suggested as a partner.
    candidate_kinds: tuple[str, ...] = ("initiative", "provider", "network")


WEIGHTS = SchakelWeights()


def schakel_score(distance_km: Any, shared_themes: Any, complementary: Any, same_wijk: Any,
                  same_gemeente: Any, same_source: Any = False, weights: SchakelWeights = WEIGHTS) -> Any:
    """How good a schakel (link) between two records would be. Higher is better.

    ``score = distance · exp(-km / distance_scale_km)``   (0 when the distance is unknown)
    ``      + shared_theme · min(shared themes, max_shared_themes)``
    ``      + complementary``  if one is an initiative and the other a care provider sharing a theme
    ``      + same_wijk``      if both lie in the same wijk
    ``      + same_gemeente``  if both lie in the same gemeente but not the same wijk
    ``      + same_source``    if both are named in the same source (same URL, or same title)

    Works on scalars and on NumPy arrays alike (``distance_km`` NaN or None = unknown), so one
    candidate and a whole candidate pool are scored by the same formula.
    """
    km = np.asarray(distance_km if distance_km is not None else np.nan, dtype=float)
    nearby = np.where(np.isnan(km), 0.0, weights.distance * np.exp(-np.nan_to_num(km) / weights.distance_scale_km))
    shared = np.minimum(np.asarray(shared_themes, dtype=float), weights.max_shared_themes)
    wijk = np.asarray(same_wijk, dtype=bool)
    gemeente = np.asarray(same_gemeente, dtype=bool) & ~wijk
    score = (nearby + weights.shared_theme * shared
             + weights.complementary * np.asarray(complementary, dtype=bool)
             + weights.same_wijk * wijk + weights.same_gemeente * gemeente
             + weights.same_source * np.asarray(same_source, dtype=bool))
    return float(score) if np.ndim(score) == 0 else score


def is_complementary(kind_a: str, kind_b: str, shared_themes: int) -> bool:
    """An initiative and a care provider that work on at least one common theme."""
    return {kind_a, kind_b} == {"initiative", "provider"} and shared_themes > 0


# -- small helpers ----------------------------------------------------------------------------

def theme_list(value: Any) -> list[str]:
    """Themes of a record as a list, whatever DuckDB/pandas made of the VARCHAR[] column."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.replace(",", ";").split(";") if part]
    if isinstance(value, float) and math.isnan(value):
        return []
    try:
        return [str(item) for item in value if item is not None and str(item)]
    except TypeError:
        return []


def _code(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value)
    return text or None


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def _links_frame(links: pd.DataFrame | None) -> pd.DataFrame:
    if links is None or links.empty:
        return pd.DataFrame(columns=["id", "from_id", "to_id", "relation"])
    return links


def link_pairs(links: pd.DataFrame | None) -> set[frozenset[str]]:
    """Unordered pairs of record ids that are already linked (any relation, either direction)."""
    frame = _links_frame(links)
    return {frozenset((str(a), str(b))) for a, b in zip(frame["from_id"], frame["to_id"])}


def _kind_lookup(records: pd.DataFrame, links: pd.DataFrame) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for side in ("from", "to"):
        if f"{side}_kind" in links.columns:
            kinds.update({str(i): str(k) for i, k in zip(links[f"{side}_id"], links[f"{side}_kind"])
                          if _code(k)})
    kinds.update({str(i): str(k) for i, k in zip(records["id"], records["kind"])})
    return kinds


def _name_lookup(records: pd.DataFrame, links: pd.DataFrame) -> dict[str, str]:
    names: dict[str, str] = {}
    for side in ("from", "to"):
        if f"{side}_name" in links.columns:
            names.update({str(i): str(n) for i, n in zip(links[f"{side}_id"], links[f"{side}_name"]) if _code(n)})
    names.update({str(i): str(n) for i, n in zip(records["id"], records["name"])})
    return names


# -- the graph ----------------------------------------------------------------------------------

def build_graph(records: pd.DataFrame, links: pd.DataFrame | None) -> nx.Graph:
    """Undirected graph of the given records; an edge for every pair linked by ≥ 1 link whose
    both ends are among the records (edge attributes: ``relations``, ``link_ids``)."""
    graph = nx.Graph()
    for row in records.itertuples(index=False):
        graph.add_node(str(row.id), name=str(row.name), kind=str(row.kind))
    for row in _links_frame(links).itertuples(index=False):
        a, b = str(row.from_id), str(row.to_id)
        if a == b or a not in graph or b not in graph:
            continue
        if graph.has_edge(a, b):
            graph[a][b]["relations"].append(str(row.relation))
            graph[a][b]["link_ids"].append(str(row.id))
        else:
            graph.add_edge(a, b, relations=[str(row.relation)], link_ids=[str(row.id)])
    return graph


@dataclass
class NetworkAnalysis:
    """Everything the network page shows for one selection."""

    graph: nx.Graph
    per_record: pd.DataFrame     # one row per record of the selection
    clusters: pd.DataFrame       # one row per cluster (connected component with ≥ 2 records)
    islands: pd.DataFrame        # records without any link
    local_alone: pd.DataFrame    # records whose links all lead outside the selection
    summary: dict[str, Any] = field(default_factory=dict)


PER_RECORD_COLUMNS = ["id", "name", "kind", "place", "links", "partners", "partner_names", "links_inside",
                      "links_outside",
                      *[f"n_{k}" for k in KINDS], "neighbour_kinds", "cluster", "cluster_label",
                      "cluster_size", "island"]
CLUSTER_COLUMNS = ["cluster", "label", "size", *[f"n_{k}" for k in KINDS], "has_provider", "has_initiative",
                   "provider_via_link", "initiative_via_link", "members", "member_names"]


def analyse(records: pd.DataFrame, links: pd.DataFrame | None) -> NetworkAnalysis:
    """Degrees, neighbour kinds, clusters and islands of the records given.

    ``links`` should hold every link touching these records (``queries.links_for`` does), so
    that links to records outside the selection still count.
    """
    links = _links_frame(links)
    records = records.reset_index(drop=True)
    graph = build_graph(records, links)
    kinds = _kind_lookup(records, links)
    names = _name_lookup(records, links)
    ids = [str(i) for i in records["id"]]
    inside = set(ids)

    # All partners of each record, inside or outside the selection (distinct other ends).
    partners: dict[str, set[str]] = {i: set() for i in ids}
    link_count: dict[str, int] = {i: 0 for i in ids}
    inside_count: dict[str, int] = {i: 0 for i in ids}
    for a, b in zip(links["from_id"].astype(str).tolist(), links["to_id"].astype(str).tolist()):
        if a == b:
            continue
        for me, other in ((a, b), (b, a)):
            if me in partners:
                partners[me].add(other)
                link_count[me] += 1
                if other in inside:
                    inside_count[me] += 1

    clusters = _clusters(graph, partners, kinds, names)
    cluster_of: dict[str, tuple[int, str, int]] = {}
    for row in clusters.itertuples(index=False):
        for member in row.members:
            cluster_of[member] = (int(row.cluster), str(row.label), int(row.size))

    rows = []
    for rec in records.itertuples(index=False):
        rid = str(rec.id)
        neighbour_kinds = [kinds.get(p, "") for p in partners[rid]]
        counts = {f"n_{k}": neighbour_kinds.count(k) for k in KINDS}
        number, label, size = cluster_of.get(rid, (None, None, 1))
        rows.append({
            "id": rid, "name": str(rec.name), "kind": str(rec.kind),
            "place": _code(getattr(rec, "place", None)),
            "links": link_count[rid], "partners": len(partners[rid]),
            "partner_names": sorted((names.get(p, p) for p in partners[rid]), key=str.casefold),
            "links_inside": inside_count[rid], "links_outside": link_count[rid] - inside_count[rid],
            **counts,
            "neighbour_kinds": [k for k in KINDS if counts[f"n_{k}"]],
            "cluster": number, "cluster_label": label, "cluster_size": size,
            "island": link_count[rid] == 0,
        })
    per_record = pd.DataFrame(rows, columns=PER_RECORD_COLUMNS)
    island = per_record["island"].astype(bool)
    islands = per_record.loc[island].sort_values(["name", "id"]).reset_index(drop=True)
    local_alone = per_record.loc[~island & (per_record["links_inside"] == 0)] \
        .sort_values(["name", "id"]).reset_index(drop=True)
    initiatives = per_record[per_record["kind"] == "initiative"]
    summary = {
        "records": len(per_record),
        "links": int(len(links)),
        "links_inside": int(sum(1 for a, b in zip(links["from_id"], links["to_id"])
                                if str(a) in inside and str(b) in inside)),
        "clusters": int(len(clusters)),
        "largest_cluster": int(clusters["size"].max()) if len(clusters) else 0,
        "largest_cluster_label": str(clusters.iloc[0]["label"]) if len(clusters) else None,
        "islands": int(len(islands)),
        "initiatives": int(len(initiatives)),
        "initiatives_with_provider": int((initiatives["n_provider"] > 0).sum()),
        "clusters_without_provider": int((~clusters["provider_via_link"]).sum()) if len(clusters) else 0,
        "clusters_without_initiative": int((~clusters["initiative_via_link"]).sum()) if len(clusters) else 0,
    }
    return NetworkAnalysis(graph, per_record, clusters, islands, local_alone, summary)


def _clusters(graph: nx.Graph, partners: Mapping[str, set[str]], kinds: Mapping[str, str],
              names: Mapping[str, str]) -> pd.DataFrame:
    """Connected components with ≥ 2 records, largest first, numbered 1, 2, … in that order.

    A cluster is labelled after its best-connected member ("Langer Zelfstandig Leven + 7").
    ``provider_via_link`` is true when the cluster holds a care provider *or* a member links to
    one outside the selection (a cluster whose provider has no location is not a care island).
    """
    found = []
    for component in nx.connected_components(graph):
        if len(component) < 2:
            continue
        members = sorted(component, key=lambda n: (-graph.degree(n), names.get(n, n).casefold(), n))
        hub = members[0]
        member_kinds = [kinds.get(m, "") for m in members]
        linked_kinds = {kinds.get(p, "") for m in members for p in partners.get(m, ())}
        found.append({
            "label": f"{names.get(hub, hub)} + {len(members) - 1}",
            "size": len(members),
            **{f"n_{k}": member_kinds.count(k) for k in KINDS},
            "has_provider": "provider" in member_kinds,
            "has_initiative": "initiative" in member_kinds,
            "provider_via_link": "provider" in member_kinds or "provider" in linked_kinds,
            "initiative_via_link": "initiative" in member_kinds or "initiative" in linked_kinds,
            "members": members,
            "member_names": [names.get(m, m) for m in members],
        })
    found.sort(key=lambda c: (-c["size"], c["label"].casefold()))
    for number, cluster in enumerate(found, start=1):
        cluster["cluster"] = number
    return pd.DataFrame(found, columns=CLUSTER_COLUMNS)


def clusters_without(analysis: NetworkAnalysis, kind: str) -> pd.DataFrame:
    """Clusters without a care provider (``kind='provider'``) or without an initiative, counting
    partners just outside the selection (see :func:`_clusters`)."""
    column = {"provider": "provider_via_link", "initiative": "initiative_via_link"}[kind]
    clusters = analysis.clusters
    return clusters[~clusters[column]].reset_index(drop=True) if len(clusters) else clusters


def region_summary(records: pd.DataFrame, links: pd.DataFrame | None, level: str,
                   region_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per region of ``level`` (wijk, gemeente, provincie, zorgkantoorregio): records, initiatives,
    initiatives linked directly to ≥ 1 care provider, links within the region, clusters within
    the region (connected through links inside it), the largest cluster, islands and clusters
    without a care provider. Records without a region are grouped under code ``""``.

    One pass over the whole selection (not one analysis per region), so hundreds of regions
    cost about as much as one."""
    column = f"{level}_code"
    links = _links_frame(links)
    region_names = region_names or {}
    records = records.reset_index(drop=True)
    ids = records["id"].astype(str).tolist()
    codes = [(_code(v) or NO_REGION) for v in records[column]] if column in records.columns else [NO_REGION] * len(ids)
    region_of = dict(zip(ids, codes))
    overall = analyse(records, links)
    per = overall.per_record.assign(region=codes)
    # clusters within a region: only links whose both ends lie in the same region
    from_ids, to_ids = links["from_id"].astype(str).tolist(), links["to_id"].astype(str).tolist()
    same = [region_of.get(a) is not None and region_of.get(a) == region_of.get(b) for a, b in zip(from_ids, to_ids)]
    local_links = links[same] if len(links) else links
    kinds = _kind_lookup(records, links)
    names = _name_lookup(records, links)
    partners: dict[str, set[str]] = {}
    for a, b in zip(from_ids, to_ids):
        if a != b:
            partners.setdefault(a, set()).add(b)
            partners.setdefault(b, set()).add(a)
    clusters = _clusters(build_graph(records, local_links), partners, kinds, names)
    clusters = clusters.assign(region=[region_of[m[0]] for m in clusters["members"]]) if len(clusters) else \
        clusters.assign(region=pd.Series(dtype=object))
    local_counts = pd.Series([region_of[a] for a, keep in zip(from_ids, same) if keep], dtype=object).value_counts()
    per = per.assign(is_initiative=per["kind"] == "initiative",
                     with_provider=(per["kind"] == "initiative") & (per["n_provider"] > 0),
                     is_island=per["island"].astype(bool))
    by_region = per.groupby("region", sort=False).agg(
        records=("id", "size"), initiatives=("is_initiative", "sum"),
        initiatives_with_provider=("with_provider", "sum"), islands=("is_island", "sum"))
    first_cluster = clusters.drop_duplicates("region").set_index("region") if len(clusters) else None
    cluster_counts = clusters.groupby("region").size() if len(clusters) else pd.Series(dtype=int)
    no_provider = (clusters[~clusters["provider_via_link"].astype(bool)].groupby("region").size()
                   if len(clusters) else pd.Series(dtype=int))
    out = []
    for code in sorted(by_region.index, key=lambda c: (c == NO_REGION, region_names.get(c, c).casefold())):
        row = by_region.loc[code]
        largest = first_cluster.loc[code] if first_cluster is not None and code in first_cluster.index else None
        out.append({
            "region_code": code, "region": region_names.get(code, code),
            "records": int(row["records"]), "initiatives": int(row["initiatives"]),
            "initiatives_with_provider": int(row["initiatives_with_provider"]),
            "links_inside": int(local_counts.get(code, 0)), "clusters": int(cluster_counts.get(code, 0)),
            "largest_cluster": int(largest["size"]) if largest is not None else 0,
            "largest_cluster_label": str(largest["label"]) if largest is not None else None,
            "islands": int(row["islands"]), "clusters_without_provider": int(no_provider.get(code, 0)),
        })
    return pd.DataFrame(out, columns=["region_code", "region", "records", "initiatives",
                                      "initiatives_with_provider", "links_inside", "clusters",
                                      "largest_cluster", "largest_cluster_label", "islands",
                                      "clusters_without_provider"])


def neighbours(links: pd.DataFrame | None, record_id: str) -> pd.DataFrame:
    """The partners of one record from a links frame (both directions): other end id, name,
    kind, relation and direction."""
    links = _links_frame(links)
    rows = []
    for row in links.to_dict("records"):
        if str(row["from_id"]) == record_id:
            rows.append({"other_id": row["to_id"], "other_name": row.get("to_name"), "other_kind": row.get("to_kind"),
                         "relation": row["relation"], "direction": "out"})
        elif str(row["to_id"]) == record_id:
            rows.append({"other_id": row["from_id"], "other_name": row.get("from_name"),
                         "other_kind": row.get("from_kind"), "relation": row["relation"], "direction": "in"})
    return pd.DataFrame(rows, columns=["other_id", "other_name", "other_kind", "relation", "direction"])


# -- suggested schakels -------------------------------------------------------------------------

SUGGESTION_COLUMNS = ["subject_id", "subject_name", "candidate_id", "candidate_name", "candidate_kind", "score",
                      "distance_km", "approximate", "shared_themes", "complementary", "same_wijk",
                      "same_gemeente", "same_source", "rank"]


def _theme_matrix(theme_lists: Iterable[list[str]], vocabulary: dict[str, int]) -> np.ndarray:
    lists = list(theme_lists)
    matrix = np.zeros((len(lists), len(vocabulary)), dtype=np.int16)
    for row, themes in enumerate(lists):
        for theme in themes:
            if theme in vocabulary:
                matrix[row, vocabulary[theme]] = 1
    return matrix


def _column(frame: pd.DataFrame, name: str, default: Any = None) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series([default] * len(frame), index=frame.index)


def source_key(frame: pd.DataFrame) -> pd.Series:
    """What identifies a record's source: its source URL, else its source title ('' if none)."""
    url = _column(frame, "source").map(_code)
    title = _column(frame, "source_title").map(_code)
    return pd.Series([u or ti or "" for u, ti in zip(url, title)], index=frame.index, dtype=object)


def link_degrees(links: pd.DataFrame | None) -> dict[str, int]:
    frame = _links_frame(links)
    counts = pd.concat([frame["from_id"].astype(str), frame["to_id"].astype(str)]).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def suggest_partners(subjects: pd.DataFrame, pool: pd.DataFrame, links: pd.DataFrame | None, *,
                     k: int = 3, weights: SchakelWeights = WEIGHTS,
                     candidate_kinds: tuple[str, ...] | None = None,
                     exclude: Iterable[str] = ()) -> pd.DataFrame:
    """The ``k`` best candidate partners for each subject record, best first.

    ``subjects`` and ``pool`` are records frames (``id, name, kind, themes, lat, lon,
    location_precision, wijk_code, gemeente_code``, optionally ``source``/``source_title``);
    candidates come from ``pool``. Never suggested: the record itself, a record it is already
    linked with (any relation, either direction, per ``links``), ids in ``exclude``, kinds outside
    ``candidate_kinds`` (default: the weights'), and candidates scoring below
    ``weights.min_score``. Equal scores go to the nearer candidate, then to the better-connected
    one (a link to a connected record pulls an island into the network), then by name.
    Subjects or candidates without a point get no distance points (``distance_km`` None); the
    reason text then says the distance is unknown.
    """
    kinds = candidate_kinds or weights.candidate_kinds
    excluded = {str(e) for e in exclude}
    pool = pool[pool["kind"].isin(kinds) & ~pool["id"].astype(str).isin(excluded)].reset_index(drop=True)
    if subjects.empty or pool.empty:
        return pd.DataFrame(columns=SUGGESTION_COLUMNS)
    partners_of: dict[str, set[str]] = {}
    frame = _links_frame(links)
    for a, b in zip(frame["from_id"].astype(str), frame["to_id"].astype(str)):
        partners_of.setdefault(a, set()).add(b)
        partners_of.setdefault(b, set()).add(a)
    degree = link_degrees(links)
    pool_themes = [theme_list(v) for v in pool["themes"]]
    subject_themes = [theme_list(v) for v in subjects["themes"]]
    vocabulary = {theme: i for i, theme in enumerate(sorted({t for ts in pool_themes + subject_themes for t in ts}))}
    shared_counts = _theme_matrix(subject_themes, vocabulary) @ _theme_matrix(pool_themes, vocabulary).T
    pool_ids = pool["id"].astype(str).to_numpy()
    pool_kind = pool["kind"].astype(str).to_numpy()
    pool_lat = pool["lat"].map(_number).to_numpy(dtype=float)
    pool_lon = pool["lon"].map(_number).to_numpy(dtype=float)
    pool_wijk = _column(pool, "wijk_code").map(_code).to_numpy(dtype=object)
    pool_gemeente = _column(pool, "gemeente_code").map(_code).to_numpy(dtype=object)
    pool_source = source_key(pool).to_numpy(dtype=object)
    pool_approx = _column(pool, "location_precision", "").isin(APPROXIMATE_PRECISIONS).to_numpy()
    pool_names = pool["name"].astype(str).to_numpy()
    pool_degree = np.array([degree.get(i, 0) for i in pool_ids])
    name_rank = np.empty(len(pool), dtype=np.int64)
    name_rank[sorted(range(len(pool)), key=lambda i: (pool_names[i].casefold(), pool_ids[i]))] = np.arange(len(pool))
    subject_sources = source_key(subjects).to_list()
    nothing = np.zeros(len(pool), dtype=bool)

    rows = []
    for index, subject in enumerate(subjects.to_dict("records")):
        sid = str(subject["id"])
        shared = shared_counts[index]
        km = np.atleast_1d(haversine_km(_number(subject.get("lat")), _number(subject.get("lon")), pool_lat, pool_lon))
        wijk, gemeente = _code(subject.get("wijk_code")), _code(subject.get("gemeente_code"))
        same_wijk = (pool_wijk == wijk) if wijk else nothing
        same_gemeente = (pool_gemeente == gemeente) if gemeente else nothing
        same_source = (pool_source == subject_sources[index]) if subject_sources[index] else nothing
        kind = str(subject["kind"])
        complementary = (shared > 0) & (((kind == "initiative") & (pool_kind == "provider"))
                                        | ((kind == "provider") & (pool_kind == "initiative")))
        scores = schakel_score(km, shared, complementary, same_wijk, same_gemeente, same_source, weights)
        allowed = (pool_ids != sid) & (scores >= weights.min_score)
        if sid in partners_of:   # already linked, in either direction and by any relation
            allowed &= ~np.isin(pool_ids, list(partners_of[sid]))
        candidates = np.flatnonzero(allowed)
        # best score first; ties: nearer, better connected, then by name (lexsort: last key first)
        order = candidates[np.lexsort((name_rank[candidates], -pool_degree[candidates],
                                       np.nan_to_num(km[candidates], nan=np.inf),
                                       -np.round(scores[candidates], 9)))][:k]
        subject_themes_set = set(subject_themes[index])
        subject_approx = str(subject.get("location_precision") or "") in APPROXIMATE_PRECISIONS
        for rank, c in enumerate(order, start=1):
            rows.append({
                "subject_id": sid, "subject_name": str(subject["name"]),
                "candidate_id": pool_ids[c], "candidate_name": pool_names[c], "candidate_kind": pool_kind[c],
                "score": round(float(scores[c]), 3),
                "distance_km": None if np.isnan(km[c]) else round(float(km[c]), 3),
                "approximate": bool(subject_approx or pool_approx[c]),
                "shared_themes": [t for t in pool_themes[c] if t in subject_themes_set],
                "complementary": bool(complementary[c]), "same_wijk": bool(same_wijk[c]),
                "same_gemeente": bool(same_gemeente[c]), "same_source": bool(same_source[c]), "rank": rank,
            })
    return pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)


def suggest_for_cluster(members: Iterable[str], pool: pd.DataFrame, links: pd.DataFrame | None, *,
                        kind: str, k: int = 3, weights: SchakelWeights = WEIGHTS) -> pd.DataFrame:
    """Best records of ``kind`` (e.g. a care provider) for a cluster that lacks one: the best
    pairs (member, candidate) over all members, one row per candidate, best first."""
    member_ids = [str(m) for m in members]
    subjects = pool[pool["id"].astype(str).isin(member_ids)]
    found = suggest_partners(subjects, pool, links, k=k, weights=weights, candidate_kinds=(kind,),
                             exclude=member_ids)
    if found.empty:
        return found
    found = found.sort_values(["score", "distance_km", "candidate_name"], ascending=[False, True, True],
                              na_position="last")
    found = found.drop_duplicates("candidate_id").head(k).reset_index(drop=True)
    found["rank"] = range(1, len(found) + 1)
    return found


def format_km(km: float | None, lang: str) -> str:
    """'1,2 km' (nl) / '1.2 km' (en); '< 0,1 km' for a few metres; whole km from 10 km."""
    if km is None or (isinstance(km, float) and math.isnan(km)):
        return ""
    if km < 0.1:
        return "< " + number_format.number(0.1, lang, 1) + " km"
    return number_format.number(km, lang, 1 if km < 10 else 0) + " km"


def _theme_phrase(codes: list[str], labels: Mapping[str, str], lang: str) -> str:
    names = []
    for code in codes:
        label = labels.get(code, code)
        # 'Voorzorgcirkel' → 'voorzorgcirkel' mid-sentence, but keep 'GGZ …' as is.
        names.append(label[:1].lower() + label[1:] if len(label) > 1 and label[1:2].islower() else label)
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + t("network.reason.and", lang) + names[-1]
    return t("network.reason.theme" if len(names) == 1 else "network.reason.themes", lang, themes=joined)


def reason_text(suggestion: Mapping[str, Any], lang: str, theme_labels: Mapping[str, str] | None = None) -> str:
    """The reason of a suggestion in words: '1,2 km, zelfde thema voorzorgcirkel, zelfde wijk'."""
    theme_labels = theme_labels or {}
    parts: list[str] = []
    km = suggestion.get("distance_km")
    if km is None or (isinstance(km, float) and math.isnan(km)):
        parts.append(t("network.reason.distance_unknown", lang))
    elif float(km) < 0.1 and suggestion.get("approximate"):
        # Both placed on the same town or wijk centre: '0 km' would suggest a shared address.
        parts.append(t("network.reason.same_point", lang))
    else:
        parts.append(format_km(float(km), lang) + (t("network.reason.approximate", lang)
                                                   if suggestion.get("approximate") else ""))
    shared = theme_list(suggestion.get("shared_themes"))
    if shared:
        parts.append(_theme_phrase(shared, theme_labels, lang))
    if suggestion.get("complementary"):
        parts.append(t("network.reason.complementary", lang))
    if suggestion.get("same_wijk"):
        parts.append(t("network.reason.same_wijk", lang))
    elif suggestion.get("same_gemeente"):
        parts.append(t("network.reason.same_gemeente", lang))
    if suggestion.get("same_source"):
        parts.append(t("network.reason.same_source", lang))
    return ", ".join(parts)


# -- positions for drawing ---------------------------------------------------------------------

def node_points(links: pd.DataFrame | None, records: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every record at an end of a link (and every record given) with its point, one row per id:
    ``id, name, kind, lat, lon`` (NaN when the record has no point)."""
    frames = []
    links = _links_frame(links)
    for side in ("from", "to"):
        if f"{side}_lat" in links.columns:
            frames.append(pd.DataFrame({
                "id": links[f"{side}_id"].astype(str),
                "name": links.get(f"{side}_name", links[f"{side}_id"]).astype(str),
                "kind": links.get(f"{side}_kind", pd.Series([""] * len(links))).astype(str),
                "lat": links[f"{side}_lat"].map(_number), "lon": links[f"{side}_lon"].map(_number)}))
    if records is not None and not records.empty:
        frames.insert(0, pd.DataFrame({"id": records["id"].astype(str), "name": records["name"].astype(str),
                                       "kind": records["kind"].astype(str), "lat": records["lat"].map(_number),
                                       "lon": records["lon"].map(_number)}))
    if not frames:
        return pd.DataFrame(columns=["id", "name", "kind", "lat", "lon"])
    return pd.concat(frames, ignore_index=True).drop_duplicates("id").reset_index(drop=True)


def spread_positions(points: pd.DataFrame, *, metres_per_sqrt_n: float = 300.0) -> pd.DataFrame:
    """Display positions: records sharing one point (several initiatives placed at the centre of
    their town) are set on a small circle around it, so the lines between them are visible.

    Returns ``points`` plus ``display_lat, display_lon`` (equal to lat/lon for a lone point; NaN
    without a point). Deterministic: the circle order follows the id. Radius grows with √n.
    """
    out = points.copy()
    out["display_lat"] = out["lat"].astype(float)
    out["display_lon"] = out["lon"].astype(float)
    located = out[out["lat"].notna() & out["lon"].notna()]
    keys = list(zip(located["lat"].round(6), located["lon"].round(6)))
    groups: dict[tuple[float, float], list[int]] = {}
    for index, key in zip(located.index, keys):
        groups.setdefault(key, []).append(index)
    for (lat, lon), members in groups.items():
        if len(members) < 2:
            continue
        members = sorted(members, key=lambda i: str(out.at[i, "id"]))
        radius_m = metres_per_sqrt_n * math.sqrt(len(members))
        for position, index in enumerate(members):
            angle = 2 * math.pi * position / len(members)
            out.at[index, "display_lat"] = lat + radius_m * math.sin(angle) / 111_320.0
            out.at[index, "display_lon"] = lon + radius_m * math.cos(angle) / (111_320.0 * math.cos(math.radians(lat)))
    return out


# -- exports ---------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in exported text (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def links_export(links: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    """Links of the selection for download: from, to, relation, source (plus ids and a label)."""
    links = _links_frame(links)
    frame = pd.DataFrame({
        "from_id": links["from_id"].astype(str),
        "from": links.get("from_name", links["from_id"]).astype(str),
        "to_id": links["to_id"].astype(str),
        "to": links.get("to_name", links["to_id"]).astype(str),
        "relation": links["relation"].astype(str),
        "relation_label": [relation_label(r, lang) for r in links["relation"].astype(str)],
        "source": links.get("source", pd.Series([None] * len(links))).map(_code),
    })
    return frame.map(_safe_cell)


def table_csv(frame: pd.DataFrame) -> bytes:
    """CSV in the downloads' one dialect (``;``, UTF-8 with BOM), formulas neutralised."""
    return csv_dialect.frame_to_csv(frame.map(_safe_cell))


def links_csv(links: pd.DataFrame | None, lang: str) -> bytes:
    """The links of the selection as CSV (see :func:`links_export`)."""
    return table_csv(links_export(links, lang))


def links_geojson(links: pd.DataFrame | None, lang: str) -> dict:
    """The network as GeoJSON LineStrings between the two ends' real points. Links with an end
    without a point are kept with ``geometry: null`` (never silently dropped)."""
    links = _links_frame(links)
    features = []
    for row in links.to_dict("records"):
        coords = [(_number(row.get("from_lon")), _number(row.get("from_lat"))),
                  (_number(row.get("to_lon")), _number(row.get("to_lat")))]
        located = all(not math.isnan(v) for pair in coords for v in pair)
        features.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [list(p) for p in coords]} if located else None,
            "properties": {
                "id": str(row.get("id")), "from_id": str(row["from_id"]), "from": _code(row.get("from_name")),
                "from_kind": _code(row.get("from_kind")), "to_id": str(row["to_id"]), "to": _code(row.get("to_name")),
                "to_kind": _code(row.get("to_kind")), "relation": str(row["relation"]),
                "relation_label": relation_label(str(row["relation"]), lang), "source": _code(row.get("source")),
            },
        })
    return {"type": "FeatureCollection", "features": features}


def geojson_bytes(collection: dict) -> bytes:
    return json.dumps(collection, ensure_ascii=False, indent=1).encode("utf-8")


def neighbour_kinds_text(kinds: Iterable[str], lang: str) -> str:
    return ", ".join(kind_label(k, lang, plural=True).lower() for k in kinds)


# -- tables for display (translated column names, plain text: the page renders them as text) ----

def _kind_text(kind: Any, lang: str) -> str:
    return kind_label(str(kind), lang) if str(kind) in KINDS else str(kind or "")


def record_table(analysis: NetworkAnalysis, lang: str, ids: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per record (or per record in ``ids``): connections, partners, kinds of partners
    and cluster, most connected first."""
    per = analysis.per_record
    if ids is not None:
        per = per[per["id"].isin(set(ids))]
    per = per.sort_values(["links", "name"], ascending=[False, True])
    return pd.DataFrame({
        t("network.col.name", lang): per["name"],
        t("network.col.kind", lang): [_kind_text(k, lang) for k in per["kind"]],
        t("network.col.place", lang): per["place"].fillna(""),
        t("network.col.links", lang): per["links"],
        t("network.col.inside", lang): per["links_inside"],
        t("network.col.outside", lang): per["links_outside"],
        t("network.col.partners", lang): [", ".join(names) for names in per["partner_names"]],
        t("network.col.neighbour_kinds", lang): [neighbour_kinds_text(k, lang) for k in per["neighbour_kinds"]],
        t("network.col.cluster", lang): [label if isinstance(label, str) else t("network.alone", lang)
                                         for label in per["cluster_label"]],
    }).reset_index(drop=True)


def partner_table(links: pd.DataFrame | None, record_id: str, lang: str) -> pd.DataFrame:
    """The partners of one record: name, kind, relation in words, direction, source."""
    found = neighbours(links, record_id)
    frame = _links_frame(links)
    sources = {}
    for row in frame.to_dict("records"):
        sources[(str(row["from_id"]), str(row["to_id"]), str(row["relation"]))] = _code(row.get("source"))
    rows = []
    for row in found.to_dict("records"):
        key = (record_id, str(row["other_id"]), row["relation"]) if row["direction"] == "out" else \
            (str(row["other_id"]), record_id, row["relation"])
        rows.append({
            t("network.col.name", lang): row["other_name"] or row["other_id"],
            t("network.col.kind", lang): _kind_text(row["other_kind"], lang),
            t("network.col.relation", lang): relation_label(row["relation"], lang),
            t("network.col.direction", lang): t(f"network.direction.{row['direction']}", lang),
            t("network.col.source", lang): sources.get(key) or "",
        })
    return pd.DataFrame(rows, columns=[t(f"network.col.{c}", lang) for c in
                                       ("name", "kind", "relation", "direction", "source")])


def region_table(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`region_summary` with translated headers; the group without a region is named."""
    return pd.DataFrame({
        t("network.col.region", lang): [name if code else t("network.no_region", lang)
                                        for code, name in zip(summary["region_code"], summary["region"])],
        t("network.col.records", lang): summary["records"],
        t("network.col.initiatives", lang): summary["initiatives"],
        t("network.col.with_provider", lang): summary["initiatives_with_provider"],
        t("network.col.links_inside", lang): summary["links_inside"],
        t("network.col.clusters", lang): summary["clusters"],
        t("network.col.largest", lang): [f"{label} ({size})" if label else "—" for label, size in
                                         zip(summary["largest_cluster_label"], summary["largest_cluster"])],
        t("network.col.islands", lang): summary["islands"],
        t("network.col.no_provider", lang): summary["clusters_without_provider"],
    })


def suggestion_table(subjects: pd.DataFrame, suggestions: pd.DataFrame, lang: str,
                     theme_labels: Mapping[str, str] | None = None, *, subject_header: str = "network.col.island",
                     region_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per (subject, suggestion), best first; a subject without a suggestion gets one row
    saying so. Columns: subject, its kind and place/region, suggested partner, kind, why."""
    by_subject: dict[str, list[dict]] = {}
    for row in suggestions.to_dict("records"):
        by_subject.setdefault(str(row["subject_id"]), []).append(row)
    region_names = region_names or {}
    rows = []
    for subject in subjects.to_dict("records"):
        where = region_names.get(_code(subject.get("wijk_code")) or "", "") or _code(subject.get("place")) or ""
        base = {
            t(subject_header, lang): str(subject["name"]),
            t("network.col.kind", lang): _kind_text(subject.get("kind"), lang),
            t("network.col.place", lang): where,
        }
        found = by_subject.get(str(subject["id"]), [])
        if not found:
            rows.append({**base, t("network.col.suggestion", lang): "—",
                         t("network.col.why", lang): t("network.no_candidate", lang)})
        for suggestion in found:
            rows.append({**base,
                         t("network.col.suggestion", lang): f"{suggestion['candidate_name']} "
                                                            f"({_kind_text(suggestion['candidate_kind'], lang).lower()})",
                         t("network.col.why", lang): reason_text(suggestion, lang, theme_labels)})
    columns = [t(subject_header, lang), t("network.col.kind", lang), t("network.col.place", lang),
               t("network.col.suggestion", lang), t("network.col.why", lang)]
    return pd.DataFrame(rows, columns=columns)


def cluster_gap_table(analysis: NetworkAnalysis, pool: pd.DataFrame, links: pd.DataFrame | None, kind: str,
                      lang: str, theme_labels: Mapping[str, str] | None = None, *, k: int = 2) -> pd.DataFrame:
    """Clusters without a ``kind`` (provider or initiative) with the best matching records of that
    kind: one row per (cluster, suggestion); the reason names the member it fits best."""
    rows = []
    for cluster in clusters_without(analysis, kind).to_dict("records"):
        base = {t("network.col.cluster", lang): cluster["label"],
                t("network.col.members", lang): ", ".join(cluster["member_names"])}
        found = suggest_for_cluster(cluster["members"], pool, links, kind=kind, k=k)
        if found.empty:
            rows.append({**base, t("network.col.suggestion", lang): "—",
                         t("network.col.why", lang): t("network.no_candidate", lang)})
        for suggestion in found.to_dict("records"):
            rows.append({**base,
                         t("network.col.suggestion", lang): suggestion["candidate_name"],
                         t("network.col.why", lang): t("network.reason.via", lang, member=suggestion["subject_name"],
                                                       reason=reason_text(suggestion, lang, theme_labels))})
    return pd.DataFrame(rows, columns=[t("network.col.cluster", lang), t("network.col.members", lang),
                                       t("network.col.suggestion", lang), t("network.col.why", lang)])
