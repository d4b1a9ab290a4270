-- A disclosure of a confirmed match is withdrawn when the holding party
-- marks the held record transmission-detrimental (GC III Art. 123) after
-- it was disclosed: the seeking party no longer sees it. The withdrawal is
-- written with the correction that marks the record, with its own log
-- leaf (match.withdrawn); the disclosure row stays.
CREATE TABLE match_withdrawals (
    disclosure_seq INTEGER PRIMARY KEY REFERENCES match_disclosures(seq),
    sought_id      TEXT NOT NULL,
    held_id        TEXT NOT NULL,
    reason         TEXT NOT NULL,
    withdrawn_by   TEXT NOT NULL,
    withdrawn_at   TEXT NOT NULL,
    nonce          BLOB NOT NULL
);

CREATE TRIGGER match_withdrawals_no_update BEFORE UPDATE ON match_withdrawals BEGIN SELECT RAISE(ABORT, 'handover: match_withdrawals is append-only'); END;
CREATE TRIGGER match_withdrawals_no_delete BEFORE DELETE ON match_withdrawals BEGIN SELECT RAISE(ABORT, 'handover: match_withdrawals is append-only'); END;
