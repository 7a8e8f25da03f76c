"""Moderator screen for links: add, change, remove, turn a suggested schakel into a link, history.

Not a page: :func:`render_link_admin` is called by the moderation page *inside its authenticated
area*, with the logged-in moderator's name as ``actor``. Without an actor it renders nothing but
an error, so it cannot be used anonymously even if someone wires it up by mistake.
All writes go through :mod:`mapping.links_admin` (one transaction with a revision each).
"""

from __future__ import annotations

import json
from datetime import date
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from mapping import links_admin, network, queries, ui
from mapping.listing import md_escape
from mapping.i18n import kind_label, relation_label, t
from mapping.links_admin import LinkError
from mapping.records import RELATIONS
from mapping.store import Store

KEY = "links_admin"   # widget key prefix (the moderation page has widgets of its own)
FLASH = f"{KEY}_flash"


def _record_label(records: pd.DataFrame, lang: str) -> dict[str, str]:
    labels = {}
    for row in records.to_dict("records"):
        place = f", {row['place']}" if isinstance(row.get("place"), str) and row["place"] else ""
        status = "" if row["status"] == "approved" else f" [{row['status']}]"
        labels[row["id"]] = f"{row['name']} ({kind_label(row['kind'], lang).lower()}{place}){status}"
    return labels


def _link_label(row: dict[str, Any], lang: str) -> str:
    return f"{row['from_name'] or row['from_id']} — {relation_label(row['relation'], lang)} → {row['to_name'] or row['to_id']}"


def _done(message: str, store: Store) -> None:
    """After a successful write: refresh cached public data and show the message after rerun."""
    ui.bump_data_version(store)
    st.session_state[FLASH] = message
    st.rerun()


def _acting_moderator(lang: str, actor: str, authorise: Callable[[], str | None] | None) -> Callable[[], str | None]:
    """A function returning the moderator signed in at the moment of an action (re-checked
    server-side by ``authorise``), or None after saying that nothing was changed."""
    def acting() -> str | None:
        who = authorise() if authorise is not None else actor
        if not who:
            st.error(t("moderatie.error.session_expired", lang))
        return who
    return acting


def render_link_admin(store: Store, lang: str, actor: str,
                      authorise: Callable[[], str | None] | None = None) -> None:
    """The link management screen. ``actor``: the authenticated moderator (required);
    ``authorise``: re-checks the session when an action runs and returns who is signed in now."""
    if not isinstance(actor, str) or not actor.strip():
        st.error(t("network.admin.no_actor", lang))
        return
    acting = _acting_moderator(lang, actor, authorise)
    st.subheader(t("network.admin.heading", lang))
    st.caption(t("network.admin.intro", lang))
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(flash)
    records = queries.linkable_records(store)
    labels = _record_label(records, lang)
    tabs = st.tabs([t("network.admin.tab_add", lang), t("network.admin.tab_suggest", lang),
                    t("network.admin.tab_edit", lang), t("network.admin.tab_history", lang)])
    with tabs[0]:
        _add_form(store, lang, acting, labels)
    with tabs[1]:
        _suggestions(store, lang, acting, labels)
    with tabs[2]:
        _edit(store, lang, acting)
    with tabs[3]:
        _history(store, lang)


def _add_form(store: Store, lang: str, acting: Callable[[], str | None], labels: dict[str, str]) -> None:
    ids = list(labels)
    with st.form(f"{KEY}_add", clear_on_submit=False):
        from_id = st.selectbox(t("network.admin.from", lang), ids, index=None, format_func=labels.get,
                               key=f"{KEY}_add_from", placeholder=t("network.admin.pick_record", lang))
        relation = st.selectbox(t("network.admin.relation", lang), list(RELATIONS),
                                format_func=lambda r: relation_label(r, lang), key=f"{KEY}_add_relation")
        to_id = st.selectbox(t("network.admin.to", lang), ids, index=None, format_func=labels.get,
                             key=f"{KEY}_add_to", placeholder=t("network.admin.pick_record", lang))
        source_url = st.text_input(t("network.admin.source_url", lang), key=f"{KEY}_add_source",
                                   help=t("network.admin.source_help", lang))
        note = st.text_area(t("network.admin.note", lang), key=f"{KEY}_add_note", max_chars=links_admin.NOTE_LIMIT)
        source_date = st.date_input(t("network.admin.source_date", lang), value=None, key=f"{KEY}_add_date",
                                    max_value=date.today(), format="DD-MM-YYYY")
        submitted = st.form_submit_button(t("network.admin.add_button", lang), type="primary")
    if submitted:
        who = acting()
        if not who:
            return
        try:
            new_id = links_admin.add_link(store, actor=who, from_id=from_id or "", to_id=to_id or "",
                                          relation=relation, source_url=source_url, note=note,
                                          source_date=source_date)
        except LinkError as error:
            st.error(md_escape(error.message(lang)))
            return
        _done(t("network.admin.added", lang, link=md_escape(new_id)), store)


@st.cache_data(show_spinner=False, max_entries=8, ttl=600)
def _cached_suggestions(_store: Store, key: str, subject_ids: tuple[str, ...], k: int) -> pd.DataFrame:
    pool = queries.network_records(_store, queries.Filter())
    links = queries.links_for(_store, queries.Filter())
    subjects = pool[pool["id"].isin(subject_ids)] if subject_ids else \
        pool[pool["id"].isin(network.analyse(pool, links).islands["id"])]
    return network.suggest_partners(subjects, pool, links, k=k)


