"""Benchmark: server mode (PostgreSQL/PostGIS) next to the embedded DuckDB file, in one run.

    python bench/server_mode.py [--sizes 1000,10000,100000] [--repeat 3] [--signups 200] [--output FILE]

For each size: a synthetic demo database (``python -m mapping demo``, labelled synthetic) is built
as a DuckDB file and copied into a throwaway PostgreSQL cluster (``tests/pg_cluster.py``; needs
the PostgreSQL and PostGIS binaries). Measured on both engines, same process, same filters:

* a filter change → map payload, server side (``run.map_payload``: query, outlines, folium HTML);
  target ≤ 0.3 s at 100k records with PostgreSQL; the DuckDB figure is the baseline;
* sign-up acknowledged (``submissions.check`` + ``create_submission`` returning after its
  commit): p50/p95 over N concurrent sign-ups from 20 threads spread over 3 stores (replicas).

The section "Server mode" of ``bench/results.md`` is replaced by this run's figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(PROJECT / "tests"))

import pg_cluster  # noqa: E402
from run import FILTERS, map_payload  # noqa: E402

from mapping import demo, submissions  # noqa: E402
from mapping.store import Store, postgres_sync  # noqa: E402
from mapping.store.postgres import PostgresStore  # noqa: E402

BEGIN, END = "<!-- server-mode:begin -->", "<!-- server-mode:end -->"


def median_time(function, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def sign_ups(stores: list, total: int, threads: int = 20) -> tuple[float, float, int]:
    """p50 and p95 seconds until a sign-up is acknowledged, and how many were stored."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)
    stamp = time.time_ns()

    def session(t: int) -> None:
        store = stores[t % len(stores)]
        start.wait()
        for n in range(t, total, threads):
            form = {"name": f"Bench buurtkamer {stamp}-{n}", "kind": "initiative", "themes": ["ontmoeting"],
                    "description": "synthetisch (benchmark)", "postcode": "3011 AB", "online": False,
                    "contact_name": "Bench", "contact_email": f"bench{n}@voorbeeld.nl", "consent": True}
            began = time.perf_counter()
            checked = submissions.check(store, form)
            submissions.create_submission(store, checked, now=datetime.now())
            with lock:
                latencies.append(time.perf_counter() - began)

    workers = [threading.Thread(target=session, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    latencies.sort()
    p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
    return statistics.median(latencies), p95, len(latencies)


def bench_size(n: int, args, workdir: Path, cluster) -> dict:
    db = workdir / f"demo_{n}.duckdb"
    print(f"[{n}] demo database", file=sys.stderr, flush=True)
    demo.create_demo_database(db, n, seed=42)
    url = cluster.create_database(f"demo_{n}")
    print(f"[{n}] copy into PostgreSQL", file=sys.stderr, flush=True)
    pg = PostgresStore(url)
    local = Store(db)
    postgres_sync.replace_from(pg, local)
    result = {"n": n, "filters": {}}
    for label, flt in FILTERS:
        duck = median_time(lambda: map_payload(local, flt), args.repeat)
        post = median_time(lambda: map_payload(pg, flt), args.repeat)
        result["filters"][label] = (duck, post)
        print(f"[{n}] {label}: duckdb {duck:.3f} s, postgres {post:.3f} s", file=sys.stderr, flush=True)
    replicas = [pg] + [PostgresStore(url) for _ in range(2)]
    result["signup_pg"] = sign_ups(replicas, args.signups)
    result["signup_duckdb"] = sign_ups([local], args.signups)
    for store in replicas + [local]:
        store.close()
    return result


def render(results: list[dict], args) -> str:
    sizes = ", ".join(format(r["n"], ",") for r in results)
    lines = [BEGIN, "## Server mode: PostgreSQL/PostGIS next to DuckDB (bench/server_mode.py)", ""]
    lines.append(f"- Run {datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} cores, load "
                 f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}; synthetic demo data (seed 42), "
                 f"median of {args.repeat}. Sizes run: {sizes}"
                 " (small sizes only on a shared, loaded machine: read the ratios, not the absolute seconds).")
    lines.append("- PostgreSQL: a throwaway local cluster (fsync off). Reads run the same SQL through DuckDB's "
                 "postgres extension; writes through psycopg.")
    lines += ["", "### Filter change → map payload, server side (seconds, DuckDB / PostgreSQL)", ""]
    labels = [label for label, _ in FILTERS]
    lines.append("| records | " + " | ".join(labels) + " |")
    lines.append("|---|" + "---|" * len(labels))
    for r in results:
        cells = [f"{d:.3f} / {p:.3f} ({p / d:.1f}×)" for d, p in (r["filters"][label] for label in labels)]
        lines.append(f"| {r['n']:,} | " + " | ".join(cells) + " |")
    at_100k = [r for r in results if r["n"] == 100_000]
    if at_100k:
        worst = max(p for _, p in at_100k[0]["filters"].values())
        lines.append(f"\nTarget ≤ 0.3 s at 100k with PostgreSQL: {'met' if worst <= 0.3 else 'not met'} "
                     f"(slowest filter {worst:.3f} s).")
    else:
        lines.append("\nTarget ≤ 0.3 s at 100k with PostgreSQL: not measured in this run (100k not run).")
    lines += ["", f"### Sign-up acknowledged, {args.signups} concurrent sign-ups from 20 threads (seconds)", "",
              "| records | PostgreSQL, 3 stores: p50 / p95 / stored | DuckDB, 1 store: p50 / p95 / stored |",
              "|---|---|---|"]
    for r in results:
        (a, b, c), (d, e, f) = r["signup_pg"], r["signup_duckdb"]
        lines.append(f"| {r['n']:,} | {a:.3f} / {b:.3f} / {c} | {d:.3f} / {e:.3f} / {f} |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--signups", type=int, default=200)
    parser.add_argument("--output", default=str(BENCH_DIR / "results.md"))
    args = parser.parse_args(argv)
    cluster = pg_cluster.start_cluster()
    if cluster is None:
        print("PostgreSQL binaries not found (install postgresql and postgresql-15-postgis-3).", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix="zbk-bench-server-") as tmp:
            results = [bench_size(int(n), args, Path(tmp), cluster) for n in args.sizes.split(",")]
    finally:
        cluster.remove()
    section = render(results, args)
    output = Path(args.output)
    text = output.read_text(encoding="utf-8") if output.exists() else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    output.write_text(text, encoding="utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
