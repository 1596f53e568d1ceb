-- A person's log positions, one row per person and roll-up slice instead of one per event: the
-- writer inserted a row per event into a table keyed by person, about 50 bytes and a random page
-- each (15% of the ingestion throughput). Now each row lists the positions (comma-separated) of a
-- person's events in one slice; first_seq and last_seq bound them. Readers unpack the list and
-- check the person on the event row too, so a position whose event is gone (retention) is harmless.
CREATE TABLE usage_event_owners_v6 (
  subject_id TEXT NOT NULL,
  first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  seqs TEXT NOT NULL,
  PRIMARY KEY (subject_id, first_seq)
) WITHOUT ROWID;
-- Positions rolled up before applied_seq and after it stay in separate rows: the writer's recovery
-- tells the slices of an unfinished roll-up by first_seq > applied_seq.
INSERT INTO usage_event_owners_v6 (subject_id, first_seq, last_seq, seqs)
SELECT subject_id, MIN(seq), MAX(seq), group_concat(seq, ',')
FROM (
  SELECT o.subject_id, o.seq, o.seq > s.applied_seq AS after
  FROM usage_event_owners o, usage_rollup_state s
  WHERE s.id = 1
  ORDER BY o.subject_id, o.seq
)
GROUP BY subject_id, seq / 10000, after;
DROP TABLE usage_event_owners;
ALTER TABLE usage_event_owners_v6 RENAME TO usage_event_owners;
