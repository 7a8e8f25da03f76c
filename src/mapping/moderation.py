"""Moderation: the queue, decisions on submissions, freshness, and the audit history.

Every decision is one transaction that changes the data and appends revisions (who, when, what
changed — never contact data). Revisions are never updated or deleted. Decisions that change
public data bump the store's ``data_version`` so cached pages refresh. The moderation page and
``python -m mapping moderate`` call these same functions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from mapping import i18n, ingest
from mapping.i18n import format as fmt
from mapping.records import RecordStatus, SubmissionStatus, clean_text
from mapping.store import Cursor, Store
from mapping.submissions import (
    FLAG_DUPLICATE, FLAG_LOCATION, FLAG_REMOVAL, PAYLOAD_FIELDS, Candidate, Checked, SubmissionError, check,
    find_duplicates, payload_as_form, payload_record, record_row, to_payload,
)

STALE_MONTHS = 12
REASONS = ("new", "change", "removal", FLAG_DUPLICATE, FLAG_LOCATION, "stale")
MAX_REASON = 500
MAX_ACTOR = 100
CONTACT_RETENTION_DAYS = 183      # contacts of rejected/withdrawn/removed entries: about six months

# Fields that travel together when a merge fills a missing location.
LOCATION_FIELDS = ("lat", "lon", "location_precision", "address", "postcode", "place", "provincie_code",
                   "gemeente_code", "wijk_code", "zorgkantoorregio_code")


# -- freshness -------------------------------------------------------------------------------------

def stale_cutoff(today: date | None = None) -> date:
    """The date 12 months before ``today`` (29 February falls back to the 28th)."""
    today = today or date.today()
    year, month = divmod(today.year * 12 + today.month - 1 - STALE_MONTHS, 12)
    month += 1
    day = today.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def _as_date(value: Any) -> date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def is_stale(last_verified: Any, today: date | None = None) -> bool:
    """True when a record was never confirmed or not within the last 12 months."""
    verified = _as_date(last_verified)
    return verified is None or verified < stale_cutoff(today)


def stale_records(store: Store, today: date | None = None) -> pd.DataFrame:
    """Approved records not confirmed for 12 months (oldest first): id, name, kind, place, last_verified."""
    return store.df(
        """SELECT id, name, kind, place, last_verified FROM records
           WHERE status = 'approved' AND (last_verified IS NULL OR last_verified < ?)
           ORDER BY last_verified NULLS FIRST, name""",
        [stale_cutoff(today)],
    )


# -- the queue -------------------------------------------------------------------------------------

def queue(store: Store, today: date | None = None, *, include_stale: bool = True) -> pd.DataFrame:
    """Everything that needs a moderator, with the reasons why.

    Columns: item_type ('submission' | 'record'), item_id, record_id, name, kind, place, reasons
    (list of REASONS), created_at, last_verified. Pending submissions first (oldest first), then
    records not confirmed for 12 months.
    """
    rows: list[dict[str, Any]] = []
    pending = store.df(
        """SELECT s.id, s.record_id, s.submission_type, s.flags, s.payload, s.created_at,
                  r.name AS record_name, r.kind AS record_kind, r.place AS record_place, r.last_verified
           FROM submissions s LEFT JOIN records r ON r.id = s.record_id
           WHERE s.status = 'pending' ORDER BY s.created_at, s.id"""
    )
    for item in pending.itertuples(index=False):
        payload = json.loads(item.payload) if isinstance(item.payload, str) else dict(item.payload or {})
        flags = list(item.flags) if item.flags is not None else []
        removal = FLAG_REMOVAL in flags
        reasons = ["removal" if removal else item.submission_type]
        reasons += [flag for flag in flags if flag in (FLAG_DUPLICATE, FLAG_LOCATION)]
        rows.append({
            "item_type": "submission", "item_id": item.id, "record_id": item.record_id,
            "name": payload.get("name") or item.record_name, "kind": payload.get("kind") or item.record_kind,
            "place": payload.get("place") or item.record_place, "reasons": reasons,
            "created_at": item.created_at, "last_verified": _as_date(item.last_verified),
        })
    if include_stale:
        busy = {row["record_id"] for row in rows}
        for item in stale_records(store, today).itertuples(index=False):
            if item.id in busy:
                continue
            rows.append({
                "item_type": "record", "item_id": item.id, "record_id": item.id, "name": item.name,
                "kind": item.kind, "place": item.place, "reasons": ["stale"], "created_at": None,
                "last_verified": _as_date(item.last_verified),
            })
    columns = ["item_type", "item_id", "record_id", "name", "kind", "place", "reasons", "created_at", "last_verified"]
    return pd.DataFrame(rows, columns=columns)


def pending_count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM submissions WHERE status = 'pending'") or 0)


# -- one submission ----------------------------------------------------------------------------------

@dataclass
class SubmissionDetail:
    submission: dict[str, Any]
    record: dict[str, Any] | None              # the record as it stands now (any status)
    proposed: dict[str, Any]                   # the payload
    diff: list[tuple[str, Any, Any]]           # (field, now, proposed) for changed fields
    duplicates: list[Candidate]
    contact: dict[str, Any] | None             # PRIVATE: only for the authenticated moderator
    partners: list[dict[str, str]] = field(default_factory=list)

    @property
    def is_removal(self) -> bool:
        return bool(self.proposed.get("remove"))


def _fetch(source: Store | Any, sql: str, params: list[Any]) -> list[tuple]:
    """Rows from a store, or from a transaction's cursor (so that a check sees the transaction's state)."""
    return source.rows(sql, params) if isinstance(source, Store) else source.execute(sql, params).fetchall()


def _submission(source: Store | Any, reference: str) -> dict[str, Any] | None:
    rows = _fetch(source,
        """SELECT id, record_id, submission_type, payload, status, flags, review_reason, reviewed_by,
                  created_at, updated_at FROM submissions WHERE id = ?""", [reference])
    if not rows:
        return None
    keys = ("id", "record_id", "submission_type", "payload", "status", "flags", "review_reason", "reviewed_by",
            "created_at", "updated_at")
    item = dict(zip(keys, rows[0]))
    item["payload"] = json.loads(item["payload"]) if isinstance(item["payload"], str) else item["payload"]
    item["flags"] = list(item["flags"] or [])
    return item


def _comparable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        return value.tolist()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    if value == "":
        return None
    return value


def field_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    before = before or {}
    out = []
    for name in PAYLOAD_FIELDS:
        if name not in after:
            continue
        old, new = _comparable(before.get(name)), _comparable(after.get(name))
        if old in (None, False, []) and new in (None, False, []):
            continue
        if isinstance(old, float) and isinstance(new, float) and abs(old - new) < 1e-9:
            continue
        if old != new:
            out.append((name, old, new))
    return out


def submission_detail(store: Store, reference: str) -> SubmissionDetail | None:
    item = _submission(store, reference)
    if item is None:
        return None
    record = record_row(store, item["record_id"])
    proposed = item["payload"]
    if proposed.get("remove"):
        diff = [("status", record.get("status") if record else None, "archived")]
        duplicates: list[Candidate] = []
    else:
        base = record if item["submission_type"] == "change" else None
        diff = field_diff(base, payload_record(proposed))
        duplicates = find_duplicates(store, payload_record(proposed), statuses=("approved", "pending"),
                                     exclude_ids=(item["record_id"],))
    contact_rows = store.rows("SELECT contact_name, contact_email, consent_at FROM contacts WHERE submission_id = ?",
                              [reference])
    contact = dict(zip(("contact_name", "contact_email", "consent_at"), contact_rows[0])) if contact_rows else None
    partner_ids = list(proposed.get("partners") or [])
    partners = [{"id": rid, "name": name} for rid, name in store.rows(
        "SELECT id, name FROM records WHERE id IN (SELECT unnest(?::VARCHAR[])) ORDER BY name", [partner_ids or [""]])]
    return SubmissionDetail(item, record, proposed, diff, duplicates, contact, partners)


# -- decisions ---------------------------------------------------------------------------------------

def _actor(actor: str) -> str:
    name = clean_text(actor)[:MAX_ACTOR]
    if not name:
        raise SubmissionError("moderatie.error.actor_required")
    return name


@dataclass(frozen=True)
class Decision:
    """The outcome of one moderation decision. ``won`` False: somebody else decided (or changed the
    item) first — ``by`` and ``at`` say who and when, ``status`` what it is now."""
    won: bool
    by: str | None
    at: datetime | None
    status: str
    record_id: str | None = None


class AlreadyDecided(SubmissionError):
    """A decision that lost: the item was decided or changed by someone else after it was shown."""

    def __init__(self, reference: str, decision: Decision, code: str = "moderatie.error.already_decided"):
        super().__init__(code, id=reference, by=decision.by or "?", at=decision.at, status=decision.status)
        self.decision = decision


def error_text(exc: SubmissionError, lang: str) -> str:
    """The user's message for a refused action, with dates and statuses in the user's language."""
    params = dict(exc.params)
    for key, value in params.items():
        if isinstance(value, datetime):
            params[key] = fmt.datetime(value, lang, style="short")
    if "status" in params:
        params["status"] = i18n.t(f"moderatie.status.{params['status']}", lang)
    return i18n.t(exc.code, lang, **params)


def _last_change(cur: Any, entity_type: str, entity_id: str) -> tuple[str | None, datetime | None]:
    """Who changed an entity last, and when (from the audit log)."""
    rows = cur.execute("SELECT actor, changed_at FROM revisions WHERE entity_type = ? AND entity_id = ? "
                       "ORDER BY id DESC LIMIT 1", [entity_type, entity_id]).fetchall()
    return (rows[0][0], rows[0][1]) if rows else (None, None)


def _lost(cur: Any, reference: str) -> AlreadyDecided:
    """Why a compare-and-set on a submission found nothing to update: decided or changed meanwhile."""
    item = _submission(cur, reference)
    if item is None:
        return AlreadyDecided(reference, Decision(False, None, None, "archived"), "moderatie.error.not_found")
    by, at = _last_change(cur, "submission", reference)
    decision = Decision(False, item["reviewed_by"] or by, item["updated_at"] or at, item["status"], item["record_id"])
    if item["status"] == SubmissionStatus.PENDING:
        return AlreadyDecided(reference, decision, "moderatie.error.changed_meanwhile")
    return AlreadyDecided(reference, decision)


def _pending_submission(source: Store | Any, reference: str,
                        expected_updated_at: datetime | None = None) -> dict[str, Any]:
    """The submission, if it still waits for a decision (and is the version the moderator saw when
    ``expected_updated_at`` is given). Called with the transaction's cursor by every decision."""
    item = _submission(source, reference)
    if item is None:
        raise SubmissionError("moderatie.error.not_found", id=reference)
    stale_view = expected_updated_at is not None and _comparable(item["updated_at"]) != _comparable(expected_updated_at)
    if item["status"] != SubmissionStatus.PENDING or stale_view:
        raise _lost(source if not isinstance(source, Store) else source.cursor(), reference)
    return item


