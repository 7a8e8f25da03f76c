"""Moderatie: sign-in required; the queue with reasons, decisions, edits, merges and the history."""

from __future__ import annotations

import importlib.util
import logging
from datetime import datetime

import pandas as pd
import streamlit as st

from mapping.i18n import format as number_format
from mapping import moderation, ui, ui_forms
from mapping.i18n import kind_label, t
from mapping.listing import md_escape
from mapping.store import StoreError
from mapping.submissions import SubmissionError

PREFIX = "mod"
LOGGER = logging.getLogger("mapping.pages.moderatie")

ui.use_app_navigation()
store = ui.get_store()
lang = ui.language()
state = st.session_state

st.title(t("moderatie.title", lang))
actor = ui_forms.moderator_gate(lang)
if not actor:
    refused = state.pop(f"{PREFIX}_flash", None)      # e.g. an action refused because the session ended
    if refused:
        st.error(refused[1])
    st.stop()
ui_forms.moderator_logout(lang, actor)
st.caption(t("moderatie.intro", lang))

if not state.get(f"{PREFIX}_purged"):
    # Retention runs whenever a moderator opens the page (see the privacy statement).
    try:
        moderation.purge_contacts(store)
    except StoreError:
        LOGGER.warning("Contact retention could not run now; it runs again on the next visit")
    state[f"{PREFIX}_purged"] = True


def flash(kind: str, message: str) -> None:
    state[f"{PREFIX}_flash"] = (kind, message)


def acting_moderator() -> str | None:
    """The moderator signed in at the moment a button callback runs (re-checked server-side, not
    the name drawn on the previous run); None after flashing why nothing was changed."""
    who = ui_forms.current_moderator()
    if not who:
        LOGGER.warning("Moderation action refused: the moderator session was revoked or has expired")
        flash("error", t("moderatie.error.session_expired", lang))
    return who


def decide(action, *args, done: str, seen=None, **params) -> None:
    """Run one moderation decision as the moderator signed in now, on the version shown (``seen``:
    its updated_at); report the outcome after the rerun."""
    who = acting_moderator()
    if not who:
        return
    try:
        action(store, *args, who, **({"expected_updated_at": seen} if seen is not None else {}))
    except SubmissionError as exc:
        flash("error", moderation.error_text(exc, lang))
        return
    except (StoreError, OSError) as exc:
        LOGGER.error("Moderation decision not stored: %s", type(exc).__name__)
        flash("error", t("moderatie.db_error", lang))
        return
    flash("success", t(done, lang, **params))


def save_edit(reference: str, prefix: str, approve_after: bool, name: str, seen) -> None:
    who = acting_moderator()
    if not who:
        return
    try:
        saved_at = datetime.now()
        checked = moderation.save_edits(store, reference, who, ui_forms.collect(prefix), now=saved_at,
                                        expected_updated_at=seen)
        if not checked.ok:
            state[f"{prefix}_errors"] = checked.errors
            return
        state.pop(f"{prefix}_errors", None)
        if approve_after:       # exactly the version just saved
            moderation.approve(store, reference, who, expected_updated_at=saved_at)
    except SubmissionError as exc:
        flash("error", moderation.error_text(exc, lang))
        return
    except (StoreError, OSError) as exc:
        LOGGER.error("Moderation edit not stored: %s", type(exc).__name__)
        flash("error", t("moderatie.db_error", lang))
        return
    ui_forms.clear(prefix)
    flash("success", t("moderatie.done.approved" if approve_after else "moderatie.done.saved", lang,
                       name=md_escape(checked.record["name"] if checked.record else name)))


def reject(reference: str, seen) -> None:
    decide(lambda s, ref, who, **kw: moderation.reject(s, ref, who, state.get(f"{PREFIX}_reason_{ref}", ""), **kw),
           reference, done="moderatie.done.rejected", seen=seen, id=reference)


def reasons_text(reasons: list[str]) -> str:
    return ", ".join(t(f"moderatie.reason.{r}", lang) for r in reasons)


