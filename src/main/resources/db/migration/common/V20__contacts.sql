-- A person's uploaded address book, never in the clear: each entry keeps the keyed blind index of
-- its phone and of its email (the same index people's own records carry, so matching to people on
-- the app is an index lookup) and the contact's name encrypted with the owner's key. An upload
-- replaces the whole list; entry_no is the entry's position in it.
CREATE TABLE contacts (
  subject_id TEXT NOT NULL,
  entry_no INTEGER NOT NULL,
  phone_bidx TEXT,
  email_bidx TEXT,
  name_ct TEXT,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (subject_id, entry_no)
);

-- How many addresses new to a person's list they added on one UTC day (day = epoch days), counted
-- by one conditional upsert so two nodes enforce one daily limit; older days are deleted as the
-- person uploads again.
CREATE TABLE contact_intake (
  subject_id TEXT NOT NULL,
  day BIGINT NOT NULL,
  added INTEGER NOT NULL,
  PRIMARY KEY (subject_id, day)
);
