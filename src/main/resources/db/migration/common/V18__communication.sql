-- Communication: conversations and their members, messages (content encrypted with the author's
-- key), reports of messages by members, and calls as metadata.

-- A direct conversation has exactly two members and one row per pair (direct_pair, the two ids
-- sorted and joined, NULL for groups). last_seq is the number of the newest message: a writer
-- takes the next number under the row's lock, so messages are ordered per conversation on every
-- node. The title of a group is encrypted with the key of the person it was created for first.
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('direct', 'group')),
  direct_pair TEXT UNIQUE,
  title_ct TEXT,
  title_owner TEXT,
  last_seq BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

CREATE TABLE conversation_members (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  subject_id TEXT NOT NULL,
  joined_at BIGINT NOT NULL,
  PRIMARY KEY (conversation_id, subject_id)
);
CREATE INDEX conversation_members_subject ON conversation_members (subject_id);

-- A message: body_ct (text) is encrypted with the author's key. When the author is erased,
-- sender_id, client_message_id, body_ct and media_id become NULL and erased_at is set: the other
-- members then see "deleted: erased account". held = 1: judged spam, not shown to members.
-- reasons holds the verdict's reason codes and words, never the text. fuzzy is a keyed hash of
-- the text with digits, links and punctuation taken out, so the same or nearly the same text sent
-- to many conversations is seen without reading any of them.
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  seq BIGINT NOT NULL,
  sender_id TEXT,
  client_message_id TEXT,
  kind TEXT NOT NULL,
  body_ct TEXT,
  media_id TEXT,
  at BIGINT NOT NULL,
  verdict TEXT NOT NULL,
  score INTEGER NOT NULL,
  reasons TEXT NOT NULL,
  held INTEGER NOT NULL DEFAULT 0,
  fuzzy TEXT,
  erased_at BIGINT,
  UNIQUE (conversation_id, seq)
);
CREATE UNIQUE INDEX messages_client_id ON messages (sender_id, conversation_id, client_message_id);
-- Every index is written by every message: only what reads need. Held and media messages are
-- few, so their indexes hold only them; the sender's recent messages (spam signals) are found by
-- (sender_id, at).
CREATE INDEX messages_held ON messages (at) WHERE held = 1;
CREATE INDEX messages_media ON messages (media_id) WHERE media_id IS NOT NULL;
CREATE INDEX messages_sender_at ON messages (sender_id, at);

-- Spam and fraud reports against a sender's messages, counted since `since` (a window of 30
-- days that starts again with the first report after it ends).
CREATE TABLE sender_reports (
  subject_id TEXT PRIMARY KEY,
  reports BIGINT NOT NULL,
  since BIGINT NOT NULL
);

-- Link domains of messages members reported as spam or fraud, by keyed hash (the domain itself is
-- not kept): a message linking to one is suspect.
CREATE TABLE reported_domains (
  domain_key TEXT PRIMARY KEY,
  reports BIGINT NOT NULL,
  last_at BIGINT NOT NULL
);

-- A member's report of a message (reason: one of a fixed list, never free text).
CREATE TABLE message_reports (
  message_id TEXT NOT NULL REFERENCES messages (id),
  reporter_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (message_id, reporter_id)
);
CREATE INDEX message_reports_reporter ON message_reports (reporter_id);

-- A call: who called whom, voice or video, when, and how it ended; never its content.
CREATE TABLE calls (
  id TEXT PRIMARY KEY,
  caller_id TEXT,
  kind TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  outcome TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX calls_caller ON calls (caller_id);

CREATE TABLE call_participants (
  call_id TEXT NOT NULL REFERENCES calls (id),
  subject_id TEXT NOT NULL,
  PRIMARY KEY (call_id, subject_id)
);
CREATE INDEX call_participants_subject ON call_participants (subject_id);
