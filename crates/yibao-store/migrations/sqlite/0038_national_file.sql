-- Files of the national interface (issue #22, docs/national.md "Files (9101 / 9102)"): what an
-- institution uploads by 9101 (the 3202 detail file) and what the platform issues to it (the
-- 3202 result file), each under a file_qury_no that 9102 downloads until dld_endtime. Only the
-- institution the row names may download it. The bytes are kept in the database (one backup
-- holds all), with their size and SHA-256.
-- The index on national_settlement.request_id lets 3202 find the national identity (setl_id,
-- mdtrt_id, msgid) of a ledger row. Keep in step with ../postgres/0038_national_file.sql.

CREATE TABLE national_file (
    id             INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institution (id),
    file_qury_no   TEXT NOT NULL UNIQUE,
    filename       TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('upload', 'reconciliation')),
    size_bytes     BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    content        BLOB NOT NULL,
    msgid          TEXT NOT NULL,
    source_file_id BIGINT REFERENCES national_file (id),
    summary_json   TEXT,
    created_at     TEXT NOT NULL,
    dld_endtime    TEXT NOT NULL
);

CREATE INDEX national_file_institution ON national_file (institution_id, created_at);
CREATE INDEX national_settlement_request ON national_settlement (request_id);
