"""Lenient, explained matching of kinds and themes in imported files.

A spreadsheet says ``Hofjes``, ``zorgcoöperatie`` or ``Bewonersinitiatief`` where the records table
wants ``hofje``, ``initiative`` (+ theme ``zorgcooperatie``) and ``initiative``. Matching ignores case
and accents, accepts simple Dutch and English plurals, the Dutch and English labels, and the synonyms
in ``data/import_synonyms.csv``. Every match that is not the plain code or label comes back with
how it was found, so the import report can list it: nothing is changed silently. When nothing
matches, :meth:`Vocabulary.suggest_theme` proposes the nearest label (``rapidfuzz``).

Pure: the tables come in as plain rows; :func:`load` reads them from ``data/`` and the store.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from mapping.records import KIND_ALIASES, KINDS, slugify

SYNONYMS_FILE = "import_synonyms.csv"
SUGGESTION_CUTOFF = 75          # rapidfuzz ratio (0–100) below which we rather say nothing

KIND_LABELS = {
    "initiative": ("Initiatief", "Initiative", "Initiatieven", "Initiatives"),
    "provider": ("Zorgaanbieder", "Care provider", "Zorgaanbieders", "Care providers"),
    "network": ("Netwerk", "Network", "Netwerken", "Networks"),
    "meetup": ("Bijeenkomst", "Meet-up", "Bijeenkomsten", "Meet-ups"),
}


def key(text: Any) -> str:
    """Comparable form: case, accents, apostrophes and punctuation ignored ("Thema's" → "themas")."""
    return slugify(str(text or "").replace("'", "").replace("\u2019", ""))


def plural_candidates(word_key: str) -> list[str]:
    """Singular forms a plural could come from (Dutch -en/-s/-'s, v→f, z→s; English -s/-es)."""
    out: list[str] = []
    if word_key.endswith("ven"):
        out.append(word_key[:-3] + "f")            # initiatieven → initiatief
    if word_key.endswith("zen"):
        out.append(word_key[:-3] + "s")            # huizen → huis
    if word_key.endswith("en"):
        stem = word_key[:-2]
        out.append(stem)                           # netwerken → netwerk
        if len(stem) >= 2 and stem[-1] == stem[-2]:
            out.append(stem[:-1])                  # ontmoetingsplekken → ontmoetingsplek
    if word_key.endswith("es"):
        out.append(word_key[:-2])                  # English -es
    if word_key.endswith("s"):
        out.append(word_key[:-1])                  # hofjes → hofje, themas → thema
    return [c for c in out if len(c) >= 3]


@dataclass(frozen=True)
class Match:
    value: str                        # the code (kind or theme)
    how: str                          # exact | label | plural | synonym
    extra_themes: tuple[str, ...] = ()  # a kind synonym may imply a theme (zorgcoöperatie)

    @property
    def interpreted(self) -> bool:
        """True when the report must mention it (not just the code or a label in other case)."""
        return self.how in ("plural", "synonym")


@dataclass
class Vocabulary:
    kinds: dict[str, Match] = field(default_factory=dict)
    themes: dict[str, Match] = field(default_factory=dict)
    theme_labels: dict[str, str] = field(default_factory=dict)   # code → Dutch label (for suggestions)

    @classmethod
    def from_rows(cls, themes: list[dict], synonyms: list[dict]) -> "Vocabulary":
        vocabulary = cls()
        for code in KINDS:
            vocabulary.kinds[key(code)] = Match(code, "exact")
            for label in KIND_LABELS.get(code, ()):
                vocabulary.kinds.setdefault(key(label), Match(code, "label"))
        for alias, code in KIND_ALIASES.items():
            vocabulary.kinds.setdefault(key(alias), Match(code, "label"))
        for row in themes:
            code = row["code"]
            vocabulary.themes[key(code)] = Match(code, "exact")
            vocabulary.theme_labels[code] = row.get("label_nl") or code
            for column in ("label_nl", "label_en"):
                if row.get(column):
                    vocabulary.themes.setdefault(key(row[column]), Match(code, "label"))
        implied: dict[str, list[str]] = {}
        for row in synonyms:
            if row["field"] == "theme":
                values = implied.setdefault(key(row["term"]), [])
                if row["value"] not in values:
                    values.append(row["value"])
        for row in synonyms:
            term, value = key(row["term"]), row["value"]
            if row["field"] == "kind" and (term not in vocabulary.kinds or implied.get(term)):
                vocabulary.kinds[term] = Match(value, "synonym", tuple(implied.get(term, ())))
            elif row["field"] == "theme" and term not in vocabulary.themes:
                vocabulary.themes[term] = Match(value, "synonym")
        return vocabulary

    @staticmethod
    def _lookup(table: dict[str, Match], text: Any) -> Match | None:
        word_key = key(text)
        if not word_key:
            return None
        found = table.get(word_key)
        if found is not None:
            return found
        for candidate in plural_candidates(word_key):
            found = table.get(candidate)
            if found is not None:
                return Match(found.value, "plural" if found.how in ("exact", "label") else found.how,
                             found.extra_themes)
        return None

    def kind(self, text: Any) -> Match | None:
        return self._memo(self.kinds, "kind", text)

    def theme(self, text: Any) -> Match | None:
        return self._memo(self.themes, "theme", text)

    def _memo(self, table: dict[str, Match], name: str, text: Any) -> Match | None:
        # a list repeats the same few spellings thousands of times
        memo = self.__dict__.setdefault("_seen", {})
        found = memo.get((name, text), memo)
        if found is memo:
            found = memo[(name, text)] = self._lookup(table, text)
        return found

    def suggest_theme(self, text: Any) -> str | None:
        """The Dutch label of the nearest theme spelling, or None when nothing is close."""
        best = process.extractOne(key(text), list(self.themes), scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF)
        return self.theme_labels.get(self.themes[best[0]].value) if best else None

    def suggest_kind(self, text: Any) -> str | None:
        best = process.extractOne(key(text), list(self.kinds), scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF)
        return KIND_LABELS[self.kinds[best[0]].value][0] if best else None


def read_synonyms(data_dir: Path) -> list[dict]:
    path = data_dir / SYNONYMS_FILE
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row.get("term") and row.get("value")]


def load(store, data_dir: Path | None = None) -> Vocabulary:
    from mapping import config

    themes = store.df("SELECT code, label_nl, label_en FROM themes ORDER BY sort_order").to_dict("records")
    return Vocabulary.from_rows(themes, read_synonyms(data_dir or config.data_dir()))
