"""Moderators manage links: add, change and remove them, each change a revision in the history.

Write path only (no HTML, no Streamlit). Every function takes the acting moderator's name and
writes the change and its revision in one transaction, so the history is never missing a step.
Removing archives a link (``status = 'archived'``): it leaves the public views and the history
keeps what it was. A later ``build`` never brings back a link a moderator removed or changed,
because dataset links are only inserted when their id is new.

Errors are :class:`LinkError` values with an i18n key, rendered in the moderator's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mapping.i18n import format as fmt
from mapping.i18n import t
from mapping.ingest import link_id
from mapping.records import LIMITS, RELATIONS, LinkStatus, RecordStatus, clean_text, parse_date, valid_url
from mapping.store import Store

EDITABLE = ("from_id", "to_id", "relation", "source_url", "note", "source_date")
NOTE_LIMIT = 500
LINKABLE_STATUSES = (RecordStatus.APPROVED, RecordStatus.PENDING)
ACTIVE_STATUSES = (LinkStatus.APPROVED, LinkStatus.PENDING)
# Relations that read the same in both directions: A partner of B is B partner of A.
SYMMETRIC = ("partner",)


class LinkError(ValueError):
    """A link change that cannot be made, with an i18n message key and its parameters."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str = "nl") -> str:
        params = {k: fmt.datetime(v, lang, style="short") if isinstance(v, datetime) else v
                  for k, v in self.params.items()}
        return t(self.code, lang, **params)


@dataclass(frozen=True)
class LinkFields:
    from_id: str
    to_id: str
    relation: str
    source_url: str | None
    note: str | None
    source_date: date | None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in EDITABLE}


def clean_fields(raw: Mapping[str, Any], *, today: date | None = None) -> LinkFields:
    """Clean and check link fields that need no database (raises :class:`LinkError`)."""
    from_id, to_id = clean_text(raw.get("from_id")), clean_text(raw.get("to_id"))
    if not from_id or not to_id:
        raise LinkError("network.error.ends_required")
    if from_id == to_id:
        raise LinkError("network.error.self_link")
    relation = clean_text(raw.get("relation"))
    if relation not in RELATIONS:
        raise LinkError("network.error.relation", value=relation[:40])
    source_url = clean_text(raw.get("source_url")) or None
    if source_url and (len(source_url) > LIMITS["source_url"] or not valid_url(source_url)):
        raise LinkError("network.error.source_url")
    note = clean_text(raw.get("note"), multiline=True) or None
    if note and len(note) > NOTE_LIMIT:
        raise LinkError("network.error.note_too_long", max=NOTE_LIMIT, length=len(note))
    if not source_url and not note:
        raise LinkError("network.error.source_required")
    value = raw.get("source_date")
    try:
        source_date = value if isinstance(value, date) else parse_date(value)
    except ValueError:
        raise LinkError("network.error.date", value=str(value)[:30]) from None
    if source_date and source_date > (today or date.today()):
        raise LinkError("network.error.future_date")
    return LinkFields(from_id, to_id, relation, source_url, note, source_date)


def _actor(actor: str) -> str:
    name = clean_text(actor)
    if not name:
        raise LinkError("network.error.actor")
    return name[:150]


def _check_ends(cur, fields: LinkFields) -> None:
    found = dict(cur.execute(
        "SELECT id, status FROM records WHERE id IN (?, ?)", [fields.from_id, fields.to_id]).fetchall())
    for end in (fields.from_id, fields.to_id):
        if end not in found:
            raise LinkError("network.error.unknown_record", value=end[:120])
        if found[end] not in LINKABLE_STATUSES:
            raise LinkError("network.error.record_status", value=end[:120], status=found[end])


def _check_duplicate(cur, fields: LinkFields, ignore_id: str | None = None) -> None:
    pairs = [(fields.from_id, fields.to_id)]
    if fields.relation in SYMMETRIC:
        pairs.append((fields.to_id, fields.from_id))
    for a, b in pairs:
        row = cur.execute(
            """SELECT id FROM record_links WHERE from_id = ? AND to_id = ? AND relation = ?
               AND status IN ('approved', 'pending') AND id <> ?""",
            [a, b, fields.relation, ignore_id or ""]).fetchone()
        if row:
            raise LinkError("network.error.duplicate", value=row[0])


def _row(cur, link: str) -> dict[str, Any] | None:
    result = cur.execute(
        f"SELECT {', '.join(EDITABLE)}, status, origin, updated_at FROM record_links WHERE id = ?", [link])
    row = result.fetchone()
    if row is None:
        return None
    return dict(zip([*EDITABLE, "status", "origin", "updated_at"], row))


def _same_version(stored: Any, expected: Any) -> bool:
    """``updated_at`` as read now equals the one the moderator saw (datetime or pandas Timestamp)."""
    def text(value: Any) -> str:
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return expected is None or text(stored) == text(expected)


def _active_link(cur, link: str, expected_updated_at: Any) -> dict[str, Any]:
    """The link as it is in this transaction; refused when gone, removed, or changed after it was shown."""
    old = _row(cur, link)
    if old is None or old["status"] not in ACTIVE_STATUSES:
        raise LinkError("network.error.unknown_link", value=link[:200])
    if not _same_version(old["updated_at"], expected_updated_at):
        raise _changed_meanwhile(cur, link)
    return old


def _changed_meanwhile(cur, link: str) -> LinkError:
    rows = cur.execute("SELECT actor, changed_at FROM revisions WHERE entity_type = 'link' AND entity_id = ? "
                       "ORDER BY id DESC LIMIT 1", [link]).fetchall()
    by, at = rows[0] if rows else ("?", None)
    return LinkError("network.error.changed_meanwhile", value=link[:200], by=by, at=at or "?")


