"""Building the database from ``data/`` and importing record files with row-by-row reports.

``build`` is safe to re-run: reference data (regions, key figures, geocoding tables, themes) is
replaced when its files change; dataset records are added or refreshed only while nobody has
moderated them; submitted, imported and moderated records are never touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mapping import config, overview, regions
from mapping.geocode import Geocoder
from mapping.progress import ProgressFn, silent
from mapping.records import FieldError, clean_text, fold, new_id, parse_bool, theme_lookup, validate_record
from mapping.store import Store

REFERENCE_FILES = (
    "provincies.geojson", "gemeenten_2025.csv", "zorgkantoorregios_2025.geojson",
    "wijken_2024.geojson", "kerncijfers_gemeenten_2024.csv", "kerncijfers_wijken_2024.csv",
    "kwb2024_gemeente.csv", "kwb2024_wijk.csv", "eenpersoonshuishoudens_gemeenten_2024.csv",
    "pc4_centroids.csv", "woonplaatsen.csv", "bevolking_pc4_leeftijd_2021.csv", "themes.csv",
)
DATASET_FILES = ("records.csv", "links.csv")

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 100_000

RECORD_COLUMNS = (
    "id", "name", "kind", "themes", "description", "address", "postcode", "place", "lat", "lon",
    "location_precision", "location_note", "provincie_code", "gemeente_code", "wijk_code",
    "zorgkantoorregio_code", "website", "source_url", "source_title", "source_date", "starts_at",
    "ends_at", "all_day", "online", "meeting_url", "status", "origin", "synthetic", "last_verified", "venue",
)

# Spreadsheet headers (Dutch and English, any case or accents) → record fields.
COLUMN_ALIASES = {
    "id": "id", "naam": "name", "name": "name", "organisatie": "name",
    "soort": "kind", "type": "kind", "kind": "kind", "categorie": "kind",
    "themas": "themes", "thema": "themes", "themes": "themes", "theme": "themes",
    "omschrijving": "description", "beschrijving": "description", "description": "description",
    "adres": "address", "address": "address", "straat": "address", "postcode": "postcode",
    "plaats": "place", "woonplaats": "place", "place": "place", "city": "place",
    "lat": "lat", "latitude": "lat", "breedtegraad": "lat", "lon": "lon", "lng": "lon",
    "longitude": "lon", "lengtegraad": "lon", "website": "website", "url": "website",
    "bron": "source_url", "source": "source_url", "source_url": "source_url", "bron_url": "source_url",
    "brontitel": "source_title", "source_title": "source_title", "brondatum": "source_date",
    "source_date": "source_date", "datum": "starts_at", "start": "starts_at", "begin": "starts_at",
    "starts_at": "starts_at", "einde": "ends_at", "eind": "ends_at", "ends_at": "ends_at",
    "online": "online", "hele_dag": "all_day", "all_day": "all_day", "link_online": "meeting_url", "meeting_url": "meeting_url",
    "locatieprecisie": "location_precision", "location_precision": "location_precision",
    "locatie_toelichting": "location_note", "location_note": "location_note",
    "laatst_bevestigd": "last_verified", "last_verified": "last_verified",
    "contactnaam": "contact_name", "contact_name": "contact_name", "contactpersoon": "contact_name",
    "email": "contact_email", "e_mail": "contact_email", "contact_email": "contact_email",
}


def column_key(header: str) -> str:
    return "_".join(fold(header or "").replace("'", "").replace("-", "_").split())


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass
class RowReport:
    row: int                 # line number as the user sees it in the spreadsheet (header = 1)
    name: str
    errors: list[FieldError]


# -- reference data ---------------------------------------------------------------------------

def _files_hash(data_dir: Path, names: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in names:
        path = data_dir / name
        digest.update(name.encode())
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


KEY_FIGURE_COLUMNS = {
    # column: (measure, unit, cbs_table, year, method)
    "aantal_inwoners": ("inwoners", "personen", "85984NED", 2024, "published"),
    "bevolkingsdichtheid_inw_per_km2_land": ("bevolkingsdichtheid", "inw/km² land", "85984NED", 2024, "published"),
    "woningvoorraad": ("woningvoorraad", "woningen", "85984NED", 2024, "published"),
    "oppervlakte_land_ha": ("oppervlakte_land", "ha", "85984NED", 2024, "published"),
    "inwoners_75plus_2021_pc4_afgeleid": ("inwoners_75plus", "personen", "83502NED", 2021,
                                          "sum of PC4 age groups over PC4 centroids in the gemeente"),
    "aandeel_75plus_2021_pc4_afgeleid_pct": ("aandeel_75plus", "%", "83502NED", 2021,
                                             "PC4-derived 75+ / PC4-derived inhabitants 2021"),
}


def load_key_figures(store: Store, data_dir: Path) -> int:
    frames = []
    for file, code_col in (("kerncijfers_gemeenten_2024.csv", "gemeente_code"),
                           ("kerncijfers_wijken_2024.csv", "wijk_code")):
        table = pd.read_csv(data_dir / file, dtype={code_col: str})
        for column, (measure, unit, cbs_table, year, method) in KEY_FIGURE_COLUMNS.items():
            if column not in table.columns:
                continue
            frames.append(pd.DataFrame({
                "region_code": table[code_col], "measure": measure,
                "value": pd.to_numeric(table[column], errors="coerce"),
                "unit": unit, "cbs_table": cbs_table, "year": year, "method": method,
            }))
    from mapping import needs   # published KWB 2024 need figures (65+, households, huisarts distance)

    frames.append(needs.published_figures(data_dir))
    figures = pd.concat(frames, ignore_index=True)
    cur = store.cursor()
    cur.execute("DELETE FROM key_figures")
    cur.register("key_figures_src", figures)
    cur.execute("INSERT INTO key_figures SELECT region_code, measure, value, unit, cbs_table, year, method "
                "FROM key_figures_src")
    cur.unregister("key_figures_src")
    return len(figures)


def load_geocoding_tables(store: Store, data_dir: Path) -> None:
    cur = store.cursor()
    pc4 = pd.read_csv(data_dir / "pc4_centroids.csv")
    cur.register("pc4_src", pc4)
    cur.execute("DELETE FROM pc4")
    cur.execute("""INSERT INTO pc4 SELECT postcode, lat, lon, woonplaats, gemeente_code,
                   inwoners_2021, inwoners_65plus_2021, inwoners_75plus_2021 FROM pc4_src""")
    cur.unregister("pc4_src")
    places = pd.read_csv(data_dir / "woonplaatsen.csv")
    cur.register("places_src", places)
    cur.execute("DELETE FROM places")
    cur.execute("INSERT INTO places SELECT woonplaats, gemeente_code, lat, lon, inwoners_2021 FROM places_src")
    cur.unregister("places_src")


def load_themes(store: Store, data_dir: Path) -> int:
    themes = pd.read_csv(data_dir / "themes.csv", dtype=str).fillna("")
    themes["sort_order"] = range(len(themes))
    cur = store.cursor()
    cur.register("themes_src", themes)
    cur.execute("""
        INSERT INTO themes SELECT code, label_nl, label_en, description_nl, description_en, sort_order
        FROM themes_src
        ON CONFLICT (code) DO UPDATE SET label_nl = excluded.label_nl, label_en = excluded.label_en,
            description_nl = excluded.description_nl, description_en = excluded.description_en,
            sort_order = excluded.sort_order
    """)
    cur.unregister("themes_src")
    return len(themes)


def extra_reference_steps() -> list:
    """Hooks for derived reference data (e.g. wijk age figures from PC4), run after key figures."""
    steps = []
    try:
        from mapping import needs  # derived need figures; optional until that module exists
    except ImportError:
        return steps
    if hasattr(needs, "derive_reference_figures"):
        steps.append(("afgeleide kerncijfers (wijk 65+/75+ uit PC4)", needs.derive_reference_figures))
    return steps


# -- build ------------------------------------------------------------------------------------

def build(store: Store, data_dir: Path | None = None, *, progress: ProgressFn = silent,
          include_dataset: bool = True) -> dict[str, int]:
    """Create or upgrade the database from ``data_dir``. Returns counts for the report."""
    data_dir = data_dir or config.data_dir()
    missing = [name for name in REFERENCE_FILES if not (data_dir / name).exists()]
    if missing:
        raise FileNotFoundError(
            f"Missing files in {data_dir}: {', '.join(missing)}. Restore them from version control "
            "(git checkout -- data/) or point MAPPING_DATA_DIR at a complete data directory."
        )
    extra = extra_reference_steps()
    steps = 5 + len(extra) + (1 if include_dataset else 0)
    step = 0
    counts: dict[str, int] = {}
    reference_hash = _files_hash(data_dir, REFERENCE_FILES)
    if extra:  # derived steps belong to the reference data: a new or changed step re-derives once
        steps_key = "|".join(f"{label}:{getattr(function, 'version', '')}" for label, function in extra)
        reference_hash += ":" + hashlib.sha256(steps_key.encode()).hexdigest()[:12]
    reference_changed = store.get_meta("reference_hash") != reference_hash
    if reference_changed:
        progress(step, steps, "grenzen laden (provincies, gemeenten, wijken, zorgkantoorregio's)")
        counts["regions"] = regions.load_boundaries(store, data_dir)
        step += 1
        progress(step, steps, "kerncijfers CBS laden")
        counts["key_figures"] = load_key_figures(store, data_dir)
        step += 1
        for label, function in extra:
            progress(step, steps, label)
            function(store, data_dir)
            step += 1
        progress(step, steps, "postcodes en plaatsen laden (offline geocodering)")
        load_geocoding_tables(store, data_dir)
        step += 1
        progress(step, steps, "thema's laden")
        counts["themes"] = load_themes(store, data_dir)
        step += 1
    else:
        step += 4 + len(extra)
        progress(step, steps, "referentiedata ongewijzigd")
    if include_dataset:
        progress(step, steps, "records uit data/records.csv")
        counts.update(load_dataset(store, data_dir))
        step += 1
    progress(step, steps, "regiocodes toekennen (point-in-polygon)")
    counts["assigned"] = reassign_regions(store, only_missing=not reference_changed)
    step += 1
    store.set_meta("reference_hash", reference_hash)
    if include_dataset:
        # the first page's national map, drawn now so that the dashboard's first start is quick
        progress(step, steps, "overzichtskaart tekenen")
        overview.prepare(store)
    store.set_meta("built_at", datetime.now().isoformat(timespec="seconds"))
    store.checkpoint()
    progress(steps, steps, "klaar")
    counts["steps"] = steps
    return counts


def reassign_regions(store: Store, *, only_missing: bool = False) -> int:
    """(Re)compute region codes for located records; with ``only_missing`` only where absent."""
    where = "lat IS NOT NULL AND lon IS NOT NULL"
    if only_missing:
        where += " AND gemeente_code IS NULL"
    points = store.df(f"SELECT id, lat, lon FROM records WHERE {where}")
    if points.empty:
        return 0
    codes = regions.assign_regions(store, points)
    cur = store.cursor()
    cur.register("assigned_codes", codes)
    cur.execute("""
        UPDATE records SET provincie_code = a.provincie_code, gemeente_code = a.gemeente_code,
               wijk_code = a.wijk_code, zorgkantoorregio_code = a.zorgkantoorregio_code
        FROM assigned_codes a WHERE records.id = a.id
    """)
    cur.unregister("assigned_codes")
    return len(codes)


def _records_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in RECORD_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame = frame[list(RECORD_COLUMNS)]
    return frame.astype(object).where(frame.notna(), None)


def insert_records(cur, rows: list[dict[str, Any]]) -> None:
    """Insert cleaned record dicts (keys of RECORD_COLUMNS) in one statement."""
    if not rows:
        return
    frame = _records_frame(rows)
    cur.register("new_records_src", frame)
    columns = ", ".join(RECORD_COLUMNS)
    select = ", ".join(
        "CAST(themes AS VARCHAR[])" if c == "themes" else
        f"CAST({c} AS DOUBLE)" if c in ("lat", "lon") else
        f"CAST({c} AS TIMESTAMP)" if c in ("starts_at", "ends_at") else
        f"CAST({c} AS DATE)" if c in ("source_date", "last_verified") else
        f"coalesce(CAST({c} AS BOOLEAN), false)" if c in ("all_day", "online", "synthetic", "venue") else
        f"CAST({c} AS VARCHAR)"
        for c in RECORD_COLUMNS
    )
    cur.execute(f"INSERT INTO records ({columns}) SELECT {select} FROM new_records_src")
    cur.unregister("new_records_src")


def load_dataset(store: Store, data_dir: Path) -> dict[str, int]:
    """Add the curated real records and links; refresh unmoderated dataset records."""
    records_file, links_file = data_dir / "records.csv", data_dir / "links.csv"
    if not records_file.exists():
        return {"dataset_records": 0}
    lookup = theme_lookup(store.df("SELECT code, label_nl, label_en FROM themes"))
    raw = pd.read_csv(records_file, dtype=str, keep_default_na=False).to_dict("records")
    cleaned: list[dict[str, Any]] = []
    problems: list[str] = []
    for row in raw:
        result = validate_record(row, themes=lookup, require_source=True)
        if not result.ok:
            problems.append(f"{row.get('id')}: " + ", ".join(f"{e.field} {e.code}" for e in result.errors))
            continue
        record = result.record
        record.update(id=row["id"], status="approved", origin="dataset", synthetic=False,
                      last_verified=record.get("last_verified") or record.get("source_date"),
                      venue=parse_bool(row.get("venue")))
        cleaned.append(record)
    if problems:
        raise ValueError("data/records.csv has invalid rows (fix the file):\n  " + "\n  ".join(problems))
    # Records a moderator or submitter touched are theirs now: never overwritten by build.
    protected = {r[0] for r in store.rows(
        "SELECT DISTINCT entity_id FROM revisions WHERE entity_type = 'record' AND actor <> 'build'")}
    existing = {r[0]: r[1] for r in store.rows("SELECT id, origin FROM records")}
    inserts = [r for r in cleaned if r["id"] not in existing]
    refresh = [r for r in cleaned if existing.get(r["id"]) == "dataset" and r["id"] not in protected]

    def write(cur) -> None:
        if refresh:
            ids = [r["id"] for r in refresh]
            cur.execute("DELETE FROM records WHERE id IN (SELECT unnest(?::VARCHAR[]))", [ids])
            insert_records(cur, refresh)
            cur.execute("UPDATE records SET updated_at = current_timestamp WHERE id IN "
                        "(SELECT unnest(?::VARCHAR[]))", [ids])
        insert_records(cur, inserts)
        for record in inserts:
            store.add_revision(cur, "record", record["id"], "create", "build", {"origin": "dataset"})

    store.run_in_transaction(write)
    links_added = load_dataset_links(store, links_file) if links_file.exists() else 0
    return {"dataset_records": len(cleaned), "records_added": len(inserts), "links_added": links_added}


def link_id(from_id: str, relation: str, to_id: str) -> str:
    return f"{from_id}__{relation}__{to_id}"


def load_dataset_links(store: Store, links_file: Path) -> int:
    links = pd.read_csv(links_file, dtype=str, keep_default_na=False)
    known = {r[0] for r in store.rows("SELECT id FROM records")}
    bad = links[~links["from_id"].isin(known) | ~links["to_id"].isin(known)]
    if not bad.empty:
        raise ValueError("data/links.csv refers to unknown records: "
                         + ", ".join(f"{a}->{b}" for a, b in zip(bad["from_id"], bad["to_id"])))
    links["id"] = [link_id(a, r, b) for a, r, b in zip(links["from_id"], links["relation"], links["to_id"])]
    existing = {r[0] for r in store.rows("SELECT id FROM record_links")}
    # A dataset link removed from (or corrected in) links.csv is archived, unless a moderator took it over.
    in_file = set(links["id"])
    gone = [r[0] for r in store.rows(
        "SELECT id FROM record_links WHERE origin = 'dataset' AND status = 'approved' AND id NOT IN "
        "(SELECT entity_id FROM revisions WHERE entity_type = 'link' AND actor <> 'build')") if r[0] not in in_file]
    if gone:
        store.execute("UPDATE record_links SET status = 'archived', updated_at = current_timestamp "
                      "WHERE id IN (SELECT unnest(?::VARCHAR[]))", [gone])
    new = links[~links["id"].isin(existing)]
    if new.empty:
        return 0
    cur = store.cursor()
    cur.register("links_src", new)
    cur.execute("""INSERT INTO record_links (id, from_id, to_id, relation, source_url, note, status, origin)
                   SELECT id, from_id, to_id, relation, nullif(source_url, ''), nullif(note, ''),
                          'approved', 'dataset' FROM links_src""")
    cur.unregister("links_src")
    return len(new)


# -- import -------------------------------------------------------------------------------------

def read_rows(path: Path | str, content: bytes | None = None) -> list[dict[str, Any]]:
    """Read a CSV (``;`` or ``,``, UTF-8 with or without BOM, or Windows-1252), XLSX or GeoJSON file
    into dicts with record field names. Raises :class:`ImportFileError` with a clear message."""
    from mapping import imports

    return imports.read_table(path, content).rows


def prepare_rows(store: Store, rows: list[dict[str, Any]], *, geocoder: Geocoder | None = None,
                 first_row_number: int = 2) -> tuple[list[dict[str, Any]], list[RowReport], list[dict]]:
    """Validate, geocode and region-assign rows exactly as the form does.

    Returns (clean records, rejected rows, private contact dicts aligned with clean records).
    """
    geocoder = geocoder or Geocoder.from_store(store)
    lookup = theme_lookup(store.df("SELECT code, label_nl, label_en FROM themes"))
    existing_ids = {r[0] for r in store.rows("SELECT id FROM records")}
    accepted: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    rejected: list[RowReport] = []
    row_numbers: list[int] = []
    for offset, row in enumerate(rows):
        number = first_row_number + offset
        if row.get("__blank__"):
            continue
        result = validate_record(row, themes=lookup)
        errors = list(result.errors)
        if row.get("__invalid_geometry__"):
            errors.append(FieldError("lat", "error.geometry_not_point", {}))
        if row.get("__extra__"):
            errors.append(FieldError("row", "error.extra_columns", {"count": row["__extra__"]}))
        record = result.record
        if clean_text(row.get("all_day")):   # an explicit column (our own export) wins over the date's form
            record["all_day"] = parse_bool(row["all_day"]) and record.get("starts_at") is not None
        if not errors:
            location, geo_errors = geocoder.locate(record)
            errors += geo_errors
            if location is not None and record.get("lat") is None:
                # A geocoded point is only as precise as what found it, whatever the row claimed.
                record["lat"], record["lon"] = location.lat, location.lon
                record["location_precision"] = location.precision
                if not record.get("place") and location.precision == "postcode":
                    record["place"] = geocoder.place_for_postcode(record.get("postcode"))
        wanted_id = str(row.get("id") or "").strip()
        if wanted_id and wanted_id in existing_ids:
            errors.append(FieldError("id", "error.id_exists", {"value": wanted_id[:60]}))
        if errors:
            rejected.append(RowReport(number, record.get("name") or "", errors))
            continue
        record["id"] = wanted_id or new_id(record["name"], existing_ids)
        existing_ids.add(record["id"])
        record["_row"] = number          # the spreadsheet line, for the import report
        accepted.append(record)
        row_numbers.append(number)
        contacts.append({"contact_name": row.get("contact_name"), "contact_email": row.get("contact_email")})
    # Region codes for all accepted points in one spatial join; a point outside NL is rejected.
    located = [r for r in accepted if r.get("lat") is not None]
    if located:
        codes = regions.assign_regions(store, pd.DataFrame(
            {"id": [r["id"] for r in located], "lat": [r["lat"] for r in located],
             "lon": [r["lon"] for r in located]})).set_index("id")
        codes = codes[~codes.index.duplicated()].to_dict("index")   # dict lookups: 100k rows stay quick
        keep: list[dict[str, Any]] = []
        keep_contacts: list[dict[str, Any]] = []
        for record, contact, number in zip(accepted, contacts, row_numbers):
            if record.get("lat") is not None:
                row_codes = codes[record["id"]]
                if row_codes["gemeente_code"] is None:
                    rejected.append(RowReport(number, record["name"], [FieldError("lat", "error.outside_nl", {})]))
                    continue
                for column in regions.CODE_COLUMNS:
                    record[column] = row_codes[column]
            keep.append(record)
            keep_contacts.append(contact)
        accepted, contacts = keep, keep_contacts
    rejected.sort(key=lambda report: report.row)
    return accepted, rejected, contacts


def import_file(store: Store, path: Path | str, *, actor: str = "import", status: str = "approved",
                content: bytes | None = None, **options: Any):
    """Import valid rows as records (atomically, as one undoable batch) and report every row:
    imported, interpreted, duplicate or rejected. See :mod:`mapping.imports`."""
    from mapping import imports

    return imports.import_file(store, path, content=content, actor=actor, status=status, **options)
