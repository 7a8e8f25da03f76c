"""Benchmark: the dashboard at 1k, 10k, 100k and 1M synthetic records against naive baselines.

    python bench/run.py [--sizes 1000,10000,100000,1000000] [--repeat 3] [--quick] [--output FILE]

For every size it builds a synthetic demo database (``python -m mapping demo``: records spread
like the population) and measures, each figure next to a naive baseline measured in the same run:

* database build including region assignment (point-in-polygon of every record, all four levels)
  vs a Python loop of shapely ``contains`` over the region polygons (fully at small sizes, on a
  sample and extrapolated at large sizes — labelled as such);
* a filter change: query + map payload build, server side (``queries.map_data`` →
  ``maps.explorer_map`` → rendered HTML), for several filters, vs one folium ``Marker`` per
  record inside a ``MarkerCluster`` (only at sizes where that finishes in reasonable time);
* the size in bytes of what the browser receives for the map, vs the same baseline;
* export of the selection as CSV (``queries.export_records`` + ``exports.to_csv``) vs a naive
  per-row loop;
* an ``AppTest`` run of the map page (``pages/kaart.py``) against the demo database;
* the first page after ``streamlit run app.py`` (server up, first content, page complete).

Every figure is the median of ``--repeat`` runs (slow steps stop repeating once they used their
time budget; the number of runs is shown). Results are printed and written to ``bench/results.md``
(or ``--output``) with the machine's core count, load, date and versions, and the targets of
issue 7 checked as met / not met. Exit status 1 means a step failed (never a slow timing).
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import app_start  # noqa: E402  (bench helper next to this file)

from mapping import demo, exports, ingest, maps, queries, regions  # noqa: E402
from mapping.queries import Filter  # noqa: E402
from mapping.store import Store  # noqa: E402

DEFAULT_SIZES = (1_000, 10_000, 100_000, 1_000_000)
FILTERS: tuple[tuple[str, Filter], ...] = (
    ("heel Nederland", Filter()),
    ("provincie Zuid-Holland", Filter(provincie="PV28")),
    ("gemeente Rotterdam", Filter(gemeente="GM0599")),
    ("wijk Delfshaven", Filter(wijk="WK059903")),
    ("thema buurthulp", Filter(themes=("buurthulp",))),
    ("komende bijeenkomsten", Filter(kinds=("meetup",), meetups="upcoming")),
    ("zoeken 'initiatief 12'", Filter(search="initiatief 12")),
)
NATIONAL = "heel Nederland"

TARGETS = {
    "filter_100k": 0.3,      # s, filter change → map payload, server side, at 100k
    "filter_1m": 1.0,        # s, same at 1M
    "payload": 2_000_000,    # bytes, at any record count
    "assign_1m": 3.0,        # s, region assignment of 1M points, all four levels
    "speedup_10k": 100.0,    # × faster map build than folium Marker per record in a MarkerCluster
    "first_page": 3.0,       # s, first page ready after start (database exists)
}


# -- measuring --------------------------------------------------------------------------------

@dataclass
class Timing:
    runs: list[float] = field(default_factory=list)     # wall-clock seconds
    note: str = ""
    cpu: list[float] = field(default_factory=list)      # CPU seconds of this process (all threads)

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None

    def text(self, digits: int = 3) -> str:
        if not self.runs:
            return self.note or "—"
        value = f"{self.median:.{digits}f}"
        return value + (f" (n={len(self.runs)})" if len(self.runs) > 1 else "") + (f" {self.note}" if self.note else "")


def measure(function: Callable[[], Any], repeat: int, budget: float | None = None) -> tuple[Timing, Any]:
    """Run ``function`` up to ``repeat`` times (at least once; no new run once ``budget``
    seconds are used) and return the timings and the last result."""
    timing = Timing()
    result = None
    spent = 0.0
    for _ in range(max(1, repeat)):
        if timing.runs and budget is not None and spent >= budget:
            timing.note = f"(stopped repeating after {spent:.0f} s)"
            break
        started, cpu_started = time.perf_counter(), time.process_time()
        result = function()
        elapsed = time.perf_counter() - started
        timing.runs.append(elapsed)
        timing.cpu.append(time.process_time() - cpu_started)
        spent += elapsed
    return timing, result


def ratio(baseline: float | None, ours: float | None) -> float | None:
    if baseline is None or ours is None or ours <= 0:
        return None
    return baseline / ours


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}×" if value >= 10 else f"{value:.1f}×"


def fmt_bytes(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1_000_000:
        return f"{value / 1_000_000:.2f} MB"
    return f"{value / 1000:.0f} kB"


def fmt_count(n: int) -> str:
    return f"{n:,}"


# -- the steps ----------------------------------------------------------------------------------

def map_payload(store: Store, flt: Filter, lang: str = "nl") -> int:
    """A filter change on the Kaart page, server side: the map's data for the filter, the region
    outlines, the folium map and its rendered HTML. Returns the payload size in bytes."""
    level = maps.count_level(flt)
    data = queries.map_data(store, flt, max_points=maps.MAX_POINTS, level=level)
    region_only = replace(Filter(), provincie=flt.provincie, gemeente=flt.gemeente, wijk=flt.wijk,
                          zorgkantoorregio=flt.zorgkantoorregio)
    outlines = maps.outlines_for(store, region_only)
    fmap = maps.explorer_map(data.points, lang=lang, outlines=outlines, region_counts=data.region_counts,
                             count_level_name=level, tiles=maps.default_tiles(), n_located=data.n_located,
                             n_records=data.n_records)
    return len(maps.render_html(fmap).encode("utf-8"))


def folium_marker_baseline(store: Store) -> int:
    """The naive map, the usual folium pattern: every located record as its own folium Marker
    with a tooltip (name) and a popup (name, kind, place: what our map shows on hover and click)
    inside a MarkerCluster. Issue 7 measured this at 10k records: 8.4 s and 9.7 MB."""
    import folium
    from folium.plugins import MarkerCluster

    frame = store.df("SELECT id, name, kind, place, lat, lon FROM public_records "
                     "WHERE lat IS NOT NULL AND lon IS NOT NULL")
    fmap = folium.Map(location=[52.2, 5.3], zoom_start=7, tiles=None)
    cluster = MarkerCluster().add_to(fmap)
    for name, kind, place, lat, lon in zip(frame["name"], frame["kind"], frame["place"], frame["lat"], frame["lon"]):
        name = html.escape(str(name))
        popup = folium.Popup(f"<b>{name}</b><br>{html.escape(kind)} · {html.escape(str(place or ''))}", max_width=300)
        folium.Marker([lat, lon], tooltip=name, popup=popup).add_to(cluster)
    return len(fmap.get_root().render().encode("utf-8"))


def region_polygons(store: Store) -> dict[str, list[tuple[str, Any]]]:
    import shapely

    shapes = store.df("SELECT level, code, ST_AsWKB(geom) AS wkb FROM regions ORDER BY level, code")
    polygons = shapely.from_wkb([bytes(w) for w in shapes["wkb"]])
    by_level: dict[str, list[tuple[str, Any]]] = {level: [] for level in regions.LEVELS}
    for level, code, polygon in zip(shapes["level"], shapes["code"], polygons):
        by_level[level].append((code, polygon))
    return by_level


def shapely_loop_baseline(polygons: dict[str, list[tuple[str, Any]]], lat, lon) -> list[tuple]:
    """The naive region assignment: for every point and every level, test the polygons one by
    one with shapely ``contains`` until one holds the point."""
    import shapely

    found = []
    for y, x in zip(lat, lon):
        point = shapely.Point(x, y)
        codes = []
        for level in regions.LEVELS:
            code = None
            for candidate, polygon in polygons[level]:
                if polygon.contains(point):
                    code = candidate
                    break
            codes.append(code)
        found.append(tuple(codes))
    return found


def export_csv(store: Store) -> bytes:
    return exports.to_csv(queries.export_records(store, Filter()))


def naive_export_csv(store: Store) -> bytes:
    """The naive export: the same file, written the straightforward way: the query's rows fetched
    one by one and every cell formatted on its own (``exports._csv_cell``, which defines the format)."""
    available = set(queries.EXPORT_COLUMNS) | {f"{level}_naam" for level in regions.LEVELS}
    columns = [column for column in exports.PUBLIC_COLUMNS if column in available]   # as exports.public_frame
    where, params = queries.filter_sql(Filter(), alias="r")
    cursor = store.cursor()
    cursor.execute(
        f"""
        SELECT {', '.join(f'r.{c}' for c in columns)}
        FROM (SELECT r.*, {queries.REGION_NAME_COLUMNS} FROM {queries.RECORDS_WITH_REGIONS} WHERE {where}) r
        ORDER BY r.kind, r.name, r.id
        """,
        params,
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(columns)
    while True:
        row = cursor.fetchone()
        if row is None:
            break
        writer.writerow([exports._csv_cell(column, value) for column, value in zip(columns, row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def apptest_page(db: Path, page: str, timeout: float) -> dict:
    """One AppTest run of ``page`` in a fresh process (killed after ``timeout`` seconds)."""
    command = [sys.executable, str(BENCH_DIR / "apptest_page.py"), "--db", str(db), "--page", page,
               "--timeout", str(timeout)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout + 60, cwd=PROJECT)
    except subprocess.TimeoutExpired:
        return {"timeout": True}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        if "timed out" in done.stderr.lower() or "RuntimeError: AppTest script run timed out" in done.stderr:
            return {"timeout": True}
        raise RuntimeError(f"AppTest of {page} failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


# -- one size -----------------------------------------------------------------------------------

@dataclass
class SizeResult:
    n: int
    load: float = 0.0        # 1-minute load average when this size started
    build: Timing = field(default_factory=Timing)
    build_parts: dict[str, float] = field(default_factory=dict)
    assign: Timing = field(default_factory=Timing)
    assign_baseline_s: float | None = None
    assign_baseline_label: str = ""
    assign_agreement: str = ""
    filters: dict[str, tuple[Timing, int]] = field(default_factory=dict)
    marker_baseline: Timing = field(default_factory=Timing)
    marker_baseline_bytes: int | None = None
    export: Timing = field(default_factory=Timing)
    export_bytes: int | None = None
    export_baseline: Timing = field(default_factory=Timing)
    apptest: Timing = field(default_factory=Timing)
    first_page: dict[str, Timing] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def slowest_filter(self) -> tuple[str, float] | None:
        timed = [(name, timing.median) for name, (timing, _) in self.filters.items() if timing.median is not None]
        return max(timed, key=lambda item: item[1]) if timed else None

    @property
    def largest_payload(self) -> int | None:
        sizes = [size for _, size in self.filters.values() if size is not None]
        return max(sizes) if sizes else None


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def bench_size(n: int, args: argparse.Namespace, workdir: Path, browser) -> SizeResult:
    result = SizeResult(n, load=os.getloadavg()[0])
    label = fmt_count(n)

    # 1. Build (reference data, generation, region assignment, bulk insert, links).
    db = workdir / f"demo_{n}.duckdb"

    def build() -> dict:
        return demo.create_demo_database(db, n, seed=args.seed)

    builds: list[dict] = []

    def build_and_keep() -> dict:
        counts = build()
        builds.append(counts)
        return counts

    log(f"{label}: database build ({args.repeat}×)")
    result.build, counts = measure(build_and_keep, args.repeat, budget=args.budget)
    result.build_parts = {part: statistics.median(b["timings"][part] for b in builds)
                          for part in builds[0]["timings"]}

    store = Store(db)
    try:
        # 2. Region assignment of every record (all four levels), on its own, and its baseline:
        #    a shapely loop, on a sample at large sizes.
        points = store.df("SELECT id, lat, lon, provincie_code, gemeente_code, wijk_code, zorgkantoorregio_code "
                          "FROM records WHERE lat IS NOT NULL ORDER BY id")
        log(f"{label}: region assignment of {fmt_count(len(points))} points")
        result.assign, codes = measure(lambda: regions.assign_regions(store, points[["id", "lat", "lon"]]),
                                       args.repeat, budget=args.budget)
        stored = points[list(regions.CODE_COLUMNS)].astype(object).where(points[list(regions.CODE_COLUMNS)].notna(), None)
        if not codes[list(regions.CODE_COLUMNS)].equals(stored.reset_index(drop=True)):
            result.errors.append(f"region assignment at {label} records differs from the stored codes")
        sample_size = min(len(points), args.baseline_sample if len(points) > args.baseline_full else len(points))
        sample = points.sample(n=sample_size, random_state=1) if sample_size < len(points) else points
        polygons = region_polygons(store)
        log(f"{label}: shapely loop baseline on {fmt_count(len(sample))} of {fmt_count(len(points))} points")
        timing, found = measure(lambda: shapely_loop_baseline(polygons, sample["lat"].to_numpy(),
                                                              sample["lon"].to_numpy()),
                                args.repeat, budget=args.budget)
        per_point = timing.median / max(len(sample), 1)
        result.assign_baseline_s = per_point * len(points)
        result.assign_baseline_label = ("measured on all points" if len(sample) == len(points) else
                                        f"extrapolated from {fmt_count(len(sample))} points")
        differ = [(codes[1], gemeente) for codes, gemeente in zip(found, sample["gemeente_code"]) if codes[1] != gemeente]
        outside = sum(1 for baseline_code, _ in differ if baseline_code is None)
        result.assign_agreement = (f"{len(sample) - len(differ)} of {len(sample)}"
                                   + (f" ({outside} of the {len(differ)} others lie outside every gemeente outline "
                                      "and are snapped to the nearest one by the app)" if differ else ""))

        # 3./4. Filter changes and payload size, in a warmed-up process (like the running app,
        #       which has rendered maps before; one-off costs of the first map are not a filter change).
        map_payload(store, Filter(provincie="PV20"))
        for name, flt in FILTERS:
            log(f"{label}: filter change '{name}'")
            timing, size = measure(lambda flt=flt: map_payload(store, flt), args.repeat)
            result.filters[name] = (timing, size)
        if n <= args.baseline_max_markers:
            log(f"{label}: folium Marker + MarkerCluster baseline")
            result.marker_baseline, result.marker_baseline_bytes = measure(
                lambda: folium_marker_baseline(store), args.repeat, budget=args.budget)
        else:
            result.marker_baseline.note = f"skipped (> {fmt_count(args.baseline_max_markers)} markers)"

        # 5. Export of the selection (everything: the largest selection there is).
        log(f"{label}: export CSV")
        result.export, exported = measure(lambda: export_csv(store), args.repeat, budget=args.budget)
        result.export_bytes = len(exported)
        log(f"{label}: naive export loop")
        result.export_baseline, naive = measure(lambda: naive_export_csv(store), args.repeat, budget=args.budget)
        if naive != exported:
            result.errors.append(f"the export at {label} records differs from the per-row export of the same rows")
        del exported, naive
    finally:
        store.close()

    # 6. AppTest of the map page (fresh process per run).
    log(f"{label}: AppTest pages/kaart.py")
    runs: list[float] = []
    for _ in range(max(1, args.repeat)):
        outcome = apptest_page(db, "pages/kaart.py", args.apptest_timeout)
        if outcome.get("timeout"):
            result.apptest.note = f"did not finish within {args.apptest_timeout:.0f} s"
            break
        if outcome["exceptions"]:
            result.errors.append(f"pages/kaart.py raised at {label} records: {outcome['exceptions'][0]}")
        runs.append(outcome["seconds"])
        if sum(runs) >= args.budget:
            break
    result.apptest.runs = runs

    # 7. First page after a server start.
    log(f"{label}: first page after `streamlit run app.py`")
    result.first_page = first_page_timings(db, args, browser, workdir)
    return result


def first_page_timings(db: Path, args: argparse.Namespace, browser, workdir: Path,
                       app: Path | None = None) -> dict[str, Timing]:
    milestones: dict[str, list[float]] = {"health": [], "served": [], "first_content": [], "complete": []}
    missed: set[str] = set()
    for _ in range(max(1, args.repeat)):
        outcome = app_start.measure_first_page(db, timeout=args.first_page_timeout, browser=browser,
                                               log_dir=workdir, app=app)
        for key, value in outcome.items():
            if value is None:
                missed.add(key)
            else:
                milestones[key].append(value)
    timings = {}
    for key, values in milestones.items():
        timing = Timing(values)
        if key in missed and browser is not None:
            timing.note = f"not reached within {args.first_page_timeout:.0f} s in some runs"
        elif not values and browser is None:
            timing.note = "no Chromium"
        timings[key] = timing
    return timings


def bench_real_database(args: argparse.Namespace, workdir: Path, browser) -> dict[str, Timing]:
    """First page on the real dataset (data/), as after `python -m mapping build`."""
    db = workdir / "real.duckdb"
    store = Store(db)
    ingest.build(store)
    store.close()
    return first_page_timings(db, args, browser, workdir)


def bench_floor(args: argparse.Namespace, workdir: Path, browser) -> dict[str, Timing]:
    """The baseline of the first page: an app with the same navigation and no data."""
    app = app_start.write_floor_app(workdir / "floor")
    return first_page_timings(workdir / "floor" / "unused.duckdb", args, browser, workdir, app=app)


# -- report -------------------------------------------------------------------------------------

def versions() -> dict[str, str]:
    import duckdb
    import folium
    import numpy
    import pandas
    import shapely
    import streamlit

    from importlib import metadata

    try:
        st_folium_version = metadata.version("streamlit-folium")
    except metadata.PackageNotFoundError:
        st_folium_version = "not installed"
    return {"python": platform.python_version(), "duckdb": duckdb.__version__, "streamlit": streamlit.__version__,
            "folium": folium.__version__, "streamlit-folium": st_folium_version, "shapely": shapely.__version__,
            "pandas": pandas.__version__, "numpy": numpy.__version__}


def check_targets(results: list[SizeResult], real_first_page: dict[str, Timing] | None,
                  floor: dict[str, Timing] | None = None) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) rows."""
    by_size = {r.n: r for r in results}
    rows = []

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("met" if ok else "**not met**")

    for n, key, label in ((100_000, "filter_100k", "100k"), (1_000_000, "filter_1m", "1M")):
        r = by_size.get(n)
        slowest = r.slowest_filter if r else None
        rows.append((f"filter change → map payload ≤ {TARGETS[key]} s server side at {label} (slowest of "
                     f"{len(FILTERS)} filters, median)",
                     f"{slowest[1]:.3f} s ({slowest[0]}; CPU {r.filters[slowest[0]][0].cpu_median:.3f} s)"
                     if slowest else "—",
                     verdict(None if not slowest else slowest[1] <= TARGETS[key])))
    payloads = [(r.n, r.largest_payload) for r in results if r.largest_payload is not None]
    worst = max(payloads, key=lambda item: item[1]) if payloads else None
    rows.append((f"map payload ≤ {fmt_bytes(TARGETS['payload'])} at any record count",
                 f"largest {fmt_bytes(worst[1])} (at {fmt_count(worst[0])})" if worst else "—",
                 verdict(None if not worst else worst[1] <= TARGETS["payload"])))
    r = by_size.get(1_000_000)
    rows.append((f"region assignment of 1M points, all four levels ≤ {TARGETS['assign_1m']} s",
                 f"{r.assign.median:.2f} s (CPU {r.assign.cpu_median:.2f} s)" if r and r.assign.median else "—",
                 verdict(None if not (r and r.assign.median) else r.assign.median <= TARGETS["assign_1m"])))
    r = by_size.get(10_000)
    speedup = None
    if r and r.marker_baseline.median and NATIONAL in r.filters:
        speedup = ratio(r.marker_baseline.median, r.filters[NATIONAL][0].median)
    rows.append((f"at 10k the map build ≥ {TARGETS['speedup_10k']:.0f}× faster than a folium Marker per record "
                 "in a MarkerCluster (whole country)",
                 f"{fmt_ratio(speedup)} ({r.marker_baseline.median:.2f} s vs {r.filters[NATIONAL][0].median:.3f} s; "
                 f"CPU {fmt_ratio(ratio(r.marker_baseline.cpu_median, r.filters[NATIONAL][0].cpu_median))})"
                 if speedup else "—",
                 verdict(None if speedup is None else speedup >= TARGETS["speedup_10k"])))
    checks = []
    if real_first_page and real_first_page["complete"].median is not None:
        checks.append(("real dataset", real_first_page["complete"].median))
    for result in results:
        complete = result.first_page.get("complete")
        if complete and complete.median is not None:
            checks.append((fmt_count(result.n), complete.median))
    if checks:
        failing = [f"{name}: {value:.2f} s" for name, value in checks if value > TARGETS["first_page"]]
        measured = ", ".join(f"{name} {value:.2f} s" for name, value in checks)
        if floor and floor["complete"].median is not None:
            measured += f" (floor: the same navigation without data {floor['complete'].median:.2f} s)"
        rows.append((f"first page ready ≤ {TARGETS['first_page']} s after start, database existing (page complete)",
                     measured, "met" if not failing else f"**not met** ({'; '.join(failing)})"))
    else:
        rows.append((f"first page ready ≤ {TARGETS['first_page']} s after start", "—", "not measured (no Chromium)"))
    return rows


