"""Aanmelden: initiatives put themselves on the map; everything stays pending until a moderator approves."""

from __future__ import annotations

import logging
import time

import streamlit as st

from mapping import submissions, ui, ui_forms
from mapping.i18n import t
from mapping.listing import md_escape
from mapping.records import FieldError
from mapping.store import StoreError

PREFIX = "aanm"
LOGGER = logging.getLogger("mapping.pages.aanmelden")

ui.use_app_navigation()
store = ui.get_store()
lang = ui.language()
state = st.session_state


def _secrets_section(name: str) -> dict:
    try:
        return dict(st.secrets.get(name) or {})
    except Exception:       # no secrets.toml at all
        return {}


settings = submissions.spam_settings(secrets_section=_secrets_section("spam"))
state.setdefault(f"{PREFIX}_started", time.time())
if settings.challenge and f"{PREFIX}_challenge" not in state:
    state[f"{PREFIX}_challenge"] = submissions.make_challenge()


def _fail(errors: list[FieldError]) -> None:
    state[f"{PREFIX}_errors"] = errors
    state.pop(f"{PREFIX}_duplicates", None)


def send(decision: str | None = None, target: str | None = None) -> None:
    """Submit callback: spam checks, the same checks as the importer, the duplicate question,
    then one atomic write. The success screen appears only after the commit."""
    state.pop(f"{PREFIX}_db_error", None)
    now = time.time()
    settings = submissions.spam_settings(secrets_section=_secrets_section("spam"))
    challenge = state.get(f"{PREFIX}_challenge")
    spam = submissions.spam_errors(
        honeypot=state.get(f"{PREFIX}_hp"), started_at=state.get(f"{PREFIX}_started"), now=now,
        recent=list(state.get(f"{PREFIX}_sent", [])), settings=settings,
        challenge_answer=state.get(f"{PREFIX}_challenge_answer"),
        challenge_expected=challenge[1] if challenge else None)
    if spam:
        if any(e.code == "aanmelden.error.challenge" for e in spam):
            state[f"{PREFIX}_challenge"] = submissions.make_challenge()
            state.pop(f"{PREFIX}_challenge_answer", None)
        _fail(spam)
        return
    active = ui.get_store()
    raw = ui_forms.collect(PREFIX)
    checked = submissions.check(active, raw)
    if not checked.ok:
        _fail(checked.errors)
        return
    state[f"{PREFIX}_errors"] = []
    if decision is None:
        # Only published records, and never matched on e-mail here: telling a visitor which record
        # an e-mail address belongs to would disclose contact data. Moderators see e-mail matches.
        candidates = submissions.find_duplicates(active, checked.record, statuses=("approved",))
        if candidates:
            state[f"{PREFIX}_duplicates"] = [c.__dict__ for c in candidates]
            return
    try:
        receipt = submissions.create_submission(
            active, checked, target_record_id=target if decision == "change" else None)
    except submissions.SubmissionError as exc:
        _fail([FieldError("form", exc.code, exc.params)])
        return
    except (StoreError, OSError) as exc:
        # Never log the exception text: it could echo what was typed. The type is enough.
        LOGGER.error("Submission not stored: %s", type(exc).__name__)
        state[f"{PREFIX}_db_error"] = True
        return
    state[f"{PREFIX}_sent"] = [t_ for t_ in state.get(f"{PREFIX}_sent", []) if now - t_ < settings.window_seconds] + [now]
    state.pop(f"{PREFIX}_duplicates", None)
    state[f"{PREFIX}_receipt"] = {"reference": receipt.reference, "token": receipt.token,
                                  "type": receipt.submission_type}


def start_over() -> None:
    sent = state.get(f"{PREFIX}_sent", [])
    ui_forms.clear(PREFIX)
    state[f"{PREFIX}_sent"] = sent
    state[f"{PREFIX}_started"] = time.time()


st.title(t("aanmelden.title", lang))

receipt = state.get(f"{PREFIX}_receipt")
if receipt:
    heading = "aanmelden.success.change_heading" if receipt["type"] == "change" else "aanmelden.success.heading"
    st.success(t(heading, lang), icon="✅")
    st.subheader(t("aanmelden.success.reference", lang, reference=receipt["reference"]))
    st.write(t("aanmelden.success.pending", lang))
    st.write(t("aanmelden.success.link_intro", lang))
    relative = submissions.status_link(".", receipt["reference"], receipt["token"]).removeprefix("./")
    base = (st.context.url or "").rsplit("/", 1)[0] if st.context.url else ""
    st.code(f"{base}/{relative}" if base else relative, language=None)
    st.link_button(t("aanmelden.success.open", lang), f"./{relative}")
    st.button(t("aanmelden.success.new", lang), on_click=start_over)
    st.stop()

st.write(t("aanmelden.intro", lang))
st.markdown(t("aanmelden.privacy_note", lang))   # not a caption: a faded link fails contrast
st.caption(t("aanmelden.required_note", lang))

errors = ui_forms.group_errors(state.get(f"{PREFIX}_errors", []))
if errors:
    named = [ui_forms.form_field_label(e.field, lang) for field_errors in errors.values() for e in field_errors]
    st.error(t("aanmelden.form_errors", lang, count=len(errors),
               fields=", ".join(dict.fromkeys(n for n in named if n))), icon="⚠️")
    ui_forms.show_errors(errors, "form", lang)
if state.get(f"{PREFIX}_db_error"):
    st.error(t("aanmelden.db_error", lang), icon="🛑")

ui_forms.record_form(store, lang, PREFIX, errors, show_contact=True, show_consent=True)

# Honeypot: invisible to people (hidden by CSS), tempting to form-filling bots.
st.html(f"<style>.st-key-{PREFIX}_hp {{position:absolute; left:-10000px; height:1px; overflow:hidden}}</style>")
st.text_input(t("aanmelden.honeypot", lang), key=f"{PREFIX}_hp", autocomplete="off", label_visibility="collapsed")
if settings.challenge:
    params, _answer = state[f"{PREFIX}_challenge"]
    st.text_input(t("aanmelden.challenge", lang, **params), key=f"{PREFIX}_challenge_answer")
    ui_forms.show_errors(errors, "challenge", lang)

duplicates = state.get(f"{PREFIX}_duplicates")
if duplicates:
    with st.container(border=True):
        st.subheader(t("aanmelden.dup.heading", lang))
        st.write(t("aanmelden.dup.intro", lang))
        for candidate in duplicates:
            reasons = ", ".join(
                t(f"aanmelden.dup.reason.{r}", lang, distance=int(round(candidate["distance_m"] or 0, -1)))
                for r in candidate["reasons"])
            place = f" — {md_escape(candidate['place'])}" if candidate.get("place") else ""
            st.markdown(f"**{md_escape(candidate['name'])}**{place}  \n{reasons}")
            st.button(t("aanmelden.dup.propose", lang), key=f"{PREFIX}_dup_{candidate['id']}", on_click=send,
                      args=("change", candidate["id"]))
        st.button(t("aanmelden.dup.continue", lang), key=f"{PREFIX}_dup_new", type="primary", on_click=send,
                  args=("new", None))
else:
    st.button(t("aanmelden.submit", lang), type="primary", on_click=send, key=f"{PREFIX}_submit")
