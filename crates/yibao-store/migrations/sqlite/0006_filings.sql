-- Remote-care filings (异地就医备案). The filing itself is the domain's `Filing` as JSON (its
-- rules live in yibao-domain::filing); the columns beside it are what lookups need.
-- Keep in step with ../postgres/0006_filings.sql.

CREATE TABLE filing (
    id               TEXT PRIMARY KEY,
    person_id_number TEXT NOT NULL,
    kind             TEXT NOT NULL,
    target_code      TEXT NOT NULL,
    case_number      TEXT,
    filing_json      TEXT NOT NULL,
    application_json TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE INDEX filing_person ON filing (person_id_number);
