"""Imports of record lists (CSV, XLSX, GeoJSON) with an explained report, duplicates and batches.

One pipeline for the command line and the moderation page:

1. :func:`read_table` reads the file and says how each column was understood (a moderator may map an
   unknown header to a field with ``column_map``).
2. :func:`interpret_rows` turns what people write (``Hofjes``, ``zorgcoöperatie``, a source that is
   plain text) into codes with :mod:`mapping.vocabulary`, and lists every such interpretation.
3. ``ingest.prepare_rows`` validates, geocodes and region-assigns exactly as the sign-up form does.
4. Each good row is compared with the existing records and with the file's earlier rows
   (:class:`DuplicateIndex`: similar name within 100 m, the same website, or the same id).
5. :func:`import_table` writes nothing with ``dry_run``; otherwise one transaction stores the new
   records, the updates (``update_existing``), revisions and an import batch, which
   :func:`undo_batch` can withdraw again as long as nobody changed its records.

No Streamlit and no HTML here.
"""

from __future__ import annotations

import csv
import io
import json
import math
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mapping import ingest, vocabulary
from mapping.ingest import COLUMN_ALIASES, ImportFileError, RowReport, column_key
from mapping.progress import ProgressFn, silent
from mapping.records import FieldError, clean_text, split_list, valid_url
from mapping.store import Store

DUPLICATE_RADIUS_M = 100          # Karte von morgen: 100 m plus a similar name
CHUNK_ROWS = 2_000                # rows per validation step (progress granularity)
# Fields an import may change on an existing record (never status, origin, id or contact data).
UPDATABLE_FIELDS = (
    "name", "kind", "themes", "description", "address", "postcode", "place", "lat", "lon",
    "location_precision", "location_note", "website", "source_url", "source_title", "source_date",
    "starts_at", "ends_at", "all_day", "online", "meeting_url", "provincie_code", "gemeente_code",
    "wijk_code", "zorgkantoorregio_code",
)
_FORMULA_GUARD = ("'=", "'+", "'-", "'@", "'\t", "'\r")


# -- the report ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnUse:
    header: str
    field: str | None             # None: ignored
    how: str                      # alias | mapped (by the user) | unknown


@dataclass(frozen=True)
class Interpretation:
    row: int
    field: str
    original: str
    value: str
    how: str                      # plural | synonym | implied_by_kind | source_title | website_scheme


@dataclass(frozen=True)
class Duplicate:
    row: int
    name: str
    match_id: str | None          # an existing record …
    match_row: int | None         # … or an earlier row of the same file
    match_name: str
    reasons: tuple[str, ...]      # name_nearby | website | id
    distance_m: float | None
    action: str                   # skipped | updated | unchanged