def _claim(cur: Any, item: dict[str, Any], assignments: str, params: list[Any]) -> None:
    """Compare-and-set on a pending submission: update it only if it is still pending and unchanged
    since ``item`` was read in this transaction; otherwise say who decided first."""
    won = cur.execute(
        f"UPDATE submissions SET {assignments} WHERE id = ? AND status = ? AND updated_at = ? RETURNING id",
        [*params, item["id"], SubmissionStatus.PENDING, item["updated_at"]]).fetchall()
    if not won:
        raise _lost(cur, item["id"])


def _write_record(cur: Cursor, record_id: str, values: dict[str, Any], now: datetime) -> None:
    names = [n for n in values if n in PAYLOAD_FIELDS or n in ("status", "last_verified")]
    if not names:
        return
    assignments = ", ".join(f"{n} = CAST(? AS VARCHAR[])" if n == "themes" else f"{n} = ?" for n in names)
    cur.execute(f"UPDATE records SET {assignments}, updated_at = ? WHERE id = ?",
                [list(values[n]) if n == "themes" else values[n] for n in names] + [now, record_id])


def _record_now(cur: Cursor, record_id: str) -> dict[str, Any] | None:
    frame = cur.execute("SELECT * FROM records WHERE id = ?", [record_id]).df()
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    out = {}
    for key, value in row.items():
        if hasattr(value, "tolist") and not isinstance(value, str):
            value = value.tolist()
        out[key] = None if (not isinstance(value, (list, str)) and value is not None and value != value) else value
    return out


