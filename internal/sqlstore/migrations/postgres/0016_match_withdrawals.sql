-- A disclosure of a confirmed match is withdrawn when the holding party
-- marks the held record transmission-detrimental (GC III Art. 123) after
-- it was disclosed: the seeking party no longer sees it. The withdrawal is
-- written with the correction that marks the record, with its own log
-- leaf (match.withdrawn); the disclosure row stays.
CREATE TABLE match_withdrawals (
    disclosure_seq BIGINT PRIMARY KEY REFERENCES match_disclosures(seq),
    sought_id      TEXT NOT NULL,
    held_id        TEXT NOT NULL,
    reason         TEXT NOT NULL,
    withdrawn_by   TEXT NOT NULL,
    withdrawn_at   TEXT NOT NULL,
    nonce          BYTEA NOT NULL
);

CREATE TRIGGER match_withdrawals_append_only BEFORE UPDATE OR DELETE ON match_withdrawals FOR EACH ROW EXECUTE FUNCTION handover_append_only();
