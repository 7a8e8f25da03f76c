"""One Streamlit browser session over the websocket, without a browser.

Speaks what Streamlit's frontend speaks on ``/_stcore/stream`` (checked against Streamlit 1.67's
``web/server/starlette/starlette_websocket.py`` and ``runtime/app_session.py``, and against the frames
headless Chromium exchanges, see :mod:`bench.load.realism`):

* connect with the subprotocols ``streamlit, <xsrf token>, <session id>`` (the last two empty for a new
  tab) and an ``Origin`` header of the same host;
* send ``BackMsg.rerun_script`` with a ``ClientState``: the query string, *every* widget state the page
  has shown (the frontend registers each widget's default value when it draws it, and sends them all
  on each rerun), the page's script hash (from ``new_session``), the hashes of the cacheable messages it
  already holds (the server then sends a ``ref_hash`` instead of the element again) and the browser's
  context (time zone, locale, URL);
* read ``ForwardMsg``s until ``script_finished`` with a status other than "finished early for rerun"
  (``st.rerun()`` inside the script continues in a new run on the same request);
* widget ids come from the ``new_element`` deltas of the previous run (``$$ID-<hash>-<key>``), found by
  the widget's key as the browser finds them by element;
* a deferred download (``st.download_button`` with a callable) is a ``backend_operation_request``;
  the answer carries a media URL that the browser then fetches over HTTP.

Only 127.0.0.1 is allowed as host; every wait is bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import connect

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED_EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
FINISHED_WITH_COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR
WIDGET_TYPES = ("radio", "selectbox", "multiselect", "text_input", "checkbox", "dataframe",
                "download_button", "button", "component_instance", "date_input")
ALLOWED_HOSTS = ("127.0.0.1", "localhost")


class ProtocolError(RuntimeError):
    """The server answered something a browser would not accept (or closed the connection)."""


class Disconnected(ProtocolError):
    """The websocket closed while a step was running."""


@dataclass
class Widget:
    """A widget as the page last drew it: its element type, id and proto (labels, options, default)."""

    kind: str
    id: str
    proto: Any

    @property
    def key(self) -> str:
        # user keys are the id's tail: "$$ID-<hash>-<key>"
        return self.id.split("-", 2)[2] if self.id.startswith("$$ID-") and self.id.count("-") >= 2 else self.id


@dataclass
class RunResult:
    """What one request (a rerun, with any ``st.rerun()`` it caused) produced."""

    seconds: float
    script_runs: int = 0
    elements: int = 0            # new_element deltas (full or by ref_hash)
    ref_hashes: int = 0          # elements the server did not resend because we hold them
    exceptions: list[str] = field(default_factory=list)
    element_types: list[str] = field(default_factory=list)
    bytes_received: int = 0
    messages: int = 0


def default_state(widget: Widget) -> WidgetState | None:
    """The state the frontend registers for a widget when it draws it (before any interaction)."""
    proto, state = widget.proto, WidgetState(id=widget.id)
    if widget.kind in ("radio", "selectbox"):
        if proto.HasField("default") and len(proto.options) > proto.default:
            state.string_value = proto.options[proto.default]
        else:
            return None
    elif widget.kind == "multiselect":
        state.string_array_value.data.extend(proto.options[i] for i in proto.default)
    elif widget.kind == "text_input":
        state.string_value = proto.default if proto.HasField("default") else ""
    elif widget.kind == "checkbox":
        state.bool_value = proto.default
    else:
        return None   # buttons, tables, components: no state until the visitor acts
    return state


class Session:
    """A browser tab on one page of a Streamlit app."""

    def __init__(self, base_url: str, page: str = "", query: str = "", *, timeout: float = 60.0,
                 locale: str = "nl-NL", tz: str = "Europe/Amsterdam"):
        parsed = urllib.parse.urlparse(base_url)
        if parsed.hostname not in ALLOWED_HOSTS:
            raise ValueError(f"the load generator only talks to this machine, not {parsed.hostname!r}")
        self.base_url = base_url.rstrip("/")
        self.page = page
        self.query_string = query
        self.timeout = timeout
        self.locale, self.tz = locale, tz
        self.ws: Any = None
        self.session_id = ""
        self.page_script_hash = ""
        self.widgets: dict[str, Widget] = {}        # by id, from the last completed run
        self.states: dict[str, WidgetState] = {}    # what the frontend holds and sends on each rerun
        self.message_cache: dict[str, tuple[ForwardMsg, int]] = {}   # hash -> (message, run last used)
        self.max_cached_message_age = 2
        self.runs = 0
        self.tables: dict[str, Any] = {}            # dataframe widget id -> last arrow data (bytes)
        self.pending_response: dict[str, ForwardMsg] = {}
        self.http: httpx.AsyncClient | None = None
        self.closed_unexpectedly = False
        self.bytes_received = 0

    # -- connection ---------------------------------------------------------------------------

    async def open(self) -> RunResult:
        """Connect and run the page as a browser opening its URL does; returns the first run."""
        parsed = urllib.parse.urlparse(self.base_url)
        ws_url = f"{'wss' if parsed.scheme == 'https' else 'ws'}://{parsed.netloc}{parsed.path}/_stcore/stream"
        # As the frontend: the health check (it sets the `_streamlit_xsrf` cookie, which a sticky
        # proxy hashes on) and the host configuration first, then the websocket with that cookie and
        # its token as the second subprotocol entry.
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout)
        for path in ("/_stcore/health", "/_stcore/host-config"):
            answer = await self.http.get(path)
            if answer.status_code != 200:
                raise ProtocolError(f"{path} answered HTTP {answer.status_code}")
        xsrf = self.http.cookies.get("_streamlit_xsrf")
        headers = {"Cookie": f"_streamlit_xsrf={xsrf}"} if xsrf else {}
        protocols = ["streamlit", xsrf] if xsrf else ["streamlit"]
        self.ws = await asyncio.wait_for(
            connect(ws_url, subprotocols=protocols, origin=f"{parsed.scheme}://{parsed.netloc}",
                    additional_headers=headers, max_size=None, open_timeout=self.timeout,
                    ping_interval=None),
            self.timeout)
        return await self.rerun(first=True)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.http is not None:
            await self.http.aclose()

    # -- widgets ------------------------------------------------------------------------------

    def widget(self, key: str, kind: str | None = None) -> Widget:
        """The widget drawn with this key (or a key starting with it, ``kaart_table_``)."""
        for widget in self.widgets.values():
            if (widget.key == key or (key.endswith("_") and widget.key.startswith(key))) and (
                    kind is None or widget.kind == kind):
                return widget
        raise ProtocolError(f"no widget with key {key!r} on the page (have: {sorted(w.key for w in self.widgets.values())})")

    def has_widget(self, key: str) -> bool:
        try:
            self.widget(key)
        except ProtocolError:
            return False
        return True

    def options(self, key: str) -> list[str]:
        return list(self.widget(key).proto.options)

    async def set_string(self, key: str, value: str) -> RunResult:
        widget = self.widget(key)
        state = WidgetState(id=widget.id, string_value=value)
        return await self.change(state)

    async def set_strings(self, key: str, values: list[str]) -> RunResult:
        widget = self.widget(key)
        state = WidgetState(id=widget.id)
        state.string_array_value.data.extend(values)
        return await self.change(state)

    async def select_row(self, key_prefix: str, row: int) -> RunResult:
        widget = self.widget(key_prefix, "dataframe")
        selection = {"selection": {"rows": [row], "columns": [], "cells": []}}
        return await self.change(WidgetState(id=widget.id, string_value=json.dumps(selection)))

    async def change(self, state: WidgetState) -> RunResult:
        self.states[state.id] = state
        return await self.rerun()

    def table(self, key_prefix: str):
        """The dataframe drawn with this key as a pyarrow table (what the browser renders)."""
        import pyarrow as pa

        widget = self.widget(key_prefix, "dataframe")
        data = self.tables.get(widget.id)
        if not data:
            return pa.table({})
        return pa.ipc.open_stream(io.BytesIO(data)).read_all()

    # -- messages -----------------------------------------------------------------------------

    def _client_state_msg(self, first: bool) -> BackMsg:
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query_string
        if first:
            rerun.page_name = self.page
        else:
            rerun.page_script_hash = self.page_script_hash
            rerun.cached_message_hashes.extend(sorted(self.message_cache))
        rerun.widget_states.widgets.extend(self.states.values())
        info = rerun.context_info
        info.timezone, info.timezone_offset, info.locale = self.tz, -60, self.locale
        info.url = f"{self.base_url}/{self.page}" + (f"?{self.query_string}" if self.query_string else "")
        info.is_embedded, info.color_scheme = False, "light"
        return msg

    async def _send(self, msg: BackMsg) -> None:
        try:
            await self.ws.send(msg.SerializeToString())
        except websockets.ConnectionClosed as exc:
            self.closed_unexpectedly = True
            raise Disconnected(f"websocket closed: {exc}") from exc

    async def _receive(self, deadline: float) -> ForwardMsg:
        msg, size = await self._receive_sized(deadline)
        self.bytes_received += size
        return msg

    async def _receive_sized(self, deadline: float) -> tuple[ForwardMsg, int]:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TimeoutError("no answer from the server in time")
        try:
            payload = await asyncio.wait_for(self.ws.recv(), remaining)
        except websockets.ConnectionClosed as exc:
            self.closed_unexpectedly = True
            raise Disconnected(f"websocket closed: {exc}") from exc
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        return msg, len(payload)

    async def rerun(self, first: bool = False) -> RunResult:
        """Send the current widget states and wait for the script to finish (bounded)."""
        start = time.perf_counter()
        received = self.bytes_received
        await self._send(self._client_state_msg(first))
        result = await self._collect(start)
        result.bytes_received = self.bytes_received - received
        return result

    async def _collect(self, start: float) -> RunResult:
        deadline = start + self.timeout
        result = RunResult(seconds=0.0)
        drawn: dict[str, Widget] = {}
        while True:
            msg = await self._receive(deadline)
            result.messages += 1
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id
                self.page_script_hash = msg.new_session.page_script_hash or self.page_script_hash
                self.max_cached_message_age = msg.new_session.config.max_cached_message_age or 2
                drawn = {}
                result.script_runs += 1
            elif kind == "navigation":
                # the page this run showed (new_session names the main script's hash)
                self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "ref_hash" or (kind == "delta" and msg.delta.WhichOneof("type") == "new_element"):
                if kind == "ref_hash":
                    # an element we hold: the frontend takes it from its message cache
                    cached = self.message_cache.get(msg.ref_hash)
                    if cached is None:
                        raise ProtocolError(f"server referred to message {msg.ref_hash} that this tab does not hold")
                    msg = cached[0]
                    result.ref_hashes += 1
                if msg.metadata.cacheable and msg.hash:
                    self.message_cache[msg.hash] = (msg, self.runs)
                element = msg.delta.new_element
                element_type = element.WhichOneof("type")
                result.elements += 1
                result.element_types.append(element_type)
                if element_type == "exception":
                    result.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
                elif element_type in WIDGET_TYPES:
                    proto = getattr(element, element_type)
                    widget_id = getattr(proto, "id", "")
                    if widget_id:
                        drawn[widget_id] = Widget(element_type, widget_id, proto)
                        if element_type == "dataframe":
                            self.tables[widget_id] = proto.arrow_data.data
            elif kind == "backend_operation_response":
                self.pending_response[msg.backend_operation_response.request_id] = msg
            elif kind == "script_finished":
                if msg.script_finished == FINISHED_WITH_COMPILE_ERROR:
                    result.exceptions.append("script compile error")
                if msg.script_finished != FINISHED_EARLY_FOR_RERUN:
                    break
        self._adopt(drawn)
        self.runs += 1
        # as the frontend's ForwardMsgCache: drop what the last few runs did not use
        self.message_cache = {h: (m, used) for h, (m, used) in self.message_cache.items()
                              if self.runs - used <= self.max_cached_message_age}
        result.seconds = time.perf_counter() - start
        return result

    def _adopt(self, drawn: dict[str, Widget]) -> None:
        """Widgets of the finished run become the page; their default states join the frontend's
        states (a widget that is gone is dropped, as its React component unmounts)."""
        if not drawn:
            return
        self.widgets = drawn
        self.states = {wid: state for wid, state in self.states.items() if wid in drawn}
        for wid, widget in drawn.items():
            if wid not in self.states:
                state = default_state(widget)
                if state is not None:
                    self.states[wid] = state
        # one-shot values (button triggers) are not sent again
        for wid in [w for w, s in self.states.items() if s.WhichOneof("value") in ("trigger_value", "string_trigger_value")]:
            del self.states[wid]

    async def download(self, key: str) -> tuple[float, int]:
        """Press a deferred download button: ask the server for the file, fetch it; (seconds, bytes)."""
        widget = self.widget(key, "download_button")
        start = time.perf_counter()
        if widget.proto.deferred_file_id:
            request_id = str(uuid.uuid4())
            msg = BackMsg()
            msg.backend_operation_request.request_id = request_id
            msg.backend_operation_request.session_id = self.session_id
            msg.backend_operation_request.deferred_file.file_id = widget.proto.deferred_file_id
            await self._send(msg)
            deadline = start + self.timeout
            while request_id not in self.pending_response:
                other = await self._receive(deadline)
                if other.WhichOneof("type") == "backend_operation_response":
                    self.pending_response[other.backend_operation_response.request_id] = other
            response = self.pending_response.pop(request_id).backend_operation_response
            if response.error_msg:
                raise ProtocolError(f"download refused: {response.error_msg}")
            url = response.deferred_file.url
        else:
            url = widget.proto.url
        assert self.http is not None
        answer = await self.http.get(url if url.startswith("http") else "/" + url.lstrip("/"))
        if answer.status_code != 200:
            raise ProtocolError(f"download {url} answered HTTP {answer.status_code}")
        return time.perf_counter() - start, len(answer.content)
