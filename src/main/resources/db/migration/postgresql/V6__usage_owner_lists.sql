-- A person's log positions, one row per person and roll-up slice instead of one per event (see the
-- SQLite migration of the same version): each row lists the positions (comma-separated) of a
-- person's events in one slice; first_seq and last_seq bound them.
CREATE TABLE usage_event_owners_v6 (
  subject_id TEXT NOT NULL,
  first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  seqs TEXT NOT NULL,
  PRIMARY KEY (subject_id, first_seq)
);
INSERT INTO usage_event_owners_v6 (subject_id, first_seq, last_seq, seqs)
SELECT o.subject_id, MIN(o.seq), MAX(o.seq), string_agg(o.seq::text, ',' ORDER BY o.seq)
FROM usage_event_owners o, usage_rollup_state s
WHERE s.id = 1
GROUP BY o.subject_id, o.seq / 10000, o.seq > s.applied_seq;
DROP TABLE usage_event_owners;
ALTER TABLE usage_event_owners_v6 RENAME TO usage_event_owners;