def as_text(value) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def render_submission(reference: str) -> None:
    detail = moderation.submission_detail(store, reference)
    if detail is None:
        st.error(t("moderatie.error.not_found", lang, id=reference))
        return
    sub = detail.submission
    name = detail.proposed.get("name") or (detail.record or {}).get("name") or reference
    st.subheader(t("moderatie.submission_heading", lang, id=reference, name=md_escape(name)))
    st.caption(t("moderatie.meta", lang, type=t(f"moderatie.type.{sub['submission_type']}", lang),
                 created=number_format.datetime(sub['created_at'], lang), record=md_escape(sub["record_id"])))
    if detail.is_removal:
        st.warning(t("moderatie.removal_note", lang))
    if detail.diff:
        st.dataframe(pd.DataFrame([{t("moderatie.col.field", lang): ui_forms.field_label(field, lang),
                                    t("moderatie.col.current", lang): as_text(old),
                                    t("moderatie.col.proposed", lang): as_text(new)} for field, old, new in detail.diff]),
                     hide_index=True, width="stretch")
    else:
        st.info(t("moderatie.no_changes", lang))
    if detail.partners:
        st.markdown(f"**{t('moderatie.partners', lang)}**")
        st.text(", ".join(p["name"] for p in detail.partners))
    if detail.proposed.get("partners_text"):
        st.markdown(f"**{t('moderatie.partners_text', lang)}**")
        st.text(detail.proposed["partners_text"])
    if detail.duplicates:
        st.markdown(f"**{t('moderatie.duplicates', lang)}**")
        st.dataframe(pd.DataFrame([{
            "id": c.id, t("common.name", lang): c.name, t("common.place", lang): c.place or "",
            t("moderatie.col.reasons", lang): ", ".join(t(f"moderatie.dup_reason.{r}", lang) for r in c.reasons),
            "status": t(f"moderatie.status.{c.status}", lang),
        } for c in detail.duplicates]), hide_index=True, width="stretch")
    with st.expander(t("moderatie.contact_private", lang)):
        if detail.contact:
            st.text(f"{detail.contact['contact_name'] or ''} <{detail.contact['contact_email'] or ''}>")
            consent = detail.contact.get("consent_at")
            st.caption(t("moderatie.consent_at", lang, when=number_format.datetime(consent, lang)) if consent
                       else t("moderatie.consent_none", lang))
        else:
            st.caption(t("moderatie.no_contact", lang))

    approve_label = "moderatie.approve_removal" if detail.is_removal else "moderatie.approve"
    done = "moderatie.done.removed" if detail.is_removal else "moderatie.done.approved"
    st.button(t(approve_label, lang), type="primary", key=f"{PREFIX}_approve_{reference}",
              on_click=decide, args=(moderation.approve, reference),
              kwargs={"done": done, "seen": sub["updated_at"], "name": md_escape(name)})
    with st.expander(t("moderatie.reject", lang)):
        st.text_area(t("moderatie.reject_reason", lang), key=f"{PREFIX}_reason_{reference}", height=80)
        st.button(t("moderatie.reject", lang), key=f"{PREFIX}_reject_{reference}", on_click=reject, args=(reference, sub["updated_at"]))
    if detail.is_removal:
        return
    edit_prefix = f"{PREFIX}_edit_{reference}"
    edit_errors = ui_forms.group_errors(state.get(f"{edit_prefix}_errors", []))
    with st.expander(t("moderatie.edit", lang), expanded=bool(edit_errors)):
        if edit_errors:
            st.error(t("moderatie.edit_errors", lang), icon="⚠️")
            ui_forms.show_errors(edit_errors, "form", lang)
        ui_forms.prefill(edit_prefix, moderation.edit_form_values(store, reference))
        ui_forms.record_form(store, lang, edit_prefix, edit_errors, show_contact=False, show_consent=False)
        left, right = st.columns(2)
        left.button(t("moderatie.save", lang), key=f"{edit_prefix}_save", on_click=save_edit,
                    args=(reference, edit_prefix, False, name, sub["updated_at"]))
        right.button(t("moderatie.save_approve", lang), key=f"{edit_prefix}_save_approve", type="primary",
                     on_click=save_edit, args=(reference, edit_prefix, True, name, sub["updated_at"]))
    if sub["submission_type"] == "new":
        with st.expander(t("moderatie.merge", lang), expanded=bool(detail.duplicates)):
            st.caption(t("moderatie.merge_help", lang))
            choices = moderation.record_choices(store)
            choices = choices[(choices["status"] == "approved") & (choices["id"] != sub["record_id"])]
            labels = {row.id: f"{row.name} ({row.place})" if isinstance(row.place, str) and row.place else row.name
                      for row in choices.itertuples(index=False)}
            options = [c.id for c in detail.duplicates if c.id in labels] + \
                      [rid for rid in labels if rid not in {c.id for c in detail.duplicates}]
            target = st.selectbox(t("moderatie.merge_target", lang), options, key=f"{PREFIX}_merge_{reference}",
                                  format_func=lambda rid: labels.get(rid, rid))
            if target:
                st.button(t("moderatie.merge_button", lang), key=f"{PREFIX}_merge_btn_{reference}",
                          on_click=decide, args=(lambda s, ref, who, **kw: moderation.merge_submission(
                              s, ref, target, who, **kw), reference),
                          kwargs={"done": "moderatie.done.merged", "seen": sub["updated_at"],
                                  "name": md_escape(labels[target])})


