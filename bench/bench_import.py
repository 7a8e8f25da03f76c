"""Benchmark: importing a large spreadsheet (SYNTHETIC rows) with duplicate checking (issue 15.9).

Target: 100k rows in ≤ 30 s on a 2-core machine, memory below 2 GB.

Each size gets a fresh copy of a database built from ``data/`` and a synthetic Dutch spreadsheet
export (``;``, BOM, the headers of issue 15): names made up and labelled synthetic, postcodes drawn
from the real PC4 table weighted by population (so rows are geocoded offline like real ones),
Dutch kinds and plural themes that need interpretation, 5 % repeated rows (duplicates inside the
file), 2 % broken rows. Measured:

* ``import``: :func:`mapping.imports.import_table` — read, interpret, validate, geocode, region
  assignment, duplicate check against the database and the file, one transaction with batch and
  revisions. Run in a child process, whose peak RSS is the memory figure.
* ``baseline``: the naive way, row by row: ``ingest.prepare_rows`` for one row, the form's SQL
  duplicate query (``submissions.find_duplicates``) and one transaction per row. Measured on a sample
  (``--baseline-rows``) and extrapolated linearly to the size.

Timings are wall-clock; on a shared machine compare the ratio, not the absolute numbers.
Run: ``python bench/bench_import.py --sizes 1000,10000,100000`` (``--quick`` = 1000 only).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from mapping import imports, ingest, submissions
from mapping.store import Store

HEADER = "Naam;Soort;Thema's;Postcode;Plaats;Website;Omschrijving;Bron"
KINDS = ["initiatief", "Bewonersinitiatief", "zorgcoöperatie", "zorgaanbieder", "netwerk", "bijeenkomst"]
THEMES = ["hofjes", "Buurthulp", "ontmoeting", "voorzorgcirkels", "wonen", "mantelzorg", "vitaliteit"]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "bi", "de", "fu", "go", "ha", "ji", "pe", "wu"]
TARGET_SECONDS = 30
TARGET_BYTES = 2 * 1024 ** 3


def synthetic_csv(store: Store, n: int, seed: int = 15) -> bytes:
    rng = np.random.default_rng(seed)
    pc4 = store.df("SELECT postcode, woonplaats, inwoners_2021 FROM pc4 ORDER BY postcode")
    weights = pc4["inwoners_2021"].fillna(0).clip(lower=0).to_numpy(dtype=float) + 1
    picks = rng.choice(len(pc4), size=n, p=weights / weights.sum())
    lines = [HEADER]
    for i in range(n):
        if i > 20 and rng.random() < 0.05:
            lines.append(lines[1 + int(rng.integers(0, i - 1))])          # repeated row: a duplicate
            continue
        postcode = int(pc4["postcode"].iat[picks[i]])
        place = pc4["woonplaats"].iat[picks[i]] or ""
        kind = KINDS[int(rng.integers(0, len(KINDS)))]
        themes = ", ".join(rng.choice(THEMES, size=int(rng.integers(1, 3)), replace=False))
        if rng.random() < 0.02:
            kind = "onbekende-soort"                                      # broken row
        # two made-up words: distinct names, as in a real list (a shared word would make them look alike)
        name = " ".join("".join(rng.choice(SYLLABLES, size=3)).title() for _ in range(2))
        lines.append(f"{name};{kind};{themes};{postcode};{place};https://syn{i}.example.org;"
                     f"Synthetische rij {i} (benchmark, {name});eigen inventarisatie (synthetisch)")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _child_import(db: str, content: bytes, out) -> None:
    store = Store(db)
    started = time.perf_counter()
    report = imports.import_table(store, imports.read_table("synthetisch.csv", content), actor="bench")
    elapsed = time.perf_counter() - started
    store.close()
    out.send((elapsed, report.counts()))


def timed_import(db: Path, content: bytes) -> tuple[float, dict, int]:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child_import, args=(str(db), content, send))
    process.start()
    elapsed, counts = receive.recv()
    process.join()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024      # Linux: KiB
    return elapsed, counts, peak


def baseline_per_row(db: Path, content: bytes, sample: int) -> float:
    """Seconds per row the naive way (one query and one transaction per row)."""
    store = Store(db)
    table = imports.read_table("synthetisch.csv", content)
    rows = [r for r in table.rows[:sample]]
    geocoder = submissions.geocoder_for(store)
    started = time.perf_counter()
    for number, row in enumerate(rows, 2):
        accepted, _rejected, _ = ingest.prepare_rows(store, [dict(row)], geocoder=geocoder, first_row_number=number)
        for record in accepted:
            record.pop("_row", None)
            if submissions.find_duplicates(store, record, statuses=("approved", "pending")):
                continue
            record.update(status="approved", origin="import", synthetic=False)

            def write(cur, record=record):
                ingest.insert_records(cur, [record])
                store.add_revision(cur, "record", record["id"], "import", "bench", {})

            store.run_in_transaction(write)
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed / max(1, len(rows))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--quick", action="store_true", help="1000 rows only (smoke test)")
    parser.add_argument("--baseline-rows", type=int, default=500)
    args = parser.parse_args()
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench_import_"))
    try:
        base = work / "base.duckdb"
        store = Store(base)
        ingest.build(store)
        store.checkpoint()
        contents = {n: synthetic_csv(store, n) for n in sizes}
        store.close()
        print(f"SYNTHETIC rows; {multiprocessing.cpu_count()} cores; wall-clock, shared machine: compare ratios.")
        print(f"{'rows':>8} {'MB':>6} {'import s':>9} {'rows/s':>8} {'baseline s':>11} {'ratio':>7} "
              f"{'peak RSS MB':>12} {'new':>7} {'dupl.':>6} {'rej.':>5}  targets")
        for n in sizes:
            db = work / f"import_{n}.duckdb"
            shutil.copy(base, db)
            elapsed, counts, peak = timed_import(db, contents[n])
            db_baseline = work / f"baseline_{n}.duckdb"
            shutil.copy(base, db_baseline)
            per_row = baseline_per_row(db_baseline, contents[n], min(n, args.baseline_rows))
            baseline = per_row * n
            ok = ("≤30 s " + ("met" if elapsed <= TARGET_SECONDS else "MISSED")) if n >= 100_000 else "(30 s target is for 100k)"
            print(f"{n:>8} {len(contents[n]) / 1e6:>6.1f} {elapsed:>9.2f} {n / elapsed:>8.0f} {baseline:>11.1f} "
                  f"{baseline / elapsed:>6.1f}× {peak / 1e6:>12.0f} {counts['imported']:>7} {counts['duplicates']:>6} "
                  f"{counts['rejected']:>5}  {ok}; memory {'met' if peak < TARGET_BYTES else 'MISSED'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
