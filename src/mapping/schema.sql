-- The one schema of the Zorgzame Buurten Kaart (DuckDB dialect).
-- Idempotent: every statement can run on an existing database. Structural changes that
-- cannot be expressed idempotently go into store.MIGRATIONS with a version number.
-- Public code and outside tools read only the views at the bottom.

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- Administrative areas. level: provincie | gemeente | wijk | zorgkantoorregio.
-- Parent codes follow the hierarchy provincie > gemeente > wijk; zorgkantoorregio groups gemeenten.
CREATE TABLE IF NOT EXISTS regions (
    code                  VARCHAR PRIMARY KEY,
    name                  VARCHAR NOT NULL,
    level                 VARCHAR NOT NULL CHECK (level IN ('provincie', 'gemeente', 'wijk', 'zorgkantoorregio')),
    provincie_code        VARCHAR,
    gemeente_code         VARCHAR,
    zorgkantoorregio_code VARCHAR,
    geom                  GEOMETRY,
    -- simplified outline as GeoJSON text for display (maps never ship full geometry)
    display_geojson       VARCHAR,
    min_lon DOUBLE, min_lat DOUBLE, max_lon DOUBLE, max_lat DOUBLE,
    source                VARCHAR,
    year                  INTEGER,
    -- a point inside the region (ST_PointOnSurface) where maps draw its count; stored so that
    -- reading pages never needs the spatial extension
    label_lon DOUBLE, label_lat DOUBLE
);

-- CBS key figures in long form, so that every value carries its table id, year and method.
CREATE TABLE IF NOT EXISTS key_figures (
    region_code VARCHAR NOT NULL,
    measure     VARCHAR NOT NULL,
    value       DOUBLE,               -- NULL = not available (never a silent zero)
    unit        VARCHAR,
    cbs_table   VARCHAR,
    year        INTEGER,
    method      VARCHAR,              -- 'published' or a description of the derivation
    PRIMARY KEY (region_code, measure)
);

CREATE TABLE IF NOT EXISTS themes (
    code           VARCHAR PRIMARY KEY,
    label_nl       VARCHAR NOT NULL,
    label_en       VARCHAR NOT NULL,
    description_nl VARCHAR,
    description_en VARCHAR,
    sort_order     INTEGER
);

-- Initiatives, care providers, networks and meet-ups share one table: they link to each other
-- freely and are filtered by the same regions and themes.
CREATE TABLE IF NOT EXISTS records (
    id                    VARCHAR PRIMARY KEY,
    name                  VARCHAR NOT NULL,
    kind                  VARCHAR NOT NULL CHECK (kind IN ('initiative', 'provider', 'network', 'meetup')),
    themes                VARCHAR[] NOT NULL DEFAULT [],
    description           VARCHAR,
    address               VARCHAR,
    postcode              VARCHAR,
    place                 VARCHAR,
    lat                   DOUBLE,
    lon                   DOUBLE,
    location_precision    VARCHAR NOT NULL DEFAULT 'unknown'
                          CHECK (location_precision IN ('address', 'postcode', 'wijk', 'place', 'online', 'unknown')),
    location_note         VARCHAR,
    provincie_code        VARCHAR,
    gemeente_code         VARCHAR,
    wijk_code             VARCHAR,
    zorgkantoorregio_code VARCHAR,
    website               VARCHAR,
    source_url            VARCHAR,
    source_title          VARCHAR,
    source_date           DATE,
    starts_at             TIMESTAMP,
    ends_at               TIMESTAMP,
    all_day               BOOLEAN NOT NULL DEFAULT false,
    online                BOOLEAN NOT NULL DEFAULT false,
    meeting_url           VARCHAR,
    status                VARCHAR NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'approved', 'rejected', 'archived')),
    origin                VARCHAR NOT NULL DEFAULT 'submission'
                          CHECK (origin IN ('dataset', 'import', 'submission', 'demo')),
    synthetic             BOOLEAN NOT NULL DEFAULT false,
    created_at            TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at            TIMESTAMP NOT NULL DEFAULT current_timestamp,
    last_verified         DATE
);

