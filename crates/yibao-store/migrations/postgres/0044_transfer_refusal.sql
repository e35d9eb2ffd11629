-- Issue #18: a transfer the leaving side refuses (its 联系函 quotes a 参保凭证 it did not issue
-- for that person) is answered with a `transfer.refused` message; both sides keep the reason.
ALTER TABLE transfer ADD COLUMN refusal_reason TEXT;
