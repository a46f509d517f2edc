-- Schema 7: acting on appointments (issue 15). Questions for the doctor, attached to an
-- appointment: the text sealed; clear only which appointment, whether it was asked and the
-- times, each bound to the record. Surveys after a visit: the questionnaire and the answers
-- sealed; clear the appointment, the sending state and the portal's id, bound likewise.
CREATE TABLE questions (
    id             TEXT NOT NULL UNIQUE,
    appointment_id TEXT NOT NULL,
    done           INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0,
    fmt            INTEGER NOT NULL,
    sealed         BLOB NOT NULL
);
CREATE INDEX questions_by_appointment ON questions (appointment_id, created_at);

CREATE TABLE surveys (
    id             TEXT NOT NULL UNIQUE,
    appointment_id TEXT NOT NULL UNIQUE,
    state          TEXT NOT NULL CHECK (state IN ('open', 'queued', 'sent')),
    remote_id      TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    fmt            INTEGER NOT NULL,
    sealed         BLOB NOT NULL
);
