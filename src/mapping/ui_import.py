"""The moderation page's import section: upload, preview, dry-run report, import, undo.

Everything it decides comes from :mod:`mapping.imports` (the command line's functions): this module
only shows the report and passes on choices. ``recheck`` is the page's own sign-in check; it runs
again at the moment an import or undo button is handled, so an expired or revoked session cannot
write, whatever the page rendered earlier.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

import pandas as pd
import streamlit as st

from mapping import imports
from mapping.i18n import format as fmt
from mapping.i18n import t
from mapping.ingest import COLUMN_ALIASES, ImportFileError
from mapping.store import Store, StoreError
from mapping.ui_forms import field_label, md_escape

PREFIX = "imp"
PREVIEW_ROWS = 10
LOGGER = logging.getLogger("mapping.ui_import")
FIELD_CHOICES = [""] + sorted(set(COLUMN_ALIASES.values()) - {"contact_name", "contact_email"}) + [
    "contact_name", "contact_email"]
UPLOAD_TYPES = ["csv", "txt", "xlsx", "geojson", "json"]


def _state():
    return st.session_state


def _progress_bar(label: str, lang: str):
    bar = st.progress(0.0, text=label)

    def update(done: int, total: int, message: str) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0,
                     text=f"{label} {fmt.number(done, lang)} / {fmt.number(total, lang)}")

    return bar, update


def _preview_frame(table: imports.Table) -> pd.DataFrame:
    if table.format == "geojson":
        rows = [(f.get("properties") or {}) if isinstance(f, dict) else {} for f in table.raw[:PREVIEW_ROWS]]
        return pd.DataFrame(rows).astype(str)
    width = len(table.header)
    cells = [[("" if v is None else str(v)) for v in list(r)[:width]] + [""] * (width - len(r))
             for r in table.raw[:PREVIEW_ROWS]]
    return pd.DataFrame(cells, columns=[h or f"({i + 1})" for i, h in enumerate(table.header)])


def _column_editor(header: list[str], columns: dict[str, imports.ColumnUse], lang: str, key: str) -> dict[str, str]:
    """One selectbox per column: how it was understood, changeable. Returns the chosen map."""
    st.markdown(f"**{t('imports.ui.columns', lang)}**")
    st.caption(t("imports.ui.columns_help", lang))
    chosen: dict[str, str] = {}
    grid = st.columns(3)
    for i, header_cell in enumerate(header):
        use = columns.get(header_cell)
        current = use.field if use and use.field else ""
        label = header_cell or f"({i + 1})"
        if use is None or use.how == "unknown":
            label = f"{label} — {t('imports.ui.unknown_column', lang)}"
        value = grid[i % 3].selectbox(
            label, FIELD_CHOICES, index=FIELD_CHOICES.index(current) if current in FIELD_CHOICES else 0,
            key=f"{key}_col_{i}",
            format_func=lambda f: t("imports.ui.ignore", lang) if not f else field_label(f, lang))
        chosen[header_cell] = value
    return chosen


def _report_tables(report: imports.ImportReport, lang: str) -> None:
    counts = report.counts()
    cells = st.columns(5)
    for cell, name in zip(cells, ("imported", "updated", "interpreted", "duplicates", "rejected")):
        cell.metric(t(f"imports.ui.count.{name}", lang), fmt.number(counts[name], lang))
    if report.interpreted:
        with st.expander(t("imports.ui.interpreted", lang, count=len(report.interpreted)), expanded=True):
            st.dataframe(pd.DataFrame([{
                t("imports.ui.col.row", lang): i.row, t("imports.ui.col.field", lang): field_label(i.field, lang),
                t("imports.ui.col.original", lang): i.original, t("imports.ui.col.value", lang): i.value,
                t("imports.ui.col.how", lang): t(f"imports.how.{i.how}", lang)} for i in report.interpreted]),
                hide_index=True, width="stretch")
    if report.duplicates:
        with st.expander(t("imports.ui.duplicates", lang, count=len(report.duplicates)), expanded=True):
            st.dataframe(pd.DataFrame([{
                t("imports.ui.col.row", lang): d.row, t("common.name", lang): d.name,
                t("imports.ui.col.match", lang): f"{d.match_name} ({d.match_id or t('imports.row_match_row', lang, row=d.match_row)})",
                t("imports.ui.col.reasons", lang): ", ".join(t(f"imports.reason.{r}", lang) for r in d.reasons),
                t("imports.ui.col.action", lang): t(f"imports.action.{d.action}", lang)} for d in report.duplicates]),
                hide_index=True, width="stretch")
    if report.rejected:
        with st.expander(t("imports.ui.rejected", lang, count=len(report.rejected)), expanded=True):
            st.dataframe(pd.DataFrame([{
                t("imports.ui.col.row", lang): r.row, t("common.name", lang): r.name,
                t("imports.ui.col.reason", lang): imports.reasons_text(r, lang)} for r in report.rejected]),
                hide_index=True, width="stretch")


def _do_import(store: Store, table: imports.Table, lang: str, recheck: Callable[[], str | None],
               status: str, update_existing: bool) -> None:
    actor = recheck()                         # the session is checked when the import runs
    if not actor:
        st.error(t("imports.ui.signed_out", lang), icon="🔒")
        return
    bar, update = _progress_bar(t("imports.ui.importing", lang), lang)
    try:
        report = imports.import_table(store, table, actor=actor, status=status, update_existing=update_existing,
                                      progress=update)
    except (StoreError, imports.ImportConflict, OSError) as exc:
        LOGGER.error("Import not stored: %s", type(exc).__name__)
        st.error(t("imports.ui.failed", lang), icon="⚠️")
        return
    bar.empty()
    _state()[f"{PREFIX}_done"] = (report.batch_id, report.counts())


def _batches(store: Store, lang: str, recheck: Callable[[], str | None]) -> None:
    batches = imports.list_batches(store, limit=20)
    if not batches:
        return
    st.markdown(f"**{t('imports.ui.batches', lang)}**")
    st.dataframe(pd.DataFrame([{
        "batch": b.id, t("imports.ui.col.when", lang): fmt.datetime(b.created_at, lang),
        t("imports.ui.col.who", lang): b.actor, t("imports.ui.col.file", lang): b.file_name or "",
        t("imports.ui.count.imported", lang): b.imported, t("imports.ui.count.updated", lang): b.updated,
        t("imports.ui.count.rejected", lang): b.rejected,
        t("imports.ui.col.undone", lang): (t("imports.ui.undone_by", lang, who=b.undone_by, count=b.withdrawn)
                                           if b.undone_at else "")} for b in batches]),
        hide_index=True, width="stretch")
    open_batches = [b.id for b in batches if not b.undone_at and (b.imported or b.source == "osm")]
    if not open_batches:
        return
    picked = st.selectbox(t("imports.ui.undo_pick", lang), open_batches, key=f"{PREFIX}_undo_pick")
    st.caption(t("imports.ui.undo_help", lang))
    if st.button(t("imports.ui.undo", lang), key=f"{PREFIX}_undo"):
        actor = recheck()
        if not actor:
            st.error(t("imports.ui.signed_out", lang), icon="🔒")
            return
        try:
            undone = imports.undo_batch(store, picked, actor=actor)
        except imports.UndoError as exc:
            st.error(str(exc))
            return
        except StoreError as exc:
            LOGGER.error("Undo not stored: %s", type(exc).__name__)
            st.error(t("imports.ui.failed", lang), icon="⚠️")
            return
        st.success(t("imports.cli.undone", lang, batch=undone.batch_id, withdrawn=len(undone.withdrawn),
                     kept=len(undone.kept)))


def render(store: Store, lang: str, actor: str, recheck: Callable[[], str | None]) -> None:
    """The whole import section (call inside the page's tab, after the page's own sign-in)."""
    state = _state()
    st.caption(t("imports.ui.intro", lang))
    done = state.pop(f"{PREFIX}_done", None)
    if done:
        batch_id, counts = done
        st.success(t("imports.ui.done", lang, batch=batch_id, **{k: fmt.number(v, lang) for k, v in counts.items()}))
    uploaded = st.file_uploader(t("imports.ui.upload", lang), type=UPLOAD_TYPES, key=f"{PREFIX}_file")
    if uploaded is not None:
        content = uploaded.getvalue()
        file_key = hashlib.sha256(content).hexdigest()[:16]
        _file_section(store, lang, recheck, uploaded.name, content, file_key)
    _batches(store, lang, recheck)


def _file_section(store: Store, lang: str, recheck, name: str, content: bytes, file_key: str) -> None:
    state = _state()
    map_key = f"{PREFIX}_map_{file_key}"
    column_map = state.get(map_key) or None
    try:
        table = imports.read_table(name, content, column_map=column_map)
    except imports.MissingNameColumn as exc:
        st.error(t("imports.ui.no_name_column", lang), icon="⚠️")
        chosen = _column_editor(exc.header, {c.header: c for c in exc.columns}, lang, f"{PREFIX}_{file_key}")
        if chosen != (column_map or {}) and "name" in chosen.values():
            state[map_key] = chosen
            st.rerun()
        return
    except ImportFileError as exc:
        st.error(t("cli.file_rejected", lang, error=str(exc)), icon="⚠️")
        return
    st.markdown(f"**{t('imports.ui.preview', lang, count=fmt.number(len(table.rows), lang))}**")
    st.dataframe(_preview_frame(table), hide_index=True, width="stretch")
    chosen = _column_editor(table.header, {c.header: c for c in table.columns}, lang, f"{PREFIX}_{file_key}")
    current = {c.header: (c.field or "") for c in table.columns}
    if chosen != current:
        state[map_key] = chosen
        st.rerun()
    left, right = st.columns(2)
    status = left.radio(t("imports.ui.status", lang), ["approved", "pending"], horizontal=True,
                        key=f"{PREFIX}_status", format_func=lambda s: t(f"imports.ui.status.{s}", lang))
    update_existing = right.checkbox(t("imports.ui.update_existing", lang), key=f"{PREFIX}_update")
    report_key = (file_key, tuple(sorted(chosen.items())), update_existing)
    cached = state.get(f"{PREFIX}_report")
    if cached and cached[0] == report_key:
        report = cached[1]
    else:
        bar, update = _progress_bar(t("imports.ui.checking", lang), lang)
        report = imports.import_table(store, table, dry_run=True, update_existing=update_existing, progress=update)
        bar.empty()
        state[f"{PREFIX}_report"] = (report_key, report)
    st.markdown(f"**{t('imports.ui.what_happens', lang, file=md_escape(name))}**")
    _report_tables(report, lang)
    if report.rejected:
        file_name, data, mime = imports.rejected_file(table, report, lang)
        st.download_button(t("imports.ui.download_rejected", lang, count=len(report.rejected)), data,
                           file_name=file_name, mime=mime, key=f"{PREFIX}_rejected_dl")
    if report.imported or report.updated:
        if st.button(t("imports.ui.import", lang, count=fmt.number(len(report.imported), lang),
                       status=t(f"imports.ui.status.{status}", lang)), type="primary", key=f"{PREFIX}_go"):
            _do_import(store, table, lang, recheck, status, update_existing)
            if f"{PREFIX}_done" in state:
                state.pop(f"{PREFIX}_report", None)
                st.rerun()
    else:
        st.info(t("imports.ui.nothing", lang))
