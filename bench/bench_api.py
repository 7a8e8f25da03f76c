"""Benchmark: the open data API, feeds and CSV export on synthetic demo databases, each figure next
to a naive baseline measured in the same run.

    python bench/bench_api.py [--sizes 1000,10000,100000,1000000] [--repeat 20] [--output FILE]

For every size it builds a synthetic demo database (``mapping.demo``, labelled synthetic) and
measures server-side, in process (Starlette's TestClient on the real routes, so parsing, the ETag,
the query and the serialisation are all included; no network):

* a page of 100 items (``/api/v1/collections/initiatives/items?provincie=PV28&limit=100``), p50,
  vs the naive way: fetch the whole selection, take the first 100 rows, serialise them;
* a ``304`` for the same URL with ``If-None-Match``, p50, vs the naive way of making a conditional
  answer: build the full 200 response and hash its body;
* the Atom feed of the busiest gemeente, p50, vs fetching every record of the area, sorting in
  pandas and writing the newest 50 with feedgen;
* the HTTP floor: ``/api/v1/conformance`` (no query at all) through the same client;
* the CSV of the whole dataset: engine-side (``queries.export_csv``, DuckDB ``COPY``) vs the
  previous writer (``export_records`` + ``exports.to_csv``) vs a row-by-row ``csv.writer`` loop.

Targets of issue 13 at 1M: page ≤ 50 ms, 304 ≤ 10 ms, area feed ≤ 100 ms, CSV ≤ 3 s. Wall-clock
on a shared machine: compare ratios within one run, not absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "src"))

from starlette.applications import Starlette  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from mapping import api, demo, exports, queries  # noqa: E402
from mapping.api import feeds, features  # noqa: E402
from mapping.api.http import RateLimiter  # noqa: E402
from mapping.queries import Filter  # noqa: E402
from mapping.store import Store  # noqa: E402

PAGE = "/api/v1/collections/initiatives/items?provincie=PV28&limit=100"
TARGETS = {"page": 0.050, "304": 0.010, "feed": 0.100, "csv": 3.0}


def p50(fn: Callable[[], object], repeat: int) -> float:
    fn()   # warm (caches of known codes, the OS page cache)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def naive_page(store: Store, base: str) -> bytes:
    flt = Filter(provincie="PV28", kinds=("initiative",))
    frame = queries.export_records(store, flt).sort_values("id").head(100)
    return str([features.record_feature(row, base) for row in features.records(frame)]).encode()


def naive_conditional(client: TestClient) -> str:
    return hashlib.sha256(client.get(PAGE).content).hexdigest()


def naive_feed(store: Store, gemeente: str, base: str) -> bytes:
    frame = queries.export_records(store, Filter(gemeente=gemeente))
    frame = frame.assign(updated_at=store.df("SELECT id, updated_at FROM public_records WHERE gemeente_code = ?",
                                             [gemeente]).set_index("id").loc[frame["id"], "updated_at"].to_numpy())
    newest = frame.sort_values("updated_at", ascending=False).head(50)
    return feeds.atom(features.records(newest), title="naive", self_url=base, base=base, lang="nl")


def loop_csv(store: Store) -> bytes:
    frame = queries.export_records(store, Filter())
    public = exports.public_frame(frame)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(public.columns))
    for row in public.itertuples(index=False):
        writer.writerow([exports._csv_cell(column, value) for column, value in zip(public.columns, row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def bench_size(n: int, folder: Path, repeat: int) -> dict[str, float]:
    path = folder / f"demo_{n}.duckdb"
    demo.create_demo_database(path, n)
    store = Store(path, read_only=True, lazy_spatial=True)
    app = Starlette(routes=api.routes(get_store=lambda: store, limiter=RateLimiter(rate=10**9, window=1)))
    client = TestClient(app).__enter__()   # one event loop for every request (as a server has)
    base = "http://testserver/"
    busiest = store.scalar("SELECT gemeente_code FROM public_records WHERE gemeente_code IS NOT NULL "
                           "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    etag = client.get(PAGE).headers["etag"]
    result = {
        "floor": p50(lambda: client.get("/api/v1/conformance"), repeat),
        "records": float(store.scalar("SELECT count(*) FROM public_records")),
        "page": p50(lambda: client.get(PAGE), repeat),
        "page_naive": p50(lambda: naive_page(store, base), max(3, repeat // 5)),
        "304": p50(lambda: client.get(PAGE, headers={"If-None-Match": etag}), repeat),
        "304_naive": p50(lambda: naive_conditional(client), max(3, repeat // 5)),
        "feed": p50(lambda: client.get(f"/feeds/gemeente/{busiest}.atom"), repeat),
        "feed_naive": p50(lambda: naive_feed(store, busiest, base), max(3, repeat // 5)),
        "csv": once(lambda: queries.export_csv(store)),
        "csv_python": once(lambda: exports.to_csv(queries.export_records(store, Filter()))),
    }
    result["csv_loop"] = once(lambda: loop_csv(store)) if n <= 100_000 else float("nan")
    assert client.get(PAGE, headers={"If-None-Match": etag}).status_code == 304
    client.__exit__(None, None, None)
    store.close()
    return result


def table(results: dict[int, dict[str, float]]) -> str:
    ms = lambda v: f"{v * 1000:.1f} ms"   # noqa: E731
    s = lambda v: "–" if v != v else f"{v:.2f} s"   # noqa: E731
    lines = ["| records | HTTP floor p50 | page of 100 p50 (naive) | 304 p50 (naive) | area feed p50 (naive) | "
             "CSV all: engine / pandas writer / row loop |", "|---|---|---|---|---|---|"]
    for n, r in results.items():
        lines.append(
            f"| {int(r['records']):,} | {ms(r['floor'])} | {ms(r['page'])} ({ms(r['page_naive'])}, {r['page_naive'] / r['page']:.1f}×) | "
            f"{ms(r['304'])} ({ms(r['304_naive'])}, {r['304_naive'] / r['304']:.1f}×) | "
            f"{ms(r['feed'])} ({ms(r['feed_naive'])}, {r['feed_naive'] / r['feed']:.1f}×) | "
            f"{s(r['csv'])} / {s(r['csv_python'])} / {s(r['csv_loop'])} |")
    largest = results[max(results)]
    checks = [f"{name}: {'met' if largest[name] <= limit else 'NOT met'} ({largest[name]:.3f} s ≤ {limit} s)"
              for name, limit in TARGETS.items()]
    return "\n".join(lines) + f"\n\nTargets at {max(results):,} records (issue 13 asks them at 1M): " + "; ".join(checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--output", type=Path, default=None, help="also write the table to this file")
    args = parser.parse_args()
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-api-") as folder:
        for n in sizes:
            print(f"… {n:,} synthetic records", file=sys.stderr, flush=True)
            results[n] = bench_size(n, Path(folder), args.repeat)
    text = (f"Open data API benchmark ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
            f"{time.strftime('%Y-%m-%d %H:%M')}; synthetic demo data)\n\n" + table(results))
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