-- Issue 15: a place where things happen (Het Wijkpaleis) rather than an initiative of its own:
-- shown on the map, never counted as supply in the gap score. Here, before the views that read it,
-- because the views are re-created on every start (also store.MIGRATIONS version 4).
ALTER TABLE records ADD COLUMN IF NOT EXISTS venue BOOLEAN DEFAULT false;

CREATE TABLE IF NOT EXISTS record_links (
    id          VARCHAR PRIMARY KEY,
    from_id     VARCHAR NOT NULL,
    to_id       VARCHAR NOT NULL,
    relation    VARCHAR NOT NULL CHECK (relation IN
                ('member_of', 'partner', 'part_of', 'organised_by', 'hosted_at', 'initiated_by', 'supported_by')),
    source_url  VARCHAR,
    note        VARCHAR,
    status      VARCHAR NOT NULL DEFAULT 'approved' CHECK (status IN ('pending', 'approved', 'rejected', 'archived')),
    origin      VARCHAR NOT NULL DEFAULT 'dataset',
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
-- Date the source reports the link (e.g. the date of the article or the agreement); set by moderators.
ALTER TABLE record_links ADD COLUMN IF NOT EXISTS source_date DATE;

-- Private: contact details of submitters. Never joined into a public view, export or map.
CREATE TABLE IF NOT EXISTS contacts (
    submission_id VARCHAR PRIMARY KEY,
    record_id     VARCHAR,
    contact_name  VARCHAR,
    contact_email VARCHAR,
    consent_at    TIMESTAMP
);

-- The write path: every sign-up or proposed change waits here for a moderator.
CREATE TABLE IF NOT EXISTS submissions (
    id               VARCHAR PRIMARY KEY,      -- public reference code
    record_id        VARCHAR NOT NULL,         -- the record it creates or changes
    submission_type  VARCHAR NOT NULL CHECK (submission_type IN ('new', 'change')),
    payload          JSON NOT NULL,            -- the proposed record fields (no contact data)
    secret_hash      VARCHAR NOT NULL,         -- sha256 of the submitter's secret link token
    status           VARCHAR NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'rejected', 'merged', 'withdrawn')),
    flags            VARCHAR[] NOT NULL DEFAULT [],
    review_reason    VARCHAR,
    reviewed_by      VARCHAR,
    created_at       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at       TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Audit history: append-only, never deleted.
CREATE SEQUENCE IF NOT EXISTS revision_seq START 1;
CREATE TABLE IF NOT EXISTS revisions (
    id          BIGINT PRIMARY KEY DEFAULT nextval('revision_seq'),
    entity_type VARCHAR NOT NULL,              -- record | link | submission
    entity_id   VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,              -- create | update | approve | reject | merge | ...
    actor       VARCHAR NOT NULL,
    changed_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    changes     JSON                            -- {field: [old, new]} (never contact data)
);

-- Public views: approved records only, never contact data.
CREATE OR REPLACE VIEW public_records AS
SELECT r.id, r.name, r.kind, r.themes, r.description, r.address, r.postcode, r.place,
       r.lat, r.lon, r.location_precision, r.location_note,
       r.provincie_code, r.gemeente_code, r.wijk_code, r.zorgkantoorregio_code,
       r.website, r.source_url AS source, r.source_title, r.source_date,
       r.starts_at, r.ends_at, r.all_day, r.online, r.meeting_url,
       r.synthetic, r.created_at, r.updated_at, r.last_verified, coalesce(r.venue, false) AS venue
FROM records r
WHERE r.status = 'approved';

