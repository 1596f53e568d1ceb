-- Payments: payment methods, merchants, a double-entry ledger of accounts and transfers, stored
-- answers for idempotency keys, and daily totals per account for fraud scoring.

-- A card or bank account of a person. Everything that describes it (brand, last 4 digits, expiry,
-- country, holder) and the full number are encrypted with the person's key; the fingerprint is a
-- keyed blind index of the number (the same card on two accounts has the same one, and it reveals
-- nothing else). The card security code is never stored.
CREATE TABLE payment_methods (
  id TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL,
  type TEXT NOT NULL,
  details_ct TEXT NOT NULL,
  number_ct TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX payment_methods_subject ON payment_methods (subject_id);
CREATE INDEX payment_methods_fingerprint ON payment_methods (fingerprint);

CREATE TABLE merchants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- One account per owner and currency: a person's wallet, a merchant, or the world outside (cards
-- and banks), which goes negative by what was topped up. Ids are random, so an account whose owner
-- was erased (owner_id set to NULL) says nothing about them. balance and held are kept in the same
-- transaction as the transfers they sum; `./candor ledger verify` recomputes them.
CREATE TABLE ledger_accounts (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  owner_id TEXT,
  currency TEXT NOT NULL,
  balance BIGINT NOT NULL,
  held BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  CHECK (kind <> 'wallet' OR (held >= 0 AND balance - held >= 0))
);
CREATE UNIQUE INDEX ledger_accounts_owner ON ledger_accounts (kind, owner_id, currency);

-- Every movement of money: from one account to another, in one currency. A hold reserves
-- `amount` on the debit account until it is captured (posted_amount, at most amount), voided or
-- expires. subject_id is the person who paid (NULL once erased); note_ct and risk_ct are encrypted
-- with the payer's key.
CREATE TABLE transfers (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  debit_account TEXT NOT NULL,
  credit_account TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount BIGINT NOT NULL,
  posted_amount BIGINT NOT NULL,
  status TEXT NOT NULL,
  subject_id TEXT,
  payment_method_id TEXT,
  note_ct TEXT,
  risk_score INTEGER,
  risk_decision TEXT,
  risk_ct TEXT,
  fraud_reported_at BIGINT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  settled_at BIGINT
);
CREATE INDEX transfers_debit ON transfers (debit_account, created_at);
CREATE INDEX transfers_credit ON transfers (credit_account, created_at);
CREATE INDEX transfers_payer ON transfers (subject_id);
-- Only pending holds, which the expiry sweeper looks for: a posted transfer adds nothing here.
CREATE INDEX transfers_holds ON transfers (expires_at) WHERE status = 'held';

-- The first answer to each (caller, Idempotency-Key), replayed to a retry with the same body.
-- The answer is encrypted with the payer's key; erasure deletes the person's rows.
CREATE TABLE idempotency_keys (
  caller TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  request_sha256 TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  status INTEGER NOT NULL,
  answer_ct TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (caller, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_subject ON idempotency_keys (subject_id);

-- Per account and day: transfers, their amount, and how many were later confirmed as fraud; the
-- fraud scorer reads windows of these, never a year of transfers.
CREATE TABLE payment_daily (
  account_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  transfers BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  frauds BIGINT NOT NULL,
  PRIMARY KEY (account_id, day)
);
