"""The public write path: sign-ups and proposed changes, kept pending until a moderator decides.

A submission is checked by exactly the rules of the importer (``ingest.prepare_rows``: cleaning,
validation, offline geocoding, region assignment) plus the rules that only sign-ups have (contact
details, consent, a location unless online, the date of a meet-up, partner records). It is then
stored atomically: a pending record (new sign-ups), the submission with its payload (never contact
data), the private contact row and a revision. The submitter gets a reference code and a secret
token; only the token's SHA-256 is stored. With both, the owner can see the status, change the
submission (each change is pending again), withdraw it, or confirm that a record is still current.

No Streamlit and no HTML here: pages and the CLI call these functions.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import random
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rapidfuzz.distance import Levenshtein

from mapping import ingest
from mapping.distance import haversine_m
from mapping.geocode import Geocoder
from mapping.records import LIMITS, FieldError, clean_text, fold, parse_postcode, valid_email
from mapping.store import Cursor, Store

# -- what a submission holds -------------------------------------------------------------------

# Record fields a submitter (or a moderator editing a submission) can set; the payload holds these
# plus the partner choices. Contact data never enters the payload, a revision or a public view.
PAYLOAD_FIELDS = (
    "name", "kind", "themes", "description", "address", "postcode", "place", "lat", "lon",
    "location_precision", "website", "meeting_url", "starts_at", "ends_at", "all_day", "online",
    "provincie_code", "gemeente_code", "wijk_code", "zorgkantoorregio_code",
)
FORM_FIELDS = (
    "name", "kind", "themes", "description", "address", "postcode", "place", "online", "website",
    "meeting_url", "starts_at", "ends_at", "lat", "lon", "location_precision",
)
CONTACT_FIELDS = ("contact_name", "contact_email")
MAX_PARTNERS = 20

# A clicked point further than this from the postcode's centre is probably a slip of the mouse.
PICKED_POINT_TOLERANCE_M = 5_000
DUPLICATE_RADIUS_M = 1_000
NAME_DISTANCE_RATIO = 0.30
MAX_DIFFERENT_WORDS = 2

# Reference codes: no 0/O, 1/I/L, so that people can read them out over the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_PREFIX = "ZB"
_REFERENCE = re.compile(r"^ZB-[A-Z0-9]{4}-[A-Z0-9]{4}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")

FLAG_DUPLICATE = "possible_duplicate"
FLAG_LOCATION = "uncertain_location"
FLAG_REMOVAL = "removal_request"


class SubmissionError(RuntimeError):
    """A submission action that is not possible in the current state (message key + params)."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Checked:
    """The outcome of checking one submission: a clean record or field errors (or both empty)."""

    record: dict[str, Any] | None
    contact: dict[str, Any]
    partners: list[str]
    partners_text: str | None
    errors: list[FieldError]
    flags: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.record is not None

    def errors_by_field(self) -> dict[str, list[FieldError]]:
        out: dict[str, list[FieldError]] = {}
        for error in self.errors:
            out.setdefault(error.field, []).append(error)
        return out

    def payload(self) -> dict[str, Any]:
        assert self.record is not None
        return to_payload(self.record, self.partners, self.partners_text)


@dataclass(frozen=True)
class Receipt:
    reference: str
    token: str
    record_id: str
    submission_type: str


@dataclass(frozen=True)
class Candidate:
    """A record that may be the same initiative as a new submission."""

    id: str
    name: str
    kind: str
    place: str | None
    status: str
    distance_m: float | None
    reasons: tuple[str, ...]          # name_nearby | website | email


# -- small pure helpers -------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_reference(rng: random.Random | None = None) -> str:
    choose = (rng.choice if rng else secrets.choice)
    body = "".join(choose(REFERENCE_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}"


def normalise_reference(value: Any) -> str:
    """'zb-abcd-efgh ' → 'ZB-ABCD-EFGH' (what people type back from an e-mail or a phone call)."""
    return clean_text(value).upper().replace(" ", "")[:20]


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "tolist"):          # numpy arrays from DuckDB lists
        return value.tolist()
    return value


def to_payload(record: dict[str, Any], partners: list[str], partners_text: str | None) -> dict[str, Any]:
    payload = {name: _json_value(record.get(name)) for name in PAYLOAD_FIELDS}
    payload["themes"] = list(payload.get("themes") or [])
    payload["partners"] = list(partners)
    payload["partners_text"] = partners_text or None
    return payload


def payload_record(payload: dict[str, Any]) -> dict[str, Any]:
    """Payload → record field values with Python types (for writing to the records table)."""
    record = {name: payload.get(name) for name in PAYLOAD_FIELDS}
    for name in ("starts_at", "ends_at"):
        if isinstance(record[name], str) and record[name]:
            record[name] = datetime.fromisoformat(record[name])
    record["themes"] = list(record.get("themes") or [])
    record["all_day"] = bool(record.get("all_day"))
    record["online"] = bool(record.get("online"))
    return record


def payload_as_form(payload: dict[str, Any]) -> dict[str, Any]:
    """Payload → raw form values (to prefill an edit form or re-check a moderator's edits)."""
    raw = payload_record(payload)
    raw["partners"] = list(payload.get("partners") or [])
    raw["partners_text"] = payload.get("partners_text") or ""
    return raw


