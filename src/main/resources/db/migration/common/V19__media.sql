-- Media: photos, voice notes, videos and files people share in conversations. The bytes live in
-- the blob store (<data dir>/media/ or an object store), encrypted while streamed with a key of
-- their own (Tink streaming AEAD); that key is kept here, encrypted with the uploader's key, so
-- erasing the uploader (their key first) leaves every file they shared unreadable before the rows
-- and blobs are deleted. The content type is encrypted too; the blob is named by the random id.
CREATE TABLE media (
  id TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL,
  content_type_ct TEXT NOT NULL,
  size BIGINT NOT NULL,
  wrapped_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX media_subject ON media (subject_id);