def render_stale(record_id: str, name: str, last_verified) -> None:
    if last_verified:
        st.subheader(t("moderatie.stale_heading", lang, name=md_escape(name), date=number_format.date(last_verified, lang)))
    else:
        st.subheader(t("moderatie.stale_never_heading", lang, name=md_escape(name)))
    st.caption(t("moderatie.stale_help", lang))
    record = moderation.record_row(store, record_id) or {}
    if record.get("kind"):
        record["kind"] = kind_label(record["kind"], lang)
    st.dataframe(pd.DataFrame([{t("moderatie.col.field", lang): ui_forms.field_label(k, lang),
                                t("moderatie.col.current", lang): as_text(record.get(k))}
                               for k in ("name", "kind", "place", "website", "source_url", "last_verified")]),
                 hide_index=True, width="stretch")
    st.button(t("moderatie.confirm", lang), type="primary", key=f"{PREFIX}_confirm_{record_id}",
              on_click=decide, args=(moderation.confirm_record, record_id),
              kwargs={"done": "moderatie.done.confirmed", "seen": record.get("updated_at"), "name": md_escape(name)})
    with st.expander(t("moderatie.archive", lang)):
        st.text_input(t("moderatie.archive_reason", lang), key=f"{PREFIX}_archive_reason_{record_id}")
        st.button(t("moderatie.archive", lang), key=f"{PREFIX}_archive_{record_id}",
                  on_click=decide, args=(lambda s, rid, who, **kw: moderation.archive_record(
                      s, rid, who, state.get(f"{PREFIX}_archive_reason_{rid}", ""), **kw), record_id),
                  kwargs={"done": "moderatie.done.archived", "seen": record.get("updated_at"), "name": md_escape(name)})


message = state.pop(f"{PREFIX}_flash", None)
if message:
    (st.success if message[0] == "success" else st.error)(message[1])

items = moderation.queue(store)
has_links = importlib.util.find_spec("mapping.ui_links") is not None
tab_names = [t("moderatie.tab.queue", lang, count=len(items)), t("moderatie.tab.history", lang)]
if has_links:
    tab_names.append(t("moderatie.tab.links", lang))
tab_names.append(t("imports.ui.tab", lang))  # issue 15: the import section lives in ui_import
tabs = st.tabs(tab_names)

with tabs[0]:
    n_submissions = int((items["item_type"] == "submission").sum())
    show_options = ["all", "submissions", "stale"]
    counts = {"all": len(items), "submissions": n_submissions, "stale": len(items) - n_submissions}
    show = st.radio(t("moderatie.show", lang), show_options, horizontal=True, key=f"{PREFIX}_show",
                    format_func=lambda option: t(f"moderatie.show.{option}", lang, count=counts[option]))
    if show == "submissions":
        items = items[items["item_type"] == "submission"]
    elif show == "stale":
        items = items[items["item_type"] == "record"]
    if items.empty:
        st.info(t("moderatie.queue_empty" if show == "all" else "moderatie.queue_empty_filtered", lang))
    else:
        st.dataframe(pd.DataFrame({
            t("moderatie.col.item", lang): items["item_id"],
            t("common.name", lang): items["name"].fillna(""),
            t("common.kind", lang): [kind_label(k, lang) if k else "" for k in items["kind"]],
            t("moderatie.col.reasons", lang): [reasons_text(r) for r in items["reasons"]],
            t("moderatie.col.created", lang): [number_format.date(c, lang) if pd.notna(c) else "" for c in items["created_at"]],
            t("common.last_verified", lang): [number_format.date(d, lang) if d else "—" for d in items["last_verified"]],
        }), hide_index=True, width="stretch")
        labels = {row.item_id: f"{row.item_id} — {row.name} [{reasons_text(row.reasons)}]"
                  for row in items.itertuples(index=False)}
        chosen = st.selectbox(t("moderatie.pick_item", lang), list(labels), key=f"{PREFIX}_pick",
                              format_func=lambda item: labels.get(item, item))
        if chosen:
            row = items[items["item_id"] == chosen].iloc[0]
            if row["item_type"] == "submission":
                render_submission(chosen)
            else:
                render_stale(row["record_id"], row["name"], row["last_verified"])

with tabs[1]:
    st.caption(t("moderatie.history_note", lang))
    records = moderation.record_choices(store)
    names = {row.id: f"{row.name} [{t(f'moderatie.status.{row.status}', lang)}] — {row.id}"
             for row in records.itertuples(index=False)}
    picked = st.selectbox(t("moderatie.history_pick", lang), list(names), key=f"{PREFIX}_history_pick",
                          format_func=lambda rid: names.get(rid, rid), index=None)
    if picked:
        trail = moderation.history(store, picked)
        if trail.empty:
            st.info(t("moderatie.history_empty", lang))
        else:
            st.dataframe(pd.DataFrame({
                t("moderatie.col.when", lang): [number_format.datetime(w, lang) for w in trail["changed_at"]],
                t("moderatie.col.who", lang): trail["actor"],
                t("moderatie.col.action", lang): trail["action"],
                t("moderatie.col.what", lang): [f"{e} {i}" for e, i in zip(trail["entity_type"], trail["entity_id"])],
                t("moderatie.col.changes", lang): [moderation.format_changes(c) for c in trail["changes"]],
            }), hide_index=True, width="stretch")

if has_links:
    with tabs[2]:
        from mapping import ui_links

        ui_links.render_link_admin(store, lang, actor, authorise=ui_forms.current_moderator)

with tabs[-1]:  # the session is checked again, server-side, when an import or undo runs
    from mapping import ui_import

    ui_import.render(store, lang, actor, recheck=ui_forms.current_moderator)

# Backup download (embedded mode): the session is checked again when the button is clicked.
from mapping import ui_backup  # noqa: E402

ui_backup.render_backup_section(store, lang, ui_forms.current_moderator)
