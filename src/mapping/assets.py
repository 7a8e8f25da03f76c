"""Local copies of the map's JavaScript and CSS, served by Streamlit instead of a CDN.

folium points at CDNs (jsdelivr, cdnjs, code.jquery.com) that users behind strict firewalls, and
this machine, cannot reach. The XStatic packages ship Leaflet, jQuery and Leaflet.markercluster;
:func:`ensure_static` copies the files the maps need into ``static/vendor/`` (next to ``app.py``,
ignored by git) and Streamlit serves them under ``/app/static/vendor/...`` (needs
``[server] enableStaticServing = true`` in ``.streamlit/config.toml``).

The copy is idempotent and cheap: a file is copied only when missing or different in size, so
calling :func:`ensure_static` at every app start costs a few ``stat`` calls.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from mapping import config

URL_PREFIX = "/app/static/vendor"


@dataclass(frozen=True)
class Bundle:
    """One XStatic package: its module, the folder under ``static/vendor`` and the files to copy."""
    module: str
    folder: str
    files: tuple[str, ...]


BUNDLES = (
    Bundle("xstatic.pkg.leaflet", "leaflet", (
        "leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
        "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png",
    )),
    Bundle("xstatic.pkg.jquery", "jquery", ("jquery.min.js",)),
    Bundle("xstatic.pkg.leaflet_markercluster", "markercluster", (
        "leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css",
    )),
)


def vendor_dir() -> Path:
    return config.static_dir() / "vendor"


def url(folder: str, file: str) -> str:
    """The URL under which the app serves ``static/vendor/<folder>/<file>``."""
    return f"{URL_PREFIX}/{folder}/{file}"


# The URLs maps use in place of folium's CDN links (name → URL, as folium's default_js/css).
LEAFLET_JS = url("leaflet", "leaflet.js")
LEAFLET_CSS = url("leaflet", "leaflet.css")
JQUERY_JS = url("jquery", "jquery.min.js")
MARKERCLUSTER_JS = url("markercluster", "leaflet.markercluster.js")
MARKERCLUSTER_CSS = url("markercluster", "MarkerCluster.css")
MARKERCLUSTER_DEFAULT_CSS = url("markercluster", "MarkerCluster.Default.css")
LEAFLET_IMAGES = url("leaflet", "images/")   # for L.Icon.Default.imagePath (trailing slash needed)

MAP_JS = (("leaflet", LEAFLET_JS), ("jquery", JQUERY_JS))
MAP_CSS = (("leaflet_css", LEAFLET_CSS),)
CLUSTER_JS = (("markerclusterjs", MARKERCLUSTER_JS),)
CLUSTER_CSS = (("markerclustercss", MARKERCLUSTER_CSS), ("markerclusterdefaultcss", MARKERCLUSTER_DEFAULT_CSS))


def _source_dir(module_name: str) -> Path:
    import importlib

    module = importlib.import_module(module_name)
    return Path(module.BASE_DIR)


def ensure_static(target: Path | None = None) -> list[Path]:
    """Copy the vendor files into ``target`` (default ``static/vendor``); return the files copied.

    Raises ``FileNotFoundError`` naming the missing package when an XStatic package is absent,
    so the fix (``pip install -r requirements.txt``) is obvious.
    """
    target = target or vendor_dir()
    copied: list[Path] = []
    for bundle in BUNDLES:
        try:
            source_dir = _source_dir(bundle.module)
        except ImportError as exc:
            raise FileNotFoundError(
                f"{bundle.module} is not installed; run `pip install -r requirements.txt`") from exc
        for name in bundle.files:
            source = source_dir / name
            dest = target / bundle.folder / name
            if dest.exists() and dest.stat().st_size == source.stat().st_size:
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            # copy to a temporary name first so a concurrent reader never sees half a file
            partial = dest.with_name(dest.name + ".partial")
            shutil.copyfile(source, partial)
            partial.replace(dest)
            copied.append(dest)
    return copied


_ensured = False


def ensure_static_once() -> None:
    """:func:`ensure_static` the first time in this process (the app calls it on every run)."""
    global _ensured
    if not _ensured:
        ensure_static()
        _ensured = True


def all_urls() -> list[str]:
    """Every URL the maps reference (for tests and health checks)."""
    return [url(bundle.folder, name) for bundle in BUNDLES for name in bundle.files]
