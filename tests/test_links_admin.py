"""Moderators add, change and remove links; every step is a revision and public views follow."""

from __future__ import annotations

import json
from datetime import date

import pytest

from mapping import links_admin, network, queries
from mapping.links_admin import LinkError

MOD = "moderator@example"


def public_pairs(store) -> set[tuple[str, str, str]]:
    return {(a, r, b) for a, r, b in store.rows("SELECT from_id, relation, to_id FROM links")}


def history(store, link_id: str) -> list[tuple[str, str, dict]]:
    return [(action, actor, json.loads(changes)) for action, actor, changes in store.rows(
        "SELECT action, actor, changes FROM revisions WHERE entity_type = 'link' AND entity_id = ? ORDER BY id",
        [link_id])]


def test_add_link_is_public_and_in_the_history(store):
    link = links_admin.add_link(store, actor=MOD, from_id="formaat", to_id="zorgvrijstaat-wijkbedrijf",
                                relation="part_of", source_url="https://www.zorgvrijstaat.nl/over-ons-2/",
                                note="Formaat hoort bij het wijkbedrijf", source_date=date(2023, 6, 19))
    assert ("formaat", "part_of", "zorgvrijstaat-wijkbedrijf") in public_pairs(store)
    row = store.rows("SELECT source_url, source_date, origin FROM record_links WHERE id = ?", [link])[0]
    assert row == ("https://www.zorgvrijstaat.nl/over-ons-2/", date(2023, 6, 19), "moderator")
    [(action, actor, changes)] = history(store, link)
    assert (action, actor) == ("create", MOD)
    assert changes["relation"] == [None, "part_of"]
    assert changes["source_date"] == [None, "2023-06-19"]
    # Formaat is no island any more
    analysis = network.analyse(queries.records(store, queries.Filter()), queries.links_for(store, queries.Filter()))
    assert "formaat" not in set(analysis.islands["id"])


def test_change_link_records_old_and_new_values(store):
    link = links_admin.add_link(store, actor=MOD, from_id="formaat", to_id="zorgvrijstaat", relation="partner",
                                note="genoemd bij het wijkbedrijf")
    changed = links_admin.update_link(store, link, actor="tweede moderator", relation="member_of",
                                      source_url="https://www.zorgvrijstaat.nl/", source_date="2024-01-05")
    assert changed["relation"] == ["partner", "member_of"]
    assert ("formaat", "member_of", "zorgvrijstaat") in public_pairs(store)
    assert ("formaat", "partner", "zorgvrijstaat") not in public_pairs(store)
    actions = history(store, link)
    assert [a for a, _, _ in actions] == ["create", "update"]
    assert actions[1][1] == "tweede moderator"
    assert actions[1][2]["source_date"] == [None, "2024-01-05"]
    assert "note" not in actions[1][2]                      # unchanged fields are not recorded
    # saving the same values again changes nothing and adds no revision
    assert links_admin.update_link(store, link, actor=MOD, relation="member_of") == {}
    assert len(history(store, link)) == 2


def test_change_a_dataset_link(store):
    link = "jottem__partner__langer-zelfstandig-leven"
    links_admin.update_link(store, link, actor=MOD, note="bevestigd door de locatiemanager")
    assert store.scalar("SELECT note FROM record_links WHERE id = ?", [link]) == "bevestigd door de locatiemanager"
    assert history(store, link)[-1][0] == "update"


def test_remove_link_archives_it_and_keeps_history(store):
    link = "jottem__part_of__gemiva"
    links_admin.remove_link(store, link, actor=MOD, reason="Jottem is verhuisd")
    assert ("jottem", "part_of", "gemiva") not in public_pairs(store)
    assert store.scalar("SELECT status FROM record_links WHERE id = ?", [link]) == "archived"
    [(action, actor, changes)] = history(store, link)
    assert action == "remove" and changes == {"status": ["approved", "archived"], "reason": [None, "Jottem is verhuisd"]}
    with pytest.raises(LinkError) as err:
        links_admin.remove_link(store, link, actor=MOD)
    assert err.value.code == "network.error.unknown_link"


def test_removed_link_added_again_is_restored_with_the_same_id(store):
    link = "jottem__part_of__gemiva"
    links_admin.remove_link(store, link, actor=MOD)
    again = links_admin.add_link(store, actor=MOD, from_id="jottem", to_id="gemiva", relation="part_of",
                                 note="toch nog een locatie van Gemiva")
    assert again == link
    assert ("jottem", "part_of", "gemiva") in public_pairs(store)
    assert [a for a, _, _ in history(store, link)] == ["remove", "restore"]


@pytest.mark.parametrize("fields, code", [
    ({"from_id": "jottem", "to_id": "jottem", "relation": "partner", "note": "x"}, "network.error.self_link"),
    ({"from_id": "jottem", "to_id": "gemiva", "relation": "friends", "note": "x"}, "network.error.relation"),
    ({"from_id": "jottem", "to_id": "gemiva", "relation": "partner"}, "network.error.source_required"),
    ({"from_id": "jottem", "to_id": "gemiva", "relation": "partner", "source_url": "javascript:alert(1)"},
     "network.error.source_url"),
    ({"from_id": "jottem", "to_id": "bestaat-niet", "relation": "partner", "note": "x"}, "network.error.unknown_record"),
    ({"from_id": "jottem", "to_id": "gemiva", "relation": "part_of", "note": "x"}, "network.error.duplicate"),
    # partner is symmetric: B partner of A duplicates A partner of B
    ({"from_id": "langer-zelfstandig-leven", "to_id": "jottem", "relation": "partner", "note": "x"},
     "network.error.duplicate"),
    ({"from_id": "jottem", "to_id": "gemiva", "relation": "partner", "note": "x", "source_date": "2999-01-01"},
     "network.error.future_date"),
])
def test_bad_links_are_refused_with_a_clear_message(store, fields, code):
    before = store.scalar("SELECT count(*) FROM record_links")
    with pytest.raises(LinkError) as err:
        links_admin.add_link(store, actor=MOD, **fields)
    assert err.value.code == code
    assert err.value.message("nl") != code and err.value.message("en") != err.value.message("nl")
    assert store.scalar("SELECT count(*) FROM record_links") == before
    assert store.scalar("SELECT count(*) FROM revisions WHERE entity_type = 'link'") == 0


