-- A code issued before 0031_a has no digest in its leaf: the audit cannot
-- tell it from one planted in the database. Every such code still open
-- ends here (its holder asks for a new one); the audit accepts a code of
-- before only once it has ended or expired (docs/design/log.md §1.2).
UPDATE user_codes SET ended_at = strftime('%Y-%m-%dT%H:%M:%f000Z', 'now') WHERE ended_at IS NULL;
