"""Streamlit widgets of the write path, shared by the Aanmelden, Mijn aanmelding and Moderatie
pages: the record form with a message next to each field, the small map to click a more precise
point, and the moderator sign-in gate.

Widget values live in ``st.session_state`` under ``<prefix>_<field>`` keys, so a failed submit
keeps everything typed, and callbacks can read the form without the widgets' return values.
All user text that reaches Markdown is escaped here; tables go through ``st.dataframe``.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from typing import Any

import pandas as pd
import streamlit as st

from mapping import auth, queries, submissions, ui
from mapping.i18n import kind_label, t
from mapping.listing import md_escape   # the one Markdown escaper
from mapping.records import KINDS, LIMITS, FieldError, clean_text, fold
from mapping.store import Store

# Fields that have a widget (errors for any other field are shown above the form).
WIDGET_FIELDS = (
    "name", "kind", "themes", "description", "online", "address", "postcode", "place", "lat", "website",
    "starts_at", "ends_at", "meeting_url", "partners", "partners_text", "contact_name", "contact_email",
    "consent", "challenge",
)
# Labels for record fields in tables (diffs, details); fields without one show their own name.
FIELD_LABELS = {
    "name": "common.name", "kind": "common.kind", "themes": "common.themes", "description": "common.description",
    "address": "aanmelden.field.address", "postcode": "aanmelden.field.postcode", "place": "common.place",
    "website": "common.website", "meeting_url": "aanmelden.field.meeting_url", "starts_at": "aanmelden.field.start_date",
    "online": "aanmelden.field.online", "last_verified": "common.last_verified", "source_url": "common.source",
    "location_precision": "moderatie.field.precision", "lat": "moderatie.field.lat", "lon": "moderatie.field.lon",
    "provincie_code": "level.provincie", "gemeente_code": "level.gemeente", "wijk_code": "level.wijk",
    "zorgkantoorregio_code": "level.zorgkantoorregio", "status": "moderatie.field.status",
}
def error_message(error: FieldError, lang: str) -> str:
    params = {k: md_escape(v) if isinstance(v, str) else v for k, v in error.params.items()}
    return t(error.code, lang, **params)


def group_errors(errors: list[FieldError]) -> dict[str, list[FieldError]]:
    grouped: dict[str, list[FieldError]] = {}
    for error in errors:
        field = error.field if error.field in WIDGET_FIELDS else "form"
        grouped.setdefault(field, []).append(error)
    return grouped


_FORM_LABEL_ALIASES = {"starts_at": "start_date", "ends_at": "end_time"}
# The consent checkbox's label is a whole sentence: errors name it by a short word.
_SHORT_LABELS = {"consent": "a11y.field.consent"}


def form_field_label(field: str, lang: str) -> str:
    """The label the visitor sees on the form for ``field`` ('' for form-wide errors)."""
    from mapping.i18n import catalogue

    if field in _SHORT_LABELS:
        return t(_SHORT_LABELS[field], lang)
    key = f"aanmelden.field.{_FORM_LABEL_ALIASES.get(field, field)}"
    if key in catalogue():
        return t(key, lang)
    return field_label(field, lang) if field in FIELD_LABELS else ""


def show_errors(errors: dict[str, list[FieldError]], field: str, lang: str) -> None:
    """The messages of one field, right under its widget. Each names its field (a screen reader
    announces the alert on its own, away from the label) and is an ARIA alert (``st.error``)."""
    for error in errors.get(field, []):
        label = form_field_label(error.field, lang)
        message = error_message(error, lang)
        st.error(f"**{label}:** {message}" if label else message, icon="⚠️")   # label: our own text


def field_label(field: str, lang: str) -> str:
    return t(FIELD_LABELS[field], lang) if field in FIELD_LABELS else field


def key(prefix: str, field: str) -> str:
    return f"{prefix}_{field}"


# -- prefilling and reading -----------------------------------------------------------------------

def prefill(prefix: str, values: dict[str, Any]) -> None:
    """Put stored values into the widgets once (never over what the user is typing)."""
    marker = key(prefix, "_prefilled")
    if st.session_state.get(marker):
        return
    st.session_state[marker] = True
    plain = ("name", "description", "address", "postcode", "place", "website", "meeting_url", "partners_text")
    for name in plain:
        st.session_state[key(prefix, name)] = str(values.get(name) or "")
    st.session_state[key(prefix, "kind")] = values.get("kind") if values.get("kind") in KINDS else KINDS[0]
    st.session_state[key(prefix, "themes")] = list(values.get("themes") or [])
    st.session_state[key(prefix, "online")] = bool(values.get("online"))
    st.session_state[key(prefix, "partners")] = list(values.get("partners") or [])
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if isinstance(starts, datetime):
        st.session_state[key(prefix, "start_date")] = starts.date()
        if not values.get("all_day"):
            st.session_state[key(prefix, "start_time")] = starts.time()
    if isinstance(ends, datetime):
        st.session_state[key(prefix, "end_time")] = ends.time()
    if values.get("lat") is not None and values.get("location_precision") == "address":
        st.session_state[key(prefix, "point")] = {
            "lat": float(values["lat"]), "lon": float(values["lon"]),
            "basis": _basis(values.get("postcode"), values.get("place")),
        }


def clear(prefix: str) -> None:
    for name in list(st.session_state.keys()):
        if isinstance(name, str) and name.startswith(prefix + "_"):
            del st.session_state[name]


def _fill_place_from_postcode(store: Store, prefix: str) -> None:
    """The Plaats field shows the place of a typed postcode (#18.10), unless the user typed a place
    of their own; a place filled in earlier from another postcode is replaced."""
    filled_key = key(prefix, "place_from_postcode")
    current = clean_text(st.session_state.get(key(prefix, "place")))
    if current and current != st.session_state.get(filled_key):
        return
    found = submissions.geocoder_for(store).place_for_postcode(st.session_state.get(key(prefix, "postcode")))
    if found:
        st.session_state[key(prefix, "place")] = found
        st.session_state[filled_key] = found


def _basis(postcode: Any, place: Any) -> str:
    return f"{clean_text(postcode).upper().replace(' ', '')}|{fold(clean_text(place))}"


def _starts_at(prefix: str) -> datetime | date | None:
    day = st.session_state.get(key(prefix, "start_date"))
    if not isinstance(day, date):
        return None
    moment = st.session_state.get(key(prefix, "start_time"))
    return datetime.combine(day, moment) if isinstance(moment, time) else day


def _ends_at(prefix: str) -> datetime | None:
    day = st.session_state.get(key(prefix, "start_date"))
    moment = st.session_state.get(key(prefix, "end_time"))
    if isinstance(day, date) and isinstance(moment, time):
        return datetime.combine(day, moment)
    return None


def picked_point(prefix: str) -> dict[str, Any] | None:
    """The clicked point, while it still belongs to the postcode/place it was clicked for."""
    point = st.session_state.get(key(prefix, "point"))
    if not point:
        return None
    current = _basis(st.session_state.get(key(prefix, "postcode")), st.session_state.get(key(prefix, "place")))
    return point if point.get("basis") == current else None


def collect(prefix: str) -> dict[str, Any]:
    """The form's raw values as :func:`mapping.submissions.check` takes them."""
    get = st.session_state.get
    raw: dict[str, Any] = {name: get(key(prefix, name)) for name in (
        "name", "kind", "description", "address", "postcode", "place", "website", "partners_text",
        "contact_name", "contact_email")}
    raw["themes"] = list(get(key(prefix, "themes")) or [])
    raw["partners"] = list(get(key(prefix, "partners")) or [])
    raw["online"] = bool(get(key(prefix, "online")))
    raw["consent"] = bool(get(key(prefix, "consent")))
    if raw.get("kind") == "meetup":
        raw["starts_at"] = _starts_at(prefix)
        raw["ends_at"] = _ends_at(prefix)
        raw["meeting_url"] = get(key(prefix, "meeting_url"))
    point = picked_point(prefix)
    if point:
        raw["lat"], raw["lon"], raw["location_precision"] = point["lat"], point["lon"], "address"
    return raw


# -- the form ---------------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=4)
def _partner_options(_store: Store, data_key: str) -> pd.DataFrame:
    return queries.records(_store, queries.Filter(), columns=("id", "name", "kind", "place"))


@st.cache_data(show_spinner=False, max_entries=64)
def _picker_outlines(_store: Store, store_path: str, gemeente: str | None):
    from mapping import maps

    return maps.outlines_for(_store, queries.Filter(gemeente=gemeente) if gemeente else queries.Filter())


def record_form(store: Store, lang: str, prefix: str, errors: dict[str, list[FieldError]], *,
                show_contact: bool, show_consent: bool, show_partners: bool = True) -> None:
    """All record fields with their messages. Contact and consent only where they belong (the
    sign-up form); an owner's or moderator's edit never shows or changes contact details."""
    themes = ui.themes(store)
    label_col, desc_col = ("label_nl", "description_nl") if lang == "nl" else ("label_en", "description_en")
    theme_labels = dict(zip(themes["code"], themes[label_col]))

    st.text_input(t("aanmelden.field.name", lang), key=key(prefix, "name"), help=t("aanmelden.help.name", lang))
    show_errors(errors, "name", lang)
    st.selectbox(t("aanmelden.field.kind", lang), list(KINDS), key=key(prefix, "kind"),
                 format_func=lambda k: kind_label(k, lang), help=t("aanmelden.help.kind", lang))
    show_errors(errors, "kind", lang)
    st.multiselect(t("aanmelden.field.themes", lang), list(themes["code"]), key=key(prefix, "themes"),
                   format_func=lambda c: theme_labels.get(c, c), placeholder=t("aanmelden.themes_placeholder", lang),
                   help=t("aanmelden.help.themes", lang))
    with st.expander(t("aanmelden.themes_explained", lang)):
        st.dataframe(pd.DataFrame({t("common.themes", lang): themes[label_col], t("common.description", lang): themes[desc_col]}),
                     hide_index=True, width="stretch")
    show_errors(errors, "themes", lang)
    st.text_area(t("aanmelden.field.description", lang), key=key(prefix, "description"), height=120,
                 help=t("aanmelden.help.description", lang, max=LIMITS["description"]))
    show_errors(errors, "description", lang)

    st.markdown(f"**{t('aanmelden.section.where', lang)}**")
    st.checkbox(t("aanmelden.field.online", lang), key=key(prefix, "online"), help=t("aanmelden.help.online", lang))
    show_errors(errors, "online", lang)
    left, right = st.columns([1, 2])
    with left:
        st.text_input(t("aanmelden.field.postcode", lang), key=key(prefix, "postcode"), placeholder="2341 AB",
                      help=t("aanmelden.help.postcode", lang), on_change=_fill_place_from_postcode, args=(store, prefix))
        show_errors(errors, "postcode", lang)
    with right:
        st.text_input(t("aanmelden.field.place", lang), key=key(prefix, "place"), help=t("aanmelden.help.place", lang))
        show_errors(errors, "place", lang)
    st.text_input(t("aanmelden.field.address", lang), key=key(prefix, "address"), help=t("aanmelden.help.address", lang))
    show_errors(errors, "address", lang)
    location_picker(store, lang, prefix)
    show_errors(errors, "lat", lang)

    st.text_input(t("aanmelden.field.website", lang), key=key(prefix, "website"), placeholder="https://",
                  help=t("aanmelden.help.website", lang))
    show_errors(errors, "website", lang)

    if st.session_state.get(key(prefix, "kind")) == "meetup":
        st.markdown(f"**{t('aanmelden.section.when', lang)}**")
        day, start, end = st.columns(3)
        with day:
            st.date_input(t("aanmelden.field.start_date", lang), value=None, key=key(prefix, "start_date"),
                          format="DD-MM-YYYY")
        with start:
            st.time_input(t("aanmelden.field.start_time", lang), value=None, key=key(prefix, "start_time"), step=900)
        with end:
            st.time_input(t("aanmelden.field.end_time", lang), value=None, key=key(prefix, "end_time"), step=900)
        show_errors(errors, "starts_at", lang)
        show_errors(errors, "ends_at", lang)
        st.text_input(t("aanmelden.field.meeting_url", lang), key=key(prefix, "meeting_url"), placeholder="https://",
                      help=t("aanmelden.help.meeting_url", lang))
        show_errors(errors, "meeting_url", lang)

    if show_partners:
        st.markdown(f"**{t('aanmelden.section.partners', lang)}**")
        options = _partner_options(store, ui.db_key(store))
        labels = {row.id: f"{row.name} ({kind_label(row.kind, lang).lower()}"
                          f"{', ' + row.place if isinstance(row.place, str) and row.place else ''})"
                  for row in options.itertuples(index=False)}
        current = [p for p in st.session_state.get(key(prefix, "partners"), []) if p in labels]
        st.session_state[key(prefix, "partners")] = current
        st.multiselect(t("aanmelden.field.partners", lang), list(labels), key=key(prefix, "partners"),
                       format_func=lambda rid: labels.get(rid, rid), placeholder=t("aanmelden.partners_placeholder", lang),
                       help=t("aanmelden.help.partners", lang))
        show_errors(errors, "partners", lang)
        st.text_area(t("aanmelden.field.partners_text", lang), key=key(prefix, "partners_text"), height=70,
                     help=t("aanmelden.help.partners_text", lang))
        show_errors(errors, "partners_text", lang)

    if show_contact:
        st.markdown(f"**{t('aanmelden.section.contact', lang)}**")
        st.caption(t("aanmelden.contact_private", lang))
        st.text_input(t("aanmelden.field.contact_name", lang), key=key(prefix, "contact_name"), autocomplete="name")
        show_errors(errors, "contact_name", lang)
        st.text_input(t("aanmelden.field.contact_email", lang), key=key(prefix, "contact_email"), autocomplete="email")
        show_errors(errors, "contact_email", lang)
    if show_consent:
        st.checkbox(t("aanmelden.field.consent", lang), key=key(prefix, "consent"))
        show_errors(errors, "consent", lang)


def location_picker(store: Store, lang: str, prefix: str) -> None:
    """A small map: the point found for the postcode or place, and a click to put it more precisely."""
    from streamlit_folium import st_folium

    from mapping import maps

    postcode = st.session_state.get(key(prefix, "postcode"))
    place = st.session_state.get(key(prefix, "place"))
    point = picked_point(prefix)
    found, gemeente = submissions.preview_location(store, postcode, place)
    if point:
        lat, lon = point["lat"], point["lon"]
        gemeente = submissions.point_gemeente(store, lat, lon) or gemeente
        st.caption(t("aanmelden.point.picked", lang, lat=f"{lat:.5f}", lon=f"{lon:.5f}"))
    elif found is not None:
        lat, lon = found.lat, found.lon
        st.caption(t("aanmelden.point.found", lang, label=md_escape(found.label)))
    else:
        lat = lon = None
        st.caption(t("aanmelden.point.none", lang))
    if lat is not None:
        pad = 0.012
        fmap = maps.base_map(bounds=(lat - pad, lon - pad * 1.6, lat + pad, lon + pad * 1.6), lang=lang)
    else:
        fmap = maps.base_map(lang=lang)
    maps.add_outlines(fmap, _picker_outlines(store, store.path, gemeente), lang)
    if lat is not None:
        import folium

        folium.CircleMarker([lat, lon], radius=9, color="#b2182b", weight=3, fill=True, fill_color="#ef8a62",
                            fill_opacity=0.9).add_to(fmap)
    value = st_folium(fmap, key=key(prefix, "map"), height=320, use_container_width=True,
                      returned_objects=["last_clicked"])
    clicked = (value or {}).get("last_clicked") if isinstance(value, dict) else None
    if isinstance(clicked, dict) and clicked.get("lat") is not None and clicked.get("lng") is not None:
        click = (round(float(clicked["lat"]), 6), round(float(clicked["lng"]), 6))
        if st.session_state.get(key(prefix, "last_click")) != click:
            st.session_state[key(prefix, "last_click")] = click
            st.session_state[key(prefix, "point")] = {"lat": click[0], "lon": click[1],
                                                      "basis": _basis(postcode, place)}
            st.rerun()
    if point:
        if submissions.point_gemeente(store, point["lat"], point["lon"]) is None:
            st.error(t("error.outside_nl", lang), icon="⚠️")
        st.button(t("aanmelden.point.reset", lang), key=key(prefix, "reset_point"),
                  on_click=lambda: st.session_state.pop(key(prefix, "point"), None))


# -- moderator sign-in ---------------------------------------------------------------------------------

TOKEN_KEY = "_moderation_login_token"


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


def _client_key() -> str:
    try:
        ip = st.context.ip_address
    except Exception:     # older runtimes / AppTest
        ip = None
    # only a real address string keys the throttle (AppTest's context yields a new mock object per
    # run, which would give every attempt a fresh client and so never lock anyone out)
    return f"ip:{ip}" if isinstance(ip, str) and ip else f"session:{_session_id()}"


def _secrets() -> Any:
    try:
        return st.secrets
    except Exception:
        return None


def current_moderator() -> str | None:
    """The moderator signed in *now*, checked server-side — call it inside every button callback
    that changes data (callbacks run before the page script, so the name drawn on the previous
    run may belong to a session revoked or expired since). None: refuse the action."""
    config = auth.auth_config(_secrets(), os.environ)
    if config.method == "oidc":
        user = st.user
        email = str(user.get("email") or "") if user.get("is_logged_in") else ""
        return email if auth.oidc_user_allowed(config, email, user.get("email_verified", True)) else None
    if config.method == "password":
        return auth.sessions(ui.get_store()).actor_for(st.session_state.get(TOKEN_KEY), _session_id(),
                                                       config.fingerprint)
    return None


def moderator_gate(lang: str) -> str | None:
    """The signed-in moderator's name, or None after rendering the sign-in (or the explanation
    of how to configure it). Nothing in session state or the URL can stand in for a login."""
    config = auth.auth_config(_secrets(), os.environ)
    if config.method is None:
        st.error(t(config.problem or "moderatie.auth.not_configured", lang), icon="🔒")
        st.markdown(t("moderatie.auth.howto", lang))
        return None
    if config.method == "oidc":
        user = st.user
        if not user.get("is_logged_in"):
            st.subheader(t("moderatie.auth.heading", lang))
            st.button(t("moderatie.auth.login_oidc", lang), on_click=st.login,
                      args=(config.provider,) if config.provider else ())
            return None
        email = str(user.get("email") or "")
        if not auth.oidc_user_allowed(config, email, user.get("email_verified", True)):
            auth.LOGGER.warning("Signed-in user not on the moderator list tried the moderation page")
            st.error(t("moderatie.auth.not_allowed", lang, email=md_escape(email)), icon="🔒")
            st.button(t("moderatie.auth.logout", lang), on_click=st.logout)
            return None
        return email
    actor = auth.sessions(ui.get_store()).actor_for(st.session_state.get(TOKEN_KEY), _session_id(), config.fingerprint)
    if actor:
        return actor
    st.session_state.pop(TOKEN_KEY, None)
    st.subheader(t("moderatie.auth.heading", lang))

    def try_login() -> None:
        state = st.session_state
        password = state.get("moderation_login_password") or ""
        state["moderation_login_password"] = ""          # the password never stays in the session
        store = ui.get_store()       # sessions and the throttle are shared by every app process
        result = auth.password_login(config, state.get("moderation_login_name") or "", password,
                                     client=_client_key(), session_id=_session_id(),
                                     throttle=auth.throttle(store), sessions=auth.sessions(store))
        if result.ok:
            state[TOKEN_KEY] = result.token
            state.pop("moderation_login_error", None)
        else:
            state["moderation_login_error"] = (result.error or "moderatie.auth.wrong_password", result.wait_seconds)

    with st.form("moderation_login"):
        st.text_input(t("moderatie.auth.name", lang), key="moderation_login_name")
        st.text_input(t("moderatie.auth.password", lang), type="password", key="moderation_login_password")
        st.form_submit_button(t("moderatie.auth.submit", lang), on_click=try_login)
    failure = st.session_state.pop("moderation_login_error", None)
    if failure:
        st.error(t(failure[0], lang, seconds=failure[1]), icon="🔒")
    return None


def moderator_logout(lang: str, actor: str) -> None:
    st.caption(t("moderatie.auth.signed_in_as", lang, actor=md_escape(actor)))
    config = auth.auth_config(_secrets(), os.environ)
    if config.method == "oidc":
        st.button(t("moderatie.auth.logout", lang), on_click=st.logout, key="moderation_logout")
        return

    def sign_out() -> None:
        auth.sessions(ui.get_store()).revoke(st.session_state.pop(TOKEN_KEY, None))

    st.button(t("moderatie.auth.logout", lang), on_click=sign_out, key="moderation_logout")
