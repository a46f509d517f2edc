-- Patient Companion journal, schema 1.
-- Every table that holds health data keeps it in `sealed`: one AES-256-GCM blob per row, bound
-- to table + id + fmt (the record format version). Clear columns are only what ordering, sync
-- and listing need. Times are Unix milliseconds, UTC.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Journal: symptoms, moods and free notes.
CREATE TABLE entries (
    id         TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('symptom', 'mood', 'note')),
    at         INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    fmt        INTEGER NOT NULL,
    sealed     BLOB NOT NULL
);
CREATE INDEX entries_by_time ON entries (deleted, at);

CREATE TABLE medications (
    id         TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived   INTEGER NOT NULL DEFAULT 0,
    deleted    INTEGER NOT NULL DEFAULT 0,
    fmt        INTEGER NOT NULL,
    sealed     BLOB NOT NULL
);

-- Schedule steps of a medication; a taper is several consecutive steps (seq order).
CREATE TABLE schedule_steps (
    id            TEXT NOT NULL UNIQUE,
    medication_id TEXT NOT NULL REFERENCES medications (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    fmt           INTEGER NOT NULL,
    sealed        BLOB NOT NULL,
    UNIQUE (medication_id, seq)
);

-- What happened to a dose: taken, skipped, snoozed, missed. scheduled_at is NULL for an
-- as-needed dose. The state and actual time are sealed.
CREATE TABLE dose_events (
    id            TEXT NOT NULL UNIQUE,
    medication_id TEXT NOT NULL REFERENCES medications (id) ON DELETE CASCADE,
    scheduled_at  INTEGER,
    at            INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    fmt           INTEGER NOT NULL,
    sealed        BLOB NOT NULL
);
CREATE INDEX dose_events_by_time ON dose_events (at);
CREATE UNIQUE INDEX dose_events_by_occurrence ON dose_events (medication_id, scheduled_at)
    WHERE scheduled_at IS NOT NULL;

CREATE TABLE appointments (
    id             TEXT NOT NULL UNIQUE,
    start_at       INTEGER NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('local', 'portal')),
    remote_id      TEXT,
    remote_version TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0,
    fmt            INTEGER NOT NULL,
    sealed         BLOB NOT NULL
);
CREATE INDEX appointments_by_start ON appointments (deleted, start_at);
CREATE UNIQUE INDEX appointments_by_remote ON appointments (remote_id) WHERE remote_id IS NOT NULL;

-- Notes to and messages from the care team.
CREATE TABLE messages (
    id         TEXT NOT NULL UNIQUE,
    at         INTEGER NOT NULL,
    direction  TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    state      TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'received')),
    remote_id  TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    fmt        INTEGER NOT NULL,
    sealed     BLOB NOT NULL
);
CREATE INDEX messages_by_time ON messages (at);
CREATE UNIQUE INDEX messages_by_remote ON messages (remote_id) WHERE remote_id IS NOT NULL;

-- Local changes that must reach the portal, written in the same transaction as the change.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    entity          TEXT NOT NULL,
    entity_id       TEXT NOT NULL,
    op              TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      BLOB
);
