"""The open data API, Atom feeds and calendar subscriptions, served beside the dashboard.

``app.py`` passes :func:`routes` to ``st.App(routes=...)``: Starlette routes under ``/api/v1/``
(OGC API – Features: landing page, conformance, OpenAPI document, collections, items, one item,
``changes``) and ``/feeds/`` (Atom per area, iCalendar per area). Every response goes through
:mod:`mapping.api.http` (ETag/304, Cache-Control, CORS, per-client rate limit, problem+json);
parameters are parsed in :mod:`mapping.api.params` into the Kaart page's
:class:`mapping.queries.Filter`, and all SQL lives in :mod:`mapping.queries`.
"""

from mapping.api.routes import routes

__all__ = ["routes"]
