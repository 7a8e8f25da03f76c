"""HTTP as clients expect it: ETag/304, Cache-Control, CORS, rate limit, problem+json.

:func:`endpoint` wraps a handler ``(request, store, lang) -> Response``. Order per request:
CORS preflight answered; rate limit (per client address, 429 + Retry-After); the ETag — data
version, API version, language, today's date (calendars and "upcoming" change with the day), path, query —
compared with ``If-None-Match`` (304 without building anything); then the handler. Bad input
comes back as ``ApiProblem`` → 400 problem+json; anything unexpected is logged and answered with a
generic 500 problem (never a traceback).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from mapping.api.params import Query, language
from mapping.api.problems import ApiProblem, problem_response
from mapping.store import Store, StoreError

LOG = logging.getLogger("mapping.api")
API_VERSION = "1"
CACHE_CONTROL = "public, max-age=60"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Link, Retry-After, Content-Language",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, Accept, Accept-Language",
    "Access-Control-Max-Age": "86400",
}


class RateLimiter:
    """A token bucket per client address: ``rate`` requests per ``window`` seconds, refilled
    continuously. In memory, per server process (each replica limits on its own)."""

    MAX_CLIENTS = 50_000

    def __init__(self, rate: int = 120, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.window = window
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> RateLimiter:
        """``MAPPING_API_RATE=120/60`` (requests/seconds); the default is 120 per minute."""
        raw = os.environ.get("MAPPING_API_RATE", "")
        try:
            rate, window = (float(part) for part in raw.split("/"))
            return cls(int(rate), window)
        except ValueError:
            return cls()

    def retry_after(self, client: str) -> int:
        """0 when the request may pass (and is counted), else seconds until it may."""
        per_second = self.rate / self.window
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - last) * per_second)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                if len(self._buckets) > self.MAX_CLIENTS:
                    self._forget_full(now, per_second)
                return 0
            self._buckets[client] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / per_second))

    def _forget_full(self, now: float, per_second: float) -> None:
        for key, (tokens, last) in list(self._buckets.items()):
            if tokens + (now - last) * per_second >= self.rate:
                del self._buckets[key]


def etag_for(data_version: str, request: Request, lang: str, today: date | None = None) -> str:
    query = "&".join(sorted(f"{k}={v}" for k, v in request.query_params.multi_items()))
    key = "\n".join((API_VERSION, data_version, (today or date.today()).isoformat(), lang, request.url.path, query))
    return 'W/"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    candidates = {part.strip() for part in header.split(",")}
    bare = etag.removeprefix("W/")
    return "*" in candidates or etag in candidates or bare in candidates or f"W/{bare}" in candidates


Handler = Callable[[Request, Store, str], Response]


def endpoint(handler: Handler, *, get_store: Callable[[], Store], limiter: RateLimiter) -> Callable[[Request], Response]:
    """A sync Starlette endpoint (it runs in the thread pool; the store gives each thread its cursor)."""

    def run(request: Request) -> Response:
        query = Query(request.query_params.multi_items())
        lang = language(query, request.headers.get("accept-language", ""))
        instance = request.url.path
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=PREFLIGHT_HEADERS)
        client = request.client.host if request.client else "unknown"
        wait = limiter.retry_after(client)
        if wait:
            problem = ApiProblem(429, "rate_limited", "api.problem.rate_limited", seconds=wait,
                                 headers={"Retry-After": str(wait)})
            return _finish(problem_response(problem, lang, instance), cache=False)
        try:
            store = get_store()
            etag = etag_for(store.get_meta("data_version") or "0", request, lang)
            if _matches(request.headers.get("if-none-match", ""), etag):
                return _finish(Response(status_code=304), etag=etag)
            response = handler(request, store, lang)
            response.headers.setdefault("Content-Language", lang)
            return _finish(response, etag=etag if response.status_code == 200 else None,
                           cache=response.status_code == 200)
        except ApiProblem as problem:
            return _finish(problem_response(problem, lang, instance), cache=False)
        except StoreError as exc:
            LOG.warning("API %s: database unavailable: %s", instance, exc)
            problem = ApiProblem(503, "unavailable", "api.problem.unavailable", headers={"Retry-After": "60"})
            return _finish(problem_response(problem, lang, instance), cache=False)
        except Exception:  # noqa: BLE001 — any bug becomes a logged, generic problem, never a traceback
            LOG.exception("API %s failed", instance)
            problem = ApiProblem(500, "internal", "api.problem.internal")
            return _finish(problem_response(problem, lang, instance), cache=False)

    return run


def _finish(response: Response, *, etag: str | None = None, cache: bool = True) -> Response:
    for name, value in CORS_HEADERS.items():
        response.headers[name] = value
    if etag:
        response.headers["ETag"] = etag
    response.headers["Cache-Control"] = CACHE_CONTROL if cache or etag else "no-store"
    response.headers.setdefault("Vary", "Accept-Language")
    return response
