-- Usage events; the primary key (subject, messageId) makes retries idempotent and serves export
-- and erasure of one person. Free-form properties and context are encrypted with the person's key.
CREATE TABLE usage_events (
  subject_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  service TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  detail_ct TEXT,
  PRIMARY KEY (subject_id, message_id)
);
