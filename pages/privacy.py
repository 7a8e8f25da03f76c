"""Privacy: what the map stores about submitters, why, for how long, and how to have it removed."""

from __future__ import annotations

import streamlit as st

from mapping import ui
from mapping.i18n import t

ui.use_app_navigation()
lang = ui.language()

st.title(t("privacy.title", lang))
st.markdown(t("privacy.body", lang))
