"""Does the load generator behave like a browser? Compare it once with headless Chromium.

    python -m bench.load.realism [--db FILE]

Starts ``streamlit run app.py`` on a free port, then records the websocket frames of two visits:
headless Chromium (Debian's ``/usr/bin/chromium`` through Playwright) and one generator session
(:class:`bench.load.protocol.Session`). Each opens Kaart and chooses the provincie Zuid-Holland.
Compared per step: the number of ``rerun_script`` messages sent, the widget ids and values sent
with the provincie change, the number of script runs, and the elements the server drew (count and
sequence of element types, cached ``ref_hash`` elements resolved). Prints a table; exit status 1
when they differ.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench.load.protocol import Session  # noqa: E402
from bench.load.run import Deployment  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PROVINCIE = "Zuid-Holland"


def summarise(sent: list[bytes], received: list[bytes]) -> list[dict]:
    """Per rerun request: what was sent and what the server drew until the run finished."""
    steps: list[dict] = []
    cache: dict[str, ForwardMsg] = {}
    received_iter = iter(received)
    for payload in sent:
        back = BackMsg()
        back.ParseFromString(payload)
        if back.WhichOneof("type") != "rerun_script":
            continue
        widgets = {w.id.rsplit("-", 1)[-1]: json.dumps(str(getattr(w, w.WhichOneof("value"))).strip())
                   for w in back.rerun_script.widget_states.widgets}
        step = {"widgets": widgets, "runs": 0, "elements": [], "finished": None}
        for raw in received_iter:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                msg = cache.get(msg.ref_hash, msg)
                kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                if msg.hash:
                    cache[msg.hash] = msg
                step["elements"].append(msg.delta.new_element.WhichOneof("type"))
            elif kind == "new_session":
                step["runs"] += 1
                step["elements"] = []     # a run cut short by st.rerun() is redrawn by the next one
            elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                step["finished"] = int(msg.script_finished)
                break
        steps.append(step)
    return steps


def chromium_visit(url: str) -> tuple[list[bytes], list[bytes]]:
    from playwright.sync_api import sync_playwright

    sent: list[bytes] = []
    received: list[bytes] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

        def on_websocket(ws):
            if ws.url.endswith("/_stcore/stream"):
                ws.on("framesent", lambda payload: sent.append(payload))
                ws.on("framereceived", lambda payload: received.append(payload))

        page.on("websocket", on_websocket)
        page.goto(f"{url}/kaart")
        status = page.locator('[data-testid="stStatusWidget"]')
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
        status.wait_for(state="hidden", timeout=60_000)
        before = len(sent)
        select = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
        select.click()
        page.get_by_role("option", name=PROVINCIE, exact=True).click()
        deadline = time.time() + 60
        while time.time() < deadline and (len(sent) == before or not any(
                _is_final_finish(raw) for raw in received[-3:])):
            page.wait_for_timeout(100)
        page.wait_for_timeout(1500)     # anything else the browser would still send
        browser.close()
    return sent, received


def _is_final_finish(raw: bytes) -> bool:
    msg = ForwardMsg()
    msg.ParseFromString(raw)
    return msg.WhichOneof("type") == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN


async def generator_visit(url: str) -> tuple[list[bytes], list[bytes]]:
    session = Session(url, "kaart", locale="en-US", tz="UTC")
    sent: list[bytes] = []
    received: list[bytes] = []
    original_send, original_receive = session._send, session._receive_sized

    async def send(msg):
        sent.append(msg.SerializeToString())
        await original_send(msg)

    async def receive(deadline):
        msg, size = await original_receive(deadline)
        received.append(msg.SerializeToString())
        return msg, size

    session._send, session._receive_sized = send, receive
    try:
        await session.open()
        await session.set_string("flt_provincie", PROVINCIE)
    finally:
        await session.close()
    return sent, received


def compare(browser: list[dict], generator: list[dict]) -> list[tuple[str, str, str, bool]]:
    checks = [("rerun requests", str(len(browser)), str(len(generator)), len(browser) == len(generator))]
    for index, (b, g) in enumerate(zip(browser, generator)):
        name = "open Kaart" if index == 0 else f"change {index}"
        checks.append((f"{name}: widget states sent", ", ".join(sorted(b["widgets"])) or "none",
                       ", ".join(sorted(g["widgets"])) or "none", b["widgets"].keys() == g["widgets"].keys()))
        same_values = all(b["widgets"][k] == g["widgets"][k] for k in b["widgets"].keys() & g["widgets"].keys()
                          if not k.startswith("kaart_table_"))
        checks.append((f"{name}: widget values", "", "same" if same_values else "differ", same_values))
        checks.append((f"{name}: elements drawn", str(len(b["elements"])), str(len(g["elements"])),
                       len(b["elements"]) == len(g["elements"])))
        checks.append((f"{name}: element types in order", "", "same" if b["elements"] == g["elements"] else "differ",
                       b["elements"] == g["elements"]))
        checks.append((f"{name}: finished", str(b["finished"]), str(g["finished"]), b["finished"] == g["finished"]))
    return checks


def check(db: Path | None = None) -> list[tuple[str, str, str, bool]] | None:
    """Run both visits on fresh servers and compare; None without Chromium."""
    if not Path(CHROMIUM).exists():
        return None
    with tempfile.TemporaryDirectory(prefix="bench-realism-") as tmp:
        if db is None:
            from bench.load.run import database
            db, _ = database("real", Path(tmp))
        results = {}
        for name in ("chromium", "generator"):
            # a fresh server for each, so that both are a first visit of a started server
            run_dir = Path(tmp) / name
            run_dir.mkdir()
            deployment = Deployment(Path(db), 1, run_dir)
            deployment.start()
            try:
                frames = chromium_visit(deployment.url) if name == "chromium" else asyncio.run(
                    generator_visit(deployment.url))
            finally:
                deployment.stop()
            results[name] = summarise(*frames)
    return compare(results["chromium"], results["generator"])


def table(checks: list[tuple[str, str, str, bool]]) -> str:
    lines = ["| check | Chromium | generator | same |", "|---|---|---|---|"]
    lines += [f"| {name} | {b} | {g} | {'yes' if ok else 'NO'} |" for name, b, g, ok in checks]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="database file (default: built from data/)")
    args = parser.parse_args(argv)
    checks = check(args.db)
    if checks is None:
        print(f"Chromium not found at {CHROMIUM} (apt-get install chromium); realism check skipped.")
        return 0
    print(table(checks))
    return 0 if all(ok for *_, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
