"""Streamlit glue shared by all pages: the cached store, language, banners, filter sidebar.

The caching boundary sits here (``st.cache_resource`` for the store, ``st.cache_data`` for query
results keyed on the filter value); domain modules stay free of Streamlit.
"""

from __future__ import annotations

import functools
import os
import weakref
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from mapping import config, i18n, queries, regions
from mapping import overview as overview_data
from mapping.listing import MAX_POINTS, md_escape
from mapping.i18n import t
from mapping.queries import Filter
from mapping.store import DatabaseBusy, DatabaseMissing, Store, StoreError, StoreUnavailable, open_store


# -- store ------------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _store_for(path: str) -> Store:
    from mapping import ingest
    from pathlib import Path

    exists = Path(path).exists()
    store = Store(path, lazy_spatial=True)   # a reading page never needs spatial functions
    if not exists or store.get_meta("built_at") is None:
        bar = st.progress(0.0, text=t("app.building"))

        def report(done: int, total: int, message: str) -> None:
            bar.progress(min(done / max(total, 1), 1.0), text=f"{t('app.building')} {message}")

        ingest.build(store, progress=report)
        bar.empty()
    return store


@st.cache_resource(show_spinner=False)
def _server_store_for(url: str) -> Store:
    """Server mode: one pool per replica; ``build`` is a command, never run by a replica."""
    store = open_store(database_url=url, create=False)
    if store.get_meta("built_at") is None:
        store.close()
        raise DatabaseMissing(t("store.not_built"))
    return store


def get_store() -> Store:
    """The app's one database connection (built from ``data/`` on first run; in server mode the
    PostgreSQL store of ``MAPPING_DATABASE_URL`` / ``[database] url``)."""
    url = config.database_url()
    try:
        if url:
            return _server_store_for(url)
        return _store_for(str(config.db_path()))
    except StoreUnavailable:
        unavailable()
    except DatabaseMissing as exc:
        st.error(str(exc))
        st.stop()
    except DatabaseBusy:
        st.error(t("app.db_busy", language()))
        st.stop()
    except (StoreError, FileNotFoundError, ValueError) as exc:
        st.error(t("app.build_failed", language(), error=str(exc)[:300]))
        st.stop()
    raise AssertionError("unreachable")


def unavailable() -> None:
    """The database server is down: a clear message instead of a traceback; the next run retries."""
    st.warning(t("store.unavailable", language()), icon="⏳")
    st.stop()


# Data version per script run. Every cached read of a page asks for db_key (a page run calls it a
# dozen times); each was a database query, ~12 % of a Kaart rerun under load (bench/load/). One run
# reads the version once: a change made during the run shows from the next run on, as before.
# Streamlit makes a fresh ``parallel_coordinator`` for every run of a session (ScriptRunContext.reset);
# it is the run's identity here. Outside a run (warm-up, CLI) the version is read every time.
_run_versions: "weakref.WeakKeyDictionary[Any, dict[str, str]]" = weakref.WeakKeyDictionary()


def _data_version(store: Store) -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    run = getattr(get_script_run_ctx(suppress_warning=True), "parallel_coordinator", None)
    if run is None:
        return store.data_version()
    try:
        versions = _run_versions.setdefault(run, {})
    except TypeError:          # not weak-referenceable: no memo
        return store.data_version()
    version = versions.get(store.path)
    if version is None:
        version = versions[store.path] = store.data_version()
    return version


def db_key(store: Store) -> str:
    """Cache key part that changes whenever public data changes (approved records or links).

    The version lives in the database, so with several replicas an approval on one refreshes the
    caches of all (server mode re-reads it at most once a second per replica: one indexed row)."""
    return f"{store.path}:{_data_version(store)}"


def bump_data_version(store: Store) -> None:
    """Call after any write that changes public data, so cached query results are refreshed."""
    store.bump_data_version()
    _forget_run_version(store)


