-- Schema 4: every record in format 2 (a compact binary encoding, padded to a size bucket, and
-- bound to its row's clear columns: see data/record.go), setting values sealed, outbox items
-- sealed. The new tables are filled, and every record re-sealed, by the Go step of this
-- migration (data/migrate4.go) in the same transaction, which needs the data key: it runs
-- when a profile is opened, after unlocking.
CREATE TABLE settings_v4 (
    key    TEXT PRIMARY KEY,
    fmt    INTEGER NOT NULL,
    sealed BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE outbox_v4 (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    entity          TEXT NOT NULL,
    entity_id       TEXT NOT NULL,
    op              TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    fmt             INTEGER NOT NULL,
    sealed          BLOB NOT NULL
);
