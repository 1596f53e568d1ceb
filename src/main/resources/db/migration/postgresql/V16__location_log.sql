-- Position updates arrive in an append-only log: the group commit appends rows (no index by
-- person, whose random pages each commit would otherwise rewrite), and the location domain moves
-- them into location_points, sorted by person, every half second. Readers of a person's history
-- read both tables; erasure and withdrawal delete from both.
CREATE TABLE location_log (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  level TEXT NOT NULL,
  cell INTEGER NOT NULL,
  position_ct BYTEA,
  flagged INTEGER NOT NULL
);
