"""The Overzicht page under AppTest: counts, the map component with local assets, the lists."""

from __future__ import annotations

import json

import pytest
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


def map_args(at: AppTest) -> dict:
    components = [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    assert len(components) == 1
    return json.loads(components[0].proto.json_args)


def test_counts_per_kind_and_total(app_env, reference):
    at = open_page()
    counts = queries.counts_by_kind(reference, Filter())
    shown = {m.label: m.value for m in at.metric}
    for kind in queries.KINDS:
        assert shown[kind_label(kind, "nl", plural=True)] == str(counts[kind])
    assert shown["Totaal"] == str(sum(counts.values()))


def test_map_uses_local_assets_and_draws_every_located_record(app_env, reference):
    args = map_args(open_page())
    assert args["js_links"] and all(link.startswith(assets.URL_PREFIX) for link in args["js_links"] + args["css_links"])
    assert "http" not in args["script"]
    located = queries.records(reference, Filter()).dropna(subset=["lat"])
    for record_id in located["id"]:
        assert f'"{record_id}"' in args["script"]
    assert args["returned_objects"] == []          # the overview never reruns on map interaction


def test_lists_records_without_location_and_counts_per_provincie(app_env, reference):
    at = open_page()
    per_provincie, without = at.dataframe[0].value, at.dataframe[1].value
    table = queries.counts_by_provincie(reference)
    assert len(per_provincie) == len(table)
    zh = per_provincie[per_provincie["Provincie"] == "Zuid-Holland"].iloc[0]
    assert zh["Totaal"] == int(table.set_index("provincie_code").loc["PV28", "n"])
    assert "(zonder locatie)" in set(per_provincie["Provincie"])
    records = queries.records(reference, Filter())
    assert set(without["name"]) == set(records.loc[records["lat"].isna(), "name"])


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
    assert not at.get("component_instance")
