"""Concurrent visitors: how many sessions one process (and two behind nginx) holds, at what latency.

    python -m bench.load.run [--databases 100000,real] [--sessions 1,10,25,50,100] [--replicas 1,2]
                             [--duration 30] [--ramp 5] [--think 1,3] [--output bench/results.md]
    python -m bench.load.run --smoke          # 2 sessions, a few seconds, real dataset, prints only

For every database, topology and session count it starts fresh servers (``streamlit run app.py``
on free ports on 127.0.0.1; for two replicas also nginx with ``deploy/nginx.conf`` in a temporary
prefix, never as a daemon, never on port 80), warms them with one visit, then drives N concurrent
websocket sessions (:mod:`bench.load.drive`) and records step latency (p50/p95/max), errors,
disconnects, requests per second, server RSS (idle, peak, per session) and CPU. The table is
written as its own section of ``bench/results.md`` with the machine's cores and load.

Databases: ``real`` is the default dataset built from ``data/``; a number N is ``python -m mapping
demo --records N`` (synthetic, labelled). Each replica gets its own copy of the DuckDB file (a DuckDB
file is held by one process; read-only traffic, so copies serve the same data).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from string import Template

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from bench.load.drive import LoadResult, Sampler, drive  # noqa: E402
from bench.load.protocol import Session  # noqa: E402

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
NGINX_TEMPLATE = PROJECT / "deploy" / "nginx.conf"
SECTION_START = "<!-- load benchmark (issue 17): start -->"
SECTION_END = "<!-- load benchmark (issue 17): end -->"
PLAIN_ARGS = ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
# How docs/deploy.md runs a replica; "plain" is `streamlit run app.py` as `make run` starts it.
DEPLOYED_ARGS = [*PLAIN_ARGS, "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
DEPLOYED_ENV = {"MALLOC_ARENA_MAX": "2"}


@dataclass(frozen=True)
class Variant:
    """Which code and which server settings a deployment runs (for before/after rows)."""

    label: str = "this code, deployed settings"
    code: Path = PROJECT
    deployed: bool = True


CURRENT = Variant()
TARGET_P95 = 1.5            # s, filter step, 50 sessions, 100k, one process
TARGET_SESSIONS = 50
TARGET_RSS_PER_SESSION = 15 * 2**20
TARGET_SCALE = 1.7


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(Exception):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not become healthy in {seconds:.0f} s")


class Deployment:
    """``replicas`` dashboard processes (and nginx in front of them when more than one)."""

    def __init__(self, db: Path, replicas: int, workdir: Path, variant: Variant = CURRENT):
        self.db, self.replicas, self.workdir, self.variant = db, replicas, workdir, variant
        self.processes: list[subprocess.Popen] = []
        self.server_pids: list[int] = []
        self.url = ""
        self.logs: list[Path] = []

    def start(self) -> None:
        upstreams = []
        for index in range(self.replicas):
            db = self.workdir / f"replica{index}.duckdb"
            shutil.copy(self.db, db)
            port = free_port()
            log = self.workdir / f"replica{index}.log"
            self.logs.append(log)
            code = self.variant.code
            env = {**os.environ, **(DEPLOYED_ENV if self.variant.deployed else {}), "MAPPING_DB": str(db)}
            if code != PROJECT:   # another checkout's package before the installed (editable) one
                env["PYTHONPATH"] = os.pathsep.join([str(code / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
            process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(code / "app.py"), "--server.port", str(port),
                 "--server.address", "127.0.0.1", *(DEPLOYED_ARGS if self.variant.deployed else PLAIN_ARGS)],
                cwd=code, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
            self.processes.append(process)
            self.server_pids.append(process.pid)
            upstreams.append(f"http://127.0.0.1:{port}")
        for url, process, log in zip(upstreams, self.processes, self.logs):
            wait_healthy(url, process, log)
        if self.replicas == 1:
            self.url = upstreams[0]
            return
        prefix = self.workdir / "nginx"
        prefix.mkdir()
        port = free_port()
        config = Template(NGINX_TEMPLATE.read_text()).safe_substitute(
            LISTEN=f"127.0.0.1:{port}", PREFIX=str(prefix),
            UPSTREAMS="\n        ".join(f"server {u.removeprefix('http://')};" for u in upstreams))
        (prefix / "nginx.conf").write_text(config)
        log = prefix / "stdout.log"
        self.logs.append(log)
        process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e",
                                    str(prefix / "error.log")], stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.processes.append(process)
        self.url = f"http://127.0.0.1:{port}"
        wait_healthy(self.url, process, log)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(15)
            if process.poll() is None:
                process.kill()
                process.wait(5)


async def warm(url: str, visits: int) -> None:
    """One visit per replica before measuring: libraries and caches loaded, as after a first visitor."""
    for _ in range(visits):
        session = Session(url, "kaart", timeout=120)
        try:
            await session.open()
            await session.set_string("flt_provincie", session.options("flt_provincie")[1])
        finally:
            await session.close()


def settle(pids: list[int], seconds: float = 30.0) -> None:
    """Wait until the servers' memory stops changing (the start-up warm-up thread loads the other
    pages' libraries a few seconds after the first page), so that "idle" is idle. Bounded."""
    sampler = Sampler(pids)
    deadline = time.monotonic() + seconds
    last = sampler.take().rss
    time.sleep(6.0)
    while time.monotonic() < deadline:
        now = sampler.take().rss
        if abs(now - last) < 2**20:
            return
        last = now
        time.sleep(1.0)


