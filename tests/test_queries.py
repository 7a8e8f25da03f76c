"""Filter → query against the database built from data/: every filter alone and combined, the
aggregates of the map, and the URL round trip. Expected sets are derived from data/records.csv."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from mapping import config, queries
from mapping.queries import Filter

RECORDS = list(csv.DictReader(open(config.data_dir() / "records.csv", encoding="utf-8")))
ALL_IDS = {row["id"] for row in RECORDS}


def ids(store, flt: Filter, today: date | None = None) -> set[str]:
    return set(queries.records(store, flt, today=today)["id"])


def csv_ids(predicate) -> set[str]:
    return {row["id"] for row in RECORDS if predicate(row)}


def has_theme(row, theme) -> bool:
    return theme in row["themes"].split(";")


def test_no_filter_returns_every_approved_record(store):
    assert ids(store, Filter()) == ALL_IDS


def test_pending_records_never_appear(store):
    store.execute("INSERT INTO records (id, name, kind, status, origin, lat, lon, gemeente_code) "
                  "VALUES ('pending-one', 'Wacht op moderatie', 'initiative', 'pending', 'submission', 52.18, 4.47, 'GM0579')")
    assert "pending-one" not in ids(store, Filter(gemeente="GM0579"))
    assert "pending-one" not in set(queries.export_records(store, Filter())["id"])
    assert queries.record_detail(store, "pending-one") is None
    assert not queries.record_exists(store, "pending-one")


def test_gemeente_returns_exactly_the_oegstgeest_records(store):
    expected = csv_ids(lambda row: row["place"] == "Oegstgeest")
    assert len(expected) == 8
    assert ids(store, Filter(gemeente="GM0579")) == expected


def test_provincie_wijk_and_zorgkantoorregio(store):
    rotterdam = csv_ids(lambda row: row["place"] == "Rotterdam")
    oegstgeest = csv_ids(lambda row: row["place"] == "Oegstgeest")
    assert ids(store, Filter(provincie="PV28")) == rotterdam | oegstgeest      # Zuid-Holland
    assert ids(store, Filter(wijk="WK059903")) == rotterdam                    # Delfshaven
    assert "het-wijkpaleis" in ids(store, Filter(gemeente="GM0599", wijk="WK059903"))
    assert ids(store, Filter(zorgkantoorregio="ZK28")) == oegstgeest           # Zuid-Holland Noord
    assert ids(store, Filter(provincie="PV26")) == csv_ids(lambda row: row["place"] == "Austerlitz")


def test_theme_filter_matches_any_chosen_theme(store):
    assert ids(store, Filter(themes=("voorzorgcirkel",))) == csv_ids(lambda r: has_theme(r, "voorzorgcirkel"))
    both = ids(store, Filter(themes=("voorzorgcirkel", "zorgcooperatie")))
    assert both == csv_ids(lambda r: has_theme(r, "voorzorgcirkel") or has_theme(r, "zorgcooperatie"))


def test_kind_filter(store):
    for kind in queries.KINDS:
        assert ids(store, Filter(kinds=(kind,))) == csv_ids(lambda r, k=kind: r["kind"] == k)
    assert ids(store, Filter(kinds=("provider", "network"))) == csv_ids(lambda r: r["kind"] in ("provider", "network"))


@pytest.mark.parametrize("needle", ["cooperatie", "COÖPERATIE", "zorgcooperatie", "Coöperatie"])
def test_search_ignores_accents_and_case(store, needle):
    found = ids(store, Filter(search=needle))
    assert "austerlitz-zorgt" in found               # its description says "Zorgcoöperatie"
    assert found <= csv_ids(lambda r: "coöperatie" in (r["name"] + r["description"]).lower()
                            or "cooperatie" in (r["name"] + r["description"]).lower())


def test_search_in_name_and_treats_wildcards_literally(store):
    assert ids(store, Filter(search="vitality")) == {"vitality-club"} | csv_ids(
        lambda r: "vitality" in (r["name"] + r["description"]).lower())
    assert ids(store, Filter(search="%")) == ALL_IDS   # a bare wildcard is no filter, not an error
    assert ids(store, Filter(search="_x_y_z_")) == set()


def test_meetups_upcoming_and_past_with_a_fixed_today(store):
    today = date(2025, 6, 1)
    non_meetups = csv_ids(lambda r: r["kind"] != "meetup")
    upcoming = ids(store, Filter(meetups="upcoming"), today=today) - non_meetups
    past = ids(store, Filter(meetups="past"), today=today) - non_meetups
    assert upcoming == {"actieteam-zorgzame-gemeenschappen-2025-06-12", "online-sparsessie-2025-07-03",
                        "online-sparsessie-2025-09-04", "online-sparsessie-2025-10-14"}
    assert "online-sparsessie-2025-05-27" in past and "meetup-zorgvrijstaat-2023-06-19" in past
    assert not upcoming & past
    # other kinds are not dated, so a meet-up filter leaves them alone
    assert non_meetups <= ids(store, Filter(meetups="upcoming"), today=today)


def test_meetup_date_range(store):
    found = ids(store, Filter(kinds=("meetup",), date_from=date(2025, 7, 1), date_to=date(2025, 9, 4)))
    assert found == {"online-sparsessie-2025-07-03", "online-sparsessie-2025-09-04"}


def test_filters_combine(store):
    flt = Filter(gemeente="GM0579", kinds=("initiative",), themes=("voorzorgcirkel",))
    expected = csv_ids(lambda r: r["place"] == "Oegstgeest" and r["kind"] == "initiative" and has_theme(r, "voorzorgcirkel"))
    assert ids(store, flt) == expected and expected
    hofjes = ids(store, Filter(gemeente="GM0579", search="hofjes"))
    assert "oegstgeester-hofjes" in hofjes
    assert hofjes == csv_ids(lambda r: r["place"] == "Oegstgeest" and "hofjes" in (r["name"] + r["description"]).lower())
    assert ids(store, Filter(gemeente="GM0599", kinds=("provider",))) == set()


def test_counts_by_kind_match_the_records(store):
    flt = Filter(provincie="PV28")
    frame = queries.records(store, flt)
    counts = queries.counts_by_kind(store, flt)
    assert counts == {kind: int((frame["kind"] == kind).sum()) for kind in queries.KINDS}


def test_region_counts_sum_to_the_located_records(store):
    counts = queries.region_counts(store, Filter(), "gemeente")
    frame = queries.records(store, Filter())
    located = frame[frame["lat"].notna()]
    assert int(counts["n"].sum()) == len(located)
    oegstgeest = counts.set_index("code").loc["GM0579"]
    assert oegstgeest["n"] == 8 and oegstgeest["n_initiative"] == 5 and oegstgeest["name"] == "Oegstgeest"
    assert 52.1 < oegstgeest["lat"] < 52.25 and 4.4 < oegstgeest["lon"] < 4.55     # label point inside
    wijken = queries.region_counts(store, Filter(gemeente="GM0599"), "wijk")
    assert list(wijken["code"]) == ["WK059903"]
    with pytest.raises(ValueError):
        queries.region_counts(store, Filter(), "provincie; DROP TABLE records")


def test_counts_by_provincie_cover_every_record(store):
    table = queries.counts_by_provincie(store)
    assert int(table["n"].sum()) == len(ALL_IDS)
    assert table["provincie_code"].isna().sum() == 1              # the "without location" row
    assert table.set_index("provincie_code").loc["PV28", "n"] == 20


def test_export_records_public_columns_and_region_names(store):
    frame = queries.export_records(store, Filter(wijk="WK059903"))
    assert set(frame["wijk_naam"]) == {"Delfshaven"} and set(frame["gemeente_naam"]) == {"Rotterdam"}
    assert not [c for c in frame.columns if "contact" in c or "email" in c or c in ("status", "origin")]


# -- URL parameters ---------------------------------------------------------------------------

ROUND_TRIPS = [
    Filter(),
    Filter(gemeente="GM0579", provincie="PV28"),
    Filter(zorgkantoorregio="ZK28", themes=("voorzorgcirkel", "ontmoeting"), kinds=("initiative", "meetup")),
    Filter(wijk="WK059903", gemeente="GM0599", search="coöperatie & co", meetups="upcoming",
           date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)),
]


@pytest.mark.parametrize("flt", ROUND_TRIPS)
def test_url_round_trip(flt):
    params = queries.to_params(flt)
    assert all(isinstance(v, str) for v in params.values())
    back, ignored = queries.from_params(params)
    assert back == flt and ignored == []


def test_invalid_and_unknown_url_values_are_ignored(store):
    regions = set(store.df("SELECT code FROM regions")["code"])
    themes = set(queries.themes(store)["code"])
    params = {"gemeente": "GM9999", "provincie": "<script>", "thema": "voorzorgcirkel,bogus", "soort": "initiative,alien",
              "meetups": "sometimes", "van": "2025-13-01", "tot": "2025-02-30", "q": "ok", "zkr": "ZK28"}
    flt, ignored = queries.from_params(params, known_themes=themes, known_regions=regions)
    assert flt == Filter(zorgkantoorregio="ZK28", themes=("voorzorgcirkel",), kinds=("initiative",), search="ok")
    assert set(ignored) == {"gemeente", "provincie", "thema=bogus", "soort=alien", "meetups", "van", "tot"}


def test_url_values_are_plain_strings_never_deserialised():
    flt, ignored = queries.from_params({"q": ["first", "{'__class__': 'x'}"], "soort": ["meetup"]})
    assert flt.search == "{'__class__': 'x'}" and flt.kinds == ("meetup",)
    long, ignored = queries.from_params({"q": "x" * 5000})
    assert len(long.search) <= queries.MAX_SEARCH and "q" in ignored
