-- Each agreement signature remembers the index of its agreement.signed
-- leaf, so that the server can say when the signature became final: when a
-- checkpoint that covers the leaf is cosigned by every required witness.

ALTER TABLE agreement_signatures ADD COLUMN leaf_index INTEGER;
