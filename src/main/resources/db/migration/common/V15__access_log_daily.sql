-- Reads counted per person, day, caller, purpose and fields rather than one row each: being shown
-- to people nearby ("shown to 37 people nearby on 6 Dec, by service:maps") costs no row per view.
CREATE TABLE access_log_daily (
  subject_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  caller TEXT NOT NULL,
  purpose TEXT NOT NULL,
  fields TEXT NOT NULL,
  reads BIGINT NOT NULL,
  first_at BIGINT NOT NULL,
  last_at BIGINT NOT NULL,
  PRIMARY KEY (subject_id, day, caller, purpose, fields)
);
