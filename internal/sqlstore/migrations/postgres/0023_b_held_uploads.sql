-- Import previews waiting for their confirmation (internal/web/ui/sheets.go,
-- docs/operations.md "Several servers"): in the database, so that the
-- confirmation may reach any server process. The upload (its bytes and
-- the choices it was read with) is sealed with the data key, bound to its
-- id: it may hold health and next of kin. A row lives at most until
-- expires_ns (Unix nanoseconds); taking it deletes it, so only one
-- confirmation has it. Transient: not copied by db copy or backup.
CREATE TABLE held_uploads (
    id           TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL,
    session_hash BYTEA NOT NULL,
    size         BIGINT NOT NULL,
    expires_ns   BIGINT NOT NULL,
    sealed       BYTEA NOT NULL
);
CREATE INDEX held_uploads_user ON held_uploads(user_id, expires_ns);
CREATE INDEX held_uploads_expires ON held_uploads(expires_ns);
