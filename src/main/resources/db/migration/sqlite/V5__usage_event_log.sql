-- Usage events become an append-only log. Each row is keyed by a sequence number that the single
-- writer assigns in commit order, so a group commit appends pages at the end of the table instead
-- of dirtying pages all over a (person, messageId) index. Retries are recognised by the writer's
-- window of recent messageIds, rebuilt from the newest rows at start. A person's rows are found
-- through usage_event_owners, which the writer fills with the rollups about once a second (sorted,
-- so few pages); rows after usage_rollup_state.applied_seq are not in it yet and are read by range.
CREATE TABLE usage_events_log (
  seq INTEGER PRIMARY KEY,
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
SELECT rowid, subject_id, message_id, at, type, name, service, received_at, detail_ct
FROM usage_events ORDER BY rowid;
DROP TABLE usage_events;
ALTER TABLE usage_events_log RENAME TO usage_events;
-- The retention purge deletes by event time; live events come in time order, so this index grows
-- at its end too.
CREATE INDEX usage_events_at ON usage_events (at);

CREATE TABLE usage_event_owners (
  subject_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (subject_id, seq)
) WITHOUT ROWID;
INSERT INTO usage_event_owners (subject_id, seq) SELECT subject_id, seq FROM usage_events;

-- The last event (seq) whose effects are in every rollup and in usage_event_owners. After a crash,
-- the writer replays the events after it.
CREATE TABLE usage_rollup_state (
  id INTEGER PRIMARY KEY,
  applied_seq BIGINT NOT NULL
);
INSERT INTO usage_rollup_state (id, applied_seq) SELECT 1, COALESCE(MAX(seq), 0) FROM usage_events;
