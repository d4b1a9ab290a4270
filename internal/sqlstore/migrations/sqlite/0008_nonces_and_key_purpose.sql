-- Every committed negotiation event keeps the nonce of its commitment, so
-- that the commitment in its log leaf can be opened (by those allowed to
-- see the event) and the audit can replay it. Registered keys say what
-- they are for: a witness key cosigns checkpoints, a signer key signs
-- agreements; one never stands in for the other.

ALTER TABLE exchanges ADD COLUMN nonce BLOB;
ALTER TABLE exchange_lists ADD COLUMN nonce BLOB;
ALTER TABLE exchange_responses ADD COLUMN nonce BLOB;
ALTER TABLE evidence ADD COLUMN nonce BLOB;
ALTER TABLE agreements ADD COLUMN nonce BLOB;
ALTER TABLE agreement_signatures ADD COLUMN nonce BLOB;
ALTER TABLE log_keys ADD COLUMN purpose TEXT NOT NULL DEFAULT 'witness';
