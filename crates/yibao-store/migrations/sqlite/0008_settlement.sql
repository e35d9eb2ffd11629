-- Real-time settlement with designated institutions: the year's accumulators per person
-- (serialised per person by a row update), and the settlement ledger (idempotent per
-- institution request id). Keep in step with ../postgres/0008_settlement.sql.

CREATE TABLE accumulator (
    person_id_number TEXT NOT NULL,
    year             BIGINT NOT NULL,
    state_json       TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 0,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (person_id_number, year)
);

CREATE TABLE settlement (
    id               INTEGER PRIMARY KEY,
    institution_id   BIGINT NOT NULL REFERENCES institution (id),
    request_id       TEXT NOT NULL,
    payload_sha256   TEXT NOT NULL,
    person_id_number TEXT NOT NULL,
    year             BIGINT NOT NULL,
    admission_id     TEXT,
    status           TEXT NOT NULL CHECK (status IN ('settled', 'reversed')),
    result_json      TEXT NOT NULL,
    deltas_json      TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    reversed_at      TEXT,
    UNIQUE (institution_id, request_id)
);

CREATE INDEX settlement_person ON settlement (person_id_number, year);