def _suggestions(store: Store, lang: str, acting: Callable[[], str | None], labels: dict[str, str]) -> None:
    st.caption(t("network.admin.suggest_intro", lang))
    approved = [i for i, label in labels.items() if not label.endswith("]")]
    chosen = st.selectbox(t("network.admin.suggest_for", lang), approved, index=None, format_func=labels.get,
                          key=f"{KEY}_suggest_for", placeholder=t("network.admin.suggest_islands", lang))
    relation = st.selectbox(t("network.admin.relation", lang), list(RELATIONS),
                            index=list(RELATIONS).index("partner"), format_func=lambda r: relation_label(r, lang),
                            key=f"{KEY}_suggest_relation")
    found = _cached_suggestions(store, ui.db_key(store), (chosen,) if chosen else (), 3 if not chosen else 5)
    if found.empty:
        st.info(t("network.admin.no_suggestions", lang))
        return
    theme_labels = _theme_labels(store, lang)
    for number, row in enumerate(found.to_dict("records")):
        reason = network.reason_text(row, lang, theme_labels)
        left, right = st.columns([5, 1])
        left.markdown(f"**{md_escape(row['subject_name'])}** → **{md_escape(row['candidate_name'])}**  \n"
                      f"{md_escape(reason)}")
        if right.button(t("network.admin.make_link", lang), key=f"{KEY}_make_{number}_{row['subject_id']}_{row['candidate_id']}"):
            who = acting()
            if not who:
                return
            try:
                new_id = links_admin.link_from_suggestion(store, row, actor=who, reason=reason,
                                                          relation=relation, lang=lang)
            except LinkError as error:
                st.error(md_escape(error.message(lang)))
                return
            _done(t("network.admin.added", lang, link=md_escape(new_id)), store)


def _theme_labels(store: Store, lang: str) -> dict[str, str]:
    themes = ui.themes(store)
    return dict(zip(themes["code"], themes["label_nl" if lang == "nl" else "label_en"]))


def _edit(store: Store, lang: str, acting: Callable[[], str | None]) -> None:
    links = queries.admin_links(store)
    if links.empty:
        st.info(t("network.admin.no_links", lang))
        return
    rows = {row["id"]: row for row in links.to_dict("records")}
    link = st.selectbox(t("network.admin.pick_link", lang), list(rows), index=None,
                        format_func=lambda i: _link_label(rows[i], lang), key=f"{KEY}_edit_pick",
                        placeholder=t("network.admin.pick_link_placeholder", lang))
    if not link:
        return
    row = rows[link]
    st.caption(t("network.admin.link_meta", lang, origin=row["origin"], created=str(row["created_at"])[:16],
                 updated=str(row["updated_at"])[:16]))
    with st.form(f"{KEY}_edit_{link}"):
        relation = st.selectbox(t("network.admin.relation", lang), list(RELATIONS),
                                index=list(RELATIONS).index(row["relation"]) if row["relation"] in RELATIONS else 0,
                                format_func=lambda r: relation_label(r, lang))
        source_url = st.text_input(t("network.admin.source_url", lang), value=row["source_url"] or "")
        note = st.text_area(t("network.admin.note", lang), value=row["note"] or "", max_chars=links_admin.NOTE_LIMIT)
        current_date = row["source_date"] if isinstance(row["source_date"], date) and not pd.isna(row["source_date"]) else None
        source_date = st.date_input(t("network.admin.source_date", lang), value=current_date, max_value=date.today(),
                                    format="DD-MM-YYYY")
        save = st.form_submit_button(t("network.admin.save_button", lang), type="primary")
    if save:
        who = acting()
        if not who:
            return
        try:
            changed = links_admin.update_link(store, link, actor=who, expected_updated_at=row["updated_at"],
                                              relation=relation, source_url=source_url,
                                              note=note, source_date=source_date)
        except LinkError as error:
            st.error(md_escape(error.message(lang)))
            return
        if not changed:
            st.info(t("network.admin.nothing_changed", lang))
            return
        _done(t("network.admin.saved", lang, fields=md_escape(", ".join(changed))), store)
    with st.form(f"{KEY}_remove_{link}"):
        reason = st.text_input(t("network.admin.remove_reason", lang))
        confirm = st.checkbox(t("network.admin.remove_confirm", lang))
        remove = st.form_submit_button(t("network.admin.remove_button", lang))
    if remove:
        if not confirm:
            st.warning(t("network.admin.remove_needs_confirm", lang))
            return
        who = acting()
        if not who:
            return
        try:
            links_admin.remove_link(store, link, actor=who, reason=reason, expected_updated_at=row["updated_at"])
        except LinkError as error:
            st.error(md_escape(error.message(lang)))
            return
        _done(t("network.admin.removed", lang, link=md_escape(link)), store)


def _history(store: Store, lang: str) -> None:
    history = queries.link_revisions(store)
    if history.empty:
        st.info(t("network.admin.no_history", lang))
        return
    history = history.assign(changes=history["changes"].map(_changes_text))
    st.dataframe(history, hide_index=True, width="stretch", column_config={
        "changed_at": st.column_config.DatetimeColumn(t("network.admin.col_when", lang), format="DD-MM-YYYY HH:mm"),
        "actor": t("network.admin.col_who", lang), "action": t("network.admin.col_action", lang),
        "link_id": t("network.admin.col_link", lang), "changes": t("network.admin.col_changes", lang)})


def _changes_text(value: Any) -> str:
    try:
        changes = json.loads(value) if isinstance(value, str) else (value or {})
    except ValueError:
        return str(value)
    if not isinstance(changes, dict):
        return str(changes)
    parts = []
    for name, pair in changes.items():
        old, new = pair if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, pair)
        parts.append(f"{name}: {'—' if old is None else old} → {'—' if new is None else new}")
    return "; ".join(parts)