def test_no_anonymous_changes(store):
    with pytest.raises(LinkError) as err:
        links_admin.add_link(store, actor="  ", from_id="formaat", to_id="zorgvrijstaat", relation="partner", note="x")
    assert err.value.code == "network.error.actor"


def test_suggested_schakel_becomes_a_link_in_one_step(store):
    pool = queries.network_records(store, queries.Filter())
    links = queries.links_for(store, queries.Filter())
    islands = network.analyse(pool, links).islands
    suggestion = network.suggest_partners(pool[pool["id"] == "formaat"], pool, links, k=1).iloc[0].to_dict()
    assert "formaat" in set(islands["id"])
    reason = network.reason_text(suggestion, "nl")
    link = links_admin.link_from_suggestion(store, suggestion, actor=MOD, reason=reason, today=date(2025, 5, 1))
    row = store.rows("SELECT from_id, to_id, relation, note, source_date, origin FROM record_links WHERE id = ?", [link])[0]
    assert row[:3] == ("formaat", suggestion["candidate_id"], "partner")
    assert reason in row[3] and MOD in row[3]
    assert row[4] == date(2025, 5, 1) and row[5] == "suggestion"
    assert history(store, link)[0][0] == "create"
    # the same suggestion is not offered again
    again = network.suggest_partners(pool[pool["id"] == "formaat"], pool, queries.links_for(store, queries.Filter()), k=5)
    assert suggestion["candidate_id"] not in set(again["candidate_id"])


# -- the moderator screen (AppTest) -----------------------------------------------------------

def _admin_screen(actor):
    from mapping import ui, ui_links

    ui_links.render_link_admin(ui.get_store(), "nl", actor)


def admin_app(actor: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_admin_screen, kwargs={"actor": actor}, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at, label: str, index: int = 0):
    return [b for b in at.button if b.label == label][index]


def test_screen_refuses_without_a_moderator(app_env):
    at = admin_app("")
    assert [e.value for e in at.error] == ["Alleen ingelogde moderatoren kunnen verbindingen beheren."]
    assert not at.selectbox and not at.button


def test_screen_adds_a_link_and_shows_it_in_the_history(app_env):
    at = admin_app(MOD)
    at.selectbox(key="links_admin_add_from").set_value("formaat")
    at.selectbox(key="links_admin_add_relation").set_value("part_of")
    at.selectbox(key="links_admin_add_to").set_value("zorgvrijstaat-wijkbedrijf")
    at.text_area(key="links_admin_add_note").input("genoemd in de paragraaf over het wijkbedrijf")
    button(at, "Verbinding toevoegen").click()
    at.run()
    assert not at.exception
    assert any("formaat__part_of__zorgvrijstaat-wijkbedrijf" in s.value.replace("\\", "") for s in at.success)
    history = at.dataframe[0].value
    assert list(history["actor"][:1]) == [MOD] and list(history["action"][:1]) == ["create"]
    from mapping.store import Store

    store = Store(app_env)
    assert store.scalar("SELECT count(*) FROM links WHERE from_id = 'formaat'") == 1
    store.close()


def test_screen_explains_a_refused_link_and_writes_nothing(app_env):
    at = admin_app(MOD)
    at.selectbox(key="links_admin_add_from").set_value("jottem")
    at.selectbox(key="links_admin_add_to").set_value("jottem")
    at.text_area(key="links_admin_add_note").input("x")
    button(at, "Verbinding toevoegen").click()
    at.run()
    assert [e.value.replace("\\", "") for e in at.error] == [
        "Een record kan niet met zichzelf verbonden worden. Kies twee verschillende records."]
    from mapping.store import Store

    store = Store(app_env)
    assert store.scalar("SELECT count(*) FROM revisions WHERE entity_type = 'link'") == 0
    store.close()


def test_screen_turns_a_suggestion_into_a_link_with_one_click(app_env):
    at = admin_app(MOD)
    shown = [m.value for m in at.markdown if "→" in m.value]
    assert any("Formaat" in text for text in shown) and any("Laefho" in text for text in shown)
    button(at, "Verbinding maken").click()
    at.run()
    assert not at.exception
    from mapping.store import Store

    store = Store(app_env)
    rows = store.rows("SELECT from_id, origin, note FROM record_links WHERE origin = 'suggestion'")
    store.close()
    assert len(rows) == 1 and rows[0][0] in ("formaat", "het-laefhoes")
    assert "Schakel voorgesteld door de kaart" in rows[0][2]


def test_screen_removes_a_link_only_after_confirmation(app_env):
    at = admin_app(MOD)
    at.selectbox(key="links_admin_edit_pick").set_value("jottem__part_of__gemiva")
    at.run()
    button(at, "Verbinding verwijderen").click()
    at.run()
    assert any("Vink eerst aan" in w.value for w in at.warning)
    at.checkbox[0].check()
    button(at, "Verbinding verwijderen").click()
    at.run()
    assert any("jottem__part_of__gemiva" in s.value.replace("\\", "") for s in at.success)
    from mapping.store import Store

    store = Store(app_env)
    assert store.scalar("SELECT status FROM record_links WHERE id = 'jottem__part_of__gemiva'") == "archived"
    store.close()
