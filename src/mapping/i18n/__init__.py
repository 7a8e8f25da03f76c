"""Every user-facing string, in Dutch (default) and English.

Catalogues live in one module per feature (``core``, ``kaart``, ``aanmelden``, …), each a dict
``{key: {"nl": ..., "en": ...}}``. :func:`t` looks a key up, formats it with keyword arguments
and falls back to Dutch, then to the key itself (a test checks every key has both languages).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Any

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        strings = getattr(module, "STRINGS", {})
        duplicated = set(strings) & set(merged)
        if duplicated:
            raise RuntimeError(f"i18n keys defined twice: {sorted(duplicated)[:5]}")
        merged.update(strings)
    return merged


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    entry = catalogue().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get(DEFAULT_LANGUAGE) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def normalise_language(value: Any) -> str:
    text = str(value or "").strip().lower()[:5]
    return text if text in LANGUAGES else DEFAULT_LANGUAGE


def error_text(error, lang: str = DEFAULT_LANGUAGE) -> str:
    """Render a :class:`mapping.records.FieldError` in the user's language."""
    return t(error.code, lang, **error.params)


def kind_label(kind: str, lang: str = DEFAULT_LANGUAGE, plural: bool = False) -> str:
    return t(f"kind.{kind}{'.plural' if plural else ''}", lang)


def relation_label(relation: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return t(f"relation.{relation}", lang)


def precision_label(precision: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return t(f"precision.{precision}", lang)
