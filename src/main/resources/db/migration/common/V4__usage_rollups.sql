-- Usage rollups, maintained at write time; the same on both databases (the events table, which
-- differs, is in V3 of each dialect).

-- The days each person was active, per feature ('*' = any activity): written once per (person,
-- feature, day), never updated, so repeated events cost no write here. The per-person rollup
-- behind the distinct-people grid and cohorts below; how often is counted in usage_feature_days.
CREATE TABLE usage_person_days (
  subject_id TEXT NOT NULL,
  feature TEXT NOT NULL,
  day INTEGER NOT NULL,
  PRIMARY KEY (subject_id, feature, day)
);

-- Distinct people, exactly, for any day range, without scanning: each person's active days for a
-- feature, u1 < u2 < ..., contribute one row per day (day = u_i, prev_day = u_{i-1}, or -1 for the
-- first). The people active in [from, to] are SUM(people) over day BETWEEN from AND to with
-- prev_day < from: for each person exactly one day qualifies, their first active day >= from.
CREATE TABLE usage_gaps (
  feature TEXT NOT NULL,
  day INTEGER NOT NULL,
  prev_day INTEGER NOT NULL,
  people BIGINT NOT NULL,
  PRIMARY KEY (feature, day, prev_day)
);

-- Uses per feature and UTC day ('*' = all events).
CREATE TABLE usage_feature_days (
  feature TEXT NOT NULL,
  day INTEGER NOT NULL,
  uses BIGINT NOT NULL,
  PRIMARY KEY (feature, day)
);

-- One row per session: explicit (session_start/session_end) or inferred from inactivity.
CREATE TABLE usage_sessions (
  session_id TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  last_at BIGINT NOT NULL,
  events INTEGER NOT NULL,
  features TEXT NOT NULL,
  explicit BOOLEAN NOT NULL,
  closed BOOLEAN NOT NULL
);
CREATE INDEX usage_sessions_subject ON usage_sessions (subject_id, last_at);

-- Sessions by UTC start day and duration bucket (1 s buckets up to a minute, then 5% wide).
CREATE TABLE usage_session_hist (
  day INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  sessions BIGINT NOT NULL,
  PRIMARY KEY (day, bucket)
);

-- People by first active week (Monday-based, UTC) and each week they were active in.
CREATE TABLE usage_cohorts (
  cohort_week INTEGER NOT NULL,
  week INTEGER NOT NULL,
  people BIGINT NOT NULL,
  PRIMARY KEY (cohort_week, week)
);
