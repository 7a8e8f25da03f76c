"""The Witte vlekken page under AppTest: per level, URL state, area summary, summary and explanation."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import page_path

PAGE = page_path("witte_vlekken.py")


def run_page(app_env, params: dict[str, str] | None = None, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    for name, value in (state or {}).items():
        at.session_state[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def ranked(at: AppTest):
    """The ranked table (the dataframe keyed wv_table_…) as a DataFrame."""
    for frame in at.dataframe:
        if str(getattr(frame, "key", "") or "").startswith("wv_table_") or "gap_score" in frame.value.columns:
            return frame.value
    raise AssertionError("ranked table not found")


def widget(at: AppTest, kind: str, key: str):
    return next(w for w in getattr(at, kind) if w.key == key)


def test_gemeente_level_for_zorgkantoorregio_rotterdam(app_env):
    at = run_page(app_env, {"zkr": "ZK20", "niveau": "gemeente"})
    table = ranked(at)
    assert set(table["name"]) == {"Rotterdam", "Capelle aan den IJssel", "Krimpen aan den IJssel"}
    assert widget(at, "radio", "wv_level").value == "gemeente"
    assert table["rank"].tolist() == [1, 2, 3]


def test_wijk_level_for_zorgkantoorregio_rotterdam_lists_its_wijken(app_env):
    at = run_page(app_env, {"zkr": "ZK20"})
    table = ranked(at)
    assert widget(at, "radio", "wv_level").value == "wijk"
    assert {"Delfshaven", "Hoek van Holland", "Prins Alexander", "Middelwatering Oost"} <= set(table["name"])
    assert table.iloc[0]["gap_score"] == 100
    # areas without a score are last, with their reason
    unscored = table[table["gap_score"].isna()]
    # (water wijken of the PDOK 2024 file have no CBS population at all)
    assert len(unscored) > 0 and unscored["status"].str.contains(
        "minder dan 250 inwoners|inwonertal niet beschikbaar").all()
    assert unscored["status"].str.contains("minder dan 250 inwoners").any()
    assert table.index[table["gap_score"].isna()].min() > table.index[table["gap_score"].notna()].max()


def test_without_region_the_whole_country_is_compared_by_gemeente(app_env):
    at = run_page(app_env)
    assert len(ranked(at)) == 342
    assert widget(at, "radio", "wv_level").value == "gemeente"
    assert widget(at, "selectbox", "wv_scope_zorgkantoorregio").value == ""


def test_a_gemeente_is_compared_by_its_wijken(app_env):
    at = run_page(app_env, {"gemeente": "GM0579", "niveau": "gemeente"})
    assert widget(at, "radio", "wv_scope_level").value == "gemeente"
    assert widget(at, "radio", "wv_level").value == "wijk"
    table = ranked(at)
    assert {"Oud Oegstgeest", "Oudenhof", "Oegstgeest Noord"} <= set(table["name"])
    assert dict(at.query_params).get("niveau") is None            # wijk is the default for a region


def test_url_params_restore_region_level_measure_layer_and_themes(app_env):
    params = {"provincie": "PV28", "niveau": "gemeente", "maat": "inwoners_75plus", "laag": "need",
              "thema": "voorzorgcirkel"}
    at = run_page(app_env, params)
    assert widget(at, "radio", "wv_scope_level").value == "provincie"
    assert widget(at, "selectbox", "wv_scope_provincie").value == "PV28"
    assert widget(at, "radio", "wv_level").value == "gemeente"
    assert widget(at, "selectbox", "wv_need").value == "inwoners_75plus"
    assert widget(at, "radio", "wv_layer").value == "need"
    assert widget(at, "multiselect", "wv_themes").value == ["voorzorgcirkel"]
    assert {k: at.query_params[k] for k in at.query_params} == params
    table = ranked(at)
    assert "Rotterdam" in set(table["name"]) and "Oegstgeest" in set(table["name"])
    # only voorzorgcirkel records count: Rotterdam has records, but none with that theme
    assert int(table.loc[table["name"] == "Rotterdam", "n_initiative"].iloc[0]) == 0


def test_changing_the_measure_updates_the_url(app_env):
    at = run_page(app_env, {"zkr": "ZK20"})
    widget(at, "selectbox", "wv_need").set_value("inwoners_65plus").run()
    assert not at.exception
    assert at.query_params["maat"] == "inwoners_65plus" and at.query_params["zkr"] == "ZK20"
    widget(at, "radio", "wv_level").set_value("gemeente").run()
    assert at.query_params["niveau"] == "gemeente"
    assert len(ranked(at)) == 3


def test_invalid_params_are_ignored_and_named(app_env):
    at = run_page(app_env, {"zkr": "ZK99", "maat": "<b>x</b>"})
    assert any("zkr" in info.value and "maat" in info.value for info in at.info)
    assert widget(at, "selectbox", "wv_need").value == "aandeel_75plus"


def test_clicking_an_area_opens_its_summary_with_a_link_to_the_map(app_env):
    click = {"last_active_drawing": {"type": "Feature", "properties": {"code": "WK059903"}},
             "last_object_clicked": {"lat": 51.912, "lng": 4.447}}
    at = run_page(app_env, {"zkr": "ZK20"}, {"wv_map": click})
    assert widget(at, "selectbox", "wv_area").value == "WK059903"
    assert any(header.value == "Delfshaven" for header in at.subheader)
    assert at.query_params["gebied"] == "WK059903"
    names = set().union(*(set(frame.value.iloc[:, 0].astype(str)) for frame in at.dataframe))
    assert "Het Wijkpaleis" in names
    figures = next(frame.value for frame in at.dataframe if "Cijfer" in frame.value.columns)
    households = figures[figures["Cijfer"] == "Aandeel eenpersoonshuishoudens"].iloc[0]
    assert households["Waarde"] == "niet beschikbaar" and "alleen per gemeente" in households["Toelichting"]
    assert figures[figures["Cijfer"] == "Wmo-cliënten"].iloc[0]["Waarde"] == "niet beschikbaar"
    assert figures.loc[figures["Cijfer"] == "Aandeel 75-plussers", "Bron"].iloc[0] == "CBS 83502NED (2021)"
    # 65+ per wijk is the published KWB figure of the year, with table and year
    assert figures.loc[figures["Cijfer"] == "Aantal 65-plussers", "Bron"].iloc[0] == "CBS 85984NED (2024)"
    assert figures.loc[figures["Cijfer"] == "Afstand tot huisartsenpraktijk", "Bron"].iloc[0] == "CBS 85984NED (2024)"
    link = at.get("link_button")[0]
    assert link.proto.url == "kaart?gemeente=GM0599&wijk=WK059903"


def test_regional_summary_and_downloads_for_a_zorgkantoorregio(app_env):
    at = run_page(app_env, {"zkr": "ZK20"})
    assert any("Regio-overzicht: Rotterdam" in header.value for header in at.subheader)
    top10 = at.table[0].value
    assert len(top10) == 10 and top10.iloc[0]["Rang"] == 1
    labels = [button.label for button in at.get("download_button")]
    assert any("CSV" in label for label in labels) and any("HTML" in label for label in labels)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Gemeenten"] == "3" and metrics["Initiatieven"] == "9"


def test_explanation_names_weights_and_what_the_score_cannot_see(app_env):
    at = run_page(app_env, {"zkr": "ZK20"})
    text = " ".join(markdown.value for markdown in at.markdown)
    assert "0,5" in text                                # unlinked initiatives count half
    assert "Eenpersoonshuishoudens" in text and "alleen per gemeente" in text
    assert "K = 100 × (r(aandeel 65+) + r(alleenwonen)) / 2" in text    # the kwetsbaarheid formula
    assert "aanbod=" in text and "halveert" in text                    # both kinds of supply, in the link
    assert "**Voorbeeld:" in text                                      # a worked example area
    assert "grootste verschil" in text                   # the wijk/gemeente check from the build


@pytest.mark.parametrize("level", ["gemeente", "wijk"])
def test_english_page_per_level(app_env, level):
    at = run_page(app_env, {"zkr": "ZK20", "niveau": level, "lang": "en"})
    assert at.title[0].value == "Gaps (witte vlekken)"
    assert widget(at, "selectbox", "wv_need").format_func("aandeel_75plus") == "Share aged 75+"
    assert len(ranked(at)) == (3 if level == "gemeente" else 32)   # 31 CBS wijken + 1 water wijk (PDOK 2024)


def test_area_with_more_records_than_the_list_holds_says_so(app_env, monkeypatch):
    """An area can hold tens of thousands of records: the summary lists the first ones and says
    how many there are (the Kaart page has them all)."""
    from mapping import listing

    monkeypatch.setattr(listing, "LIST_LIMIT", 1)
    at = run_page(app_env, {"zkr": "ZK20", "gebied": "WK059903"})
    assert any("De eerste 1 van" in caption.value for caption in at.caption)