def render_report(results: list[SizeResult], real_first_page: dict[str, Timing] | None,
                  floor: dict[str, Timing] | None, args: argparse.Namespace,
                  load_before: tuple[float, ...], load_after: tuple[float, ...], seconds: float) -> str:
    lines: list[str] = []
    add = lines.append
    add("# Benchmark results: scale and speed (issue 7)")
    add("")
    add(f"Produced by `python bench/run.py --sizes {','.join(str(r.n) for r in results)} --repeat {args.repeat}"
        f"{' --quick' if args.quick else ''}` on {datetime.now():%Y-%m-%d %H:%M}, in {seconds / 60:.1f} min.")
    add("")
    add(f"- Machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), {platform.system()} "
        f"{platform.release()}; load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end "
        f"(other processes shared these cores; every figure is wall-clock time).")
    add("- Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".")
    add(f"- Data: `python -m mapping demo` (seed {args.seed}): synthetic records spread like the population "
        "(PC4 centroids weighted by inhabitants, moved a few hundred metres), mixed kinds and themes, "
        "~13% meet-ups (a quarter online), ~0.4 synthetic links per record.")
    add(f"- Every figure is the median of up to {args.repeat} runs (n shown when more than one; slow steps "
        f"stop repeating after {args.budget:.0f} s). Ratios are baseline ÷ ours, measured in this run. Verdicts use "
        "wall-clock time; \"CPU\" is the CPU time of the benchmark process (all threads), which "
        "competing processes on the same cores inflate far less than wall-clock time.")
    add("")
    add("## Targets")
    add("")
    add("| target | measured | verdict |")
    add("|---|---|---|")
    for target, measured, verdict in check_targets(results, real_first_page, floor):
        add(f"| {target} | {measured} | {verdict} |")
    add("")
    add("## Summary per size")
    add("")
    add("| records | build incl. regions (s) | region assignment, 4 levels (s) | shapely loop baseline (s) | ratio "
        "| filter change, whole country (s) | slowest filter (s) | folium Marker+MarkerCluster (s) | ratio "
        "| map payload, largest | baseline payload | export CSV (s) | naive loop (s) | ratio "
        "| AppTest kaart (s) | first page complete (s) |")
    add("|" + "---|" * 16)
    for r in results:
        national = r.filters.get(NATIONAL, (Timing(), None))
        slowest = r.slowest_filter
        baseline = (f"{r.assign_baseline_s:.1f} ({r.assign_baseline_label})" if r.assign_baseline_s is not None
                    else "—")
        add(f"| {fmt_count(r.n)} | {r.build.text(2)} | {r.assign.text(3)} | {baseline} "
            f"| {fmt_ratio(ratio(r.assign_baseline_s, r.assign.median))} "
            f"| {national[0].text(3)} | {f'{slowest[1]:.3f} ({slowest[0]})' if slowest else '—'} "
            f"| {r.marker_baseline.text(2)} | {fmt_ratio(ratio(r.marker_baseline.median, national[0].median))} "
            f"| {fmt_bytes(r.largest_payload)} | {fmt_bytes(r.marker_baseline_bytes)} "
            f"| {r.export.text(2)} | {r.export_baseline.text(2)} "
            f"| {fmt_ratio(ratio(r.export_baseline.median, r.export.median))} "
            f"| {r.apptest.text(1)} | {r.first_page.get('complete', Timing()).text(2)} |")
    add("")
    add("AppTest kaart: one complete script run of `pages/kaart.py` in a fresh process (cold caches), as the first "
        "visitor after a start gets it: counts, map, table, online meet-ups and the CSV, GeoJSON and iCalendar "
        "downloads of the whole selection. Export CSV: `queries.export_records` + `exports.to_csv` of every record; "
        "the naive loop writes the same bytes (checked) by fetching rows one by one and formatting each cell.")
    add("")
    add("## Database build, by step (median seconds)")
    add("")
    parts = list(results[0].build_parts) if results else []
    add("| records | " + " | ".join(parts) + " | shapely baseline agrees (gemeente) | load average at start |")
    add("|---|" + "---|" * (len(parts) + 2))
    for r in results:
        add(f"| {fmt_count(r.n)} | " + " | ".join(f"{r.build_parts.get(p, 0):.2f}" for p in parts)
            + f" | {r.assign_agreement} | {r.load:.1f} |")
    add("")
    add("Region assignment: a grid fast path (cells wholly inside one polygon, found with shapely's STRtree, "
        "coarse to fine) and one DuckDB spatial join for the points in border cells; identical results to "
        "testing every point. The baseline tests every polygon of every level in turn with shapely "
        "`contains` (no index). Last column: on how many baseline points both agree on the gemeente.")
    add("")
    add("## Filter changes (server side: query + map payload), median seconds and payload bytes")
    add("")
    add("| records | " + " | ".join(name for name, _ in FILTERS) + " |")
    add("|---|" + "---|" * len(FILTERS))
    for r in results:
        cells = []
        for name, _ in FILTERS:
            timing, size = r.filters.get(name, (Timing(), None))
            cells.append(f"{timing.text(3)} / {fmt_bytes(size)}")
        add(f"| {fmt_count(r.n)} | " + " | ".join(cells) + " |")
    add("")
    add(f"Above {fmt_count(maps.MAX_POINTS)} located records in the selection the map shows counts per gemeente "
        "(per wijk inside a gemeente) with the region outlines instead of markers; below that, clustered markers. "
        "Only the columns the map needs leave the database (`queries.map_data`). The baseline renders one "
        "`folium.Marker` per located record (tooltip: name; popup: name, kind, place) inside a `MarkerCluster` "
        "(whole country); it is skipped above "
        f"{fmt_count(args.baseline_max_markers)} records.")
    measured = [r for r in results if r.marker_baseline.median and r.marker_baseline_bytes]
    if measured:
        largest = max(measured, key=lambda r: r.n)
        located = largest.n
        add(f"At {fmt_count(largest.n)} records the baseline took {largest.marker_baseline.median / located * 1000:.2f} s "
            f"and {largest.marker_baseline_bytes / located * 1000 / 1e6:.2f} MB per 1,000 records; it grows "
            "linearly with the number of markers.")
    add("")
    add("## First page after `streamlit run app.py` (median seconds from launch)")
    add("")
    add("| database | server healthy | page served | first content (h1) | page complete |")
    add("|---|---|---|---|---|")
    rows = ([("floor: Streamlit with the same navigation, no data (baseline)", floor)] if floor else []) + \
        ([("real dataset (data/)", real_first_page)] if real_first_page else []) + \
        [(f"demo {fmt_count(r.n)}", r.first_page) for r in results]
    for name, timings in rows:
        add(f"| {name} | " + " | ".join(timings.get(k, Timing()).text(2)
                                       for k in ("health", "served", "first_content", "complete")) + " |")
    add("")
    add("Measured in headless Chromium (Debian's), started before the clock; every host but 127.0.0.1 "
        "fails to resolve, as offline. \"Page complete\": the Overzicht page's script has finished, its map is on "
        "the page and no element is still a loading placeholder. The floor is an app with the dashboard's navigation (8 pages, a language choice) whose page "
        "holds a title and an iframe and reads no data: what Streamlit itself and the browser take on this "
        "machine, which no page can beat.")
    add("")
    errors = [e for r in results for e in r.errors]
    if errors:
        add("## Errors")
        add("")
        for error in errors:
            add(f"- {error}")
        add("")
    return "\n".join(lines)


def print_summary(results: list[SizeResult], real_first_page: dict[str, Timing] | None,
                  floor: dict[str, Timing] | None = None) -> None:
    header = (f"{'records':>10} {'build s':>8} {'assign s':>9} {'loop s':>9} {'ratio':>7} {'filter s':>9} "
              f"{'slowest':>8} {'markers s':>10} {'ratio':>7} {'payload':>9} {'export s':>9} {'naive s':>8} "
              f"{'AppTest':>8} {'1st page':>8}")
    print(header)
    for r in results:
        national = r.filters.get(NATIONAL, (Timing(), None))[0]
        slowest = r.slowest_filter
        complete = r.first_page.get("complete", Timing()).median

        def num(value, digits=3):
            return f"{value:.{digits}f}" if value is not None else "—"

        print(f"{r.n:>10,} {num(r.build.median, 2):>8} {num(r.assign.median):>9} {num(r.assign_baseline_s, 1):>9} "
              f"{fmt_ratio(ratio(r.assign_baseline_s, r.assign.median)):>7} {num(national.median):>9} "
              f"{num(slowest[1] if slowest else None):>8} {num(r.marker_baseline.median, 2):>10} "
              f"{fmt_ratio(ratio(r.marker_baseline.median, national.median)):>7} {fmt_bytes(r.largest_payload):>9} "
              f"{num(r.export.median, 2):>9} {num(r.export_baseline.median, 2):>8} {num(r.apptest.median, 1):>8} "
              f"{num(complete, 2):>8}")
    print()
    for target, measured, verdict in check_targets(results, real_first_page, floor):
        print(f"- {target}: {measured} → {verdict.replace('**', '')}")


# -- main -----------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(n) for n in DEFAULT_SIZES),
                        help="comma-separated record counts (default: 1000,10000,100000,1000000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: small baseline samples and short time budgets (CI)")
    parser.add_argument("--output", default=str(BENCH_DIR / "results.md"), help="Markdown report to write")
    parser.add_argument("--workdir", help="keep the demo databases here (default: a temporary directory)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--baseline-max-markers", type=int, default=10_000,
                        help="largest size at which the folium Marker baseline runs")
    parser.add_argument("--no-real", action="store_true", help="skip the first-page timing on the real dataset")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(part.replace("_", "")) for part in args.sizes.split(",") if part.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 1000,10000")
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs at least one positive record count")
    # Shapely loop baseline: every point up to baseline_full points, else a sample.
    args.baseline_full = 200 if args.quick else 1_000
    args.baseline_sample = 100 if args.quick else 500
    args.budget = 30.0 if args.quick else 120.0
    args.apptest_timeout = 120.0 if args.quick else 300.0
    args.first_page_timeout = 90.0 if args.quick else 180.0
    if args.quick:
        args.repeat = min(args.repeat, 1)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load_before = os.getloadavg()
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="zbk-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[SizeResult] = []
    real_first_page = floor = None
    failed = False
    try:
        with app_start.chromium() as browser:
            if browser is None:
                log("Chromium not found: first-page timings are limited to server start")
            if not args.no_real:
                log("real dataset: first page after `streamlit run app.py`")
                real_first_page = bench_real_database(args, workdir, browser)
                if browser is not None:
                    log("floor: an app with the same navigation and no data")
                    floor = bench_floor(args, workdir, browser)
            for n in args.sizes:
                results.append(bench_size(n, args, workdir, browser))
                if not args.workdir:
                    for file in workdir.glob(f"demo_{n}.duckdb*"):
                        file.unlink()
    except Exception:
        traceback.print_exc()
        failed = True
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    if not results:
        return 1
    report = render_report(results, real_first_page, floor, args, load_before, os.getloadavg(),
                           time.perf_counter() - started)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report + "\n", encoding="utf-8")
    print()
    print_summary(results, real_first_page, floor)
    print(f"\nWritten to {output}")
    errors = [e for r in results for e in r.errors]
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