def _compare_and_set(cur, link: str, old: Mapping[str, Any], assignments: str, params: list[Any]) -> None:
    """Update the link only while it has the status and version read in this transaction."""
    if not cur.execute(f"UPDATE record_links SET {assignments}, updated_at = current_timestamp "
                       "WHERE id = ? AND status = ? AND updated_at = ? RETURNING id",
                       [*params, link, old["status"], old["updated_at"]]).fetchall():
        raise _changed_meanwhile(cur, link)


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {name: [old.get(name), new.get(name)] for name in new if old.get(name) != new.get(name)}


def add_link(store: Store, *, actor: str, from_id: str, to_id: str, relation: str,
             source_url: str | None = None, note: str | None = None, source_date: Any = None,
             origin: str = "moderator", today: date | None = None) -> str:
    """Add an approved link; returns its id. A removed link with the same ends and relation is
    restored (same id, history continues) instead of duplicated."""
    who = _actor(actor)
    fields = clean_fields({"from_id": from_id, "to_id": to_id, "relation": relation, "source_url": source_url,
                           "note": note, "source_date": source_date}, today=today)

    def work(cur) -> str:
        _check_ends(cur, fields)
        _check_duplicate(cur, fields)
        base = link_id(fields.from_id, fields.relation, fields.to_id)
        candidate, number = base, 1
        while True:
            existing = _row(cur, candidate)
            if existing is None:
                cur.execute(
                    """INSERT INTO record_links (id, from_id, to_id, relation, source_url, note, source_date,
                                                 status, origin)
                       VALUES (?, ?, ?, ?, ?, ?, ?, 'approved', ?)""",
                    [candidate, fields.from_id, fields.to_id, fields.relation, fields.source_url, fields.note,
                     fields.source_date, origin])
                store.add_revision(cur, "link", candidate, "create", who,
                                   {**_diff({}, fields.as_dict()), "status": [None, "approved"]})
                return candidate
            same_ends = (existing["from_id"], existing["to_id"], existing["relation"]) == \
                (fields.from_id, fields.to_id, fields.relation)
            if same_ends and existing["status"] not in ACTIVE_STATUSES:
                _compare_and_set(cur, candidate, existing, "source_url = ?, note = ?, source_date = ?, status = ?",
                                 [fields.source_url, fields.note, fields.source_date, LinkStatus.APPROVED])
                store.add_revision(cur, "link", candidate, "restore", who,
                                   {**_diff(existing, fields.as_dict()), "status": [existing["status"], "approved"]})
                return candidate
            number += 1
            candidate = f"{base}~{number}"

    return store.run_in_transaction(work)


def update_link(store: Store, link: str, *, actor: str, today: date | None = None,
                expected_updated_at: Any = None, **changes: Any) -> dict[str, list[Any]]:
    """Change fields of an active link (``from_id, to_id, relation, source_url, note,
    source_date``). Returns ``{field: [old, new]}`` of what changed (empty: nothing to save).
    A compare-and-set: refused when the link changed after ``expected_updated_at`` (or meanwhile)."""
    who = _actor(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise LinkError("network.error.field", value=", ".join(sorted(unknown)))

    def work(cur) -> dict[str, list[Any]]:
        old = _active_link(cur, link, expected_updated_at)
        merged = {name: old[name] for name in EDITABLE}
        merged.update(changes)
        fields = clean_fields(merged, today=today)
        diff = _diff(old, fields.as_dict())
        if not diff:
            return {}
        if {"from_id", "to_id"} & set(diff):
            _check_ends(cur, fields)
        _check_duplicate(cur, fields, ignore_id=link)
        assignments = ", ".join(f"{name} = ?" for name in diff)
        _compare_and_set(cur, link, old, assignments, [getattr(fields, name) for name in diff])
        store.add_revision(cur, "link", link, "update", who, diff)
        return diff

    return store.run_in_transaction(work)


def remove_link(store: Store, link: str, *, actor: str, reason: str | None = None,
                expected_updated_at: Any = None) -> None:
    """Take a link off the map (archive it). The reason, if given, goes into the history.
    A compare-and-set like :func:`update_link`: of two removals at once, one wins."""
    who = _actor(actor)
    why = clean_text(reason, multiline=True)[:NOTE_LIMIT] or None

    def work(cur) -> None:
        old = _active_link(cur, link, expected_updated_at)
        _compare_and_set(cur, link, old, "status = ?", [LinkStatus.ARCHIVED])
        changes: dict[str, list[Any]] = {"status": [old["status"], "archived"]}
        if why:
            changes["reason"] = [None, why]
        store.add_revision(cur, "link", link, "remove", who, changes)

    store.run_in_transaction(work)


def link_from_suggestion(store: Store, suggestion: Mapping[str, Any], *, actor: str, reason: str,
                         relation: str = "partner", source_url: str | None = None,
                         lang: str = "nl", today: date | None = None) -> str:
    """Turn a suggested schakel (a row of :func:`mapping.network.suggest_partners`) into a link in
    one step. The note records that the map suggested it and why; the date is today."""
    day = today or date.today()
    note = t("network.admin.suggestion_note", lang, reason=reason, actor=_actor(actor), date=day.isoformat())
    return add_link(store, actor=actor, from_id=str(suggestion["subject_id"]),
                    to_id=str(suggestion["candidate_id"]), relation=relation, source_url=source_url,
                    note=note[:NOTE_LIMIT], source_date=day, origin="suggestion", today=day)
