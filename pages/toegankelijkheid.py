"""Toegankelijkheidsverklaring: the standard, the status, how it is checked, the known limitations
and how to report a problem (structure of the Dutch model statement)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from mapping import ui
from mapping.i18n import format as number_format
from mapping.i18n import t

UPDATED = dt.date(2026, 12, 2)

ui.use_app_navigation()
lang = ui.language()

st.title(t("a11y.title", lang))
st.markdown(t("a11y.intro", lang))
for part in ("standard", "status", "checked", "limits", "report"):
    st.header(t(f"a11y.{part}.heading", lang))
    st.markdown(t(f"a11y.{part}.body", lang))
st.markdown(t("a11y.updated", lang, date=number_format.date(UPDATED, lang, "long")))
