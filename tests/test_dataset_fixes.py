"""Issue 15.8: the default dataset says what its sources say (checked against seeds 001, 003, 004)."""

from mapping import ingest


def links(store):
    return {(a, b, r) for a, b, r in store.rows("SELECT from_id, to_id, relation FROM links")}


def test_links_follow_their_sources(store):
    found = links(store)
    # seed 001: "Ook is het burgerinitiatief trekker van het pact Zeker Thuis" — leads it, did not found it
    assert ("pact-zeker-thuis-oegstgeest", "langer-zelfstandig-leven", "organised_by") in found
    assert ("pact-zeker-thuis-oegstgeest", "langer-zelfstandig-leven", "initiated_by") not in found
    # seed 001: the location manager *wants* Jottem to contribute to a voorzorgcirkel: an intention
    assert not {link for link in found if link[:2] == ("jottem", "voorzorgcirkels-oegstgeest")}
    # seed 004: people involved with Zorgvrijstaat met in the Wijkpaleis during that week
    assert ("meetup-week-van-de-medezeggenschap-wijkpaleis", "zorgvrijstaat", "partner") in found


def test_wijkpaleis_is_a_venue_and_het_8ste_werk_has_its_source(store):
    venues = {r[0] for r in store.rows("SELECT id FROM public_records WHERE venue")}
    assert venues == {"het-wijkpaleis"}
    # seed 003 links the report of the visit to Het 8ste Werk
    assert store.scalar("SELECT source FROM public_records WHERE id = 'het-8ste-werk'") == (
        "https://www.radicalevernieuwing.nl/ggz/actueel/"
        "als-mensen-er-voor-elkaar-zijn-is-de-meeste-zorg-overbodig-op-bezoek-bij-het-8ste-werk/")


def test_rebuild_retires_links_removed_from_the_file_but_not_moderated_ones(store):
    store.execute("INSERT INTO record_links (id, from_id, to_id, relation, status, origin) VALUES "
                  "('old__partner__x', 'jottem', 'voorzorgcirkels-oegstgeest', 'partner', 'approved', 'dataset'), "
                  "('kept__partner__y', 'jottem', 'club-oegstgeest', 'partner', 'approved', 'dataset')")
    store.execute("INSERT INTO revisions (entity_type, entity_id, action, actor) "
                  "VALUES ('link', 'kept__partner__y', 'update', 'moderator:anne')")
    ingest.build(store)
    status = dict(store.rows("SELECT id, status FROM record_links WHERE id IN ('old__partner__x', 'kept__partner__y')"))
    assert status == {"old__partner__x": "archived", "kept__partner__y": "approved"}
