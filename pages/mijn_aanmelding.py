"""Mijn aanmelding: the owner's status page, opened with the secret link ``?ref=...&token=...``."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from mapping.i18n import format as number_format
from mapping import moderation, submissions, ui, ui_forms
from mapping.i18n import kind_label, t
from mapping.listing import md_escape
from mapping.store import StoreError

PREFIX = "mijn"
LOGGER = logging.getLogger("mapping.pages.mijn_aanmelding")

ui.use_app_navigation()
store = ui.get_store()
lang = ui.language()
state = st.session_state

st.title(t("mijn.title", lang))

reference = ui.get_param("ref") or state.get(f"{PREFIX}_ref_input", "")
token = ui.get_param("token") or state.get(f"{PREFIX}_token_input", "")
if not (ui.get_param("ref") and ui.get_param("token")):
    st.write(t("mijn.intro", lang))
    with st.form(f"{PREFIX}_open"):
        st.text_input(t("mijn.ref", lang), key=f"{PREFIX}_ref_input")
        st.text_input(t("mijn.token", lang), key=f"{PREFIX}_token_input", type="password")
        opened = st.form_submit_button(t("mijn.open", lang))
    if not opened and not (reference and token):
        st.stop()

view = submissions.owner_view(store, reference, token) if reference and token else None
if view is None:
    st.error(t("mijn.not_found", lang), icon="🔑")
    st.stop()


def flash(message: str, kind: str = "success") -> None:
    state[f"{PREFIX}_flash"] = (kind, message)


def run_action(action, *args, done: str, **params) -> None:
    try:
        result = action(store, view.reference, token, *args)
    except submissions.SubmissionError as exc:
        flash(t(exc.code, lang, **exc.params), "error")
        return
    except (StoreError, OSError) as exc:
        LOGGER.error("Owner action not stored: %s", type(exc).__name__)
        flash(t("mijn.db_error", lang), "error")
        return
    values = {"reference": result} if isinstance(result, str) else {"date": number_format.date(result, lang)} if result else {}
    flash(t(done, lang, **values, **params))
    ui_forms.clear(f"{PREFIX}_edit")


def save_edit() -> None:
    try:
        checked, changed = submissions.owner_update(store, view.reference, token, ui_forms.collect(f"{PREFIX}_edit"))
    except submissions.SubmissionError as exc:
        flash(t(exc.code, lang, **exc.params), "error")
        return
    except (StoreError, OSError) as exc:
        LOGGER.error("Owner edit not stored: %s", type(exc).__name__)
        flash(t("mijn.db_error", lang), "error")
        return
    if changed is None:
        state[f"{PREFIX}_edit_errors"] = checked.errors
        return
    state.pop(f"{PREFIX}_edit_errors", None)
    ui_forms.clear(f"{PREFIX}_edit")
    flash(t("mijn.saved", lang, reference=changed))


message = state.pop(f"{PREFIX}_flash", None)
if message:
    (st.success if message[0] == "success" else st.error)(message[1])

record = view.record or {}
current = view.current
name = record.get("name") or current["payload"].get("name") or view.reference
st.subheader(md_escape(name))
original = view.thread[-1]
st.caption(t("mijn.reference", lang, reference=view.reference, when=number_format.date(original['created_at'], lang)))

status_box = {"pending": st.info, "approved": st.success, "rejected": st.warning, "merged": st.info,
              "withdrawn": st.info}[current["status"]]
if current["submission_type"] == "change" and current["status"] == "pending" and record.get("status") == "approved":
    st.success(t("mijn.status.approved", lang))
    st.info(t("mijn.change_pending", lang, reference=current["id"]))
else:
    status_box(t(f"mijn.status.{current['status']}", lang))
if current.get("review_reason") and current["status"] == "rejected":
    st.write(t("mijn.review_reason", lang, reason=md_escape(current["review_reason"])))
if view.merged_into:
    st.write(t("mijn.merged_into", lang, name=md_escape(view.merged_into["name"])))

if view.can_confirm:
    verified = record.get("last_verified")
    st.write(t("mijn.last_verified", lang, date=number_format.date(verified, lang)) if verified else t("mijn.never_verified", lang))
    if moderation.is_stale(verified):
        st.warning(t("mijn.stale", lang))
    st.button(t("mijn.confirm", lang), type="primary", key=f"{PREFIX}_confirm",
              on_click=run_action, args=(submissions.confirm_current,), kwargs={"done": "mijn.confirmed"})

shown = current["payload"] if current["status"] == "pending" or not view.record else record
if not current["payload"].get("remove"):
    with st.expander(t("mijn.details", lang), expanded=current["status"] == "pending"):
        rows = []
        for field, label_key in (("name", "aanmelden.field.name"), ("kind", "aanmelden.field.kind"),
                                 ("description", "aanmelden.field.description"), ("address", "aanmelden.field.address"),
                                 ("postcode", "aanmelden.field.postcode"), ("place", "aanmelden.field.place"),
                                 ("website", "aanmelden.field.website"), ("starts_at", "aanmelden.field.start_date"),
                                 ("meeting_url", "aanmelden.field.meeting_url")):
            value = shown.get(field)
            if field == "kind" and value:
                value = kind_label(value, lang)
            if value not in (None, "", []):
                rows.append({t("mijn.field", lang): t(label_key, lang), t("mijn.value", lang): str(value)})
        themes = list(shown.get("themes") or [])
        if themes:
            labels = dict(zip(ui.themes(store)["code"], ui.themes(store)["label_nl" if lang == "nl" else "label_en"]))
            rows.append({t("mijn.field", lang): t("aanmelden.field.themes", lang),
                         t("mijn.value", lang): ", ".join(labels.get(c, c) for c in themes)})
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

if view.can_edit:
    with st.expander(t("mijn.edit", lang), expanded=bool(state.get(f"{PREFIX}_edit_errors"))):
        st.caption(t("mijn.edit_note", lang))
        edit_errors = ui_forms.group_errors(state.get(f"{PREFIX}_edit_errors", []))
        if edit_errors:
            st.error(t("mijn.edit_errors", lang), icon="⚠️")
            ui_forms.show_errors(edit_errors, "form", lang)
        ui_forms.prefill(f"{PREFIX}_edit", view.form_values())
        ui_forms.record_form(store, lang, f"{PREFIX}_edit", edit_errors, show_contact=False, show_consent=False)
        st.button(t("mijn.save", lang), type="primary", key=f"{PREFIX}_save", on_click=save_edit)

if view.can_withdraw:
    st.button(t("mijn.withdraw", lang), key=f"{PREFIX}_withdraw", help=t("mijn.withdraw_help", lang),
              on_click=run_action, args=(submissions.withdraw,), kwargs={"done": "mijn.withdrawn"})
elif view.can_confirm and not any(s["status"] == "pending" and s["payload"].get("remove") for s in view.thread):
    st.button(t("mijn.remove", lang), key=f"{PREFIX}_remove",
              on_click=run_action, args=(submissions.request_removal,), kwargs={"done": "mijn.remove_requested"})

if len(view.thread) > 1:
    st.markdown(f"**{t('mijn.thread', lang)}**")
    st.dataframe(pd.DataFrame([{
        t("mijn.col.reference", lang): item["id"],
        t("mijn.col.type", lang): t(f"mijn.type.{item['submission_type']}", lang),
        t("mijn.col.status", lang): t(f"mijn.state.{item['status']}", lang),
        t("mijn.col.date", lang): number_format.date(item['updated_at'], lang),
        t("mijn.col.note", lang): item.get("review_reason") or "",
    } for item in view.thread]), hide_index=True, width="stretch")
