"""RFC 9457 problem details in Dutch and English: never a traceback, never a 500 for bad input."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from mapping.i18n import LANGUAGES, t

PROBLEM_TYPE_BASE = "/api/v1/problems/"


class ApiProblem(Exception):
    """An answer other than success, explained: ``status``, a problem ``kind`` (its title key is
    ``api.problem.<kind>.title``) and the i18n key and parameters of the detail."""

    def __init__(self, status: int, kind: str, detail_key: str, *, headers: dict[str, str] | None = None,
                 **params: Any):
        super().__init__(detail_key)
        self.status = status
        self.kind = kind
        self.detail_key = detail_key
        self.params = params
        self.headers = headers or {}


def bad_parameter(name: str, hint: str | None = None) -> ApiProblem:
    """400 for a parameter with an invalid value; ``hint`` is the i18n key of what to send instead."""
    return ApiProblem(400, "bad_parameter", "api.problem.bad_parameter", name=name, hint_key=hint or "")


def _texts(problem: ApiProblem, lang: str) -> tuple[str, str]:
    params = dict(problem.params)
    hint_key = params.pop("hint_key", "")
    params["hint"] = t(hint_key, lang) if hint_key else ""
    title_key = f"api.problem.{problem.kind}.title"
    return t(title_key, lang), t(problem.detail_key, lang, **params).strip()


def problem_body(problem: ApiProblem, lang: str, instance: str) -> dict[str, Any]:
    """The problem+json document: ``title``/``detail`` in ``lang``, and both languages under
    ``i18n`` (clients show what their user reads)."""
    title, detail = _texts(problem, lang)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + problem.kind,
        "title": title,
        "status": problem.status,
        "detail": detail,
        "instance": instance,
        "i18n": {code: dict(zip(("title", "detail"), _texts(problem, code))) for code in LANGUAGES},
    }
    if "name" in problem.params:
        body["parameter"] = problem.params["name"]
    return body


def problem_response(problem: ApiProblem, lang: str, instance: str) -> Response:
    content = json.dumps(problem_body(problem, lang, instance), ensure_ascii=False)
    return Response(content, status_code=problem.status, media_type="application/problem+json",
                    headers={"Content-Language": lang, **problem.headers})
