-- The year-end reconciliation with a designated institution (年终清算单): the global budget's
-- advances against the year's entitlement and the quality reserve returned by the year's
-- assessment; issued by the agency, confirmed by the institution, paid by finance in a batch
-- (docs/institutions.md). Keep in step with ../postgres/0034_year_end_statement.sql.

CREATE TABLE year_end_statement (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institution (id),
    year            BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('issued', 'confirmed', 'paid')),
    statement_json  TEXT NOT NULL,
    score           BIGINT NOT NULL,
    net_fen         BIGINT NOT NULL,
    issued_at       TEXT NOT NULL,
    issued_by       TEXT NOT NULL,
    confirmed_at    TEXT,
    paid_at         TEXT,
    batch           TEXT,
    UNIQUE (institution_id, year)
);
