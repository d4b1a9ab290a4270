-- The web UI: server-side sessions and per-user preferences (language,
-- second factor). A session row is found by the SHA-256 of the cookie's
-- secret; the secret itself is never stored. Sessions end (ended_at) and
-- are never deleted by the application.

CREATE TABLE sessions (
    id_hash      BYTEA PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    mfa          INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at     TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE user_prefs (
    user_id          BIGINT PRIMARY KEY REFERENCES users(id),
    lang             TEXT NOT NULL DEFAULT '',
    totp_sealed      BYTEA,
    totp_enrolled_at TEXT,
    totp_last_step   BIGINT NOT NULL DEFAULT 0
);