# -- duplicate detection -------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
# Words that say nothing about which initiative is meant: sharing only these is no match.
FILLER_WORDS = frozenset({
    "de", "het", "een", "van", "en", "in", "op", "voor", "met", "aan", "te", "bij", "der", "den",
    "stichting", "vereniging", "cooperatie", "bv", "the", "of", "and", "for",
})


def name_words(name: str) -> tuple[str, ...]:
    return _name_words(name or "")


@lru_cache(maxsize=200_000)
def _name_words(name: str) -> tuple[str, ...]:
    # cached: an import compares each name with every neighbour, so the same names come back often
    return tuple(_WORD.findall(fold(name)))


def relative_distance(a: str, b: str) -> float:
    """Edit distance of the normalised names relative to the longer one (0 = same, 1 = nothing alike)."""
    left, right = " ".join(name_words(a)), " ".join(name_words(b))
    if not left and not right:
        return 1.0
    return Levenshtein.normalized_distance(left, right)


def different_words(a: str, b: str) -> int:
    """How many words one name has that the other lacks (the larger side)."""
    left, right = Counter(name_words(a)), Counter(name_words(b))
    return max(sum((left - right).values()), sum((right - left).values()))


def names_similar(a: str, b: str, *, places: tuple[str | None, ...] = ()) -> bool:
    """Relative edit distance ≤ 30 %, or at most two words different while sharing a word that
    names the initiative (not a filler word, not the place both lie in: 'Club Oegstgeest' and
    'Voorzorgcirkels Oegstgeest' are different initiatives)."""
    if not name_words(a) or not name_words(b):
        return False
    if relative_distance(a, b) <= NAME_DISTANCE_RATIO:
        return True
    place_words = {word for place in places if place for word in name_words(place)}
    shared = (set(name_words(a)) & set(name_words(b))) - FILLER_WORDS - place_words
    return bool(shared) and different_words(a, b) <= MAX_DIFFERENT_WORDS


# Hosting platforms where the path, not the host, names the initiative.
SHARED_HOSTS = frozenset({
    "facebook.com", "instagram.com", "linkedin.com", "twitter.com", "x.com", "sites.google.com",
    "youtube.com", "linktr.ee", "nextdoor.nl", "wordpress.com", "wixsite.com",
})


def website_key(url: str | None) -> tuple[str, str] | None:
    """Comparable form of a website: (host without ``www.``, path without slashes)."""
    return _website_key(url) if isinstance(url, str) or url is None else _website_key(str(url))


@lru_cache(maxsize=200_000)
def _website_key(url: str | None) -> tuple[str, str] | None:
    text = clean_text(url).casefold()
    if not text:
        return None
    try:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    except ValueError:
        return None
    if not host:
        return None
    path = parts.path.strip("/").removesuffix("index.html").removesuffix("index.php").strip("/")
    return host, path


def same_website(a: str | None, b: str | None) -> bool:
    """Same host and either the same page or one of them the site's home page; on shared
    platforms (Facebook, Instagram, …) the page must be the same."""
    left, right = website_key(a), website_key(b)
    if left is None or right is None or left[0] != right[0]:
        return False
    host = left[0]
    shared = host in SHARED_HOSTS or any(host.endswith("." + s) for s in SHARED_HOSTS)
    if shared:
        return left[1] == right[1] and bool(left[1])
    return left[1] == right[1] or not left[1] or not right[1]


def find_duplicates(store: Store, record: dict[str, Any], *, contact_email: str | None = None,
                    statuses: tuple[str, ...] = ("approved",), exclude_ids: tuple[str, ...] = (),
                    limit: int = 5) -> list[Candidate]:
    """Records that may be the same initiative: within 1 km with a similar name, or the same
    website, or (internally) the same contact e-mail. ``statuses`` limits which records are
    candidates: the public form must only ever show approved ones."""
    lat, lon = record.get("lat"), record.get("lon")
    site = record.get("website") if website_key(record.get("website")) else None
    email = clean_text(contact_email).casefold() or None
    clauses: list[str] = []
    params: list[Any] = [list(statuses), list(exclude_ids) or [""]]
    if site:
        clauses.append("strpos(lower(r.website), ?) > 0")     # narrowed here, decided by same_website
        params.append(website_key(site)[0])
    if lat is not None and lon is not None:
        dlat = DUPLICATE_RADIUS_M / 111_000 * 1.1
        dlon = dlat / max(math.cos(math.radians(lat)), 0.1)
        clauses.append("(r.lat BETWEEN ? AND ? AND r.lon BETWEEN ? AND ?)")
        params += [lat - dlat, lat + dlat, lon - dlon, lon + dlon]
    email_sql = "false"
    if email:
        email_sql = "r.id IN (SELECT record_id FROM contacts WHERE lower(contact_email) = ?)"
        clauses.append(email_sql)
        params.append(email)
    if not clauses:
        return []
    select_params = [email] if email else []
    rows = store.rows(
        f"""
        SELECT r.id, r.name, r.kind, r.place, r.status, r.lat, r.lon, r.website, {email_sql} AS same_email
        FROM records r
        WHERE r.status IN (SELECT unnest(?::VARCHAR[])) AND r.id NOT IN (SELECT unnest(?::VARCHAR[]))
          AND ({' OR '.join(clauses)})
        """,
        select_params + params,
    )
    found: list[Candidate] = []
    for rid, name, kind, place, status, r_lat, r_lon, r_site, same_email in rows:
        reasons: list[str] = []
        distance = None
        if lat is not None and r_lat is not None and r_lon is not None:
            distance = haversine_m(lat, lon, r_lat, r_lon)
            if distance <= DUPLICATE_RADIUS_M and names_similar(record.get("name") or "", name,
                                                                places=(record.get("place"), place)):
                reasons.append("name_nearby")
        if site and same_website(site, r_site):
            reasons.append("website")
        if same_email:
            reasons.append("email")
        if reasons:
            found.append(Candidate(rid, name, kind, place, status, distance, tuple(reasons)))
    found.sort(key=lambda c: (-len(c.reasons), c.distance_m if c.distance_m is not None else 1e12, c.name))
    return found[:limit]


