-- Revocation (SQLite). A revoked service keeps its row, marked with when it was revoked: its name
-- is never given to another service, so access-log entries naming "service:<name>" stay
-- unambiguous. Its key hash is replaced by a marker no key hashes to.
ALTER TABLE services ADD COLUMN revoked_at BIGINT;

-- Each sign-in session gets a random opaque id (32 hex digits), by which the person lists and ends
-- it; it is neither the token nor derived from it. Sessions signed in before this version get one
-- here.
ALTER TABLE user_tokens ADD COLUMN session_id TEXT;
UPDATE user_tokens SET session_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX user_tokens_session ON user_tokens (session_id);

-- The housekeeping deletes expired sessions by this index.
CREATE INDEX user_tokens_expiry ON user_tokens (expires_at);
