-- Transfers between regions (基本医疗保险关系转移接续, issue #18, docs/federation.md): one row
-- per transfer on each side that takes part. `reference` is chosen by the joining side and
-- travels in every message, so both rows name the same transfer. Each step owed has its due
-- date (working days, seeds 002/003) and the day it was done. Keep in step with
-- ../postgres/0032_transfer.sql.

CREATE TABLE transfer (
    id                  INTEGER PRIMARY KEY,
    reference           TEXT NOT NULL,
    side                TEXT NOT NULL,
    other_region        TEXT NOT NULL,
    person_id_number    TEXT NOT NULL,
    person_name         TEXT NOT NULL,
    certificate_code    TEXT NOT NULL,
    status              TEXT NOT NULL,
    owed_step           TEXT,
    owed_since          TEXT,
    due_on              TEXT,
    letter_sent_on      TEXT,
    sheet_sent_on       TEXT,
    completed_on        TEXT,
    balance_fen         INTEGER NOT NULL DEFAULT 0,
    covered_months      INTEGER NOT NULL DEFAULT 0,
    sheet_json          TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (side, reference)
);

CREATE INDEX transfer_due ON transfer (due_on) WHERE owed_step IS NOT NULL;
