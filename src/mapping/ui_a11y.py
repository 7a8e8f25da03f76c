"""Widgets that give keyboard and screen-reader users what a canvas or map offers only to the mouse."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapping.i18n import t


def record_picker(table: pd.DataFrame, selected_key: str, lang: str, key: str) -> None:
    """The table's row choice as a select box: Streamlit's data grid is drawn on a canvas where a
    row cannot be chosen with the keyboard, and a screen reader reads it only in part. Choosing a
    record here opens its details exactly like choosing its row (``st.session_state[selected_key]``)."""
    if table.empty:
        return
    options = list(table.index)
    names = {record_id: " — ".join(str(v) for v in (row.get("name"), row.get("place")) if v and pd.notna(v))
             for record_id, row in table.iterrows()}

    def choose() -> None:
        chosen = st.session_state.get(key)
        if chosen:
            st.session_state[selected_key] = chosen

    st.selectbox(t("a11y.pick_record", lang), options, index=None, key=key, on_change=choose,
                 format_func=lambda record_id: names.get(record_id, str(record_id)),
                 placeholder=t("a11y.pick_record.placeholder", lang))
