"""The schema, the public views and the real default dataset."""

import json

from mapping import ingest, store as store_module
from mapping.store import Store


def test_public_views_have_the_documented_columns(store):
    required = {"id", "name", "kind", "themes", "lat", "lon", "provincie_code", "gemeente_code", "wijk_code",
                "zorgkantoorregio_code", "source"}
    for view in ("initiatives", "providers", "meetups", "networks"):
        columns = set(store.df(f"SELECT * FROM {view} LIMIT 0").columns)
        assert required <= columns, view
    assert {"starts_at", "online"} <= set(store.df("SELECT * FROM meetups LIMIT 0").columns)
    assert {"from_id", "to_id", "relation"} <= set(store.df("SELECT * FROM links LIMIT 0").columns)


def test_region_levels_are_complete(store):
    counts = dict(store.rows("SELECT level, count(*) FROM regions GROUP BY level"))
    # every wijk of the PDOK 2024 file in data/ (counted from the raw file), 342 gemeenten of 2025
    wijken = len(json.loads((ingest.config.data_dir() / "wijken_2024.geojson").read_text(encoding="utf-8"))["features"])
    assert wijken > 3400
    assert counts == {"provincie": 12, "gemeente": 342, "wijk": wijken, "zorgkantoorregio": 31}
    # every gemeente and wijk knows its provincie and zorgkantoorregio
    assert store.scalar("SELECT count(*) FROM regions WHERE level IN ('gemeente', 'wijk') "
                        "AND (provincie_code IS NULL OR zorgkantoorregio_code IS NULL)") == 0


def test_key_figures_carry_table_and_year(store):
    row = store.rows("SELECT value, cbs_table, year FROM key_figures WHERE region_code = 'GM0599' "
                     "AND measure = 'inwoners'")[0]
    assert row[0] > 600_000 and row[1] == "85984NED" and row[2] == 2024


def test_default_dataset_is_real_and_sourced(store):
    frame = store.df("SELECT id, name, kind, source, source_title FROM public_records")
    names = set(frame["name"])
    for expected in ("Zorgvrijstaat", "Het Wijkpaleis", "Het 8ste Werk", "Austerlitz Zorgt",
                     "Langer Zelfstandig Leven", "Jottem", "Nederland Zorgt Voor Elkaar"):
        assert any(expected.casefold() in n.casefold() for n in names), expected
    assert (frame["source"].notna() | frame["source_title"].notna()).all()
    assert store.scalar("SELECT count(*) FROM records WHERE synthetic") == 0
    assert set(frame["kind"]) == {"initiative", "provider", "network", "meetup"}


def test_only_approved_records_are_public(store):
    store.execute("INSERT INTO records (id, name, kind, status, origin) VALUES ('p1', 'Wachtend', 'initiative', "
                  "'pending', 'submission')")
    assert store.scalar("SELECT count(*) FROM public_records WHERE id = 'p1'") == 0
    assert store.scalar("SELECT count(*) FROM initiatives WHERE id = 'p1'") == 0


def test_schema_is_idempotent(db_path):
    first = Store(db_path)
    first.apply_schema()
    first.apply_schema()
    assert first.get_meta("schema_version") == str(store_module.SCHEMA_VERSION)
    first.close()


def test_older_database_gets_region_label_points(db_path):
    """A database built before label points were stored (schema 1) is upgraded on opening."""
    old = Store(db_path)
    expected = dict(old.rows("SELECT code, label_lat FROM regions WHERE level = 'gemeente'"))
    old.execute("ALTER TABLE regions DROP COLUMN label_lat")
    old.execute("ALTER TABLE regions DROP COLUMN label_lon")
    old.set_meta("schema_version", "1")
    old.close()
    upgraded = Store(db_path)
    assert upgraded.get_meta("schema_version") == str(store_module.SCHEMA_VERSION)
    again = dict(upgraded.rows("SELECT code, label_lat FROM regions WHERE level = 'gemeente'"))
    assert again.keys() == expected.keys() and all(abs(again[c] - expected[c]) < 1e-9 for c in expected)
    # the label point lies inside its own region
    assert upgraded.scalar("SELECT count(*) FROM regions WHERE level = 'gemeente' "
                           "AND NOT ST_Contains(geom, ST_Point(label_lon, label_lat))") == 0
    upgraded.close()


def test_reading_store_loads_spatial_only_when_a_query_needs_it(db_path):
    reader = Store(db_path, read_only=True, lazy_spatial=True)
    assert reader.scalar("SELECT count(*) FROM public_records") > 0
    assert not reader._spatial
    # a spatial function: loaded on the spot, and the query still answers
    assert reader.scalar("SELECT round(ST_X(ST_Point(5.1, 52.1)), 1)") == 5.1
    assert reader._spatial
    reader.close()


def test_page_cache_keeps_one_body_per_name_and_fingerprint(db_path):
    store = Store(db_path)
    assert store.cached_page("overview_map:nl:5", "1:abc") is None
    assert store.cache_page("overview_map:nl:5", "1:abc", "<html>een</html>")
    assert store.cached_page("overview_map:nl:5", "1:abc") == "<html>een</html>"
    assert store.cached_page("overview_map:nl:5", "2:abc") is None      # another data version
    store.cache_page("overview_map:nl:5", "2:abc", "<html>twee</html>")
    assert store.scalar("SELECT count(*) FROM page_cache WHERE name = 'overview_map:nl:5'") == 1
    store.close()
    reader = Store(db_path, read_only=True)
    assert not reader.cache_page("overview_map:nl:5", "3:abc", "x")      # read-only keeps nothing
    assert reader.cached_page("overview_map:nl:5", "2:abc") == "<html>twee</html>"
    reader.close()


def test_build_twice_keeps_submitted_and_moderated_records(store):
    store.execute("INSERT INTO records (id, name, kind, status, origin) VALUES "
                  "('sub-1', 'Buurtkamer Test', 'initiative', 'pending', 'submission'),"
                  "('sub-2', 'Goedgekeurd Test', 'initiative', 'approved', 'submission')")
    # a moderator edited a dataset record: build must not overwrite it
    store.execute("UPDATE records SET description = 'aangepast door moderator' WHERE id = 'zorgvrijstaat'")
    with store.transaction() as cur:
        store.add_revision(cur, "record", "zorgvrijstaat", "update", "moderator:anna", {"description": ["x", "y"]})
    before = store.scalar("SELECT count(*) FROM records")
    ingest.build(store)
    ingest.build(store)
    assert store.scalar("SELECT count(*) FROM records") == before
    assert store.scalar("SELECT status FROM records WHERE id = 'sub-1'") == "pending"
    assert store.scalar("SELECT status FROM records WHERE id = 'sub-2'") == "approved"
    assert store.scalar("SELECT description FROM records WHERE id = 'zorgvrijstaat'") == "aangepast door moderator"
    assert store.scalar("SELECT count(*) FROM revisions WHERE actor = 'moderator:anna'") == 1