CREATE OR REPLACE VIEW initiatives AS SELECT * FROM public_records WHERE kind = 'initiative';
CREATE OR REPLACE VIEW providers   AS SELECT * FROM public_records WHERE kind = 'provider';
CREATE OR REPLACE VIEW networks    AS SELECT * FROM public_records WHERE kind = 'network';
CREATE OR REPLACE VIEW meetups     AS SELECT * FROM public_records WHERE kind = 'meetup';

CREATE OR REPLACE VIEW links AS
SELECT l.id, l.from_id, l.to_id, l.relation, l.source_url AS source, l.note, l.source_date
FROM record_links l
JOIN records a ON a.id = l.from_id AND a.status = 'approved'
JOIN records b ON b.id = l.to_id AND b.status = 'approved'
WHERE l.status = 'approved';

-- Offline geocoding tables (reference data, rebuilt by `build`).
CREATE TABLE IF NOT EXISTS pc4 (
    postcode      INTEGER PRIMARY KEY,
    lat           DOUBLE NOT NULL,
    lon           DOUBLE NOT NULL,
    woonplaats    VARCHAR,
    gemeente_code VARCHAR,
    inwoners_2021 DOUBLE,
    inwoners_65plus_2021 DOUBLE,
    inwoners_75plus_2021 DOUBLE
);

CREATE TABLE IF NOT EXISTS places (
    woonplaats    VARCHAR NOT NULL,
    gemeente_code VARCHAR NOT NULL,
    lat           DOUBLE NOT NULL,
    lon           DOUBLE NOT NULL,
    inwoners_2021 DOUBLE,
    PRIMARY KEY (woonplaats, gemeente_code)
);

-- Rendered page parts that are slow to build and change only with the data or the code (the
-- Overzicht map): one row per name, valid while ``fingerprint`` (data version + code) matches.
CREATE TABLE IF NOT EXISTS page_cache (
    name        VARCHAR PRIMARY KEY,
    fingerprint VARCHAR NOT NULL,
    body        VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Issue 15: import batches. Every import (spreadsheet, GeoJSON, OpenStreetMap) is one batch with its
-- counts; import_batch_records remembers what the batch created or changed and how it left each
-- record (status, updated_at), so that an undo withdraws only records nobody changed since.
CREATE TABLE IF NOT EXISTS import_batches (
    id          VARCHAR PRIMARY KEY,
    actor       VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    file_name   VARCHAR,
    source      VARCHAR NOT NULL DEFAULT 'file',   -- file | osm
    status      VARCHAR NOT NULL,                  -- status given to new records: approved | pending
    imported    INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    interpreted INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    duplicates  INTEGER NOT NULL DEFAULT 0,
    withdrawn   INTEGER NOT NULL DEFAULT 0,
    undone_at   TIMESTAMP,
    undone_by   VARCHAR
);

CREATE TABLE IF NOT EXISTS import_batch_records (
    batch_id  VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,    -- create | update | withdraw
    status    VARCHAR,             -- the status the batch left a created record in
    stamp     TIMESTAMP NOT NULL,  -- updated_at the batch left the record with
    PRIMARY KEY (batch_id, record_id)
);

-- Issue 12: state that every app process (replica) and the CLI must share, so that a second
-- process neither forgets a sign-in nor resets a throttle. Times are Unix seconds (the clock
-- the callers use), sessions are keyed by the SHA-256 of their token (the token itself is never stored).
CREATE TABLE IF NOT EXISTS moderator_sessions (
    token_hash  VARCHAR PRIMARY KEY,
    actor       VARCHAR NOT NULL,
    session_id  VARCHAR NOT NULL,        -- the Streamlit session the token was issued to
    fingerprint VARCHAR NOT NULL,        -- of the configured credentials: changing them ends all sessions
    expires_at  DOUBLE PRECISION NOT NULL,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS login_failures (
    client     VARCHAR NOT NULL,         -- 'ip:…' or 'session:…', never what was typed
    failed_at  DOUBLE PRECISION NOT NULL
);
