"""Drive N concurrent sessions against a running dashboard and summarise what they saw.

Every session connects (staggered over ``ramp`` seconds, as a newsletter's readers arrive), opens
Kaart and repeats the visitor script of :mod:`bench.load.scenario` until ``duration`` seconds have
passed (at most ``max_passes`` times), with a think time between steps. All sessions stay connected
until the end, so N is the number of concurrent sessions. Meanwhile the server processes' memory
(RSS) and CPU time are sampled from ``/proc``.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import scenario
from bench.load.protocol import Disconnected, ProtocolError, Session

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (Streamlit runs in one process; nginx has workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass
class Sample:
    at: float
    rss: int
    cpu: float


@dataclass
class Sampler:
    """RSS and CPU of the server processes (summed over each one's process tree)."""

    pids: list[int]
    interval: float = 0.5
    samples: list[Sample] = field(default_factory=list)

    def take(self) -> Sample:
        pids = [p for pid in self.pids for p in process_tree(pid)]
        sample = Sample(time.monotonic(), sum(rss_bytes(p) for p in pids), sum(cpu_seconds(p) for p in pids))
        self.samples.append(sample)
        return sample

    def cpu_per_process(self) -> list[float]:
        return [cpu_seconds(pid) for pid in self.pids]

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.take()
            try:
                await asyncio.wait_for(stop.wait(), self.interval)
            except TimeoutError:
                pass


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class LoadResult:
    sessions: int
    duration: float
    logs: list[scenario.SessionLog]
    rss_idle: int
    rss_peak: int
    rss_end: int
    cpu_seconds: float
    wall: float
    open_failures: int = 0

    def steps(self, names: tuple[str, ...] | None = None) -> list[scenario.StepTiming]:
        return [s for log in self.logs for s in log.steps if names is None or s.step in names]

    def latencies(self, names: tuple[str, ...] | None = None) -> list[float]:
        return [s.seconds for s in self.steps(names) if s.ok]

    @property
    def errors(self) -> int:
        return sum(1 for s in self.steps() if not s.ok) + self.open_failures

    @property
    def disconnects(self) -> int:
        return sum(1 for log in self.logs if log.disconnected)

    @property
    def requests_per_second(self) -> float:
        return sum(1 for s in self.steps() if s.ok) / self.wall if self.wall else 0.0

    @property
    def rss_per_session(self) -> float:
        return (self.rss_peak - self.rss_idle) / self.sessions if self.sessions else 0.0

    @property
    def cpu_percent(self) -> float:
        return 100 * self.cpu_seconds / self.wall if self.wall else 0.0

    def summary(self) -> dict:
        filters = self.latencies(scenario.FILTER_STEPS)
        every = self.latencies()
        first = self.latencies(("open",))
        return {
            "sessions": self.sessions, "steps": len(self.steps()), "errors": self.errors,
            "disconnects": self.disconnects,
            "filter_p50": percentile(filters, 50), "filter_p95": percentile(filters, 95),
            "filter_max": max(filters) if filters else float("nan"),
            "open_p95": percentile(first, 95), "all_p95": percentile(every, 95),
            "rps": self.requests_per_second, "rss_idle_mb": self.rss_idle / 2**20,
            "rss_peak_mb": self.rss_peak / 2**20, "rss_per_session_mb": self.rss_per_session / 2**20,
            "cpu_percent": self.cpu_percent, "passes": sum(log.completed_scripts for log in self.logs),
            "error_examples": sorted({s.error for s in self.steps() if not s.ok})[:3],
        }


async def _one_session(index: int, base_url: str, query: str, start_delay: float, stop_at: float,
                       think: tuple[float, float], max_passes: int, seed: int, timeout: float,
                       log: scenario.SessionLog, failures: list[str],
                       linger: bool = True) -> None:
    rng = random.Random(seed * 1000 + index)
    await asyncio.sleep(start_delay)
    session = Session(base_url, "kaart", query, timeout=timeout)
    started = time.time()
    try:
        result = await session.open()
        log.steps.append(scenario.StepTiming("open", result.seconds, not result.exceptions,
                                             "; ".join(result.exceptions), result.elements, result.script_runs,
                                             result.bytes_received, started))
        for _ in range(max_passes):
            if time.monotonic() >= stop_at:
                break
            await scenario.visit(session, rng, log, think=think, stop_at=stop_at, sleep=asyncio.sleep)
            if time.monotonic() < stop_at and log.completed_scripts < max_passes:
                await asyncio.sleep(rng.uniform(*think))
                await scenario.reset(session)
        # stay connected until every session has had its turn (N concurrent, not N in a row)
        remaining = stop_at - time.monotonic()
        if linger and remaining > 0:
            await asyncio.sleep(remaining)
    except Disconnected:
        log.disconnected = True
    except (ProtocolError, TimeoutError, OSError) as exc:
        failures.append(f"{type(exc).__name__}: {exc}"[:300])
    finally:
        try:
            await asyncio.wait_for(session.close(), 10)
        except (TimeoutError, OSError, ProtocolError):
            pass


async def drive(base_url: str, sessions: int, *, duration: float = 30.0, ramp: float = 5.0,
                think: tuple[float, float] = (1.0, 3.0), max_passes: int = 20, seed: int = 17,
                timeout: float = 60.0, server_pids: list[int] | None = None, query: str = "",
                linger: bool = True) -> LoadResult:
    """Run ``sessions`` concurrent visitors for about ``ramp + duration`` seconds (bounded).

    ``linger=False``: a session that has done its ``max_passes`` leaves at once (a smoke run that
    ends as soon as every session walked the script, however slow the machine)."""
    if sessions < 1:
        raise ValueError("at least one session")
    sampler = Sampler(server_pids or [])
    idle = sampler.take()
    cpu_before = sampler.cpu_per_process()
    own_cpu = time.process_time()
    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler.run(stop))
    logs = [scenario.SessionLog(i) for i in range(sessions)]
    failures: list[str] = []
    start = time.monotonic()
    stop_at = start + ramp + duration
    tasks = [asyncio.create_task(_one_session(i, base_url, query, ramp * i / sessions, stop_at, think, max_passes,
                                              seed, timeout, logs[i], failures, linger))
             for i in range(sessions)]
    await asyncio.wait(tasks, timeout=ramp + duration + timeout + 30)
    for task in tasks:
        task.cancel()
    wall = time.monotonic() - start
    stop.set()
    await sampling
    end = sampler.take()
    result = LoadResult(sessions, duration, logs, idle.rss, max(s.rss for s in sampler.samples), end.rss,
                        end.cpu - idle.cpu, wall, open_failures=len(failures))
    result.failures = failures  # type: ignore[attr-defined]
    result.generator_cpu_percent = 100 * (time.process_time() - own_cpu) / wall  # type: ignore[attr-defined]
    # how the work spread over the replicas (sticky sessions must still spread visitors)
    result.cpu_split = [round(after - before, 1) for before, after in  # type: ignore[attr-defined]
                        zip(cpu_before, sampler.cpu_per_process())]
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