# -- checking ------------------------------------------------------------------------------------

_GEOCODERS: dict[tuple[str, str | None], Geocoder] = {}


def geocoder_for(store: Store) -> Geocoder:
    """The offline geocoder of this database (cached until the reference data changes)."""
    key = (store.path, store.get_meta("reference_hash"))
    geocoder = _GEOCODERS.get(key)
    if geocoder is None:
        # built first, returned from the local: another session's clear() cannot make it vanish
        geocoder = Geocoder.from_store(store)
        _GEOCODERS.clear()
        _GEOCODERS[key] = geocoder
    return geocoder


def check_contact(raw: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    name = clean_text(raw.get("contact_name"))
    email = clean_text(raw.get("contact_email"))
    if not name:
        errors.append(FieldError("contact_name", "error.required", {}))
    elif len(name) > LIMITS["contact_name"]:
        errors.append(FieldError("contact_name", "error.too_long", {"max": LIMITS["contact_name"], "length": len(name)}))
    if not email:
        errors.append(FieldError("contact_email", "error.required", {}))
    elif not valid_email(email):
        errors.append(FieldError("contact_email", "error.email", {}))
    return {"contact_name": name or None, "contact_email": email or None}, errors


def _partner_choices(store: Store, raw: dict[str, Any]) -> tuple[list[str], str | None, list[FieldError]]:
    errors: list[FieldError] = []
    wanted = [clean_text(p)[:120] for p in (raw.get("partners") or []) if clean_text(p)]
    wanted = list(dict.fromkeys(wanted))
    if len(wanted) > MAX_PARTNERS:
        errors.append(FieldError("partners", "aanmelden.error.too_many_partners", {"max": MAX_PARTNERS}))
        wanted = wanted[:MAX_PARTNERS]
    known = {r[0] for r in store.rows("SELECT id FROM public_records WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                                      [wanted or [""]])}
    unknown = [p for p in wanted if p not in known]
    if unknown:
        errors.append(FieldError("partners", "aanmelden.error.partner_unknown", {"value": unknown[0][:60]}))
    text = clean_text(raw.get("partners_text"), multiline=True)
    if len(text) > LIMITS["partners_text"]:
        errors.append(FieldError("partners_text", "error.too_long",
                                 {"max": LIMITS["partners_text"], "length": len(text)}))
    return [p for p in wanted if p in known], text or None, errors


def _record_part(raw: dict[str, Any]) -> dict[str, Any]:
    row = {name: raw.get(name) for name in FORM_FIELDS if name in raw}
    themes = row.get("themes")
    if isinstance(themes, (list, tuple)):
        row["themes"] = list(themes)
    if raw.get("id"):
        row["id"] = raw["id"]
    return row


def submission_rules(store: Store, raw: dict[str, Any], record: dict[str, Any] | None, geocoder: Geocoder, *,
                     contact_required: bool, require_consent: bool
                     ) -> tuple[dict[str, Any], list[str], str | None, list[FieldError], list[str]]:
    """The rules only sign-ups have, on top of the importer's: contact, consent, a location unless
    online, a start for meet-ups, known partners, a picked point near its postcode."""
    errors: list[FieldError] = []
    flags: list[str] = []
    contact: dict[str, Any] = {"contact_name": None, "contact_email": None}
    if contact_required:
        contact, contact_errors = check_contact(raw)
        errors += contact_errors
    if require_consent and not raw.get("consent"):
        errors.append(FieldError("consent", "aanmelden.error.consent", {}))
    partners, partners_text, partner_errors = _partner_choices(store, raw)
    errors += partner_errors

    postcode_raw = clean_text(raw.get("postcode"))
    pretty, _ = parse_postcode(postcode_raw)
    if pretty and not geocoder.postcode_exists(pretty):
        # prepare_rows only checks the postcode when it needs it for the point; a picked point
        # must not hide a postcode that does not exist.
        errors.append(FieldError("postcode", "error.postcode_unknown", {"value": pretty}))
    online = bool(raw.get("online")) if not isinstance(raw.get("online"), str) else \
        clean_text(raw.get("online")).casefold() in ("1", "true", "ja", "yes", "online")
    has_where = bool(postcode_raw or clean_text(raw.get("place")) or raw.get("lat") not in (None, ""))
    if not online and not has_where:
        errors.append(FieldError("postcode", "aanmelden.error.location_required", {}))
    kind = clean_text(raw.get("kind")).casefold()
    if kind in ("meetup", "bijeenkomst") and not raw.get("starts_at"):
        errors.append(FieldError("starts_at", "aanmelden.error.meetup_start", {}))

    if record is not None:
        precision = record.get("location_precision")
        if precision in ("place", "unknown") and not record.get("online"):
            flags.append(FLAG_LOCATION)
        if record.get("lat") is not None and pretty and geocoder.postcode_exists(pretty):
            centre = geocoder.by_postcode(pretty)
            if centre and haversine_m(record["lat"], record["lon"], centre.lat, centre.lon) > PICKED_POINT_TOLERANCE_M:
                flags.append(FLAG_LOCATION)
    return contact, partners, partners_text, errors, sorted(set(flags))


def check(store: Store, raw: dict[str, Any], *, geocoder: Geocoder | None = None, contact_required: bool = True,
          require_consent: bool = True, record_id: str | None = None) -> Checked:
    """Check one submission the way the importer checks a row, plus the sign-up rules.

    ``raw`` holds form values (see ``FORM_FIELDS``), ``contact_name``, ``contact_email``,
    ``consent``, ``partners`` (ids of approved records) and ``partners_text``. ``record_id`` keeps
    the id of an existing record (edits) instead of minting a new one.
    """
    geocoder = geocoder or geocoder_for(store)
    row = _record_part(raw)
    row.pop("id", None)
    accepted, rejected, _ = ingest.prepare_rows(store, [row], geocoder=geocoder)
    errors = list(rejected[0].errors) if rejected else []
    record = accepted[0] if accepted else None
    if record is not None and record_id:
        record["id"] = record_id
    contact, partners, partners_text, extra, flags = submission_rules(
        store, raw, record, geocoder, contact_required=contact_required, require_consent=require_consent)
    seen: set[tuple[str, str]] = set()
    unique: list[FieldError] = []
    for error in errors + extra:
        if (error.field, error.code) not in seen:
            seen.add((error.field, error.code))
            unique.append(error)
    if unique:
        record = None
    if record is not None and record.get("id") in partners:
        partners = [p for p in partners if p != record["id"]]
    return Checked(record, contact, partners, partners_text, unique, flags)


# -- spam ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SpamSettings:
    min_fill_seconds: float = 5.0
    max_per_session: int = 3
    window_seconds: float = 3600.0
    challenge: bool = False


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "ja", "on")


def spam_settings(environ: dict[str, str] | None = None, secrets_section: dict[str, Any] | None = None) -> SpamSettings:
    """Settings from ``[spam]`` in secrets.toml, overridden by ``MAPPING_*`` environment variables."""
    environ = dict(os.environ if environ is None else environ)
    section = dict(secrets_section or {})
    defaults = SpamSettings()

    def number(env: str, key: str, default: float) -> float:
        value = environ.get(env, section.get(key))
        try:
            return max(0.0, float(value)) if value not in (None, "") else default
        except (TypeError, ValueError):
            return default

    challenge_value = environ.get("MAPPING_CHALLENGE", section.get("challenge", False))
    return SpamSettings(
        min_fill_seconds=number("MAPPING_MIN_FILL_SECONDS", "min_fill_seconds", defaults.min_fill_seconds),
        max_per_session=int(number("MAPPING_MAX_SUBMISSIONS_PER_SESSION", "max_per_session", defaults.max_per_session)),
        window_seconds=number("MAPPING_SUBMISSION_WINDOW_SECONDS", "window_seconds", defaults.window_seconds),
        challenge=_truthy(challenge_value),
    )


def make_challenge(rng: random.Random | None = None) -> tuple[dict[str, int], int]:
    """A sum small enough for anyone, asked in words: (question params, answer)."""
    rng = rng or random.SystemRandom()
    a, b = rng.randint(2, 9), rng.randint(2, 9)
    return {"a": a, "b": b}, a + b


def spam_errors(*, honeypot: Any, started_at: float | None, now: float, recent: list[float],
                settings: SpamSettings, challenge_answer: Any = None, challenge_expected: int | None = None
                ) -> list[FieldError]:
    """Bot signs: a filled hidden field, a form sent faster than a person can type, too many
    submissions from one session, a wrong answer to the (optional) question."""
    errors: list[FieldError] = []
    if clean_text(honeypot):
        errors.append(FieldError("form", "aanmelden.error.spam", {}))
    if started_at is not None and now - started_at < settings.min_fill_seconds:
        errors.append(FieldError("form", "aanmelden.error.too_fast", {"seconds": int(math.ceil(settings.min_fill_seconds))}))
    in_window = [t for t in recent if now - t < settings.window_seconds]
    if settings.max_per_session and len(in_window) >= settings.max_per_session:
        wait = int(settings.window_seconds - (now - min(in_window))) // 60 + 1
        errors.append(FieldError("form", "aanmelden.error.rate_limit", {"minutes": wait}))
    if settings.challenge and challenge_expected is not None:
        try:
            given = int(clean_text(challenge_answer))
        except ValueError:
            given = None
        if given != challenge_expected:
            errors.append(FieldError("challenge", "aanmelden.error.challenge", {}))
    return errors


# -- storing -------------------------------------------------------------------------------------

def _insert_submission(cur: Cursor, *, reference: str, record_id: str, submission_type: str,
                       payload: dict[str, Any], secret_hash: str, flags: list[str], now: datetime) -> None:
    cur.execute(
        """INSERT INTO submissions (id, record_id, submission_type, payload, secret_hash, status, flags,
                                    created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)""",
        [reference, record_id, submission_type, json.dumps(payload, ensure_ascii=False), secret_hash,
         list(flags), now, now],
    )


def _insert_contact(cur: Cursor, reference: str, record_id: str, contact: dict[str, Any],
                    consent_at: datetime | None) -> None:
    if not (contact.get("contact_name") or contact.get("contact_email")):
        return
    cur.execute("INSERT INTO contacts VALUES (?, ?, ?, ?, ?)",
                [reference, record_id, contact.get("contact_name"), contact.get("contact_email"), consent_at])


def _payload_changes(payload: dict[str, Any]) -> dict[str, Any]:
    """What a revision records about a proposal: the proposed fields (never contact data)."""
    return {name: [None, value] for name, value in payload.items() if value not in (None, "", [], False)}


def submitter_actor(reference: str) -> str:
    return f"indiener {reference}"


@dataclass
class _PreparedWrite:
    receipt: Receipt
    write: Any                      # function(cursor) that stores the submission


def _prepare_write(store: Store, checked: Checked, *, target_record_id: str | None, actor: str | None,
                   now: datetime, consent: bool, duplicates: list[Candidate] | None,
                   extra_flags: tuple[str, ...], taken: set[str]) -> _PreparedWrite:
    if not checked.ok:
        raise ValueError("only a checked submission without errors can be stored")
    record = dict(checked.record or {})
    flags = list(checked.flags) + list(extra_flags)
    if duplicates is None:
        duplicates = find_duplicates(store, record, contact_email=checked.contact.get("contact_email"),
                                     statuses=("approved", "pending"),
                                     exclude_ids=tuple(i for i in (target_record_id,) if i))
    if duplicates:
        flags.append(FLAG_DUPLICATE)
    flags = sorted(set(flags))
    submission_type = "change" if target_record_id else "new"
    record_id = target_record_id or record["id"]
    if target_record_id:
        record["id"] = target_record_id
        exists = store.scalar("SELECT status FROM records WHERE id = ?", [target_record_id])
        if exists not in ("approved", "pending"):
            raise SubmissionError("aanmelden.error.target_gone")
    payload = to_payload(record, checked.partners, checked.partners_text)
    if duplicates:
        payload["duplicate_candidates"] = [c.id for c in duplicates]
    token = secrets.token_urlsafe(32)
    reference = new_reference()
    while reference in taken or store.scalar("SELECT count(*) FROM submissions WHERE id = ?", [reference]):
        reference = new_reference()
    taken.add(reference)
    who = actor or submitter_actor(reference)
    consent_at = now if consent else None

    def write(cur: Cursor) -> None:
        if submission_type == "new":
            row = {**record, "status": "pending", "origin": "submission", "synthetic": False, "last_verified": None}
            ingest.insert_records(cur, [row])
            cur.execute("UPDATE records SET created_at = ?, updated_at = ? WHERE id = ?", [now, now, record_id])
            Store.add_revision(cur, "record", record_id, "create", who,
                               {"status": [None, "pending"], "submission": [None, reference]})
        _insert_submission(cur, reference=reference, record_id=record_id, submission_type=submission_type,
                           payload=payload, secret_hash=hash_token(token), flags=flags, now=now)
        _insert_contact(cur, reference, record_id, checked.contact, consent_at)
        Store.add_revision(cur, "submission", reference, "submit", who,
                           {**_payload_changes(payload), "record_id": [None, record_id],
                            "type": [None, submission_type], "flags": [None, flags]})

    return _PreparedWrite(Receipt(reference, token, record_id, submission_type), write)


def create_submission(store: Store, checked: Checked, *, target_record_id: str | None = None,
                      actor: str | None = None, now: datetime | None = None, consent: bool = True,
                      duplicates: list[Candidate] | None = None, extra_flags: tuple[str, ...] = ()) -> Receipt:
    """Store a checked submission atomically: pending record (when new), submission, private
    contact row and revisions. ``target_record_id`` makes it a proposed change to that record.

    Nothing is visible publicly: the new record is ``pending`` and public views show only approved
    records. When the database fails, an exception propagates and nothing is stored.
    """
    prepared = _prepare_write(store, checked, target_record_id=target_record_id, actor=actor,
                              now=now or datetime.now(), consent=consent, duplicates=duplicates,
                              extra_flags=extra_flags, taken=set())
    store.run_in_transaction(prepared.write)
    return prepared.receipt


# -- the owner's secret link ------------------------------------------------------------------------

@dataclass
class OwnerView:
    reference: str
    record_id: str
    record: dict[str, Any] | None          # the record as it stands (any status), no contact data
    current: dict[str, Any]                # newest submission of this owner for the record
    thread: list[dict[str, Any]]           # all of the owner's submissions for the record, newest first
    merged_into: dict[str, Any] | None = None

    @property
    def status(self) -> str:
        return self.current["status"]

    @property
    def can_confirm(self) -> bool:
        return bool(self.record) and self.record.get("status") == "approved"

    @property
    def can_edit(self) -> bool:
        return self.status in ("pending", "approved", "rejected") and bool(self.record) and \
            self.record.get("status") in ("pending", "approved", "rejected")

    @property
    def can_withdraw(self) -> bool:
        return self.status == "pending"

    def form_values(self) -> dict[str, Any]:
        """What the edit form starts from: the pending proposal, else the record as published."""
        proposal = self.current["payload"]
        if not self.record or (self.current["status"] == "pending" and not proposal.get("remove")):
            return payload_as_form(proposal)
        values = {name: self.record.get(name) for name in PAYLOAD_FIELDS}
        values["themes"] = list(values.get("themes") or [])
        values["partners"] = []
        values["partners_text"] = ""
        return values


_SUBMISSION_COLUMNS = ("id", "record_id", "submission_type", "payload", "status", "flags", "review_reason",
                       "created_at", "updated_at")


def _submission_rows(store: Store, where: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = store.rows(f"SELECT {', '.join(_SUBMISSION_COLUMNS)} FROM submissions WHERE {where} "
                      "ORDER BY created_at DESC, id DESC", params)
    out = []
    for row in rows:
        item = dict(zip(_SUBMISSION_COLUMNS, row))
        item["payload"] = json.loads(item["payload"]) if isinstance(item["payload"], str) else item["payload"]
        item["flags"] = list(item["flags"] or [])
        out.append(item)
    return out


def record_row(store: Store, record_id: str) -> dict[str, Any] | None:
    """One record in any status, without anything private (records hold no contact data)."""
    frame = store.df("SELECT * FROM records WHERE id = ?", [record_id])
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    clean: dict[str, Any] = {}
    for key, value in row.items():
        if hasattr(value, "tolist") and not isinstance(value, str):
            value = value.tolist()
        elif value is not None and not isinstance(value, (list, str)) and value != value:
            value = None
        if hasattr(value, "to_pydatetime"):
            value = value.to_pydatetime()
        clean[key] = value
    if isinstance(clean.get("last_verified"), datetime):
        clean["last_verified"] = clean["last_verified"].date()
    return clean


def _secret_hash(store: Store, reference: str, token: str) -> str | None:
    """The stored hash if ``token`` opens ``reference`` (constant-time comparison), else None."""
    reference = normalise_reference(reference)
    token = clean_text(token)
    if not _REFERENCE.match(reference) or not _TOKEN.match(token):
        return None
    stored = store.scalar("SELECT secret_hash FROM submissions WHERE id = ?", [reference])
    if not stored or not hmac.compare_digest(stored, hash_token(token)):
        return None
    return stored


def owner_view(store: Store, reference: str, token: str) -> OwnerView | None:
    """The owner's view of a submission, or None when reference and token do not match."""
    secret_hash = _secret_hash(store, reference, token)
    if secret_hash is None:
        return None
    reference = normalise_reference(reference)
    record_id = store.scalar("SELECT record_id FROM submissions WHERE id = ?", [reference])
    thread = _submission_rows(store, "record_id = ? AND secret_hash = ?", [record_id, secret_hash])
    record = record_row(store, record_id)
    merged_into = None
    merged = [s for s in thread if s["status"] == "merged" and s["payload"].get("merged_into")]
    if merged:
        target = record_row(store, merged[0]["payload"]["merged_into"])
        if target and target.get("status") == "approved":
            merged_into = {"id": target["id"], "name": target["name"]}
    return OwnerView(reference, record_id, record, thread[0], thread, merged_into)


def owner_update(store: Store, reference: str, token: str, raw: dict[str, Any], *,
                 now: datetime | None = None) -> tuple[Checked, str | None]:
    """Apply the owner's edits: they go to moderation again. Returns (check result, reference of
    the submission that now holds the change, or None when the check failed)."""
    view = owner_view(store, reference, token)
    if view is None:
        raise SubmissionError("mijn.error.not_found")
    if not view.can_edit:
        raise SubmissionError("mijn.error.cannot_edit")
    now = now or datetime.now()
    checked = check(store, raw, contact_required=False, require_consent=False, record_id=view.record_id)
    if not checked.ok:
        return checked, None
    record = dict(checked.record or {}, id=view.record_id)
    payload = to_payload(record, checked.partners, checked.partners_text)
    duplicates = find_duplicates(store, record, statuses=("approved", "pending"), exclude_ids=(view.record_id,))
    flags = sorted(set(checked.flags + ([FLAG_DUPLICATE] if duplicates else [])))
    if duplicates:
        payload["duplicate_candidates"] = [c.id for c in duplicates]
    current = view.current
    secret_hash = hash_token(clean_text(token))
    actor = submitter_actor(view.reference)

    reopen = current["status"] == "pending" or (current["status"] == "rejected" and current["submission_type"] == "new")
    if reopen:
        def write(cur: Cursor) -> None:
            changes = {k: [current["payload"].get(k), v] for k, v in payload.items()
                       if current["payload"].get(k) != v}
            # Compare-and-set on what the owner saw: a moderator's decision in between wins.
            _owner_claim(cur, current, "payload = ?, flags = ?, status = 'pending', review_reason = NULL, updated_at = ?",
                         [json.dumps(payload, ensure_ascii=False), flags, now])
            if current["submission_type"] == "new":
                _write_record_fields(cur, view.record_id, payload_record(payload), now)
                cur.execute("UPDATE records SET status = 'pending' WHERE id = ? AND status = 'rejected'",
                            [view.record_id])
            Store.add_revision(cur, "submission", current["id"],
                               "owner_update" if current["status"] == "pending" else "resubmit", actor, changes)

        store.run_in_transaction(write)
        return checked, current["id"]

    # Approved (or a rejected change): a new proposed change in the same thread.
    contact = store.rows("SELECT contact_name, contact_email, consent_at FROM contacts WHERE submission_id = ?",
                         [view.reference])
    new_reference_code = new_reference()

    def write_change(cur: Cursor) -> None:
        _insert_submission(cur, reference=new_reference_code, record_id=view.record_id, submission_type="change",
                           payload=payload, secret_hash=secret_hash, flags=flags, now=now)
        if contact:
            name, email, consent_at = contact[0]
            _insert_contact(cur, new_reference_code, view.record_id,
                            {"contact_name": name, "contact_email": email}, consent_at)
        Store.add_revision(cur, "submission", new_reference_code, "submit", actor,
                           {**_payload_changes(payload), "record_id": [None, view.record_id],
                            "type": [None, "change"]})

    store.run_in_transaction(write_change)
    return checked, new_reference_code


def _owner_claim(cur: Cursor, current: dict[str, Any], assignments: str, params: list[Any]) -> None:
    """Update the owner's submission only if it is still as the owner saw it (status and version);
    when a moderator decided in between, nothing changes and the owner is told."""
    if not cur.execute(f"UPDATE submissions SET {assignments} WHERE id = ? AND status = ? AND updated_at = ? RETURNING id",
                       [*params, current["id"], current["status"], current["updated_at"]]).fetchall():
        raise SubmissionError("mijn.error.changed_meanwhile")


def _write_record_fields(cur: Cursor, record_id: str, values: dict[str, Any],
                         now: datetime) -> None:
    names = [n for n in PAYLOAD_FIELDS if n in values]
    assignments = ", ".join(
        f"{n} = CAST(? AS VARCHAR[])" if n == "themes" else f"{n} = ?" for n in names)
    cur.execute(f"UPDATE records SET {assignments}, updated_at = ? WHERE id = ?",
                [values[n] for n in names] + [now, record_id])


def withdraw(store: Store, reference: str, token: str, *, now: datetime | None = None) -> None:
    """The owner withdraws a pending submission; its private contact row is deleted at once."""
    view = owner_view(store, reference, token)
    if view is None:
        raise SubmissionError("mijn.error.not_found")
    if not view.can_withdraw:
        raise SubmissionError("mijn.error.cannot_withdraw")
    now = now or datetime.now()
    current = view.current
    actor = submitter_actor(view.reference)

    def write(cur: Cursor) -> None:
        _owner_claim(cur, current, "status = 'withdrawn', updated_at = ?", [now])
        if current["submission_type"] == "new":
            cur.execute("UPDATE records SET status = 'archived', updated_at = ? WHERE id = ? AND status = 'pending'",
                        [now, view.record_id])
            Store.add_revision(cur, "record", view.record_id, "withdraw", actor, {"status": ["pending", "archived"]})
        cur.execute("DELETE FROM contacts WHERE submission_id = ?", [current["id"]])
        Store.add_revision(cur, "submission", current["id"], "withdraw", actor, {"status": ["pending", "withdrawn"]})

    store.run_in_transaction(write)


def request_removal(store: Store, reference: str, token: str, *, now: datetime | None = None) -> str:
    """The owner asks to take a published record off the map (a moderator confirms)."""
    view = owner_view(store, reference, token)
    if view is None:
        raise SubmissionError("mijn.error.not_found")
    if not view.can_confirm:
        raise SubmissionError("mijn.error.not_public")
    now = now or datetime.now()
    reference_code = new_reference()
    secret_hash = hash_token(clean_text(token))
    payload = {"remove": True}
    actor = submitter_actor(view.reference)

    def write(cur: Cursor) -> None:
        _insert_submission(cur, reference=reference_code, record_id=view.record_id, submission_type="change",
                           payload=payload, secret_hash=secret_hash, flags=[FLAG_REMOVAL], now=now)
        Store.add_revision(cur, "submission", reference_code, "removal_request", actor,
                           {"record_id": [None, view.record_id]})

    store.run_in_transaction(write)
    return reference_code


def confirm_current(store: Store, reference: str, token: str, *, today: date | None = None) -> date:
    """One click from the owner: the published record is still current (sets ``last_verified``)."""
    view = owner_view(store, reference, token)
    if view is None:
        raise SubmissionError("mijn.error.not_found")
    if not view.can_confirm:
        raise SubmissionError("mijn.error.not_public")
    today = today or date.today()
    old = view.record.get("last_verified") if view.record else None

    def write(cur: Cursor) -> None:
        cur.execute("UPDATE records SET last_verified = ?, updated_at = current_timestamp WHERE id = ?",
                    [today, view.record_id])
        Store.add_revision(cur, "record", view.record_id, "confirm", submitter_actor(view.reference),
                           {"last_verified": [old, today]})
        store.bump_data_version(cur)

    store.run_in_transaction(write)
    return today


# -- bulk sign-ups (python -m mapping import --pending FILE) -------------------------------------------

@dataclass
class PendingImportReport:
    imported: list[str] = field(default_factory=list)        # reference codes
    rejected: list[ingest.RowReport] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)      # reference → secret token (shown once)

    @property
    def total(self) -> int:
        return len(self.imported) + len(self.rejected)


def import_pending(store: Store, path: Path | str, *, actor: str = "import", content: bytes | None = None,
                   now: datetime | None = None) -> PendingImportReport:
    """Store every valid row as a pending submission, exactly as if it came through the form: the
    same checks (``ingest.prepare_rows`` + the sign-up rules), contacts private, one submission per
    row, duplicates flagged. Rows with errors are reported by spreadsheet line; the valid rows are
    stored in one transaction (all or nothing). Consent cannot be given in a file, so
    ``consent_at`` stays empty for these contacts."""
    rows = ingest.read_rows(path, content)
    report = PendingImportReport()
    geocoder = geocoder_for(store)
    now = now or datetime.now()
    writes: list[_PreparedWrite] = []
    taken: set[str] = set()
    for offset, row in enumerate(rows):
        number = 2 + offset
        if row.get("__blank__"):
            continue
        problems: list[FieldError] = []
        if row.get("__invalid_geometry__"):
            problems.append(FieldError("lat", "error.geometry_not_point", {}))
        if row.get("__extra__"):
            problems.append(FieldError("row", "error.extra_columns", {"count": row["__extra__"]}))
        checked = check(store, dict(row), geocoder=geocoder, require_consent=False)
        if problems or not checked.ok:
            report.rejected.append(ingest.RowReport(number, clean_text(row.get("name"))[:150],
                                                    problems + checked.errors))
            continue
        writes.append(_prepare_write(store, checked, target_record_id=None, actor=actor, now=now, consent=False,
                                     duplicates=None, extra_flags=(), taken=taken))

    def write_all(cur: Cursor) -> None:
        for prepared in writes:
            prepared.write(cur)

    if writes:
        store.run_in_transaction(write_all)
    for prepared in writes:
        report.imported.append(prepared.receipt.reference)
        report.tokens[prepared.receipt.reference] = prepared.receipt.token
    return report


def write_imported_submission(cur: duckdb.DuckDBPyConnection, record: dict[str, Any], contact: dict[str, Any],
                              *, actor: str, now: datetime, batch_id: str) -> tuple[str, str]:
    """A record an import stored as ``pending`` becomes a pending sign-up in the moderation queue,
    exactly as if it came through the form: a submission of type ``new`` with the record's fields
    as payload, the private contact (no consent: a file cannot give it) and a ``submit`` revision.
    Runs inside the import's transaction; returns (reference, secret token)."""
    reference = new_reference()
    while cur.execute("SELECT count(*) FROM submissions WHERE id = ?", [reference]).fetchone()[0]:
        reference = new_reference()
    token = secrets.token_urlsafe(32)
    payload = to_payload(record, [], None)
    _insert_submission(cur, reference=reference, record_id=record["id"], submission_type="new", payload=payload,
                       secret_hash=hash_token(token), flags=[], now=now)
    _insert_contact(cur, reference, record["id"], contact, None)
    Store.add_revision(cur, "submission", reference, "submit", actor,
                       {**_payload_changes(payload), "record_id": [None, record["id"]], "type": [None, "new"],
                        "batch": [None, batch_id]})
    return reference, token


def status_link(base_url: str, reference: str, token: str) -> str:
    """The owner's secret link to the status page (``base_url`` is the app's address)."""
    from urllib.parse import urlencode

    return f"{base_url.rstrip('/')}/mijn_aanmelding?{urlencode({'ref': reference, 'token': token})}"


def print_secret_links(report: PendingImportReport, lang: str, out=None) -> None:
    """After a bulk sign-up: each reference with its secret status link, to pass on to the
    initiative (the token is shown this once; only its hash is stored)."""
    import sys

    from mapping import i18n

    out = out or sys.stdout
    if report.tokens:
        print(i18n.t("aanmelden.cli.links_heading", lang), file=out)
    for reference, token in report.tokens.items():
        print(f"  {reference}  /mijn_aanmelding?ref={reference}&token={token}", file=out)


def preview_location(store: Store, postcode: Any, place: Any) -> tuple[Any, str | None]:
    """Where the form would put the point for what was typed so far: (Location or None, gemeente
    code or None). Used to centre the small map before the user clicks a more precise point."""
    geocoder = geocoder_for(store)
    location = None
    if clean_text(postcode):
        location = geocoder.by_postcode(postcode)
    if location is None and clean_text(place):
        location = geocoder.by_place(clean_text(place))
    if location is None:
        return None, None
    from mapping import regions

    return location, regions.point_regions(store, location.lat, location.lon)["gemeente_code"]


def point_gemeente(store: Store, lat: float, lon: float) -> str | None:
    """The gemeente of a clicked point (None outside the Netherlands)."""
    from mapping import regions

    return regions.point_regions(store, lat, lon)["gemeente_code"]
