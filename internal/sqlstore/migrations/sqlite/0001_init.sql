-- Parties, users, API tokens and the registers. Times are stored as
-- fixed-width UTC text (see dialect.go). Nothing here is ever deleted; the
-- only in-place updates are a record's current-version pointer, a user's
-- disabled mark and a token's revocation mark.

CREATE TABLE parties (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    party         TEXT REFERENCES parties(code),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    name       TEXT NOT NULL,
    prefix     TEXT NOT NULL,
    hash       BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX tokens_user ON tokens(user_id);

-- records: one row per person record; version points at the current
-- version (optimistic concurrency: a correction moves it from N to N+1).
CREATE TABLE records (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    party      TEXT NOT NULL REFERENCES parties(code),
    kind       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX records_party_kind ON records(party, kind, seq);

-- record_versions: every version of every record, never changed.
CREATE TABLE record_versions (
    record_seq  INTEGER NOT NULL REFERENCES records(seq),
    version     INTEGER NOT NULL,
    category    TEXT NOT NULL,
    status      TEXT NOT NULL,
    search      TEXT NOT NULL,
    body        TEXT NOT NULL,
    sealed      BLOB,
    source      TEXT NOT NULL,
    source_ref  TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    entered_at  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (record_seq, version)
);
