-- The login limiter's counts (internal/web/limit.go, docs/operations.md
-- "Several servers"): in the database, so that every server process on
-- one database counts the same guesses. One row per attempt in its
-- window (a failure, or an attempt whose check is under way); a success
-- or an attempt that ended without a verdict is deleted. pair_forgotten:
-- a later success of the account from the address no longer counts the
-- row for that pair (the address's and the account's limits still do).
-- Times are Unix nanoseconds. Transient: not copied by db copy or backup.
CREATE TABLE login_attempts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    login          TEXT NOT NULL,
    addr           TEXT NOT NULL,
    at_ns          INTEGER NOT NULL,
    pair_forgotten INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX login_attempts_pair ON login_attempts(login, addr, at_ns);
CREATE INDEX login_attempts_addr ON login_attempts(addr, at_ns);
CREATE INDEX login_attempts_at ON login_attempts(at_ns);

-- The addresses an account logged in from lately: the per-account limit
-- spares them, so that many guessers cannot lock the owner out.
CREATE TABLE login_known (
    login TEXT NOT NULL,
    addr  TEXT NOT NULL,
    at_ns INTEGER NOT NULL,
    PRIMARY KEY (login, addr)
);
CREATE INDEX login_known_at ON login_known(at_ns);
