"""What one visitor does on Kaart, step by step, as :class:`bench.load.protocol.Session` calls.

open Kaart → choose a provincie → a gemeente in it → a theme → search a word → open a record (a row
of the table) → download the selection (CSV). Choices are what a person would pick from what the page
shows: the gemeente and the theme from the table rows of the previous step (so that on a small real
dataset the steps do not all end in an empty selection), the search word from a shown name. A random
generator per session (seeded) makes sessions differ and runs repeatable.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field

from bench.load.protocol import ProtocolError, RunResult, Session

STEPS = ("open", "provincie", "gemeente", "theme", "search", "record", "download")
FILTER_STEPS = ("provincie", "gemeente", "theme", "search")
TABLE_KEY = "kaart_table_"
NO_CHOICE = "—"


@dataclass
class StepTiming:
    step: str
    seconds: float
    ok: bool
    error: str = ""
    elements: int = 0
    script_runs: int = 0
    bytes_received: int = 0
    started: float = 0.0     # time.time() when sent


@dataclass
class SessionLog:
    index: int
    steps: list[StepTiming] = field(default_factory=list)
    disconnected: bool = False
    completed_scripts: int = 0


def _column(session: Session, name: str) -> list[str]:
    try:
        table = session.table(TABLE_KEY)
    except ProtocolError:
        return []
    if name not in table.column_names:
        return []
    return [str(v) for v in table.column(name).to_pylist() if v not in (None, "")]


def _choose(rng: random.Random, preferred: list[str], options: list[str]) -> str | None:
    usable = [o for o in options if o != NO_CHOICE]
    seen = [o for o in dict.fromkeys(preferred) if o in usable]
    if seen:
        return rng.choice(seen)
    return rng.choice(usable) if usable else None


def _check(result: RunResult) -> str:
    return "; ".join(result.exceptions)


async def visit(session: Session, rng: random.Random, log: SessionLog, *, think: tuple[float, float],
                stop_at: float, sleep) -> None:
    """One pass through the script on an open session (the first step, "open", is the caller's)."""

    async def step(name: str, action) -> RunResult | None:
        if time.monotonic() >= stop_at:
            return None
        await sleep(rng.uniform(*think))
        started = time.time()
        try:
            result = await action()
        except ProtocolError as exc:
            log.steps.append(StepTiming(name, 0.0, False, str(exc)[:300], started=started))
            if session.closed_unexpectedly:
                log.disconnected = True
                raise
            return None
        except TimeoutError:
            log.steps.append(StepTiming(name, session.timeout, False, "timeout", started=started))
            return None
        if isinstance(result, tuple):       # a download: (seconds, bytes)
            log.steps.append(StepTiming(name, result[0], True, bytes_received=result[1], started=started))
            return None
        error = _check(result)
        log.steps.append(StepTiming(name, result.seconds, not error, error, result.elements, result.script_runs,
                                    result.bytes_received, started))
        return result

    # provincie: any of the twelve; then a gemeente from the table rows it shows (or any in it)
    # (a visitor who sees an empty map tries another one, at most three times)
    for _attempt in range(3):
        provincie = _choose(rng, [], session.options("flt_provincie"))
        if provincie is None:
            raise ProtocolError("no provincie to choose")
        await step("provincie", lambda: session.set_string("flt_provincie", provincie))
        if _column(session, "name"):
            break
    gemeente = _choose(rng, _column(session, "gemeente"), session.options("flt_gemeente"))
    if gemeente:
        await step("gemeente", lambda: session.set_string("flt_gemeente", gemeente))
    # a theme the shown records carry ("a, b"), else any
    shown_themes = [part.strip() for value in _column(session, "themes") for part in value.split(",")]
    theme = _choose(rng, shown_themes, session.options("flt_themes"))
    if theme:
        await step("theme", lambda: session.set_strings("flt_themes", [theme]))
    # a word of a shown name, else a common one
    words = [w for name in _column(session, "name") for w in re.findall(r"\w{4,}", name)]
    word = rng.choice(words) if words else "zorg"
    await step("search", lambda: session.set_string("flt_search", word))
    if session.has_widget(TABLE_KEY) and _column(session, "name"):
        await step("record", lambda: session.select_row(TABLE_KEY, 0))
    if session.has_widget("kaart_dl_csv"):
        await step("download", lambda: session.download("kaart_dl_csv"))
    log.completed_scripts += 1


async def reset(session: Session) -> RunResult:
    """Back to the whole country (a visitor opening the link again), for the next pass."""
    session.states.clear()
    session.query_string = ""
    return await session.rerun()
