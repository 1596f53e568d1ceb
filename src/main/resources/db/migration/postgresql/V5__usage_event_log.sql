-- Usage events become an append-only log (see the SQLite migration of the same version): rows keyed
-- by a sequence number the single writer assigns; no (person, messageId) key, since retries are
-- recognised by the writer's window of recent messageIds; a person's rows are found through
-- usage_event_owners, filled with the rollups, and after usage_rollup_state.applied_seq by range.
CREATE TABLE usage_events_log (
  seq BIGINT PRIMARY KEY,
  subject_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  service TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  detail_ct TEXT
);
INSERT INTO usage_events_log (seq, subject_id, message_id, at, type, name, service, received_at,
  detail_ct)
SELECT row_number() OVER (ORDER BY received_at, subject_id, message_id), subject_id, message_id,
  at, type, name, service, received_at, detail_ct
FROM usage_events;
DROP TABLE usage_events;
ALTER TABLE usage_events_log RENAME TO usage_events;
CREATE INDEX usage_events_at ON usage_events (at);

CREATE TABLE usage_event_owners (
  subject_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (subject_id, seq)
);
INSERT INTO usage_event_owners (subject_id, seq) SELECT subject_id, seq FROM usage_events;

CREATE TABLE usage_rollup_state (
  id INTEGER PRIMARY KEY,
  applied_seq BIGINT NOT NULL
);
INSERT INTO usage_rollup_state (id, applied_seq) SELECT 1, COALESCE(MAX(seq), 0) FROM usage_events;
