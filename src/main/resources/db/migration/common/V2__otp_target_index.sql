-- Erasure also deletes verifications requested for the person's address before the account
-- existed; found by blind index, so that lookup needs an index to stay fast as the table grows.
CREATE INDEX otp_verifications_target ON otp_verifications (target_bidx);
