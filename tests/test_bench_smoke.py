"""CI smoke test of the benchmark: `bench/run.py` at the smallest size must run without errors
and write a complete report. It never fails on timings (those are for bench/results.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import PROJECT

pytestmark = pytest.mark.slow


def test_benchmark_runs_at_the_smallest_size(tmp_path):
    report = tmp_path / "results.md"
    committed = PROJECT / "bench" / "results.md"
    before = committed.read_bytes() if committed.exists() else None
    done = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / "run.py"), "--sizes", "1000", "--repeat", "1", "--quick",
         "--no-real", "--output", str(report), "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, cwd=PROJECT, timeout=600,
    )
    assert done.returncode == 0, f"benchmark failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    text = report.read_text(encoding="utf-8")
    assert "## Errors" not in text
    for section in ("## Targets", "## Summary per size", "## Filter changes", "## First page"):
        assert section in text, section
    summary = next(line for line in text.splitlines() if line.startswith("| 1,000 |"))
    cells = [cell.strip() for cell in summary.strip("|").split("|")]
    assert len(cells) == 16 and all(cells), summary
    # every measured step produced a number (skipped baselines say so instead)
    assert cells[1][0].isdigit() and cells[2][0].isdigit() and cells[5][0].isdigit() and cells[11][0].isdigit()
    assert "cores" in text and "duckdb" in text
    assert (committed.read_bytes() if committed.exists() else None) == before, "bench/results.md left alone"
