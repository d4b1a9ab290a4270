-- One-time codes are covered by the log (docs/design/log.md §1.2): the
-- leaf of the issue of a code (account.enrolment_issued,
-- account.reset_issued) also commits to the SHA-256 (hex) of the code's
-- stored hash (user_codes.hash), kept here with the event; '' for every
-- other event, and for the codes issued before this migration.
ALTER TABLE account_events ADD COLUMN code_digest TEXT NOT NULL DEFAULT '';
