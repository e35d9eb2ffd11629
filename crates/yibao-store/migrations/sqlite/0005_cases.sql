-- The case engine (办件): one row per case, its history, materials, deficiency notices, clock
-- pauses and evaluation. Keep in step with ../postgres/0005_cases.sql.

-- Per region and day, the last case sequence number handed out (case numbers are readable).
CREATE TABLE case_sequence (
    region_code TEXT NOT NULL,
    day         TEXT NOT NULL,
    last_seq    BIGINT NOT NULL,
    PRIMARY KEY (region_code, day)
);

CREATE TABLE case_file (
    id                  INTEGER PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    jurisdiction        TEXT NOT NULL,
    item_id             TEXT NOT NULL,
    item_version        BIGINT NOT NULL,
    service_key         TEXT NOT NULL,
    applicant_kind      TEXT NOT NULL CHECK (applicant_kind IN ('person', 'employer', 'institution')),
    applicant_ref       TEXT NOT NULL,
    applicant_name      TEXT NOT NULL,
    applicant_phone     TEXT NOT NULL DEFAULT '',
    agent_json          TEXT,
    channel             TEXT NOT NULL,
    receiving_agency_id BIGINT NOT NULL REFERENCES agency (id),
    deciding_agency_id  BIGINT NOT NULL REFERENCES agency (id),
    status              TEXT NOT NULL,
    review_level        BIGINT NOT NULL DEFAULT 0,
    form_json           TEXT NOT NULL DEFAULT '{}',
    facts_json          TEXT NOT NULL DEFAULT '{}',
    submitted_at        TEXT,
    accepted_on         TEXT,
    deadline            TEXT,
    completed_at        TEXT,
    outcome_json        TEXT,
    refusal_reason      TEXT,
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    row_version         BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX case_file_applicant ON case_file (applicant_kind, applicant_ref);
CREATE INDEX case_file_receiving ON case_file (receiving_agency_id, status);
CREATE INDEX case_file_deciding ON case_file (deciding_agency_id, status);

CREATE TABLE case_event (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES case_file (id),
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    BIGINT NOT NULL,
    actor_label TEXT NOT NULL,
    channel     TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);

CREATE INDEX case_event_case ON case_event (case_id, id);

-- Uploaded or presented materials. Content is kept in the database (one backup holds all), with
-- its SHA-256 so that an unchanged material is recognised across notices.
CREATE TABLE case_material (
    id           INTEGER PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES case_file (id),
    material_id  TEXT NOT NULL,
    provided_as  TEXT NOT NULL,
    file_name    TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    size_bytes   BIGINT NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    content      BLOB,
    added_at     TEXT NOT NULL,
    added_by     TEXT NOT NULL,
    replaced_at  TEXT
);

CREATE INDEX case_material_case ON case_material (case_id, material_id);

CREATE TABLE case_notice (
    id            INTEGER PRIMARY KEY,
    case_id       BIGINT NOT NULL REFERENCES case_file (id),
    issued_at     TEXT NOT NULL,
    issued_on     TEXT NOT NULL,
    issued_by     TEXT NOT NULL,
    items_json    TEXT NOT NULL,
    snapshot_json TEXT NOT NULL,
    answered_at   TEXT,
    answered_on   TEXT
);

CREATE INDEX case_notice_case ON case_notice (case_id, id);

-- Intervals the time limit does not run (notice outstanding, materials in transit).
CREATE TABLE case_pause (
    id        INTEGER PRIMARY KEY,
    case_id   BIGINT NOT NULL REFERENCES case_file (id),
    reason    TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date   TEXT
);

CREATE INDEX case_pause_case ON case_pause (case_id);

CREATE TABLE case_evaluation (
    case_id          BIGINT PRIMARY KEY REFERENCES case_file (id),
    level            TEXT NOT NULL,
    comment          TEXT NOT NULL DEFAULT '',
    at               TEXT NOT NULL,
    follow_up_status TEXT NOT NULL DEFAULT 'none',
    follow_up_note   TEXT NOT NULL DEFAULT ''
);
