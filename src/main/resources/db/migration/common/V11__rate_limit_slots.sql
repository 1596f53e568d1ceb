-- Request limits shared by every node (one-time-code requests per address and per client). A key
-- may act at most N times per window: it has N slots, and an action takes a slot whose last use has
-- expired (a conditional upsert, so two nodes never take the same slot). Keys are keyed hashes
-- (blind indexes), never a plaintext address or IP; expired rows are deleted as requests come in.
CREATE TABLE rate_limit_slots (
  scope TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  slot INTEGER NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (scope, key_hash, slot)
);
CREATE INDEX rate_limit_slots_expiry ON rate_limit_slots (expires_at);