def _forget_run_version(store: Store) -> None:
    """After a write in this run, the run's later reads see the new version."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    run = getattr(get_script_run_ctx(suppress_warning=True), "parallel_coordinator", None)
    if run is not None:
        try:
            _run_versions.get(run, {}).pop(store.path, None)
        except TypeError:
            pass


# -- language and page frame ------------------------------------------------------------------

def language() -> str:
    """Current UI language: the sidebar choice, else ``?lang=en`` in the URL; Dutch by default."""
    choice = st.session_state.get("lang_choice")
    if choice in i18n.LANGUAGES:
        return choice
    return i18n.normalise_language(st.query_params.get("lang"))


def language_selector() -> str:
    current = language()
    choice = st.sidebar.radio(
        t("app.language", current), options=list(i18n.LANGUAGES), index=i18n.LANGUAGES.index(current),
        format_func=lambda code: {"nl": "Nederlands", "en": "English"}[code], horizontal=True, key="lang_choice",
    )
    if choice == "en":
        st.query_params["lang"] = "en"
    elif "lang" in st.query_params:
        del st.query_params["lang"]
    return choice


def is_embed() -> bool:
    """``?embed=1`` (ours) or ``?embed=true`` (Streamlit's own embed switch).

    Streamlit reserves the ``embed`` parameter: ``st.query_params`` never shows it, so
    ``st.query_params.get("embed")`` is always empty. ``st.context.is_embedded`` covers
    ``embed=true``; ``embed=1`` is read from the run's raw query string. Once seen, the session
    stays embedded (an iframe session never becomes the full app).
    """
    if st.session_state.get("_embed"):
        return True
    from urllib.parse import parse_qs

    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    values = parse_qs(getattr(ctx, "query_string", "") or "").get("embed", [])
    embedded = bool(getattr(st.context, "is_embedded", False)) or (
        bool(values) and values[-1].strip().lower() in ("1", "true"))
    if embedded:
        st.session_state["_embed"] = True
    return embedded


def demo_banner(store: Store, lang: str) -> None:
    if queries.is_synthetic(store):
        st.warning(t("app.demo_banner", lang), icon=":material/warning:")


def attribution(lang: str) -> None:
    st.caption(t("attribution.regions", lang) + " " + t("attribution.records", lang))
    osm_attribution(lang)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_osm_attribution(_store: Store, key: str, lang: str) -> str | None:
    from mapping import osm

    return osm.public_attribution(_store, lang)


def osm_attribution(lang: str) -> None:
    """The ODbL line (© OpenStreetMap contributors) when public records come from OpenStreetMap."""
    store = get_store()
    line = cached_osm_attribution(store, db_key(store), lang)
    if line:
        st.caption(line)


# -- cached reads -----------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def cached_region_table(_store: Store, key: str) -> pd.DataFrame:
    return regions.region_table(_store)


def region_table(store: Store) -> pd.DataFrame:
    return cached_region_table(store, store.path)


@dataclass
class RegionLookup:
    """Names and the filter cascade's child lists, shared by every session (read-only).

    The sidebar filtered the ~3,800-row region table with pandas on every rerun of every session
    (``regions.children`` four times plus a name dict): ~9 % of a Kaart rerun under load. The
    regions only change with a rebuild (a new file, a new ``store.path`` key)."""

    names: dict[str, str]
    provincie_of: dict[str, str]
    _table: pd.DataFrame
    _children: dict[tuple, tuple[str, ...]] = field(default_factory=dict)

    def children(self, level: str, provincie: str | None = None, gemeente: str | None = None,
                 zorgkantoorregio: str | None = None) -> tuple[str, ...]:
        key = (level, provincie, gemeente, zorgkantoorregio)
        codes = self._children.get(key)
        if codes is None:   # computed once per process and parent; a racing duplicate is harmless
            codes = tuple(regions.children(self._table, level, provincie=provincie, gemeente=gemeente,
                                           zorgkantoorregio=zorgkantoorregio)["code"])
            self._children[key] = codes
        return codes


@st.cache_resource(show_spinner=False, max_entries=8)
def _cached_region_lookup(_store: Store, key: str) -> RegionLookup:
    table = regions.region_table(_store)
    gemeenten = table[table["level"] == "gemeente"]
    return RegionLookup(dict(zip(table["code"], table["name"])),
                        dict(zip(gemeenten["code"], gemeenten["provincie_code"])), table)


def region_lookup(store: Store) -> RegionLookup:
    return _cached_region_lookup(store, store.path)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_themes(_store: Store, key: str) -> pd.DataFrame:
    return queries.themes(_store)


def themes(store: Store) -> pd.DataFrame:
    return cached_themes(store, db_key(store))


@st.cache_data(show_spinner=False, max_entries=256, ttl=3600)
def cached_counts(_store: Store, key: str, flt: Filter) -> dict[str, int]:
    return queries.counts_by_kind(_store, flt)


def counts(store: Store, flt: Filter) -> dict[str, int]:
    return cached_counts(store, db_key(store), flt)


@st.cache_data(show_spinner=False, max_entries=128, ttl=3600)
def cached_map_data(_store: Store, key: str, flt: Filter, max_points: int, level: str) -> queries.MapData:
    return queries.map_data(_store, flt, max_points=max_points, level=level)


def map_data(store: Store, flt: Filter, max_points: int, level: str) -> queries.MapData:
    """What a map of the selection draws: its points (a few thousand at most) or counts per region."""
    return cached_map_data(store, db_key(store), flt, max_points, level)


@st.cache_data(show_spinner=False, max_entries=128, ttl=3600)
def cached_list(_store: Store, key: str, flt: Filter, limit: int) -> pd.DataFrame:
    return queries.records(_store, flt, limit=limit)


def list_records(store: Store, flt: Filter, limit: int) -> pd.DataFrame:
    """The first ``limit`` records of the selection (kind, name order), for a table."""
    return cached_list(store, db_key(store), flt, limit)


@st.cache_data(show_spinner=False, max_entries=128, ttl=3600)
def cached_online_meetups(_store: Store, key: str, flt: Filter) -> pd.DataFrame:
    return queries.online_meetups(_store, flt)


def online_meetups(store: Store, flt: Filter) -> pd.DataFrame:
    return cached_online_meetups(store, db_key(store), flt)


@st.cache_data(show_spinner=False, max_entries=128, ttl=3600)
def cached_dated_meetups(_store: Store, key: str, flt: Filter) -> int:
    return queries.dated_meetups(_store, flt)


def dated_meetups(store: Store, flt: Filter) -> int:
    return cached_dated_meetups(store, db_key(store), flt)


@st.cache_data(show_spinner=False, max_entries=1024, ttl=3600)
def cached_in_selection(_store: Store, key: str, flt: Filter, record_id: str) -> bool:
    return queries.in_selection(_store, flt, record_id)


def in_selection(store: Store, flt: Filter, record_id: str | None) -> bool:
    """Whether the record is part of the selection (a selected record must stay visible)."""
    return bool(record_id) and cached_in_selection(store, db_key(store), flt, str(record_id))


@st.cache_data(show_spinner=False, max_entries=8, ttl=600)
def cached_download(_store: Store, key: str, flt: Filter, file_format: str, lang: str) -> bytes:
    from mapping import exports

    if file_format == "csv":   # written by the engine: seconds at a million records
        return queries.export_csv(_store, flt)
    frame = queries.export_records(_store, flt)
    if file_format == "geojson":
        return exports.to_geojson(frame, lang)
    if file_format == "ics":
        return exports.to_ics(frame, lang)
    raise ValueError(f"unknown download format {file_format!r}")


def download(store: Store, flt: Filter, file_format: str, lang: str):
    """A callable for ``st.download_button``: the file of the whole selection is made when the
    visitor asks for it (large selections take seconds), not on every filter change."""
    key = db_key(store)
    return lambda: cached_download(store, key, flt, file_format, lang)


# cache_resource, not cache_data: every visitor's first page reads it, and unpickling its frames
# (what cache_data does on each read) took longer than the rest of the page. Read-only use only.
@st.cache_resource(show_spinner=False, max_entries=4)
def cached_overview(_store: Store, key: str, max_points: int) -> overview_data.Overview:
    return overview_data.overview(_store, max_points=max_points)


def overview(store: Store, max_points: int) -> overview_data.Overview:
    """The Overzicht page's data (a bounded amount at any database size; do not modify it)."""
    return cached_overview(store, db_key(store), max_points)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_overview_map(_store: Store, key: str, max_points: int, lang: str) -> str:
    return overview_data.map_html(_store, cached_overview(_store, key, max_points), lang)


def overview_map_html(store: Store, max_points: int, lang: str) -> str:
    return cached_overview_map(store, db_key(store), max_points, lang)


def warm_up(languages: tuple[str, ...] = ("nl",)) -> Store | None:
    """Open an existing database and fill the first page's caches (once, at server start, outside
    any session: see :mod:`mapping.startup`); returns the store. A missing database is left for
    the first visitor, who sees it being built with progress."""
    from pathlib import Path

    from mapping import assets

    assets.ensure_static_once()
    url = config.database_url()
    if url:
        try:
            store = _server_store_for(url)
        except StoreError:  # server down or not built: each page says so to its visitor
            return None
    else:
        path = config.db_path()
        if not Path(path).exists():
            return None
        store = _store_for(str(path))
    queries.is_synthetic(store)
    themes(store)
    for lang in languages:
        overview_map_html(store, MAX_POINTS, lang)
    return store


def region_name(store: Store, code: str | None) -> str:
    if not code:
        return ""
    table = region_table(store)
    hit = table.loc[table["code"] == code, "name"]
    return str(hit.iloc[0]) if len(hit) else code


# -- filter sidebar ---------------------------------------------------------------------------

def filter_from_url(store: Store) -> tuple[Filter, list[str]]:
    table = region_table(store)
    known_themes = set(themes(store)["code"])
    return queries.from_params(dict(st.query_params), known_themes=known_themes,
                               known_regions=set(table["code"]))


def sync_url(flt: Filter, extra: dict[str, str] | None = None, keep: tuple[str, ...] = ("lang", "embed")) -> None:
    """Mirror the filter (and page extras such as the selected record) in ``st.query_params``."""
    wanted = queries.to_params(flt)
    wanted.update({k: v for k, v in (extra or {}).items() if v})
    for name in keep:
        if name in st.query_params and name not in wanted:
            wanted[name] = st.query_params[name]
    current = {k: st.query_params[k] for k in st.query_params.keys()}
    if current != wanted:
        st.query_params.from_dict(wanted)


def _select(label: str, options: list[str], labels: dict[str, str], value: str | None, key: str,
            disabled: bool, help_text: str | None = None, container: Any = None,
            on_change: Any = None) -> str | None:
    choices = [""] + options
    index = choices.index(value) if value in choices else 0
    target = container if container is not None else st.sidebar
    chosen = target.selectbox(label, choices, index=index, key=key, disabled=disabled, help=help_text,
                              format_func=lambda c: labels.get(c, "—") if c else "—", on_change=on_change)
    return chosen or None


def _select_in(container: Any, *args: Any, **kwargs: Any) -> str | None:
    return _select(*args, container=container, **kwargs)


def _show_provincie_of_gemeente(key_prefix: str, lookup: "RegionLookup") -> None:
    """A gemeente chosen with no provincie: the Provincie box shows the gemeente's provincie, as it
    does when the same view is opened from its URL (#18.9)."""
    gemeente = st.session_state.get(f"{key_prefix}_gemeente")
    if gemeente and not st.session_state.get(f"{key_prefix}_provincie"):
        provincie = lookup.provincie_of.get(gemeente)
        if provincie:
            st.session_state[f"{key_prefix}_provincie"] = str(provincie)


def filter_sidebar(store: Store, lang: str, *, locked: Filter | None = None, show_meetups: bool = True,
                   key_prefix: str = "flt", container: Any = None) -> Filter:
    """Region cascade, themes, kinds, search and meet-up dates in the sidebar.

    Initial values come from the URL (``filter_from_url``); values in ``locked`` cannot be changed
    (embed mode). Returns the current :class:`Filter`; the caller mirrors it with :func:`sync_url`.
    ``container`` (e.g. an ``st.expander``) renders the filters there instead of in the sidebar
    (embed mode hides the sidebar).
    """
    initial_key = f"{key_prefix}_initial"
    if initial_key not in st.session_state:
        flt, ignored = filter_from_url(store)
        st.session_state[initial_key] = flt
        st.session_state[f"{key_prefix}_ignored"] = ignored
    initial: Filter = st.session_state[initial_key]
    locked = locked or Filter()
    lookup = region_lookup(store)
    names = lookup.names
    sidebar = container if container is not None else st.sidebar
    sidebar.subheader(t("filter.heading", lang))

    mode_options = ["admin", "zorgkantoor"]
    mode_default = "zorgkantoor" if (initial.zorgkantoorregio or locked.zorgkantoorregio) else "admin"
    mode = sidebar.radio(t("filter.region_mode", lang), mode_options, index=mode_options.index(mode_default),
                         format_func=lambda m: t(f"filter.mode.{m}", lang), horizontal=True,
                         key=f"{key_prefix}_mode", disabled=bool(locked.region_code))
    provincie = gemeente = wijk = zkr = None
    if mode == "admin":
        provs = lookup.children("provincie")
        provincie = locked.provincie or _select_in(
            sidebar, t("level.provincie", lang), list(provs), names, initial.provincie,
            f"{key_prefix}_provincie", bool(locked.region_code))
        gems = lookup.children("gemeente", provincie=provincie)
        gemeente = locked.gemeente or _select_in(
            sidebar, t("level.gemeente", lang), list(gems), names,
            initial.gemeente if initial.gemeente in gems else None,
            f"{key_prefix}_gemeente", bool(locked.gemeente or locked.wijk),
            on_change=functools.partial(_show_provincie_of_gemeente, key_prefix, lookup))
        if gemeente and not provincie:
            provincie = lookup.provincie_of[gemeente]
        if gemeente:
            wijken = lookup.children("wijk", gemeente=gemeente)
            wijk = locked.wijk or _select_in(
                sidebar, t("level.wijk", lang), list(wijken), names,
                initial.wijk if initial.wijk in wijken else None,
                f"{key_prefix}_wijk", bool(locked.wijk))
    else:
        zks = lookup.children("zorgkantoorregio")
        zkr = locked.zorgkantoorregio or _select_in(
            sidebar, t("level.zorgkantoorregio", lang), list(zks), names, initial.zorgkantoorregio,
            f"{key_prefix}_zkr", bool(locked.zorgkantoorregio))
        if zkr:
            gems = lookup.children("gemeente", zorgkantoorregio=zkr)
            gemeente = locked.gemeente or _select_in(
                sidebar, t("level.gemeente", lang), list(gems), names,
                initial.gemeente if initial.gemeente in gems else None,
                f"{key_prefix}_zk_gemeente", bool(locked.gemeente))

    theme_table = themes(store)
    label_col = "label_nl" if lang == "nl" else "label_en"
    desc_col = "description_nl" if lang == "nl" else "description_en"
    theme_labels = dict(zip(theme_table["code"], theme_table[label_col]))
    theme_help = "\n".join(f"- **{label}**: {desc}" for label, desc in
                           zip(theme_table[label_col], theme_table[desc_col]))
    if locked.themes:
        chosen_themes = tuple(locked.themes)
        sidebar.multiselect(t("common.themes", lang), list(locked.themes), default=list(locked.themes),
                            format_func=lambda c: theme_labels.get(c, c), disabled=True,
                            key=f"{key_prefix}_themes_locked")
    else:
        chosen_themes = tuple(sidebar.multiselect(
            t("common.themes", lang), list(theme_table["code"]),
            default=[c for c in initial.themes if c in theme_labels],
            format_func=lambda c: theme_labels.get(c, c), help=theme_help, key=f"{key_prefix}_themes",
            placeholder=t("filter.themes_placeholder", lang)))
    kinds = tuple(sidebar.multiselect(
        t("common.kind", lang), list(queries.KINDS), default=list(locked.kinds or initial.kinds),
        format_func=lambda k: i18n.kind_label(k, lang, plural=True), key=f"{key_prefix}_kinds",
        disabled=bool(locked.kinds), placeholder=t("filter.kinds_placeholder", lang)))
    search = sidebar.text_input(t("filter.search", lang), value=initial.search, max_chars=queries.MAX_SEARCH,
                                key=f"{key_prefix}_search", help=t("filter.search_help", lang))
    meetups, date_from, date_to = "all", None, None
    if show_meetups:
        with sidebar.expander(t("filter.meetups", lang), expanded=initial.meetups != "all" or bool(initial.date_from)):
            meetups = st.radio(t("filter.meetups_when", lang), list(queries.MEETUP_WHEN),
                               index=list(queries.MEETUP_WHEN).index(initial.meetups),
                               format_func=lambda w: t(f"filter.when.{w}", lang), key=f"{key_prefix}_when")
            use_dates = st.checkbox(t("filter.date_range", lang), value=bool(initial.date_from or initial.date_to),
                                    key=f"{key_prefix}_use_dates")
            if use_dates:
                start = initial.date_from or pd.Timestamp.today().date()
                end = initial.date_to or (pd.Timestamp.today() + pd.Timedelta(days=365)).date()
                picked = st.date_input(t("filter.date_range", lang), value=(start, end), key=f"{key_prefix}_dates",
                                       format="DD-MM-YYYY")
                if isinstance(picked, (list, tuple)) and len(picked) == 2:
                    date_from, date_to = picked
    flt = Filter(provincie=provincie, gemeente=gemeente, wijk=wijk, zorgkantoorregio=zkr,
                 themes=chosen_themes, kinds=kinds, search=" ".join(search.split())[:queries.MAX_SEARCH],
                 meetups=meetups, date_from=date_from, date_to=date_to)
    # Shown once, on the run that opened the link; later reruns are the user's own choices.
    ignored = st.session_state.pop(f"{key_prefix}_ignored", None) or []
    if ignored:
        st.info(t("filter.ignored_params", lang, names=", ".join(md_escape(n) for n in sorted(set(ignored)))))
    return flt


def contact_email() -> str:
    """The administrators' public contact address: ``MAPPING_CONTACT_EMAIL`` from the environment,
    else from ``.streamlit/secrets.toml``; "" when not configured or not an e-mail address."""
    value = os.environ.get("MAPPING_CONTACT_EMAIL", "").strip()
    if not value:
        try:
            value = str(st.secrets.get("MAPPING_CONTACT_EMAIL", "")).strip()
        except Exception:   # no secrets file: Streamlit raises its own error type here
            value = ""
    from mapping import records

    return value if records.valid_email(value) else ""


def get_param(name: str, default: str = "") -> str:
    value: Any = st.query_params.get(name, default)
    return str(value)[:200]


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def open_default_page_by_name(url_path: str) -> None:
    """Call before ``st.navigation``. Streamlit serves the default page at ``/`` only: a direct
    ``/overzicht`` finds no page of that name and shows an English "Page not found" dialog before
    running the main page. This turns a request for the default page's own name into a request
    for the main page, so both URLs open it without a dialog."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    manager = getattr(ctx, "pages_manager", None)
    if manager is None or manager.intended_page_script_hash:
        return
    if (manager.intended_page_name or "").strip("/") == url_path:
        manager.set_script_intent("", "")


def use_app_navigation() -> None:
    """Call first in a page. Right after a server start Streamlit runs a deep link such as
    ``/kaart?gemeente=GM0579`` as the bare file ``pages/kaart.py`` (its old "pages directory"
    mode) until some session has run ``app.py``'s ``st.navigation``: no wide layout, no banner,
    no language selector. This switches the process to app.py's navigation and reruns, so the
    first visitor of a shared link gets the full app with the same page and parameters."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
