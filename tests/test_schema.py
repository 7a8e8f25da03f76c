"""The schema, the public views and the real default dataset."""

from mapping import ingest
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
    assert counts == {"provincie": 12, "gemeente": 342, "wijk": 3393, "zorgkantoorregio": 31}
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
    assert first.get_meta("schema_version") == "1"
    first.close()


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
