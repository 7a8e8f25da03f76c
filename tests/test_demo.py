"""Synthetic demo databases (`python -m mapping demo`): their own file, clearly synthetic, spread
like the population, with region codes, links and meet-ups; the app shows a demo-data banner."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from conftest import PROJECT, copy_db, page_path
from mapping import config, demo, queries
from mapping.store import Store

N = 6_000          # above regions.GRID_MIN_POINTS, so the grid fast path is used as at scale


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    steps: list[str] = []
    counts = demo.create_demo_database(path, N, seed=7, progress=lambda done, total, message: steps.append(message))
    counts["steps"] = steps
    return path, counts


@pytest.fixture(scope="module")
def demo_store(demo_db):
    store = Store(demo_db[0], read_only=True)
    yield store
    store.close()


def file_digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def test_demo_database_has_n_records_all_flagged_synthetic(demo_db, demo_store):
    _, counts = demo_db
    assert counts["records"] == N
    assert demo_store.scalar("SELECT count(*) FROM records") == N
    assert demo_store.rows("""
        SELECT count(*) FILTER (WHERE NOT synthetic), count(*) FILTER (WHERE origin <> 'demo'),
               count(*) FILTER (WHERE status <> 'approved'), count(*) FILTER (WHERE name NOT LIKE 'Demo-%'),
               count(*) FILTER (WHERE source_title <> 'synthetisch (python -m mapping demo)')
        FROM records""")[0] == (0, 0, 0, 0, 0)
    assert demo_store.scalar("SELECT count(*) FROM public_records") == N
    assert queries.is_synthetic(demo_store)
    assert demo_store.get_meta("synthetic") == "true"


def test_no_real_records_are_mixed_in(demo_store):
    real_ids = set(demo_store.df("SELECT id FROM records")["id"]) & {"zorgvrijstaat", "het-wijkpaleis", "vitality-club"}
    assert not real_ids
    assert demo_store.scalar("SELECT count(*) FROM records WHERE website NOT LIKE 'https://example.org/%'") == 0


def test_every_located_record_has_consistent_region_codes(demo_store):
    located, missing = demo_store.rows("""
        SELECT count(*), count(*) FILTER (WHERE provincie_code IS NULL OR gemeente_code IS NULL
                                           OR wijk_code IS NULL OR zorgkantoorregio_code IS NULL)
        FROM records WHERE lat IS NOT NULL""")[0]
    assert located > 0.95 * N and missing == 0
    inconsistent = demo_store.scalar("""
        SELECT count(*) FROM records r
        JOIN regions w ON w.code = r.wijk_code
        JOIN regions g ON g.code = r.gemeente_code
        WHERE w.gemeente_code <> r.gemeente_code OR g.provincie_code <> r.provincie_code
           OR g.zorgkantoorregio_code <> r.zorgkantoorregio_code""")
    assert inconsistent == 0


def test_region_codes_match_a_point_in_polygon_check(demo_store):
    sample = demo_store.df("SELECT id, lat, lon, gemeente_code FROM records WHERE lat IS NOT NULL "
                           "ORDER BY id LIMIT 300")
    contained = demo_store.df("""
        SELECT s.id, g.code FROM (SELECT id, ST_Point(lon, lat) AS pt FROM records WHERE lat IS NOT NULL
                                  ORDER BY id LIMIT 300) s
        JOIN regions g ON g.level = 'gemeente' AND ST_Contains(g.geom, s.pt)""")
    # Generalised outlines of neighbouring gemeenten overlap by a few metres, so a point there lies in
    # two polygons: its code must be one of the gemeenten whose polygon contains it.
    inside: dict[str, set[str]] = {}
    for rid, code in zip(contained["id"], contained["code"]):
        inside.setdefault(rid, set()).add(code)
    checked = [rid for rid in sample["id"] if rid in inside]
    assert len(checked) > 250
    assert all(code in inside[rid] for rid, code in zip(sample["id"], sample["gemeente_code"]) if rid in inside)


def test_records_are_spread_like_the_population(demo_store):
    per_provincie = dict(demo_store.rows("SELECT provincie_code, count(*) FROM records WHERE provincie_code IS NOT NULL "
                                         "GROUP BY 1"))
    assert len(per_provincie) == 12, "every provincie has demo records"
    located = sum(per_provincie.values())
    # Zuid-Holland holds ~21% of the Dutch population, Zeeland ~2%.
    assert 0.17 < per_provincie["PV28"] / located < 0.25
    assert 0.01 < per_provincie["PV29"] / located < 0.04
    amsterdam = demo_store.scalar("SELECT count(*) FROM records WHERE gemeente_code = 'GM0363'") / located
    assert 0.03 < amsterdam < 0.08


def test_kinds_themes_meetups_and_links_are_realistic(demo_store):
    kinds = dict(demo_store.rows("SELECT kind, count(*) FROM records GROUP BY kind"))
    assert set(kinds) == {"initiative", "provider", "network", "meetup"}
    assert kinds["initiative"] > kinds["provider"] > kinds["network"]
    known_themes = set(demo_store.df("SELECT code FROM themes")["code"])
    used = set(demo_store.df("SELECT DISTINCT unnest(themes) AS code FROM records")["code"])
    assert used <= known_themes and len(used) > 10
    assert demo_store.scalar("SELECT count(*) FROM records WHERE len(themes) NOT BETWEEN 1 AND 3") == 0
    now = datetime.now()
    past, upcoming, online_only, online_without_link = demo_store.rows("""
        SELECT count(*) FILTER (WHERE starts_at < ?), count(*) FILTER (WHERE starts_at >= ?),
               count(*) FILTER (WHERE online AND lat IS NULL AND location_precision = 'online'),
               count(*) FILTER (WHERE online AND meeting_url IS NULL)
        FROM records WHERE kind = 'meetup'""", [now, now])[0]
    assert past > 0 and upcoming > 0 and online_only > 0 and online_without_link == 0
    assert demo_store.scalar("SELECT count(*) FROM records WHERE kind <> 'meetup' AND starts_at IS NOT NULL") == 0
    links = demo_store.df("SELECT l.relation, a.kind AS from_kind, b.kind AS to_kind, a.gemeente_code AS ga, "
                          "b.gemeente_code AS gb FROM links l JOIN records a ON a.id = l.from_id "
                          "JOIN records b ON b.id = l.to_id")
    assert len(links) > 0.2 * N
    organised = links[links["relation"] == "organised_by"]
    assert set(organised["from_kind"]) == {"meetup"} and set(organised["to_kind"]) == {"initiative"}
    both_located = organised[organised["ga"].notna()]
    assert (both_located["ga"] == both_located["gb"]).mean() > 0.95, "meet-ups are organised nearby"


def test_same_seed_gives_the_same_database(tmp_path):
    def snapshot(path: Path) -> list[tuple]:
        demo.create_demo_database(path, 400, seed=3)
        store = Store(path, read_only=True)
        try:
            return store.rows("SELECT id, name, kind, themes, lat, lon, wijk_code, starts_at FROM records ORDER BY id") + \
                store.rows("SELECT id FROM record_links ORDER BY id")
        finally:
            store.close()

    assert snapshot(tmp_path / "a.duckdb") == snapshot(tmp_path / "b.duckdb")


def test_progress_is_reported(demo_db):
    _, counts = demo_db
    assert len(counts["steps"]) >= 5 and "regiocodes" in " ".join(counts["steps"])


def test_never_writes_into_the_default_database(tmp_path):
    default = config.default_db_path()
    before = file_digest(default)
    with pytest.raises(demo.DemoDatabaseError):
        demo.create_demo_database(default, 10)
    done = subprocess.run([sys.executable, "-m", "mapping", "demo", "--records", "10", "--db", str(default)],
                          capture_output=True, text=True, cwd=PROJECT, timeout=120)
    assert done.returncode == 2 and "default database" in done.stderr
    assert file_digest(default) == before


def test_refuses_to_overwrite_a_real_database(db_path):
    before = file_digest(db_path)
    with pytest.raises(demo.DemoDatabaseError, match="not a demo database"):
        demo.create_demo_database(db_path, 10)
    assert file_digest(db_path) == before


def test_cli_creates_a_demo_database_of_its_own(tmp_path):
    target = tmp_path / "cli_demo.duckdb"
    done = subprocess.run([sys.executable, "-m", "mapping", "demo", "--records", "300", "--db", str(target)],
                          capture_output=True, text=True, cwd=PROJECT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "300 synthetic records" in done.stdout and "MAPPING_DB=" in done.stdout
    assert "%" in done.stderr, "progress is shown"
    store = Store(target, read_only=True)
    try:
        assert store.scalar("SELECT count(*) FROM records WHERE synthetic") == 300
    finally:
        store.close()
    # Running it again replaces the demo database (it is one of ours).
    again = subprocess.run([sys.executable, "-m", "mapping", "demo", "--records", "200", "--db", str(target)],
                           capture_output=True, text=True, cwd=PROJECT, timeout=300)
    assert again.returncode == 0, again.stderr
    store = Store(target, read_only=True)
    try:
        assert store.scalar("SELECT count(*) FROM records") == 200
    finally:
        store.close()


def test_app_shows_the_demo_banner_on_a_demo_database(demo_db, tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    # a copy: this module's read-only connection to the original stays open
    monkeypatch.setenv("MAPPING_DB", str(copy_db(demo_db[0], tmp_path, "banner.duckdb")))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        app = AppTest.from_file(page_path("app.py"), default_timeout=120)
        app.run()
        assert not app.exception
        assert any("Demodata" in w.value and "synthetische" in w.value for w in app.warning)
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_app_shows_no_demo_banner_on_the_real_database(app_env):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(page_path("app.py"), default_timeout=120)
    app.run()
    assert not app.exception
    assert not any("Demodata" in w.value for w in app.warning)
