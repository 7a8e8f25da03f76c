"""Benchmark: network analysis and suggested schakels at realistic and 10–100× realistic scale.

Synthetic, in-memory data only (never written to a database): records scattered over the
Netherlands with real theme codes, about one link per record like the real dataset (41 records,
43 links), a share of them without a point or without any link.

Compares the vectorised :func:`mapping.network.suggest_partners` with a naive baseline that
scores every (island, candidate) pair one by one with the same scalar formula, and reports the
ratio. Run: ``python bench/bench_network.py`` (add ``--quick`` for 1× and 10× only).
"""

from __future__ import annotations

import argparse
import math
import random
import time

import pandas as pd

from mapping import linkmap, network

THEMES = ["buurthulp", "voorzorgcirkel", "hofje", "dorpstafel", "buurtcirkel", "ontmoeting", "wonen",
          "zorgcooperatie", "zeggenschap", "vitaliteit", "gehandicaptenzorg", "informele-zorg",
          "zorgzame-gemeenschap", "samenwerking"]
KIND_WEIGHTS = {"initiative": 0.45, "provider": 0.15, "network": 0.15, "meetup": 0.25}
REALISTIC = 41


def synthetic(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = random.Random(seed)
    gemeenten = [f"GM{i:04d}" for i in range(1, max(3, n // 15) + 1)]
    rows = []
    for i in range(n):
        located = rng.random() > 0.3
        gemeente = rng.choice(gemeenten) if located else None
        rows.append({
            "id": f"syn-{i}", "name": f"Synthetisch record {i}",
            "kind": rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0],
            "themes": rng.sample(THEMES, rng.randint(1, 3)),
            "lat": rng.uniform(51.0, 53.4) if located else None, "lon": rng.uniform(3.6, 7.0) if located else None,
            "location_precision": "address" if located else "unknown", "place": None,
            "gemeente_code": gemeente, "wijk_code": f"WK{gemeente[2:]}0{rng.randint(0, 3)}" if gemeente else None,
            "source": f"https://example.org/bron/{rng.randint(0, max(1, n // 8))}",
        })
    records = pd.DataFrame(rows)
    links = []
    linked = [i for i in range(n) if rng.random() > 0.1]      # ~10 % islands
    for i in linked:
        j = rng.choice(linked)
        if i != j:
            links.append({"id": f"l{i}-{j}", "from_id": f"syn-{i}", "to_id": f"syn-{j}", "relation": "partner"})
    return records, pd.DataFrame(links)


def naive_suggestions(subjects: pd.DataFrame, pool: pd.DataFrame, links: pd.DataFrame, k: int = 3) -> int:
    """Baseline: every pair scored one by one with the scalar formula."""
    linked = network.link_pairs(links)
    found = 0
    pool_rows = [r for r in pool.to_dict("records") if r["kind"] in network.WEIGHTS.candidate_kinds]
    for subject in subjects.to_dict("records"):
        scored = []
        for candidate in pool_rows:
            if candidate["id"] == subject["id"] or frozenset((subject["id"], candidate["id"])) in linked:
                continue
            shared = len(set(subject["themes"]) & set(candidate["themes"]))
            km = (network.haversine_km(subject["lat"], subject["lon"], candidate["lat"], candidate["lon"])
                  if subject["lat"] is not None and candidate["lat"] is not None else math.nan)
            score = network.schakel_score(
                km, shared, network.is_complementary(subject["kind"], candidate["kind"], shared),
                bool(subject["wijk_code"]) and subject["wijk_code"] == candidate["wijk_code"],
                bool(subject["gemeente_code"]) and subject["gemeente_code"] == candidate["gemeente_code"],
                subject["source"] == candidate["source"])
            if score >= network.WEIGHTS.min_score:
                scored.append((score, candidate["id"]))
        found += len(sorted(scored, reverse=True)[:k])
    return found


def timed(fn, repeat: int = 3) -> float:
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 1× and 10× realistic scale")
    args = parser.parse_args()
    scales = (1, 10) if args.quick else (1, 10, 100)
    print(f"{'scale':>6} {'records':>8} {'links':>6} {'islands':>8} {'analyse s':>10} {'regions s':>10} "
          f"{'suggest s':>10} {'naive s':>9} {'speed-up':>9} {'map rows KB':>12}")
    for scale in scales:
        records, links = synthetic(REALISTIC * scale)
        analysis = network.analyse(records, links)
        islands = records[records["id"].isin(analysis.islands["id"])]
        t_analyse = timed(lambda: network.analyse(records, links))
        t_regions = timed(lambda: network.region_summary(records, links, "gemeente"))
        t_suggest = timed(lambda: network.suggest_partners(islands, records, links, k=3))
        t_naive = timed(lambda: naive_suggestions(islands, records, links), repeat=1)
        fast = network.suggest_partners(islands, records, links, k=3)
        assert len(fast) == naive_suggestions(islands, records, links)   # same number of suggestions
        located = records.assign(lat=records["lat"].astype(float), lon=records["lon"].astype(float))
        points = located.set_index("id")[["lat", "lon", "name", "kind"]]
        link_rows = links.assign(
            from_lat=links["from_id"].map(points["lat"]), from_lon=links["from_id"].map(points["lon"]),
            to_lat=links["to_id"].map(points["lat"]), to_lon=links["to_id"].map(points["lon"]),
            from_name=links["from_id"].map(points["name"]), to_name=links["to_id"].map(points["name"]),
            from_kind=links["from_id"].map(points["kind"]), to_kind=links["to_id"].map(points["kind"]))
        prepared = linkmap.prepare_links(link_rows, records)
        rows_kb = len(linkmap.js_value(linkmap._line_rows(prepared.drawable.head(linkmap.MAX_LINES), "nl"))) / 1024
        print(f"{scale:>5}× {len(records):>8} {len(links):>6} {len(islands):>8} {t_analyse:>10.3f} {t_regions:>10.3f} "
              f"{t_suggest:>10.3f} {t_naive:>9.3f} {t_naive / max(t_suggest, 1e-9):>8.1f}× {rows_kb:>12.0f}")


if __name__ == "__main__":
    main()
