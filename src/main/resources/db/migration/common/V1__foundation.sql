-- Candor foundation schema. Portable between SQLite and PostgreSQL: TEXT, BIGINT (epoch millis),
-- BOOLEAN. Every column of a table with a subject_id is either declared in the catalog or listed
-- there as a technical column (CatalogSchemaTest enforces it).

CREATE TABLE services (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  purposes TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

-- Keys of the installation (the blind-index key), wrapped by the master key.
CREATE TABLE system_keys (
  name TEXT PRIMARY KEY,
  wrapped TEXT NOT NULL
);

-- One Tink keyset per person, wrapped by the master key. Deleting the row crypto-shreds the person.
CREATE TABLE subject_keys (
  subject_id TEXT PRIMARY KEY,
  wrapped_keyset TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE people (
  subject_id TEXT PRIMARY KEY,
  name_ct TEXT,
  phone_ct TEXT,
  phone_bidx TEXT UNIQUE,
  email_ct TEXT,
  email_bidx TEXT UNIQUE,
  birth_date_ct TEXT,
  gender_ct TEXT,
  occupation_ct TEXT,
  phone_verified_at BIGINT,
  email_verified_at BIGINT,
  field_times TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE consents (
  subject_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  granted BOOLEAN NOT NULL,
  level TEXT,
  source TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (subject_id, purpose)
);

CREATE TABLE consent_events (
  id TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  granted BOOLEAN NOT NULL,
  level TEXT,
  source TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX consent_events_subject ON consent_events (subject_id, at);

CREATE TABLE access_log (
  id TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  caller TEXT NOT NULL,
  purpose TEXT NOT NULL,
  fields TEXT NOT NULL
);
CREATE INDEX access_log_subject ON access_log (subject_id, at);

CREATE TABLE user_tokens (
  token_hash TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX user_tokens_subject ON user_tokens (subject_id);

CREATE TABLE otp_verifications (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  target_bidx TEXT NOT NULL,
  subject_id TEXT,
  code_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL,
  consumed_at BIGINT
);
CREATE INDEX otp_verifications_subject ON otp_verifications (subject_id);

-- Proof that an erasure happened, without anything about the person but the random id.
CREATE TABLE erasure_receipts (
  subject_id TEXT PRIMARY KEY,
  erased_at BIGINT NOT NULL,
  erased_counts TEXT NOT NULL
);
