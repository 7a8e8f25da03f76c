"""The HTML shell around the dashboard: the right ``<html lang>`` and a real ``<title>``.

Streamlit serves one ``index.html`` for every page with ``<html lang="en">`` and
``<title>Streamlit</title>`` hard-coded (streamlit#15726). Screen readers pick their voice from
``lang`` (WCAG 3.1.1), so a Dutch page read with an English voice is hard to follow.

- :class:`ShellMiddleware` (ASGI, on ``st.App(middleware=...)``) rewrites that shell as it is
  served: ``lang`` from ``?lang=`` (Dutch by default) and the dashboard's name as the title, so
  the very first paint is right, before any script has run.
- :func:`page_frame` runs in every page script: after a language switch in the sidebar (no new
  page load) it sets ``document.documentElement.lang`` in the browser; Streamlit sets the
  per-page ``<title>`` itself from ``st.set_page_config(page_title=...)`` (see ``page_title``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from mapping import i18n

APP_NAME = "Zorgzame Buurten Kaart"
_HTML_TAG = re.compile(rb"<html(\s[^>]*)?>", re.IGNORECASE)
_TITLE = re.compile(rb"<title>.*?</title>", re.IGNORECASE | re.DOTALL)
# Headers that describe the unmodified file: the rewritten body differs per language.
_STALE_HEADERS = {b"content-length", b"etag", b"last-modified", b"cache-control"}


def page_title(page_name: str) -> str:
    """``Kaart – Zorgzame Buurten Kaart``: the page first, so tabs and history tell pages apart."""
    return f"{page_name} – {APP_NAME}" if page_name and page_name != APP_NAME else APP_NAME


def rewrite_shell(body: bytes, lang: str) -> bytes:
    """The served ``index.html`` with ``<html lang="{lang}">`` and the dashboard's title."""
    lang = i18n.normalise_language(lang)
    body = _HTML_TAG.sub(f'<html lang="{lang}">'.encode(), body, count=1)
    return _TITLE.sub(f"<title>{APP_NAME}</title>".encode(), body, count=1)


def language_of_query(query_string: bytes | str) -> str:
    text = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    values = parse_qs(text).get("lang", [])
    return i18n.normalise_language(values[-1] if values else None)


class ShellMiddleware:
    """Pure ASGI middleware: buffers only ``text/html`` GET responses (the shell, a few kB) and
    passes everything else — websocket, assets, API, uploads — straight through."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        lang = language_of_query(scope.get("query_string", b""))
        state: dict = {"start": None, "pass": False, "chunks": []}

        async def rewrite(message):
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers") or []).get(b"content-type", b"")
                if message.get("status") != 200 or not content_type.startswith(b"text/html"):
                    state["pass"] = True
                    await send(message)
                else:
                    state["start"] = message
                return
            if state["pass"] or message["type"] != "http.response.body":
                await send(message)
                return
            state["chunks"].append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = rewrite_shell(b"".join(state["chunks"]), lang)
            start = state["start"]
            headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() not in _STALE_HEADERS]
            headers += [(b"content-length", str(len(body)).encode()), (b"cache-control", b"no-cache")]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, rewrite)


def _frame_script(lang: str) -> str:
    lang = i18n.normalise_language(lang)
    return f"<script>document.documentElement.setAttribute('lang', '{lang}');</script>"


def page_frame(lang: str) -> None:
    """Keep ``<html lang>`` in step with the chosen language (also after switching in the sidebar).

    ``st.html`` runs the script in the page itself (not in an iframe); the container around it is
    hidden, so it takes no room in the layout.
    """
    import streamlit as st

    st.html("<style>.st-key-zb_shell{{display:none}}</style>", width="content")
    with st.container(key="zb_shell"):
        st.html(_frame_script(lang), unsafe_allow_javascript=True)
