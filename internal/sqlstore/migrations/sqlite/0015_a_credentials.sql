-- Accounts whose people set their own credentials (docs/design/security.md
-- §4): a token remembers whether the login that minted it passed the second
-- factor; one-time codes (enrolment, password reset) are kept as hashes,
-- issued by the administrator and used once by the account's person; every
-- account event that decides who may act as whom (a code issued, an
-- enrolment, a password set) is a row here and a leaf in the log.

ALTER TABLE tokens ADD COLUMN mfa INTEGER NOT NULL DEFAULT 0;

CREATE TABLE user_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    purpose    TEXT NOT NULL,
    hash       BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at   TEXT
);
CREATE INDEX user_codes_user ON user_codes(user_id);

CREATE TABLE account_events (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    event   TEXT NOT NULL,
    by_user INTEGER NOT NULL,
    -- the SHA-256 (hex) of the password hash and of the second factor's
    -- secret the event set, '' when it set none
    password_digest TEXT NOT NULL,
    totp_digest     TEXT NOT NULL,
    at      TEXT NOT NULL,
    nonce   BLOB NOT NULL
);
CREATE INDEX account_events_user ON account_events(user_id);

CREATE TRIGGER account_events_no_update BEFORE UPDATE ON account_events BEGIN SELECT RAISE(ABORT, 'handover: account_events is append-only'); END;
CREATE TRIGGER account_events_no_delete BEFORE DELETE ON account_events BEGIN SELECT RAISE(ABORT, 'handover: account_events is append-only'); END;
