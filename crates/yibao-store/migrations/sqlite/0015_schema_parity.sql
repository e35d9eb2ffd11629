-- Primary keys that are not a rowid alias take NOT NULL, as on PostgreSQL: SQLite, for backward
-- compatibility, lets such a key column hold NULL unless it says NOT NULL (and each NULL counts
-- as distinct), which the schema parity test (tests/schema_parity.rs) found on seven tables.
-- SQLite cannot add NOT NULL to a column in place, so each table is rebuilt with its indexes; no
-- foreign key points at any of them. A row with a NULL key makes this migration fail rather than
-- be dropped. Keep in step with ../postgres/0015_schema_parity.sql.

CREATE TABLE meta_new (
    key        TEXT NOT NULL PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO meta_new (key, value, updated_at) SELECT key, value, updated_at FROM meta;
DROP TABLE meta;
ALTER TABLE meta_new RENAME TO meta;

CREATE TABLE calendar_year_new (
    year        BIGINT NOT NULL PRIMARY KEY,
    source_text TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);
INSERT INTO calendar_year_new (year, source_text, sha256, imported_at, imported_by)
SELECT year, source_text, sha256, imported_at, imported_by FROM calendar_year;
DROP TABLE calendar_year;
ALTER TABLE calendar_year_new RENAME TO calendar_year;

CREATE TABLE session_new (
    token_sha256 TEXT NOT NULL PRIMARY KEY,
    actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('staff', 'citizen', 'employer')),
    actor_id     BIGINT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT
);
INSERT INTO session_new (token_sha256, actor_kind, actor_id, csrf_token, created_at, expires_at,
    revoked_at)
SELECT token_sha256, actor_kind, actor_id, csrf_token, created_at, expires_at, revoked_at
FROM session;
DROP TABLE session;
ALTER TABLE session_new RENAME TO session;
CREATE INDEX session_actor ON session (actor_kind, actor_id);

CREATE TABLE login_failure_new (
    login        TEXT NOT NULL PRIMARY KEY,
    failures     BIGINT NOT NULL,
    last_failed  TEXT NOT NULL,
    locked_until TEXT
);
INSERT INTO login_failure_new (login, failures, last_failed, locked_until)
SELECT login, failures, last_failed, locked_until FROM login_failure;
DROP TABLE login_failure;
ALTER TABLE login_failure_new RENAME TO login_failure;

CREATE TABLE audit_head_new (
    id   BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head_new (id, seq, hash) SELECT id, seq, hash FROM audit_head;
DROP TABLE audit_head;
ALTER TABLE audit_head_new RENAME TO audit_head;

CREATE TABLE case_evaluation_new (
    case_id          BIGINT NOT NULL PRIMARY KEY REFERENCES case_file (id),
    level            TEXT NOT NULL,
    comment          TEXT NOT NULL DEFAULT '',
    at               TEXT NOT NULL,
    follow_up_status TEXT NOT NULL DEFAULT 'none',
    follow_up_note   TEXT NOT NULL DEFAULT ''
);
INSERT INTO case_evaluation_new (case_id, level, comment, at, follow_up_status, follow_up_note)
SELECT case_id, level, comment, at, follow_up_status, follow_up_note FROM case_evaluation;
DROP TABLE case_evaluation;
ALTER TABLE case_evaluation_new RENAME TO case_evaluation;

CREATE TABLE filing_new (
    id               TEXT NOT NULL PRIMARY KEY,
    person_id_number TEXT NOT NULL,
    kind             TEXT NOT NULL,
    target_code      TEXT NOT NULL,
    case_number      TEXT,
    filing_json      TEXT NOT NULL,
    application_json TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
INSERT INTO filing_new (id, person_id_number, kind, target_code, case_number, filing_json,
    application_json, created_at, updated_at)
SELECT id, person_id_number, kind, target_code, case_number, filing_json, application_json,
    created_at, updated_at
FROM filing;
DROP TABLE filing;
ALTER TABLE filing_new RENAME TO filing;
CREATE INDEX filing_person ON filing (person_id_number);
