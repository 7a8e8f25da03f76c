"""The Kaart page under AppTest: each filter changes the counts, a URL restores the view, clicks
on the map (simulated: AppTest cannot click inside the component) select a record."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import copy_db, page_path
from mapping import maps, queries
from mapping.i18n import kind_label
from mapping.queries import Filter
from mapping.store import Store

TIMEOUT = 60


@pytest.fixture(scope="module")
def reference(built_db, tmp_path_factory):
    """A separate copy of the same data, to compute what the page should show."""
    store = Store(copy_db(built_db, tmp_path_factory.mktemp("reference")))
    yield store
    store.close()


@pytest.fixture
def clicks(monkeypatch):
    """Replace st_folium: record its arguments and return what a click in the browser returns."""
    calls: list[dict] = []
    state = {"value": None}

    def fake_st_folium(fmap, **kwargs):
        calls.append({"map": fmap, **kwargs})
        return {"last_object_clicked_tooltip": state["value"]}

    monkeypatch.setattr("streamlit_folium.st_folium", fake_st_folium)
    return calls, state


def open_page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(page_path("kaart.py"), default_timeout=TIMEOUT)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_metrics(reference: Store, flt: Filter, lang: str = "nl") -> dict[str, str]:
    counts = queries.counts_by_kind(reference, flt)
    totals = queries.counts_by_kind(reference, Filter())
    word = "van" if lang == "nl" else "of"
    return {kind_label(k, lang, plural=True): f"{counts[k]} {word} {totals[k]}" for k in queries.KINDS}


def table_ids(at: AppTest) -> set[str]:
    return set(at.dataframe[0].value.index)


def details_heading(at: AppTest) -> str | None:
    headers = [h.value for h in at.subheader]
    known = {"Filters", "Lijst", "List", "Downloaden", "Download", "Online bijeenkomsten", "Online meet-ups"}
    rest = [h for h in headers if h not in known]
    return rest[0] if rest else None


def test_no_filter_shows_everything(app_env, reference):
    at = open_page()
    assert metrics(at) == expected_metrics(reference, Filter())
    assert table_ids(at) == set(queries.records(reference, Filter())["id"])
    not_on_map = int(queries.records(reference, Filter())["lat"].isna().sum())
    assert any(f"{not_on_map} record(s)" in c.value and "niet op de kaart" in c.value for c in at.caption)


@pytest.mark.parametrize("widget, value, flt", [
    ("flt_kinds", ["provider"], Filter(kinds=("provider",))),
    ("flt_themes", ["voorzorgcirkel"], Filter(themes=("voorzorgcirkel",))),
    ("flt_search", "cooperatie", Filter(search="cooperatie")),
    ("flt_provincie", "PV28", Filter(provincie="PV28")),
    ("flt_when", "upcoming", Filter(meetups="upcoming")),
])
def test_each_filter_changes_the_counts(app_env, reference, widget, value, flt):
    at = open_page()
    element = at.text_input(key=widget) if widget == "flt_search" else (
        at.multiselect(key=widget) if widget in ("flt_kinds", "flt_themes") else (
            at.radio(key=widget) if widget == "flt_when" else at.selectbox(key=widget)))
    (element.input(value) if widget == "flt_search" else element.set_value(value)).run()
    assert not at.exception
    assert metrics(at) == expected_metrics(reference, flt)
    assert table_ids(at) == set(queries.records(reference, flt)["id"])
    assert {k: at.query_params[k][0] if isinstance(at.query_params[k], list) else at.query_params[k]
            for k in queries.to_params(flt)} == queries.to_params(flt)


def test_region_cascade_gemeente_then_wijk(app_env, reference):
    at = open_page({"provincie": "PV28"})
    gemeenten = at.selectbox(key="flt_gemeente").options
    assert "Oegstgeest" in gemeenten and "Zeist" not in gemeenten       # only Zuid-Holland's gemeenten
    at.selectbox(key="flt_gemeente").set_value("GM0599").run()
    at.selectbox(key="flt_wijk").set_value("WK059903").run()
    flt = Filter(provincie="PV28", gemeente="GM0599", wijk="WK059903")
    assert metrics(at) == expected_metrics(reference, flt)
    assert table_ids(at) == set(queries.records(reference, flt)["id"])


def test_url_restores_the_view(app_env, reference, clicks):
    calls, _ = clicks
    at = open_page({"gemeente": "GM0579", "thema": "voorzorgcirkel", "soort": "initiative", "id": "club-oegstgeest"})
    flt = Filter(gemeente="GM0579", themes=("voorzorgcirkel",), kinds=("initiative",))
    assert at.selectbox(key="flt_gemeente").value == "GM0579"
    assert at.multiselect(key="flt_themes").value == ["voorzorgcirkel"]
    assert at.multiselect(key="flt_kinds").value == ["initiative"]
    assert metrics(at) == expected_metrics(reference, flt)
    assert table_ids(at) == set(queries.records(reference, flt)["id"])
    assert details_heading(at) == "Club Oegstgeest"
    assert at.query_params["id"] == ["club-oegstgeest"] or at.query_params["id"] == "club-oegstgeest"
    # the map is centred on the chosen record with a ring around it
    assert calls[-1]["center"] is not None and calls[-1]["zoom"] == maps.SELECTED_ZOOM
    assert calls[-1]["feature_group_to_add"] is not None


def test_details_show_links_with_names(app_env, reference):
    at = open_page({"id": "langer-zelfstandig-leven"})
    assert details_heading(at) == "Langer Zelfstandig Leven"
    links = queries.record_links(reference, "langer-zelfstandig-leven")
    assert len(links) >= 3
    shown = " ".join(b.label for b in at.button) + " ".join(m.value for m in at.markdown)
    for name in links["other_name"]:
        assert name.replace("(", "\\(").replace(")", "\\)") in shown or name in shown
    assert any(m.value.startswith("**Verbindingen** (") for m in at.markdown)


def test_choosing_a_linked_record_opens_it(app_env):
    at = open_page({"id": "vitality-club"})
    link_button = next(b for b in at.button if "Langer Zelfstandig Leven" in b.label)
    link_button.click().run()
    assert details_heading(at) == "Langer Zelfstandig Leven"


def test_unknown_and_invalid_parameters_are_ignored_with_a_notice(app_env, reference):
    at = open_page({"foo": "bar", "gemeente": "GM9999", "soort": "initiative,alien", "id": "bestaat-niet"})
    infos = " ".join(i.value for i in at.info)
    assert "foo" in infos and "gemeente" in infos and "soort" in infos
    assert any("bestaat-niet" in w.value for w in at.warning)
    assert metrics(at) == expected_metrics(reference, Filter(kinds=("initiative",)))
    assert "foo" not in at.query_params and "id" not in at.query_params


def test_marker_click_selects_the_record(app_env, clicks):
    calls, state = clicks
    at = open_page({"gemeente": "GM0579"})
    assert calls[-1]["returned_objects"] == ["last_object_clicked_tooltip"]   # pan/zoom never rerun
    assert details_heading(at) is None
    state["value"] = "Vitality Club Initiatief · Oegstgeest[[vitality-club|m1.1]]"
    at.run()
    assert not at.exception
    assert details_heading(at) == "Vitality Club"
    assert at.query_params["id"] in ("vitality-club", ["vitality-club"])
    assert calls[-1]["center"] == pytest.approx([52.18603, 4.47269], abs=1e-3)
    # a click on a region outline (no record id) changes nothing
    state["value"] = "Oudenhof"
    at.run()
    assert details_heading(at) == "Vitality Club"


def test_marker_click_outside_the_selection_is_ignored(app_env, clicks):
    _, state = clicks
    state["value"] = "Het Wijkpaleis[[het-wijkpaleis|x.1]]"        # a Rotterdam record
    at = open_page({"gemeente": "GM0579"})
    assert details_heading(at) is None


def test_map_shows_counts_instead_of_markers_above_the_limit(app_env, clicks, monkeypatch):
    calls, _ = clicks
    monkeypatch.setattr(maps, "MAX_POINTS", 5)
    at = open_page()
    assert any("aantallen per gemeente" in i.value for i in at.info)
    html = maps.render_html(calls[-1]["map"])
    assert "ZB.counts(" in html and "ZB.KindLayer" not in html.split("ZB.setup(")[1]


def test_online_meetups_are_listed_with_their_link(app_env):
    at = open_page({"soort": "meetup"})
    online = at.dataframe[1].value
    assert {"name", "when", "link"} <= set(online.columns)
    assert online["link"].str.startswith("https://www.clientenraad.nl/").sum() == 4


def test_english(app_env, reference):
    at = open_page({"lang": "en", "gemeente": "GM0579"})
    assert metrics(at) == expected_metrics(reference, Filter(gemeente="GM0579"), "en")
    assert at.title[0].value == "Map"


def test_embed_locks_the_filters_from_the_url(app_env, reference):
    at = open_page({"embed": "1", "gemeente": "GM0579"})
    assert not at.title                                             # no page chrome in an iframe
    assert not [s for s in at.selectbox if s.key == "flt_gemeente"]  # the locked gemeente has no widget
    assert at.selectbox(key="flt_provincie").disabled
    assert any("Oegstgeest" in c.value for c in at.caption)        # says what is fixed
    assert table_ids(at) == set(queries.records(reference, Filter(gemeente="GM0579"))["id"])
    # free filters still work inside the embed, within the locked gemeente
    at.multiselect(key="flt_kinds").set_value(["initiative"]).run()
    assert table_ids(at) == set(queries.records(reference, Filter(gemeente="GM0579", kinds=("initiative",)))["id"])
    assert not at.multiselect(key="flt_kinds").disabled       # the visitor's own choice stays free
    at.multiselect(key="flt_kinds").set_value(["provider"]).run()
    assert table_ids(at) == set(queries.records(reference, Filter(gemeente="GM0579", kinds=("provider",)))["id"])
    assert any(b.label == "Open de volledige kaart" for b in at.get("link_button"))
