-- Schema 6: readings (vital signs) the person takes at home (issue 14). What was measured and
-- its value are sealed; clear are only the time (ordering), whether and how it is shared with
-- the care team (sync state, like a note's) and the portal's id once sent — each bound to the
-- record, so an edit behind the app's back is damage.
CREATE TABLE vitals (
    id         TEXT NOT NULL UNIQUE,
    at         INTEGER NOT NULL,
    shared     TEXT NOT NULL CHECK (shared IN ('no', 'queued', 'sent')),
    remote_id  TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    fmt        INTEGER NOT NULL,
    sealed     BLOB NOT NULL
);
CREATE INDEX vitals_by_time ON vitals (deleted, at);
