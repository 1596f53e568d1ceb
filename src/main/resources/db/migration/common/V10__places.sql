-- Places: restaurants, shops, cities. Not data about people (no subject_id), so the catalog does not
-- declare them. The nearby index is rebuilt from this table at start. Portable between SQLite and
-- PostgreSQL: TEXT, DOUBLE PRECISION (REAL affinity on SQLite), BIGINT epoch millis.
CREATE TABLE places (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  lat DOUBLE PRECISION NOT NULL,
  lon DOUBLE PRECISION NOT NULL,
  source TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
