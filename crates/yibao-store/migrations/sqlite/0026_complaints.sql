-- Complaints and reports (投诉、举报受理, seed 004 item 36; docs/complaints.md). The reporter's
-- identity is kept in its own columns so that lists can leave it out (ADR 0009); an anonymous
-- report has none. Every step is a complaint_event row. Keep in step with
-- ../postgres/0026_complaints.sql.

CREATE TABLE complaint (
    id                INTEGER PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    agency_id         INTEGER NOT NULL REFERENCES agency (id),
    region_code       TEXT NOT NULL,
    kind              TEXT NOT NULL,
    channel           TEXT NOT NULL,
    ticket            TEXT,
    subject_kind      TEXT NOT NULL,
    subject_name      TEXT NOT NULL,
    institution_code  TEXT,
    content           TEXT NOT NULL,
    reporter_name     TEXT,
    reporter_phone    TEXT,
    reporter_id_number TEXT,
    reporter_account  INTEGER,
    status            TEXT NOT NULL,
    received_on       TEXT NOT NULL,
    decide_by         TEXT NOT NULL,
    answer_by         TEXT,
    decision_text     TEXT,
    transferred_to    TEXT,
    handler_id        INTEGER,
    answer_text       TEXT,
    answered_at       TEXT,
    evaluation        TEXT,
    evaluation_text   TEXT,
    limits_example    INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE INDEX complaint_region_status ON complaint (region_code, status);
CREATE INDEX complaint_reporter ON complaint (reporter_account);
CREATE INDEX complaint_institution ON complaint (institution_code);

CREATE TABLE complaint_event (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaint (id),
    action        TEXT NOT NULL,
    from_status   TEXT NOT NULL,
    to_status     TEXT NOT NULL,
    actor_kind    TEXT NOT NULL,
    actor_id      TEXT NOT NULL,
    note          TEXT NOT NULL,
    at            TEXT NOT NULL
);

CREATE INDEX complaint_event_complaint ON complaint_event (complaint_id);