def database(spec: str, workdir: Path) -> tuple[Path, str]:
    """The database file for ``real`` or a demo size, built once per run; (path, label)."""
    target = workdir / f"db_{spec}.duckdb"
    if spec == "real":
        command = [sys.executable, "-m", "mapping", "--db", str(target), "build"]
        label = "real dataset (data/)"
    else:
        command = [sys.executable, "-m", "mapping", "demo", "--records", spec, "--db", str(target)]
        label = f"{int(spec):,} demo records (synthetic)"
    subprocess.run(command, cwd=PROJECT, check=True, capture_output=True)
    # a checkpoint-free copy: the file alone carries the data (copies per replica)
    return target, label


@dataclass
class Row:
    database: str
    replicas: int
    result: dict
    load_before: float
    variant: str = CURRENT.label


def checkout(commit: str, target: Path) -> Path:
    """The project as it was at ``commit`` (git archive: the repository is not changed)."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(PROJECT), "archive", commit], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def run_matrix(databases: list[str], sessions: list[int], replicas: list[int], *, duration: float, ramp: float,
               think: tuple[float, float], seed: int, progress=print, before: str | None = None,
               before_sessions: list[int] = (), before_database: str = "100000", on_row=None) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = Path(tmp)
        plan: list[tuple[str, int, int, Variant]] = []
        for spec in databases:
            plan += [(spec, count, n, CURRENT) for count in replicas for n in sessions]
            if before and spec == before_database:   # right after that database's own rows
                old_code = checkout(before, workdir / "before")
                for n in before_sessions:
                    plan.append((spec, 1, n, Variant(f"code of {before[:10]}, plain `streamlit run`", old_code,
                                                     False)))
                    plan.append((spec, 1, n, Variant("this code, plain `streamlit run`", PROJECT, False)))
        built: dict[str, tuple[Path, str]] = {}
        for index, (spec, count, n, variant) in enumerate(plan):
            if spec not in built:
                progress(f"building database {spec} …")
                built[spec] = database(spec, workdir)
            db, label = built[spec]
            run_dir = workdir / f"run{index}-{spec}-{count}-{n}"
            run_dir.mkdir()
            deployment = Deployment(db, count, run_dir, variant)
            load = os.getloadavg()[0]
            try:
                deployment.start()
                asyncio.run(warm(deployment.url, visits=2 * count))
                settle(deployment.server_pids)
                result = asyncio.run(drive(deployment.url, n, duration=duration, ramp=ramp, think=think,
                                           seed=seed, server_pids=deployment.server_pids))
                summary = result.summary()
                summary["failures"] = getattr(result, "failures", [])[:3]
                summary["cpu_split"] = getattr(result, "cpu_split", [])
                summary["generator_cpu_percent"] = getattr(result, "generator_cpu_percent", float("nan"))
            except Exception as exc:  # a broken deployment is a row with the reason, not a crash
                summary = {"sessions": n, "failed": f"{type(exc).__name__}: {exc}"[:300]}
            finally:
                deployment.stop()
            rows.append(Row(label, count, summary, load, variant.label))
            if on_row is not None:   # the table so far, written after every row (a cut-short run keeps it)
                on_row(rows)
            progress(f"{label}, {count} process(es), {n} sessions, {variant.label}: "
                     f"{json.dumps(summary, default=str)}")
    return rows


def capacity(rows: list[Row], label: str, replicas: int, limit: float = TARGET_P95) -> tuple[float, str]:
    """Sessions at which the filter p95 reaches ``limit`` (linear between measured counts) or errors begin."""
    measured = sorted((r.result["sessions"], r.result) for r in rows if r.database == label and r.replicas == replicas
                      and "failed" not in r.result)
    previous = None
    for n, result in measured:
        bad = result["errors"] > 0 or result["disconnects"] > 0 or not result["filter_p95"] <= limit
        if bad:
            if previous is None:
                return 0.0, f"already at {n}"
            pn, presult = previous
            if result["errors"] or result["disconnects"] or math.isnan(result["filter_p95"]):
                return float(pn), f"between {pn} and {n} (errors at {n})"
            share = (limit - presult["filter_p95"]) / max(result["filter_p95"] - presult["filter_p95"], 1e-9)
            return pn + share * (n - pn), f"interpolated between {pn} and {n}"
        previous = (n, result)
    if previous is None:
        return float("nan"), "not measured"
    return float(previous[0]), f"more than {previous[0]} (the largest count measured)"


def _ms(seconds: float) -> str:
    return "—" if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)) else f"{seconds:.2f}"


def _row(row: Row, first: str) -> str:
    r = row.result
    if "failed" in r:
        return (f"| {first} | {row.replicas} | {r['sessions']} | failed: {r['failed']} |" + " |" * 13
                + f" {row.load_before:.1f} |")
    return (f"| {first} | {row.replicas} | {r['sessions']} | {r['steps']} | {r['errors']} | {r['disconnects']} | "
            f"{_ms(r['filter_p50'])} | {_ms(r['filter_p95'])} | {_ms(r['filter_max'])} | {_ms(r['open_p95'])} | "
            f"{r['rps']:.1f} | {r['rss_idle_mb']:.0f} | {r['rss_peak_mb']:.0f} | {r['rss_per_session_mb']:.1f} | "
            f"{r['cpu_percent']:.0f} | {r.get('generator_cpu_percent', float('nan')):.0f} | "
            f"{'/'.join(f'{c:.0f}' for c in r.get('cpu_split', [])) if row.replicas > 1 else ''} | {row.load_before:.1f} |")


def markdown(rows: list[Row], args: argparse.Namespace, started: datetime, minutes: float, load_start: float,
             load_end: float, realism: list | None = None) -> str:
    cores = os.cpu_count()
    compared = [r for r in rows if r.variant != CURRENT.label]
    rows = [r for r in rows if r.variant == CURRENT.label]
    lines = [SECTION_START, "", "## Concurrent visitors (issue 17)", "",
             f"Produced by `python -m bench.load.run --databases {args.databases} --sessions {args.sessions} "
             f"--replicas {args.replicas} --duration {args.duration:g} --ramp {args.ramp:g} --think {args.think}"
             + (f" --before {args.before} --before-sessions {args.before_sessions}" if args.before else "") + "` "
             f"on {started:%Y-%m-%d %H:%M}, in {minutes:.1f} min (`make bench-load`).", "",
             f"- Machine: {cores} cores; load average {load_start:.1f} at the start, {load_end:.1f} at the end "
             "(the load generator runs on the same cores as the servers and competes with them; other processes "
             "shared the machine). Every figure is wall-clock time.",
             "- Each row: fresh servers, warmed by one visit per replica, then N concurrent websocket sessions "
             "(`bench/load/`, Streamlit's own protocol) arriving over the ramp and staying connected; each repeats "
             "open Kaart → provincie → gemeente → theme → search → open a record (table row) → CSV download, "
             f"with {args.think.replace(',', '–')} s think time between steps. Latency: from the sent widget change "
             "to `script_finished` (a download: request to last byte).",
             "- Filter steps are provincie, gemeente, theme and search. RSS: all server processes (and nginx), idle "
             "after the warm-up visits, peak during the run; per session = (peak − idle) / N. CPU: server CPU "
             "seconds / wall seconds (200 % = both cores); generator CPU: the load generator's own share of the same "
             "cores; CPU s per replica: how the work spread over the two replicas (sticky by cookie).", "",
             "| database | processes | sessions | steps | errors | disconnects | filter p50 (s) | filter p95 (s) | "
             "filter max (s) | open p95 (s) | rps | RSS idle (MB) | RSS peak (MB) | RSS / session (MB) | CPU % | "
             "generator CPU % | CPU s per replica | load at start |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [_row(row, row.database) for row in rows]
    errors = sorted({e for row in rows for e in row.result.get("error_examples", []) + row.result.get("failures", [])})
    if errors:
        lines += ["", "Errors seen: " + "; ".join(f"`{e[:160]}`" for e in errors[:5])]
    if compared:
        by_sessions = sorted({r.result["sessions"] for r in compared})
        after = [r for r in rows if r.database == compared[0].database and r.replicas == 1
                 and r.result.get("sessions") in by_sessions]
        lines += ["", "### Effect of the per-session cost fixes (one process, same database)", "",
                  "Same measurement, three builds of the server: the code before the fixes of issue 17 with "
                  "`streamlit run app.py` as `make run` starts it; this code started the same way (data version read "
                  "once per run, region cascade shared by all sessions); this code with the deployed settings of "
                  "docs/deploy.md (no file watcher, `MALLOC_ARENA_MAX=2`; the rows above).", "",
                  "| server | processes | sessions | steps | errors | disconnects | filter p50 (s) | filter p95 (s) | "
                  "filter max (s) | open p95 (s) | rps | RSS idle (MB) | RSS peak (MB) | RSS / session (MB) | CPU % | "
                  "generator CPU % | CPU s per replica | load at start |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for n in by_sessions:
            for row in [*(r for r in compared if r.result["sessions"] == n),
                        *(r for r in after if r.result["sessions"] == n)]:
                lines.append(_row(row, row.variant))
    lines += ["", "### Targets (100k demo database)", "", "| target | measured | verdict |", "|---|---|---|"]
    demo_label = next((r.database for r in rows if r.database.startswith("100,000")), None)
    if demo_label:
        at50 = next((r.result for r in rows if r.database == demo_label and r.replicas == 1
                     and r.result.get("sessions") == TARGET_SESSIONS and "failed" not in r.result), None)
        if at50:
            ok = at50["filter_p95"] <= TARGET_P95 and at50["errors"] == 0
            lines.append(f"| {TARGET_SESSIONS} sessions, one process: filter p95 ≤ {TARGET_P95} s, no errors | "
                         f"p95 {_ms(at50['filter_p95'])} s, {at50['errors']} errors | {'met' if ok else 'not met'} |")
        growth = [r.result for r in rows if r.database == demo_label and r.replicas == 1 and "failed" not in r.result
                  and r.result["sessions"] >= 10]
        if growth:
            worst = max(growth, key=lambda g: g["rss_per_session_mb"])
            ok = worst["rss_per_session_mb"] * 2**20 <= TARGET_RSS_PER_SESSION
            lines.append(f"| memory growth ≤ 15 MB per active session (one process, ≥ 10 sessions, worst) | "
                         f"{worst['rss_per_session_mb']:.1f} MB at {worst['sessions']} sessions | {'met' if ok else 'not met'} |")
        one, how_one = capacity(rows, demo_label, 1)
        two, how_two = capacity(rows, demo_label, 2)
        if not math.isnan(one) and not math.isnan(two):
            ratio = two / one if one else float("nan")
            open_ended = how_two.startswith("more than")
            verdict = ("not shown: neither holds even one session at that p95" if not one and not two else
                       "met" if ratio >= TARGET_SCALE else
                       "not shown: both hold every measured count" if open_ended and how_one.startswith("more than")
                       else "not met")
            lines.append(f"| two replicas behind nginx hold ≥ {TARGET_SCALE}× the sessions at filter p95 ≤ {TARGET_P95} s | "
                         f"one process {one:.0f} ({how_one}), two {two:.0f} ({how_two}): {ratio:.2f}× | {verdict} |")
    lines += ["", "### Realism: one generator session against headless Chromium", ""]
    if realism is None:
        lines.append("Not checked in this run (no Chromium, or `--no-realism`).")
    else:
        from bench.load.realism import table
        lines += ["`python -m bench.load.realism`: both open Kaart on a freshly started server and choose the "
                  "provincie Zuid-Holland; compared are the websocket messages (rerun requests, widget states "
                  "sent) and what the server drew (elements, their types in order, how the run finished).", "",
                  table(realism)]
    lines += ["", SECTION_END, ""]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    current = path.read_text() if path.exists() else ""
    if SECTION_START in current and SECTION_END in current:
        before, rest = current.split(SECTION_START, 1)
        after = rest.split(SECTION_END, 1)[1].lstrip("\n")
        current = before.rstrip("\n") + "\n\n" + text + after
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="100000,real")
    parser.add_argument("--sessions", default="1,10,25,50,100")
    parser.add_argument("--replicas", default="1,2")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--ramp", type=float, default=5.0)
    parser.add_argument("--think", default="1,3", help="think time between steps, min,max seconds")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--output", type=Path, default=PROJECT / "bench" / "results.md")
    parser.add_argument("--smoke", action="store_true", help="2 sessions for a few seconds, print only")
    parser.add_argument("--before", default="", help="also measure the code of this commit (plain settings)")
    parser.add_argument("--before-sessions", default="25,50")
    parser.add_argument("--no-realism", action="store_true", help="skip the comparison with headless Chromium")
    args = parser.parse_args(argv)
    if args.smoke:
        args.databases, args.sessions, args.replicas, args.duration, args.ramp = "real", "2", "1", 4.0, 1.0
        args.think = "0.2,0.5"
    think = tuple(float(v) for v in args.think.split(","))
    started, load_start, clock = datetime.now(), os.getloadavg()[0], time.monotonic()
    def write_partial(rows_so_far: list[Row]) -> None:
        if not args.smoke:
            write_section(args.output, markdown(rows_so_far, args, started, (time.monotonic() - clock) / 60,
                                                load_start, os.getloadavg()[0]))

    rows = run_matrix(args.databases.split(","), [int(n) for n in args.sessions.split(",")],
                      [int(n) for n in args.replicas.split(",")], duration=args.duration, ramp=args.ramp,
                      think=(think[0], think[-1]), seed=args.seed, before=args.before or None,
                      before_sessions=[int(n) for n in args.before_sessions.split(",") if n],
                      before_database=next((d for d in args.databases.split(",") if d != "real"), "100000"),
                      on_row=write_partial)
    realism = None
    if not (args.smoke or args.no_realism):
        from bench.load import realism as realism_check
        realism = realism_check.check()
    text = markdown(rows, args, started, (time.monotonic() - clock) / 60, load_start, os.getloadavg()[0], realism)
    print(text)
    if not args.smoke:
        write_section(args.output, text)
        print(f"written to {args.output}")
    failed = any("failed" in r.result or r.result.get("errors") for r in rows)
    return 1 if args.smoke and failed else 0


if __name__ == "__main__":
    sys.exit(main())
