-- Disbursement batches (拨付批次): finance pays the cases waiting for payment together, one
-- batch record with a line per case. Keep in step with ../postgres/0012_disbursement.sql.

CREATE TABLE disbursement_batch (
    id          INTEGER PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,
    agency_id   BIGINT NOT NULL REFERENCES agency (id),
    -- open while its cases are being paid; closed when every line has a result
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    closed_at   TEXT,
    paid_count  BIGINT NOT NULL DEFAULT 0,
    total_fen   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE disbursement_line (
    id          INTEGER PRIMARY KEY,
    batch_id    BIGINT NOT NULL REFERENCES disbursement_batch (id),
    case_number TEXT NOT NULL,
    applicant   TEXT NOT NULL,
    -- pending until paid or failed; a failed case stays waiting for the next batch
    result      TEXT NOT NULL CHECK (result IN ('pending', 'paid', 'failed')),
    amount_fen  BIGINT NOT NULL DEFAULT 0,
    message     TEXT NOT NULL DEFAULT ''
);

CREATE INDEX disbursement_line_batch ON disbursement_line (batch_id, id);
