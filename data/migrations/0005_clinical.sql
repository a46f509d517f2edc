-- Schema 5: the health record the clinic keeps (issue 13). One row per FHIR resource the
-- portal sent (Condition, AllergyIntolerance, MedicationRequest, Medication, Immunization,
-- Observation, DiagnosticReport, DocumentReference), the resource's JSON sealed like every
-- record. Clear: the resource type and the server's id and version (what a pull needs to
-- upsert and a full resync to remove what is gone upstream), bound to the record.
CREATE TABLE clinical (
    id         TEXT NOT NULL UNIQUE,
    rtype      TEXT NOT NULL,
    remote_id  TEXT NOT NULL,
    version    TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    fmt        INTEGER NOT NULL,
    sealed     BLOB NOT NULL
);
CREATE UNIQUE INDEX clinical_by_remote ON clinical (rtype, remote_id);
