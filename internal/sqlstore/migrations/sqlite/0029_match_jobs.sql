-- Matching runs started from the pages (internal/web/ui/matchrun.go,
-- docs/operations.md "Several servers"): their progress in the database,
-- so that the job's page, which reloads itself, reads the same on every
-- server process, and a job whose server stopped is seen as lost (its
-- heartbeat stops). id is the random id of the job's page; the job is
-- user_id's only. The process that runs the job writes stage, done and
-- total as it goes, each write with heartbeat_ns, and at its end either
-- run_id (the stored run) or the error the page says: its kind (errs.Kind,
-- a number), its code and arguments (errs.Coded, or its first field
-- error's; the arguments a JSON array) and its message in English as an
-- error says it to a user (no person's name). finished_ns is null while it
-- runs. Times are Unix nanoseconds; a job is kept an hour after it
-- started. Transient: not copied by db copy or backup.
CREATE TABLE match_jobs (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    sought_party TEXT NOT NULL,
    held_party   TEXT NOT NULL,
    threshold    REAL NOT NULL,
    started_ns   INTEGER NOT NULL,
    heartbeat_ns INTEGER NOT NULL,
    stage        TEXT NOT NULL,
    done         INTEGER NOT NULL DEFAULT 0,
    total        INTEGER NOT NULL DEFAULT 0,
    run_id       INTEGER,
    error_kind   INTEGER NOT NULL DEFAULT 0,
    error_code   TEXT NOT NULL DEFAULT '',
    error_args   TEXT NOT NULL DEFAULT '',
    error_text   TEXT NOT NULL DEFAULT '',
    finished_ns  INTEGER
);
CREATE INDEX match_jobs_started ON match_jobs(started_ns);
