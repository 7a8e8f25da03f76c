"""Privacy: what the map stores about submitters, why, for how long, and how to have it removed."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from mapping import ui
from mapping.i18n import t
from mapping.listing import md_escape

ui.use_app_navigation()
lang = ui.language()

st.title(t("privacy.title", lang))
st.markdown(t("privacy.body", lang))
email = ui.contact_email()
if email:
    st.markdown(t("privacy.contact", lang, email=f"[{md_escape(email)}](mailto:{quote(email, safe='@')})"))
else:
    st.warning(t("privacy.contact_missing", lang))
