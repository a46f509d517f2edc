-- Secrets of the profile (the portal sign-in's tokens), sealed like every record. The OS
-- keyring keeps only the small wrapping key, because it refuses large secrets (about 2.5 KB
-- on Windows, 4 KB on macOS) and a JWT token pair can exceed that (DESIGN §4).
CREATE TABLE secrets (
    key    TEXT PRIMARY KEY,
    fmt    INTEGER NOT NULL,
    sealed BLOB NOT NULL
) WITHOUT ROWID;