@dataclass
class ImportReport:
    file_name: str = ""
    imported: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    interpreted: list[Interpretation] = field(default_factory=list)
    rejected: list[RowReport] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    columns: list[ColumnUse] = field(default_factory=list)
    batch_id: str | None = None
    dry_run: bool = False
    status: str = "approved"
    # status "pending": record id → reference of the pending sign-up in the moderation queue
    submissions: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Rows with content: imported, rejected or recognised as a duplicate."""
        return len(self.imported) + len(self.rejected) + len(self.duplicates)

    def counts(self) -> dict[str, int]:
        return {"imported": len(self.imported), "updated": len(self.updated),
                "interpreted": len({i.row for i in self.interpreted}),
                "rejected": len(self.rejected), "duplicates": len(self.duplicates)}


class MissingNameColumn(ImportFileError):
    """No column is understood as the name; ``header`` lets a person assign one (column_map)."""

    def __init__(self, message: str, header: list[str], columns: list[ColumnUse]):
        super().__init__(message)
        self.header = header
        self.columns = columns


@dataclass
class Table:
    """A file read into rows with record field names; ``raw`` keeps each row as the user wrote it."""

    name: str
    format: str                   # csv | xlsx | geojson
    header: list[str]
    columns: list[ColumnUse]
    rows: list[dict[str, Any]]
    raw: list[Any]                # per row: list of cells (csv/xlsx) or the feature (geojson)
    delimiter: str = ";"
    encoding: str = "utf-8-sig"


# -- reading ------------------------------------------------------------------------------------

def _decode(data: bytes) -> tuple[str, str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass                     # not UTF-16 after all: read it like any other file
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"  # Excel "CSV (lijstscheidingsteken)"


def _columns(header: list[str], column_map: dict[str, str] | None) -> list[ColumnUse]:
    uses: list[ColumnUse] = []
    taken: set[str] = set()
    for cell in header:
        chosen = (column_map or {}).get(cell)
        if chosen is not None:
            use = ColumnUse(cell, chosen or None, "mapped")
        else:
            found = COLUMN_ALIASES.get(column_key(cell))
            use = ColumnUse(cell, found, "alias" if found else "unknown")
        if use.field in taken:            # the first column of a field wins; say so
            use = ColumnUse(cell, None, "unknown")
        if use.field:
            taken.add(use.field)
        uses.append(use)
    return uses


def _check_limits(count: int) -> None:
    if count > ingest.MAX_IMPORT_ROWS:
        raise ImportFileError(f"The file has {count} rows; the limit is {ingest.MAX_IMPORT_ROWS}. "
                              "Split it into smaller files.")


def _tabular(name: str, fmt: str, header: list[str], records: list[list[Any]], column_map,
             delimiter: str = ";", encoding: str = "utf-8-sig") -> Table:
    header = [clean_text(h) for h in header]
    columns = _columns(header, column_map)
    if "name" not in {c.field for c in columns}:
        raise MissingNameColumn(
            "Column 'naam' (name) is missing. The first line must hold the column names, e.g. "
            "naam;soort;thema's;omschrijving;adres;postcode;plaats;website;bron", header, columns)
    _check_limits(len(records))
    rows: list[dict[str, Any]] = []
    for values in records:
        if not any(str(v).strip() for v in values if v is not None):
            rows.append({"__blank__": True})
            continue
        row = {c.field: v for c, v in zip(columns, values) if c.field}
        if len(values) > len(header) and any(clean_text(v) for v in values[len(header):]):
            row["__extra__"] = len(values) - len(header)
        rows.append(row)
    return Table(name, fmt, header, columns, rows, records, delimiter, encoding)


def _read_csv(name: str, data: bytes, column_map) -> Table:
    # The file is bounded by MAX_IMPORT_BYTES; a long cell is then a row error, not a csv error.
    csv.field_size_limit(max(csv.field_size_limit(), ingest.MAX_IMPORT_BYTES))
    text, encoding = _decode(data)
    text = text.replace("\x00", "")
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        records = [[_unguard(v) for v in values] for values in reader]
    except StopIteration:
        raise ImportFileError("The file has no readable header line.") from None
    except csv.Error as exc:
        raise ImportFileError(f"The CSV is malformed near line {reader.line_num}: {exc}.") from None
    return _tabular(name, "csv", header, records, column_map, delimiter, encoding)


def _unguard(value: str) -> str:
    """Undo the apostrophe our own CSV export puts before text Excel would run as a formula."""
    return value[1:] if value.startswith(_FORMULA_GUARD) else value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M") if (value.hour or value.minute) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return value if isinstance(value, (int, float)) else str(value)


def _read_xlsx(name: str, data: bytes, column_map) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(f"The Excel file cannot be read ({str(exc)[:80]}). Save it again as .xlsx.") from None
    try:
        sheet = workbook.worksheets[0]
        cells = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    while cells and not any(clean_text(v) for v in cells[0]):
        cells.pop(0)
    if not cells:
        raise ImportFileError("The file is empty.")
    header = [clean_text(v) for v in cells[0]]
    while header and not header[-1]:
        header.pop()
    records = [row[:max(len(header), len(row))] for row in cells[1:]]
    while records and not any(clean_text(v) for v in records[-1]):
        records.pop()
    return _tabular(name, "xlsx", header, records, column_map)


def _read_geojson(name: str, data: bytes, column_map) -> Table:
    text, _ = _decode(data)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ImportFileError(f"The file is not valid JSON ({str(exc)[:80]}).") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" \
            or not isinstance(document.get("features"), list):
        raise ImportFileError("A GeoJSON import must be a FeatureCollection of Point features.")
    features = document["features"]
    _check_limits(len(features))
    header: list[str] = []
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        for key in properties if isinstance(properties, dict) else ():
            if str(key) not in header:
                header.append(str(key))
    columns = _columns(header, column_map)
    by_header = {c.header: c.field for c in columns}
    rows: list[dict[str, Any]] = []
    for feature in features:
        if not isinstance(feature, dict):
            rows.append({"__invalid_geometry__": True})
            continue
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        row = {by_header[str(k)]: v for k, v in properties.items() if by_header.get(str(k))}
        geometry = feature.get("geometry")
        if geometry:
            coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (isinstance(geometry, dict) and geometry.get("type") == "Point" and isinstance(coordinates, list)
                    and len(coordinates) >= 2):
                row["lon"], row["lat"] = coordinates[0], coordinates[1]
            else:
                row["__invalid_geometry__"] = True
        rows.append(row)
    return Table(name, "geojson", header, columns, rows, features)


def read_table(name: str | Path, content: bytes | None = None, *,
               column_map: dict[str, str] | None = None) -> Table:
    """Read a CSV (``;``/``,``/tab; UTF-8 with or without BOM, or Windows-1252), XLSX or GeoJSON
    file. ``column_map`` assigns headers to record fields (``""`` ignores a column). Raises
    :class:`~mapping.ingest.ImportFileError` with what to do."""
    path = Path(name)
    data = content if content is not None else path.read_bytes()
    if len(data) > ingest.MAX_IMPORT_BYTES:
        raise ImportFileError(f"The file is {len(data) / 1e6:.1f} MB; the limit is "
                              f"{ingest.MAX_IMPORT_BYTES // 1_000_000} MB. Split it into smaller files.")
    if not data.strip():
        raise ImportFileError("The file is empty.")
    suffix = path.suffix.casefold()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(path.name, data, column_map)
    if suffix in (".geojson", ".json") or data.lstrip()[:1] in (b"{", b"["):
        return _read_geojson(path.name, data, column_map)
    return _read_csv(path.name, data, column_map)


# -- interpretation -----------------------------------------------------------------------------

def interpret_rows(rows: list[dict[str, Any]], vocab: vocabulary.Vocabulary, *,
                   first_row_number: int = 2) -> list[Interpretation]:
    """Rewrite kinds, themes, sources and websites into what the rules accept, in place; return
    every change that was more than case or accents. Unknown values stay for the validator."""
    found: list[Interpretation] = []
    for offset, row in enumerate(rows):
        if row.get("__blank__"):
            continue
        number = first_row_number + offset
        themes = split_list(row.get("themes"))
        codes: list[str] = []
        for item in themes:
            match = vocab.theme(item)
            if match is None:
                codes.append(item)
                continue
            if match.interpreted:
                found.append(Interpretation(number, "themes", item, match.value, match.how))
            codes.append(match.value)
        raw_kind = clean_text(row.get("kind"))
        if raw_kind:
            match = vocab.kind(raw_kind)
            if match is not None:
                row["kind"] = match.value
                if match.interpreted:
                    found.append(Interpretation(number, "kind", raw_kind, match.value, match.how))
                for theme in match.extra_themes:
                    if theme not in codes:
                        codes.append(theme)
                        found.append(Interpretation(number, "themes", raw_kind, theme, "implied_by_kind"))
        if "themes" in row or codes:
            row["themes"] = codes
        source = clean_text(row.get("source_url"))
        if source and not valid_url(source):
            fixed = f"https://{source}" if source.casefold().startswith("www.") and valid_url(f"https://{source}") else None
            if fixed:
                row["source_url"] = fixed
                found.append(Interpretation(number, "source_url", source, fixed, "website_scheme"))
            else:
                title = clean_text(row.get("source_title"))
                row["source_title"] = f"{title}; {source}" if title else source
                row["source_url"] = None
                found.append(Interpretation(number, "source_title", source, row["source_title"], "source_title"))
        website = clean_text(row.get("website"))
        if website and not valid_url(website) and valid_url(f"https://{website}") and "." in website.split("/")[0]:
            row["website"] = f"https://{website}"
            found.append(Interpretation(number, "website", website, row["website"], "website_scheme"))
    return found


def with_suggestions(errors: list[FieldError], vocab: vocabulary.Vocabulary) -> list[FieldError]:
    """Unknown theme or kind → the same error with the nearest known label, when there is one."""
    out: list[FieldError] = []
    for error in errors:
        value = error.params.get("value") if error.params else None
        suggestion = None
        if value and error.code == "error.theme":
            suggestion = vocab.suggest_theme(value)
        elif value and error.code == "error.kind":
            suggestion = vocab.suggest_kind(value)
        out.append(FieldError(error.field, error.code + "_suggest", {"value": value, "suggestion": suggestion})
                   if suggestion else error)
    return out


# -- duplicates ---------------------------------------------------------------------------------

@dataclass
class _Entry:
    ref: str | int                # record id (str) or row number (int)
    name: str
    lat: float | None
    lon: float | None
    website: str | None
    place: str | None


class DuplicateIndex:
    """Existing records and accepted rows on a grid of ~100 m cells, plus websites by host: each
    lookup compares a handful of neighbours instead of everything (100k rows stay quick)."""

    def __init__(self, radius_m: float = DUPLICATE_RADIUS_M):
        self.radius_m = radius_m
        self.cell = radius_m / 111_000
        self.grid: dict[tuple[int, int], list[_Entry]] = {}
        self.hosts: dict[str, list[_Entry]] = {}

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return int(math.floor(lat / self.cell)), int(math.floor(lon * math.cos(math.radians(52.2)) / self.cell))

    def add(self, ref: str | int, name: str, lat: float | None, lon: float | None, website: str | None,
            place: str | None = None) -> None:
        from mapping.submissions import website_key

        entry = _Entry(ref, name, lat, lon, website, place)
        if lat is not None and lon is not None:
            self.grid.setdefault(self._key(lat, lon), []).append(entry)
        site = website_key(website)
        if site:
            self.hosts.setdefault(site[0], []).append(entry)

    def find(self, name: str, lat: float | None, lon: float | None, website: str | None,
             place: str | None = None) -> list[tuple[_Entry, tuple[str, ...], float | None]]:
        from mapping.submissions import haversine_m, names_similar, same_website, website_key

        reasons: dict[int, tuple[_Entry, list[str], float | None]] = {}
        if lat is not None and lon is not None:
            row, col = self._key(lat, lon)
            for d_row in (-1, 0, 1):
                for d_col in (-1, 0, 1):
                    for entry in self.grid.get((row + d_row, col + d_col), ()):
                        distance = haversine_m(lat, lon, entry.lat, entry.lon)
                        if distance <= self.radius_m and names_similar(name, entry.name, places=(place, entry.place)):
                            reasons[id(entry)] = (entry, ["name_nearby"], distance)
        site = website_key(website)
        for entry in self.hosts.get(site[0], ()) if site else ():
            if same_website(website, entry.website):
                if id(entry) in reasons:
                    reasons[id(entry)][1].append("website")
                else:
                    distance = (haversine_m(lat, lon, entry.lat, entry.lon)
                                if None not in (lat, lon, entry.lat, entry.lon) else None)
                    reasons[id(entry)] = (entry, ["website"], distance)
        found = [(entry, tuple(why), distance) for entry, why, distance in reasons.values()]
        found.sort(key=lambda f: (-len(f[1]), f[2] if f[2] is not None else 1e12))
        return found


def existing_index(store: Store) -> tuple[DuplicateIndex, dict[str, dict[str, Any]]]:
    """Index of every live record (approved or pending) and their current values by id."""
    frame = store.df(f"SELECT {', '.join(UPDATABLE_FIELDS)}, id, status, updated_at FROM records "
                     "WHERE status IN ('approved', 'pending')")
    index = DuplicateIndex()
    current: dict[str, dict[str, Any]] = {}
    for record in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        index.add(record["id"], record["name"], record["lat"], record["lon"], record["website"], record["place"])
        if hasattr(record["updated_at"], "to_pydatetime"):
            record["updated_at"] = record["updated_at"].to_pydatetime()
        current[record["id"]] = record
    return index, current


def _comparable(field_name: str, value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if field_name == "themes":
        return tuple(value) if value is not None else ()
    if field_name in ("lat", "lon"):
        return round(float(value), 6)
    if field_name in ("starts_at", "ends_at"):
        return value.replace(tzinfo=None) if hasattr(value, "replace") and hasattr(value, "hour") else value
    if field_name in ("source_date", "last_verified") and hasattr(value, "date") and callable(value.date):
        return value.date()
    if field_name in ("all_day", "online"):
        return bool(value)
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "tolist"):
        return tuple(value.tolist())
    return value if value != "" else None


def record_diff(current: dict[str, Any], incoming: dict[str, Any], given: set[str]) -> dict[str, list]:
    """{field: [old, new]} for the fields the file gave that differ from the record."""
    diff: dict[str, list] = {}
    for name in UPDATABLE_FIELDS:
        if name not in given and name not in ("provincie_code", "gemeente_code", "wijk_code",
                                              "zorgkantoorregio_code", "location_precision"):
            continue
        old, new = _comparable(name, current.get(name)), _comparable(name, incoming.get(name))
        if name in ("provincie_code", "gemeente_code", "wijk_code", "zorgkantoorregio_code") and new is None:
            continue
        if old != new:
            diff[name] = [old, new]
    return diff


# -- importing ----------------------------------------------------------------------------------

def new_batch_id(now: datetime) -> str:
    return f"IMP-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def import_table(store: Store, table: Table, *, actor: str = "import", status: str = "approved",
                 dry_run: bool = False, update_existing: bool = False, progress: ProgressFn = silent,
                 vocab: vocabulary.Vocabulary | None = None, source: str = "file",
                 now: datetime | None = None, extra_write=None) -> ImportReport:
    """Validate, interpret and de-duplicate ``table``; unless ``dry_run``, write it as one batch.
    ``extra_write(cur, store, batch_id, now)`` adds work to the same transaction (OSM withdrawals)."""
    vocab = vocab or vocabulary.load(store)
    report = ImportReport(file_name=table.name, columns=list(table.columns), dry_run=dry_run, status=status)
    rows = [dict(row) for row in table.rows]
    total = len(rows)
    progress(0, total, "interpreting")
    report.interpreted = interpret_rows(rows, vocab)
    index, current = existing_index(store)
    known_ids = {r[0] for r in store.rows("SELECT id FROM records")}
    given_ids: dict[int, str] = {}
    for offset, row in enumerate(rows):
        wanted = clean_text(row.get("id"))
        if wanted and wanted in current:         # the same record again (e.g. a project export)
            given_ids[offset + 2] = wanted
            row.pop("id")
    accepted: list[dict[str, Any]] = []
    contacts: dict[int, dict[str, Any]] = {}        # row number → private contact (pending imports only)
    from mapping.submissions import geocoder_for

    geocoder = geocoder_for(store)
    for start in range(0, total, CHUNK_ROWS):
        chunk_accepted, chunk_rejected, chunk_contacts = ingest.prepare_rows(
            store, rows[start:start + CHUNK_ROWS], geocoder=geocoder, first_row_number=2 + start)
        accepted += chunk_accepted
        if status == "pending":
            contacts.update((record["_row"], contact) for record, contact in zip(chunk_accepted, chunk_contacts))
        for rejected in chunk_rejected:
            report.rejected.append(RowReport(rejected.row, rejected.name, with_suggestions(rejected.errors, vocab)))
        progress(min(start + CHUNK_ROWS, total), total, "checking")
    inserts: list[dict[str, Any]] = []
    updates: list[tuple[dict[str, Any], dict[str, list], Any]] = []
    row_names: dict[int, str] = {}
    for record in accepted:
        number = record.pop("_row")
        given = {k for k, v in rows[number - 2].items()
                 if not k.startswith("__") and v is not None and (not isinstance(v, str) or v.strip())}
        match_id = given_ids.get(number)
        reasons: tuple[str, ...] = ("id",) if match_id else ()
        distance = None
        match_row = None
        if not match_id:
            found = index.find(record["name"], record.get("lat"), record.get("lon"), record.get("website"),
                               record.get("place"))
            if found:
                entry, reasons, distance = found[0]
                if isinstance(entry.ref, int):
                    match_row = entry.ref
                else:
                    match_id = entry.ref
        if match_row is not None and clean_text(rows[number - 2].get("id")):
            match_row = None    # a row with its own id says it is a record of its own (an exchange file)
        if match_row is not None:
            report.duplicates.append(Duplicate(number, record["name"], None, match_row, row_names[match_row],
                                               reasons, distance, "skipped"))
            continue
        if match_id:
            existing = current[match_id]
            diff = record_diff(existing, record, given)
            action = "unchanged" if not diff else ("updated" if update_existing else "skipped")
            report.duplicates.append(Duplicate(number, record["name"], match_id, None, existing["name"],
                                               reasons, distance, action))
            if action == "updated":
                updates.append((record | {"id": match_id}, diff, existing["updated_at"]))
                report.updated.append(match_id)
            continue
        if record["id"] in known_ids:           # a generated or wanted id taken meanwhile
            record["id"] = ingest.new_id(record["name"], known_ids)
        known_ids.add(record["id"])
        index.add(number, record["name"], record.get("lat"), record.get("lon"), record.get("website"),
                  record.get("place"))
        row_names[number] = record["name"]
        record["_row"] = number
        inserts.append(record)
        report.imported.append(record["id"])
    report.rejected.sort(key=lambda r: r.row)
    if dry_run:
        progress(total, total, "done")
        return report
    now = now or datetime.now().replace(microsecond=0)
    batch_id = new_batch_id(now)
    # a file without the column: its records were verified now; with it (an export): as it says
    verified_default = None if "last_verified" in {c.field for c in table.columns} else now.date()
    insert_rows = {record["id"]: record.pop("_row") for record in inserts}
    for record in inserts:
        record.update(status=status, origin="import", synthetic=False,
                      last_verified=record.get("last_verified") or verified_default)
    counts = report.counts()

    def write(cur) -> None:
        cur.execute(
            "INSERT INTO import_batches (id, actor, created_at, file_name, source, status, imported, updated, "
            "interpreted, rejected, duplicates) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [batch_id, actor, now, table.name, source, status, counts["imported"], counts["updated"],
             counts["interpreted"], counts["rejected"], counts["duplicates"]])
        ingest.insert_records(cur, inserts)
        if inserts:
            ids = [r["id"] for r in inserts]
            cur.execute("UPDATE records SET created_at = ?, updated_at = ? WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                        [now, now, ids])
            _bulk_insert(cur, "import_batch_records", pd.DataFrame(
                {"batch_id": batch_id, "record_id": ids, "action": "create", "status": status, "stamp": now}))
            changes = json.dumps({"batch": batch_id, "file": table.name, "status": status}, ensure_ascii=False)
            _bulk_insert(cur, "revisions", pd.DataFrame(
                {"entity_type": "record", "entity_id": ids, "action": "import", "actor": actor, "changes": changes}))
        if status == "pending":      # a moderator decides them in the queue, like sign-ups from the form
            from mapping.submissions import write_imported_submission

            report.submissions.clear()
            for record in inserts:
                reference, _token = write_imported_submission(
                    cur, record, contacts.get(insert_rows[record["id"]], {}), actor=actor, now=now, batch_id=batch_id)
                report.submissions[record["id"]] = reference
        for record, diff, seen_updated_at in updates:
            _update_record(cur, store, record, diff, seen_updated_at, now, actor, batch_id)
        if extra_write is not None:
            extra_write(cur, store, batch_id, now)
        store.bump_data_version(cur)

    store.run_in_transaction(write)
    report.batch_id = batch_id
    progress(total, total, "done")
    return report


def _bulk_insert(cur, table_name: str, frame: "pd.DataFrame") -> None:
    """All rows of ``frame`` in one statement (one revision per record, 100k records in a second)."""
    columns = ", ".join(frame.columns)
    cur.register("bulk_src", frame)
    try:
        cur.execute(f"INSERT INTO {table_name} ({columns}) SELECT {columns} FROM bulk_src")
    finally:
        cur.unregister("bulk_src")


class ImportConflict(RuntimeError):
    """A record changed between reading and writing; nothing of the batch was written."""


def _update_record(cur, store: Store, record: dict[str, Any], diff: dict[str, list], seen_updated_at: Any,
                   now: datetime, actor: str, batch_id: str) -> None:
    fields = list(diff)
    values = [list(record.get(f) or []) if f == "themes" else record.get(f) for f in fields]
    assignments = ", ".join(f"{f} = ?" for f in fields)
    # compare-and-set: only the version we compared against is updated
    changed = cur.execute(f"UPDATE records SET {assignments}, updated_at = ? WHERE id = ? AND updated_at = ? "
                          "RETURNING id", values + [now, record["id"], seen_updated_at]).fetchall()
    if not changed:
        raise ImportConflict(f"Record {record['id']} was changed while importing; run the import again.")
    cur.execute("INSERT INTO import_batch_records (batch_id, record_id, action, status, stamp) "
                "VALUES (?, ?, 'update', NULL, ?)", [batch_id, record["id"], now])
    store.add_revision(cur, "record", record["id"], "update", actor, {"batch": batch_id, **diff})


def import_file(store: Store, path: Path | str, *, content: bytes | None = None,
                column_map: dict[str, str] | None = None, **options: Any) -> ImportReport:
    return import_table(store, read_table(path, content, column_map=column_map), **options)


# -- batches ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Batch:
    id: str
    actor: str
    created_at: datetime
    file_name: str
    source: str
    status: str
    imported: int
    updated: int
    interpreted: int
    rejected: int
    duplicates: int
    withdrawn: int
    undone_at: datetime | None
    undone_by: str | None


def list_batches(store: Store, limit: int = 100) -> list[Batch]:
    rows = store.rows("SELECT id, actor, created_at, file_name, source, status, imported, updated, interpreted, "
                      "rejected, duplicates, withdrawn, undone_at, undone_by FROM import_batches "
                      "ORDER BY created_at DESC, id DESC LIMIT ?", [limit])
    return [Batch(*row) for row in rows]


@dataclass
class UndoReport:
    batch_id: str
    withdrawn: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)     # changed since the import: left alone


class UndoError(RuntimeError):
    """The batch does not exist or was undone already (message says which)."""


def undo_batch(store: Store, batch_id: str, *, actor: str, now: datetime | None = None) -> UndoReport:
    """Withdraw (archive) the records this batch created that nobody changed since: same status,
    same ``updated_at`` as the import left them, checked in the same statement that archives."""
    now = now or datetime.now().replace(microsecond=0)
    report = UndoReport(batch_id)

    def write(cur) -> None:
        report.withdrawn.clear()
        report.kept.clear()
        claimed = cur.execute("UPDATE import_batches SET undone_at = ?, undone_by = ? WHERE id = ? "
                              "AND undone_at IS NULL RETURNING id", [now, actor, batch_id]).fetchall()
        if not claimed:
            exists = cur.execute("SELECT count(*) FROM import_batches WHERE id = ?", [batch_id]).fetchone()[0]
            raise UndoError(f"Import batch {batch_id} " + ("was undone already." if exists else
                                                         "does not exist; see `python -m mapping import --list`."))
        members = cur.execute("SELECT record_id, status, stamp FROM import_batch_records WHERE batch_id = ? "
                              "AND action = 'create' ORDER BY record_id", [batch_id]).fetchall()
        for record_id, status, stamp in members:
            done = cur.execute("UPDATE records SET status = 'archived', updated_at = ? WHERE id = ? AND status = ? "
                               "AND updated_at = ? RETURNING id", [now, record_id, status, stamp]).fetchall()
            if done:
                report.withdrawn.append(record_id)
                # a pending import's sign-up leaves the moderation queue with its record
                for (reference,) in cur.execute(
                        "UPDATE submissions SET status = 'withdrawn', updated_at = ? WHERE record_id = ? "
                        "AND status = 'pending' AND submission_type = 'new' RETURNING id", [now, record_id]).fetchall():
                    store.add_revision(cur, "submission", reference, "withdraw", actor,
                                       {"status": ["pending", "withdrawn"], "batch": batch_id})
                store.add_revision(cur, "record", record_id, "withdraw", actor,
                                   {"batch": batch_id, "status": [status, "archived"], "reason": "import undone"})
            else:
                report.kept.append(record_id)
        cur.execute("UPDATE import_batches SET withdrawn = ? WHERE id = ?", [len(report.withdrawn), batch_id])
        store.add_revision(cur, "import_batch", batch_id, "undo", actor,
                           {"withdrawn": len(report.withdrawn), "kept": report.kept[:50]})
        if report.withdrawn:
            store.bump_data_version(cur)

    store.run_in_transaction(write)
    return report


# -- the rejected rows as a file to fix -----------------------------------------------------------

REASON_COLUMN = "reden"


def reasons_text(row: RowReport, lang: str) -> str:
    from mapping import i18n

    return "; ".join(i18n.error_text(e, lang) for e in row.errors)


def rejected_file(table: Table, report: ImportReport, lang: str = "nl") -> tuple[str, bytes, str]:
    """(file name, bytes, MIME type) of the rejected rows in the input's own format, dialect and
    encoding, with an extra column ``reden``: fix them in Excel and import this file again."""
    stem = Path(table.name).stem or "import"
    chosen = [(r, table.raw[r.row - 2]) for r in report.rejected if 0 <= r.row - 2 < len(table.raw)]
    if table.format == "geojson":
        features = []
        for row, feature in chosen:
            feature = dict(feature) if isinstance(feature, dict) else {"type": "Feature", "geometry": None}
            feature["properties"] = {**(feature.get("properties") or {}), REASON_COLUMN: reasons_text(row, lang)}
            features.append(feature)
        body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1)
        return f"{stem}-afgewezen.geojson", body.encode("utf-8"), "application/geo+json"
    width = len(table.header)
    lines = [table.header + [REASON_COLUMN]]
    for row, values in chosen:
        cells = [("" if v is None else str(v)) for v in list(values)[:width]]
        lines.append(cells + [""] * (width - len(cells)) + [reasons_text(row, lang)])
    if table.format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "afgewezen"
        for line in lines:
            sheet.append(line)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return (f"{stem}-afgewezen.xlsx", buffer.getvalue(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=table.delimiter, lineterminator="\r\n").writerows(lines)
    encoding = table.encoding if table.encoding != "utf-16" else "utf-16"
    return f"{stem}-afgewezen.csv", buffer.getvalue().encode(encoding, errors="replace"), "text/csv"