def _changes(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {name: [old, new] for name, old, new in field_diff(before, after)}
    for extra in ("status", "last_verified"):
        if extra in after:
            old, new = _comparable((before or {}).get(extra)), _comparable(after[extra])
            if old != new:
                changes[extra] = [old, new]
    return changes


def _add_partner_links(cur: Cursor, record_id: str, partners: list[str], actor: str) -> list[str]:
    """Approved 'partner' links from the record to each chosen approved record (no duplicates)."""
    added = []
    for partner in partners:
        if partner == record_id:
            continue
        approved = cur.execute("SELECT count(*) FROM records WHERE id = ? AND status = 'approved'", [partner]).fetchone()[0]
        exists = cur.execute(
            """SELECT count(*) FROM record_links WHERE relation = 'partner' AND status <> 'archived'
               AND ((from_id = ? AND to_id = ?) OR (from_id = ? AND to_id = ?))""",
            [record_id, partner, partner, record_id]).fetchone()[0]
        if not approved or exists:
            continue
        link = ingest.link_id(record_id, "partner", partner)
        cur.execute(
            """INSERT INTO record_links (id, from_id, to_id, relation, status, origin)
               VALUES (?, ?, ?, 'partner', 'approved', 'submission')
               ON CONFLICT (id) DO UPDATE SET status = 'approved', updated_at = excluded.updated_at""",
            [link, record_id, partner])
        Store.add_revision(cur, "link", link, "create", actor,
                           {"from_id": [None, record_id], "to_id": [None, partner], "relation": [None, "partner"]})
        added.append(link)
    return added


def approve(store: Store, reference: str, actor: str, *, today: date | None = None,
            now: datetime | None = None, expected_updated_at: datetime | None = None) -> Decision:
    """Publish a pending submission (new record, proposed change or removal). The status check and
    the writes are one transaction; raises :class:`AlreadyDecided` when someone else decided first
    (or, with ``expected_updated_at``, changed it after the moderator saw it)."""
    actor = _actor(actor)
    today, now = today or date.today(), now or datetime.now()

    def write(cur: Cursor) -> str:
        item = _pending_submission(cur, reference, expected_updated_at)
        payload = item["payload"]
        record_id = item["record_id"]
        _claim(cur, item, "status = ?, reviewed_by = ?, updated_at = ?", [SubmissionStatus.APPROVED, actor, now])
        before = _record_now(cur, record_id)
        if before is None or before["status"] in (RecordStatus.ARCHIVED, RecordStatus.REJECTED) \
                and item["submission_type"] == "change":
            raise SubmissionError("moderatie.error.record_gone", id=record_id)
        if payload.get("remove"):
            values: dict[str, Any] = {"status": RecordStatus.ARCHIVED}
        else:
            values = {**payload_record(payload), "status": RecordStatus.APPROVED, "last_verified": today}
        _write_record(cur, record_id, values, now)
        Store.add_revision(cur, "record", record_id,
                           "archive" if payload.get("remove") else ("approve" if item["submission_type"] == "new" else "update"),
                           actor, {**_changes(before, values), "submission": [None, reference]})
        if not payload.get("remove"):
            _add_partner_links(cur, record_id, list(payload.get("partners") or []), actor)
        Store.add_revision(cur, "submission", reference, "approve", actor, {"status": ["pending", "approved"]})
        store.bump_data_version(cur)
        return record_id

    record_id = store.run_in_transaction(write)
    return Decision(True, actor, now, SubmissionStatus.APPROVED, record_id)


def _checked_reason(reason: str) -> str:
    """A moderator's reason, cleaned; required and bounded (the submitter reads it)."""
    reason = clean_text(reason, multiline=True)
    if not reason:
        raise SubmissionError("moderatie.error.reason_required")
    if len(reason) > MAX_REASON:
        raise SubmissionError("moderatie.error.reason_too_long", max=MAX_REASON)
    return reason


def reject(store: Store, reference: str, actor: str, reason: str, *, now: datetime | None = None,
           expected_updated_at: datetime | None = None) -> Decision:
    """Turn a submission down with a reason the submitter sees on their status page (one
    transaction; :class:`AlreadyDecided` when someone else decided first)."""
    actor = _actor(actor)
    reason = _checked_reason(reason)
    now = now or datetime.now()

    def write(cur: Cursor) -> str:
        item = _pending_submission(cur, reference, expected_updated_at)
        _claim(cur, item, "status = ?, review_reason = ?, reviewed_by = ?, updated_at = ?",
               [SubmissionStatus.REJECTED, reason, actor, now])
        Store.add_revision(cur, "submission", reference, "reject", actor,
                           {"status": ["pending", "rejected"], "review_reason": [None, reason]})
        if item["submission_type"] == "new":
            taken_down = cur.execute("UPDATE records SET status = ?, updated_at = ? WHERE id = ? AND status = ? "
                                     "RETURNING id", [RecordStatus.REJECTED, now, item["record_id"],
                                                      RecordStatus.PENDING]).fetchall()
            if taken_down:
                Store.add_revision(cur, "record", item["record_id"], "reject", actor,
                                   {"status": ["pending", "rejected"]})
        return item["record_id"]

    record_id = store.run_in_transaction(write)
    return Decision(True, actor, now, SubmissionStatus.REJECTED, record_id)


def save_edits(store: Store, reference: str, actor: str, raw: dict[str, Any], *,
               now: datetime | None = None, expected_updated_at: datetime | None = None) -> Checked:
    """A moderator corrects a pending submission before deciding. The edits pass the same checks as
    the form; on success the payload (and a pending new record) is updated and a revision kept.
    The update is a compare-and-set on the version read here (:class:`AlreadyDecided` if it moved)."""
    actor = _actor(actor)
    item = _pending_submission(store, reference, expected_updated_at)
    if item["payload"].get("remove"):
        raise SubmissionError("moderatie.error.cannot_edit_removal")
    now = now or datetime.now()
    checked = check(store, raw, contact_required=False, require_consent=False, record_id=item["record_id"])
    if not checked.ok:
        return checked
    payload = to_payload(dict(checked.record or {}, id=item["record_id"]), checked.partners, checked.partners_text)
    for keep in ("duplicate_candidates",):
        if keep in item["payload"]:
            payload[keep] = item["payload"][keep]
    flags = sorted(set([f for f in item["flags"] if f == FLAG_DUPLICATE] + checked.flags))

    def write(cur: Cursor) -> None:
        changes = {k: [item["payload"].get(k), v] for k, v in payload.items() if item["payload"].get(k) != v}
        _claim(cur, item, "payload = ?, flags = ?, updated_at = ?", [json.dumps(payload, ensure_ascii=False), flags, now])
        if item["submission_type"] == "new":
            _write_record(cur, item["record_id"], payload_record(payload), now)
        Store.add_revision(cur, "submission", reference, "edit", actor, changes)

    store.run_in_transaction(write)
    return checked


def edit_form_values(store: Store, reference: str) -> dict[str, Any]:
    item = _submission(store, reference)
    if item is None:
        raise SubmissionError("moderatie.error.not_found", id=reference)
    return payload_as_form(item["payload"])


def _merge_records(cur: Cursor, source_id: str, target_id: str, actor: str,
                   now: datetime) -> dict[str, list[Any]]:
    source, target = _record_now(cur, source_id), _record_now(cur, target_id)
    if source is None or target is None:
        raise SubmissionError("moderatie.error.not_found", id=target_id if source else source_id)
    if source_id == target_id:
        raise SubmissionError("moderatie.error.merge_self")
    if source["status"] == RecordStatus.ARCHIVED:
        raise _record_lost(cur, source_id)
    if target["status"] not in (RecordStatus.APPROVED, RecordStatus.PENDING):
        raise SubmissionError("moderatie.error.merge_target", id=target_id, status=target["status"])
    fill: dict[str, Any] = {}
    if target.get("lat") is None and source.get("lat") is not None:
        fill.update({name: source.get(name) for name in LOCATION_FIELDS})
    for name in PAYLOAD_FIELDS:
        if name in LOCATION_FIELDS or name == "themes":
            continue
        if _comparable(target.get(name)) in (None, False) and _comparable(source.get(name)) not in (None, False):
            fill[name] = source.get(name)
    themes = list(dict.fromkeys(list(target.get("themes") or []) + list(source.get("themes") or [])))
    if themes != list(target.get("themes") or []):
        fill["themes"] = themes
    verified = [d for d in (_as_date(target.get("last_verified")), _as_date(source.get("last_verified"))) if d]
    if verified and max(verified) != _as_date(target.get("last_verified")):
        fill["last_verified"] = max(verified)
    changes = _changes(target, fill)
    # Compare-and-set: the duplicate is archived only if nobody changed its status meanwhile.
    if not cur.execute("UPDATE records SET status = ?, updated_at = ? WHERE id = ? AND status = ? RETURNING id",
                       [RecordStatus.ARCHIVED, now, source_id, source["status"]]).fetchall():
        raise _record_lost(cur, source_id)
    _write_record(cur, target_id, fill, now)
    # Links follow the merged record; ones that would duplicate an existing link or point at itself are archived.
    links = cur.execute(
        """SELECT id, from_id, to_id, relation, source_url, note, status, origin FROM record_links
           WHERE (from_id = ? OR to_id = ?) AND status <> 'archived'""", [source_id, source_id]).fetchall()
    for link, from_id, to_id, relation, source_url, note, status, origin in links:
        new_from = target_id if from_id == source_id else from_id
        new_to = target_id if to_id == source_id else to_id
        new_link = ingest.link_id(new_from, relation, new_to)
        taken = cur.execute("SELECT count(*) FROM record_links WHERE id = ? AND status <> 'archived'",
                            [new_link]).fetchone()[0]
        cur.execute("UPDATE record_links SET status = 'archived', updated_at = ? WHERE id = ?", [now, link])
        if new_from != new_to and not taken:
            cur.execute(
                """INSERT INTO record_links (id, from_id, to_id, relation, source_url, note, status, origin)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at""",
                [new_link, new_from, new_to, relation, source_url, note, status, origin])
            Store.add_revision(cur, "link", new_link, "merge", actor, {"replaces": [None, link]})
        Store.add_revision(cur, "link", link, "archive", actor, {"status": [status, "archived"],
                                                                   "merged_into": [None, target_id]})
    cur.execute("UPDATE contacts SET record_id = ? WHERE record_id = ?", [target_id, source_id])
    Store.add_revision(cur, "record", target_id, "merge", actor, {**changes, "merged_from": [None, source_id]})
    Store.add_revision(cur, "record", source_id, "merged_into", actor,
                       {"status": [source["status"], "archived"], "merged_into": [None, target_id]})
    return changes


def merge_records(store: Store, source_id: str, target_id: str, actor: str, *, now: datetime | None = None) -> Decision:
    """Fold a duplicate record into an existing one: empty fields are filled, themes combined, links
    moved; the duplicate is archived (never deleted) and open submissions on it are closed."""
    actor = _actor(actor)
    now = now or datetime.now()

    def write(cur: Cursor) -> None:
        _merge_records(cur, source_id, target_id, actor, now)
        for (reference,) in cur.execute("SELECT id FROM submissions WHERE record_id = ? AND status = ?",
                                        [source_id, SubmissionStatus.PENDING]).fetchall():
            _close_as_merged(cur, reference, target_id, actor, now)
        store.bump_data_version(cur)

    store.run_in_transaction(write)
    return Decision(True, actor, now, RecordStatus.ARCHIVED, target_id)


def _close_as_merged(cur: Cursor, reference: str, target_id: str, actor: str, now: datetime,
                     *, audit: bool = True) -> None:
    """Close a pending submission as merged (compare-and-set: only while it is still pending)."""
    item = _submission(cur, reference)
    if item is None or item["status"] != SubmissionStatus.PENDING:
        raise _lost(cur, reference)
    payload = dict(item["payload"], merged_into=target_id)
    _claim(cur, item, "status = ?, review_reason = ?, reviewed_by = ?, payload = ?, updated_at = ?",
           [SubmissionStatus.MERGED, f"merged into {target_id}", actor, json.dumps(payload, ensure_ascii=False), now])
    if audit:
        _merged_revision(cur, reference, target_id, actor)


def _merged_revision(cur: Any, reference: str, target_id: str, actor: str) -> None:
    Store.add_revision(cur, "submission", reference, "merge", actor,
                       {"status": ["pending", "merged"], "merged_into": [None, target_id]})


def _record_lost(cur: Any, record_id: str) -> AlreadyDecided:
    """A compare-and-set on a record found it changed: who changed it last, and when."""
    record = _record_now(cur, record_id)
    by, at = _last_change(cur, "record", record_id)
    status = record["status"] if record else RecordStatus.ARCHIVED
    return AlreadyDecided(record_id, Decision(False, by, at, status, record_id))


def merge_submission(store: Store, reference: str, target_id: str, actor: str, *,
                     now: datetime | None = None, expected_updated_at: datetime | None = None) -> Decision:
    """A new sign-up turns out to be an existing record: merge it into that record (one
    transaction; :class:`AlreadyDecided` when someone else decided first)."""
    actor = _actor(actor)
    now = now or datetime.now()

    def write(cur: Cursor) -> None:
        item = _pending_submission(cur, reference, expected_updated_at)
        if item["submission_type"] != "new":
            raise SubmissionError("moderatie.error.merge_new_only")
        payload = item["payload"]
        _close_as_merged(cur, reference, target_id, actor, now, audit=False)     # claims the decision first
        _write_record(cur, item["record_id"], payload_record(payload), now)
        _merge_records(cur, item["record_id"], target_id, actor, now)
        target_status = cur.execute("SELECT status FROM records WHERE id = ?", [target_id]).fetchone()[0]
        if target_status == RecordStatus.APPROVED:
            _add_partner_links(cur, target_id, list(payload.get("partners") or []), actor)
        for (other,) in cur.execute("SELECT id FROM submissions WHERE record_id = ? AND status = ?",
                                    [item["record_id"], SubmissionStatus.PENDING]).fetchall():
            _close_as_merged(cur, other, target_id, actor, now)
        _merged_revision(cur, reference, target_id, actor)
        store.bump_data_version(cur)

    store.run_in_transaction(write)
    return Decision(True, actor, now, SubmissionStatus.MERGED, target_id)


def _record_cas(cur: Any, record_id: str, assignments: str, params: list[Any], *, status: str,
                updated_at: Any) -> None:
    """Compare-and-set on a record: update it only while it has the status and version read in this
    transaction; otherwise say who changed it first."""
    if not cur.execute(f"UPDATE records SET {assignments} WHERE id = ? AND status = ? AND updated_at = ? RETURNING id",
                       [*params, record_id, status, updated_at]).fetchall():
        raise _record_lost(cur, record_id)


def _record_version(cur: Any, record_id: str) -> tuple[str, Any, Any] | None:
    rows = cur.execute("SELECT status, updated_at, last_verified FROM records WHERE id = ?", [record_id]).fetchall()
    return rows[0] if rows else None


def confirm_record(store: Store, record_id: str, actor: str, *, today: date | None = None,
                   expected_updated_at: datetime | None = None) -> Decision:
    """A moderator checked that a published record is still current (compare-and-set; with
    ``expected_updated_at`` it refuses when someone changed the record after it was shown)."""
    actor = _actor(actor)
    today = today or date.today()
    now = datetime.now()

    def write(cur: Cursor) -> None:
        version = _record_version(cur, record_id)
        if version is None or version[0] != RecordStatus.APPROVED:
            raise SubmissionError("moderatie.error.not_public", id=record_id)
        status, updated_at, last_verified = version
        if expected_updated_at is not None and _comparable(updated_at) != _comparable(expected_updated_at):
            raise _record_lost(cur, record_id)
        _record_cas(cur, record_id, "last_verified = ?, updated_at = ?", [today, now], status=status,
                    updated_at=updated_at)
        Store.add_revision(cur, "record", record_id, "confirm", actor,
                           {"last_verified": [_comparable(last_verified), today.isoformat()]})
        store.bump_data_version(cur)

    store.run_in_transaction(write)
    return Decision(True, actor, now, RecordStatus.APPROVED, record_id)


def archive_record(store: Store, record_id: str, actor: str, reason: str, *, now: datetime | None = None,
                   expected_updated_at: datetime | None = None) -> Decision:
    """Take a published record off the map (kept, with its history, as 'archived'); a
    compare-and-set like every decision (:class:`AlreadyDecided` when it was archived meanwhile)."""
    actor = _actor(actor)
    reason = _checked_reason(reason)
    now = now or datetime.now()

    def write(cur: Cursor) -> None:
        version = _record_version(cur, record_id)
        if version is None:
            raise SubmissionError("moderatie.error.not_found", id=record_id)
        status, updated_at, _ = version
        stale_view = expected_updated_at is not None and _comparable(updated_at) != _comparable(expected_updated_at)
        if status == RecordStatus.ARCHIVED or stale_view:
            raise _record_lost(cur, record_id)
        _record_cas(cur, record_id, "status = ?, updated_at = ?", [RecordStatus.ARCHIVED, now], status=status,
                    updated_at=updated_at)
        Store.add_revision(cur, "record", record_id, "archive", actor,
                           {"status": [status, "archived"], "reason": [None, reason]})
        store.bump_data_version(cur)

    store.run_in_transaction(write)
    return Decision(True, actor, now, RecordStatus.ARCHIVED, record_id)


def purge_contacts(store: Store, *, today: date | None = None, keep_days: int = CONTACT_RETENTION_DAYS) -> int:
    """Delete contact details that are no longer needed: of rejected or withdrawn submissions and
    of records taken off the map, once ``keep_days`` have passed. Returns how many were deleted."""
    cutoff = datetime.combine((today or date.today()) - timedelta(days=keep_days), datetime.min.time())
    expired = [r[0] for r in store.rows(
        """SELECT c.submission_id FROM contacts c
           JOIN submissions s ON s.id = c.submission_id
           LEFT JOIN records r ON r.id = c.record_id
           WHERE (s.status IN ('rejected', 'withdrawn') AND s.updated_at < ?)
              OR (r.status IN ('archived', 'rejected') AND r.updated_at < ?
                  AND NOT EXISTS (SELECT 1 FROM submissions o WHERE o.record_id = c.record_id AND o.status = 'pending'))
        """, [cutoff, cutoff])]
    if not expired:
        return 0

    def write(cur: Cursor) -> None:
        cur.execute("DELETE FROM contacts WHERE submission_id IN (SELECT unnest(?::VARCHAR[]))", [expired])
        for reference in expired:
            Store.add_revision(cur, "submission", reference, "purge_contact", "retention",
                               {"contact": ["kept", "deleted"], "retention_days": [None, keep_days]})

    store.run_in_transaction(write)
    return len(expired)


# -- history ----------------------------------------------------------------------------------------

def history(store: Store, record_id: str) -> pd.DataFrame:
    """The full audit trail of a record: its own revisions, its submissions' and its links', oldest
    first. Columns: changed_at, actor, action, entity_type, entity_id, changes (dict)."""
    frame = store.df(
        """SELECT changed_at, actor, action, entity_type, entity_id, changes FROM revisions
           WHERE (entity_type = 'record' AND entity_id = ?)
              OR (entity_type = 'submission' AND entity_id IN (SELECT id FROM submissions WHERE record_id = ?))
              OR (entity_type = 'link' AND entity_id IN (SELECT id FROM record_links WHERE from_id = ? OR to_id = ?))
           ORDER BY changed_at, id""",
        [record_id, record_id, record_id, record_id],
    )
    frame["changes"] = [json.loads(c) if isinstance(c, str) else (c or {}) for c in frame["changes"]]
    return frame


def format_changes(changes: dict[str, Any]) -> str:
    """One line per changed field: 'name: old → new' (for tables and the CLI; plain text)."""
    parts = []
    for name, value in (changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            old, new = value
            parts.append(f"{name}: {_short(old)} → {_short(new)}")
        else:
            parts.append(f"{name}: {_short(value)}")
    return "; ".join(parts)


def _short(value: Any, limit: int = 80) -> str:
    if value is None or value == "":
        return "—"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def record_choices(store: Store) -> pd.DataFrame:
    """All records (any status) for the history viewer and merge targets: id, name, status, place."""
    return store.df("SELECT id, name, status, kind, place FROM records ORDER BY name, id")


# -- command line --------------------------------------------------------------------------------------

def _lang() -> str:
    return i18n.normalise_language(os.environ.get("MAPPING_LANG", "nl"))


def _default_actor() -> str:
    return os.environ.get("USER") or os.environ.get("USERNAME") or ""


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "moderate", help="moderation queue: list, show, approve, reject, merge, confirm, history",
        description="Review submissions with the same rules and audit history as the moderation page.")
    parser.add_argument("--actor", default=_default_actor(),
                        help="your name in the history (default: $USER)")
    actions = parser.add_subparsers(dest="action", required=True)
    p = actions.add_parser("list", help="everything that needs attention, with the reasons")
    p.add_argument("--no-stale", action="store_true", help="leave out records not confirmed for 12 months")
    p = actions.add_parser("show", help="one submission (reference code) or record (id) with its history")
    p.add_argument("id")
    p.add_argument("--contact", action="store_true", help="also print the private contact details")
    p = actions.add_parser("approve", help="publish a pending submission")
    p.add_argument("id")
    p = actions.add_parser("reject", help="reject a pending submission with a reason")
    p.add_argument("id")
    p.add_argument("--reason", required=True)
    p = actions.add_parser("merge", help="merge a new submission into an existing record")
    p.add_argument("id")
    p.add_argument("--into", required=True, metavar="RECORD_ID")
    p = actions.add_parser("confirm", help="mark a published record as still current")
    p.add_argument("id")
    p = actions.add_parser("history", help="the audit history of a record")
    p.add_argument("id")
    actions.add_parser("purge-contacts", help="delete contact details past their retention period")
    parser.set_defaults(handler=run_cli)


def run_cli(args: argparse.Namespace, out=None) -> int:
    from mapping.cli import open_db

    out = out or sys.stdout
    lang = _lang()
    store = open_db(args)
    try:
        return _run(args, store, lang, out)
    except SubmissionError as exc:
        print(error_text(exc, lang), file=sys.stderr)
        return 1
    finally:
        store.close()


def _run(args: argparse.Namespace, store: Store, lang: str, out) -> int:
    t = i18n.t
    if args.action == "list":
        items = queue(store, include_stale=not args.no_stale)
        if items.empty:
            print(t("moderatie.cli.empty", lang), file=out)
            return 0
        for row in items.itertuples(index=False):
            reasons = ", ".join(t(f"moderatie.reason.{r}", lang) for r in row.reasons)
            print(f"{row.item_id:<16} {_short(row.name, 50):<50} [{reasons}]", file=out)
        return 0
    if args.action in ("show", "history"):
        detail = submission_detail(store, args.id.strip().upper()) if args.action == "show" else None
        if detail is not None:
            sub = detail.submission
            print(f"{sub['id']}  {sub['submission_type']}  {sub['status']}  record {sub['record_id']}", file=out)
            if sub.get("review_reason"):
                print(f"  {t('moderatie.review_reason', lang)}: {sub['review_reason']}", file=out)
            for name, old, new in detail.diff:
                print(f"  {name}: {_short(old)} → {_short(new)}", file=out)
            for candidate in detail.duplicates:
                print(f"  {t('moderatie.possible_duplicate_of', lang)} {candidate.id} ({candidate.name})", file=out)
            if args.contact and detail.contact:
                print(f"  {t('moderatie.contact', lang)}: {detail.contact['contact_name']} "
                      f"<{detail.contact['contact_email']}>", file=out)
            record_id = sub["record_id"]
        else:
            record_id = args.id.strip()
            if record_row(store, record_id) is None:
                raise SubmissionError("moderatie.error.not_found", id=args.id)
        for row in history(store, record_id).itertuples(index=False):
            print(f"  {row.changed_at:%Y-%m-%d %H:%M}  {row.actor:<20} {row.action:<12} {row.entity_type} "
                  f"{row.entity_id}: {format_changes(row.changes)}", file=out)
        return 0
    if args.action == "purge-contacts":
        print(t("moderatie.cli.purged", lang, count=purge_contacts(store)), file=out)
        return 0
    actor = clean_text(args.actor)
    if not actor:
        print(t("moderatie.error.actor_required", lang), file=sys.stderr)
        return 2
    if args.action == "approve":
        decision = approve(store, args.id.strip().upper(), actor)
        print(t("moderatie.cli.approved", lang, id=args.id.strip().upper(), record=decision.record_id), file=out)
    elif args.action == "reject":
        reject(store, args.id.strip().upper(), actor, args.reason)
        print(t("moderatie.cli.rejected", lang, id=args.id.strip().upper()), file=out)
    elif args.action == "merge":
        merge_submission(store, args.id.strip().upper(), args.into.strip(), actor)
        print(t("moderatie.cli.merged", lang, id=args.id.strip().upper(), record=args.into.strip()), file=out)
    elif args.action == "confirm":
        confirm_record(store, args.id.strip(), actor)
        print(t("moderatie.cli.confirmed", lang, id=args.id.strip()), file=out)
    return 0
