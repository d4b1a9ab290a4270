-- Stage events and remains items keep the nonce of the commitment in their
-- log leaf, as the negotiation's rows do (0008), so that the commitment can
-- be opened by those allowed to see the event and replayed by the audit.

ALTER TABLE stage_events ADD COLUMN nonce BLOB;
ALTER TABLE remains_items ADD COLUMN nonce BLOB;
