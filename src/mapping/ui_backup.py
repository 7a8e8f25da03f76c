"""The moderation page's backup download (embedded mode): one button, authorised when clicked.

The backup is made in the button's callback, after the moderator's session is checked again at
that moment (a session revoked or expired since the page was drawn gets no file). It uses
:func:`mapping.backup.create_backup` on the running store: one transaction, a consistent snapshot
while the dashboard keeps serving.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import streamlit as st

from mapping import backup
from mapping.i18n import t
from mapping.store import Store, StoreError

LOGGER = logging.getLogger("mapping.ui_backup")
DATA_KEY = "mod_backup_zip"
ERROR_KEY = "mod_backup_error"


def make_backup(store: Store, lang: str, signed_in: Callable[[], str | None]) -> None:
    """Button callback: re-check the session, then put the zip's bytes in the session."""
    state = st.session_state
    state.pop(DATA_KEY, None)
    state.pop(ERROR_KEY, None)
    actor = signed_in()
    if not actor:
        state[ERROR_KEY] = t("backup.ui.refused", lang)
        return
    name = f"zorgzame-buurten-backup-{datetime.now():%Y%m%d-%H%M%S}.zip"
    try:
        with tempfile.TemporaryDirectory(prefix="zbk-ui-backup-") as tmp:
            file = Path(tmp) / name
            backup.create_backup(store, file)
            state[DATA_KEY] = (name, file.read_bytes())
    except (StoreError, OSError) as exc:
        state[ERROR_KEY] = t("backup.failed", lang, error=str(exc)[:300])
        return
    LOGGER.info("Backup downloaded from the moderation page by %s", actor)


def render_backup_section(store: Store, lang: str, signed_in: Callable[[], str | None]) -> None:
    st.subheader(t("backup.ui.heading", lang))
    if getattr(store, "engine", "duckdb") != "duckdb":
        st.caption(t("backup.ui.server_mode", lang))
        return
    st.caption(t("backup.ui.caption", lang))
    st.button(t("backup.ui.make", lang), key="mod_backup_make", on_click=make_backup, args=(store, lang, signed_in))
    if ERROR_KEY in st.session_state:
        st.error(st.session_state[ERROR_KEY])
    made = st.session_state.get(DATA_KEY)
    if made:
        name, data = made
        st.download_button(t("backup.ui.download", lang, file=name), data=data, file_name=name,
                           mime="application/zip", key="mod_backup_download", on_click="ignore")
