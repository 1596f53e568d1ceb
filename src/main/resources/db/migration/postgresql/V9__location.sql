-- Location: every position update (history, kept for the retention) and each person's current
-- grid cell (derived from the history, for rebuilding the people-nearby index at start).
-- A precise position is stored only encrypted with the person's key (position_ct); an approximate
-- one only as its grid cell of about 1 km. The cell of every update is kept in the clear: it is
-- what people nearby are found by, and no finer than what the approximate level stores.
CREATE TABLE location_points (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  level TEXT NOT NULL,
  cell INTEGER NOT NULL,
  position_ct BYTEA,
  flagged INTEGER NOT NULL
);
CREATE INDEX location_points_subject ON location_points (subject_id, at);
CREATE INDEX location_points_at ON location_points (at);

CREATE TABLE location_current (
  subject_id TEXT PRIMARY KEY,
  at BIGINT NOT NULL,
  cell INTEGER NOT NULL
);
