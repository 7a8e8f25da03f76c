-- Server mode only (PostgreSQL/PostGIS), applied after the translated schema.sql. Idempotent.
-- Indexes for the moderation queue, owners' look-ups and the public map filters.
CREATE INDEX IF NOT EXISTS submissions_status_idx ON submissions (status, created_at);
CREATE INDEX IF NOT EXISTS records_status_kind_idx ON records (status, kind);
CREATE INDEX IF NOT EXISTS records_gemeente_idx ON records (gemeente_code);
CREATE INDEX IF NOT EXISTS revisions_entity_idx ON revisions (entity_type, entity_id);
CREATE INDEX IF NOT EXISTS regions_geom_idx ON regions USING gist (geom);
