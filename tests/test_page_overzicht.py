"""The Overzicht page under AppTest: counts, the map (a static document with local assets, kept in
the database between starts), the lists."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import copy_db, page_path
from mapping import assets, queries
from mapping.i18n import kind_label
from mapping.queries import Filter
from mapping.store import Store


@pytest.fixture(scope="module")
def reference(built_db, tmp_path_factory):
    store = Store(copy_db(built_db, tmp_path_factory.mktemp("reference")))
    yield store
    store.close()


def open_page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(page_path("overzicht.py"), default_timeout=60)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown_tables(at: AppTest) -> list[pd.DataFrame]:
    """The page's Markdown tables, cells unescaped, as frames (header row = columns)."""
    tables = []
    for block in at.markdown:
        if not block.value.startswith("| "):
            continue
        rows = [[re.sub(r"\\(.)", r"\1", cell.strip()) for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
                for line in block.value.splitlines() if not line.startswith("|---")]
        tables.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return tables


def map_document(at: AppTest) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1
    return frames[0].proto.srcdoc


def test_counts_per_kind_and_total(app_env, reference):
    at = open_page()
    counts = queries.counts_by_kind(reference, Filter())
    shown = {m.label: m.value for m in at.metric}
    for kind in queries.KINDS:
        assert shown[kind_label(kind, "nl", plural=True)] == str(counts[kind])
    assert shown["Totaal"] == str(sum(counts.values()))


def test_map_uses_local_assets_and_draws_every_located_record(app_env, reference):
    document = map_document(open_page())
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', document)
    assert sources and all(source.startswith(assets.URL_PREFIX) for source in sources)
    assert "http" not in document.split("<body>", 1)[1].replace("http-equiv", "")
    located = queries.records(reference, Filter()).dropna(subset=["lat"])
    for record_id in located["id"]:
        assert f'"{record_id}"' in document


def test_map_is_kept_between_starts_and_redrawn_when_the_data_changes(app_env):
    store = Store(app_env)
    store.execute("DELETE FROM page_cache")
    store.close()
    first = map_document(open_page())
    store = Store(app_env)
    kept = store.rows("SELECT name, fingerprint FROM page_cache")
    assert [name for name, _ in kept] == ["overview_map:nl:2000"]
    # a later start reads it instead of drawing (a marked copy proves where it came from)
    store.execute("UPDATE page_cache SET body = body || '<!-- kept -->'")
    store.close()
    st.cache_data.clear()     # as after a restart: nothing in memory
    assert map_document(open_page()).endswith("<!-- kept -->")
    # approving or changing public data bumps the data version: the map is drawn anew
    store = Store(app_env)
    store.execute("UPDATE records SET status = 'pending' WHERE id = (SELECT min(id) FROM records WHERE lat IS NOT NULL)")
    store.bump_data_version()
    store.close()
    redrawn = map_document(open_page())
    assert not redrawn.endswith("<!-- kept -->") and redrawn != first


def test_lists_records_without_location_and_counts_per_provincie(app_env, reference):
    at = open_page()
    per_provincie, without = markdown_tables(at)
    table = queries.counts_by_provincie(reference)
    assert len(per_provincie) == len(table)
    zh = per_provincie[per_provincie["Provincie"] == "Zuid-Holland"].iloc[0]
    assert int(zh["Totaal"]) == int(table.set_index("provincie_code").loc["PV28", "n"])
    assert "(zonder locatie)" in set(per_provincie["Provincie"])
    records = queries.records(reference, Filter())
    assert set(without["Naam"]) == set(records.loc[records["lat"].isna(), "name"])
    assert not at.dataframe          # no interactive grid on the first page (its browser code is heavy)


def test_attribution_and_english(app_env):
    at = open_page({"lang": "en"})
    captions = " ".join(c.value for c in at.caption)
    assert "Boundaries: Kadaster / CBS" in captions and "Records: public sources" in captions
    assert {m.label for m in at.metric} >= {"Initiatives", "Care providers", "Total"}


def test_empty_database_says_what_to_do(app_env):
    store = Store(app_env)
    store.execute("UPDATE records SET status = 'pending'")
    store.close()
    at = open_page()
    assert any("python -m mapping build" in i.value for i in at.info)
    assert not at.get("iframe")
