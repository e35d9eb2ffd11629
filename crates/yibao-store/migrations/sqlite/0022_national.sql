-- The national interface's state per visit (issue #22, docs/national.md): visits opened
-- by 2201 (outpatient registration) or 2401 (admission) under a platform-issued mdtrt_id, the fee
-- lines uploaded by 2204 / 2301 (batch chrg_bchno, line feedetl_sn as the HIS sends them), and
-- the settlements made of them (setl_id; the ledger row is settlement.request_id). One live
-- settlement per visit and batch (partial unique index): a retry with a new msgid finds it.
-- Keep in step with ../postgres/0022_national.sql.

CREATE TABLE national_visit (
    id               INTEGER PRIMARY KEY,
    institution_id   BIGINT NOT NULL REFERENCES institution (id),
    mdtrt_id         TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('outpatient', 'inpatient')),
    ipt_otp_no       TEXT NOT NULL,
    person_id_number TEXT NOT NULL,
    insutype         TEXT NOT NULL,
    med_type         TEXT,
    mdtrt_cert_type  TEXT NOT NULL,
    begntime         TEXT NOT NULL,
    endtime          TEXT,
    status           TEXT NOT NULL CHECK (status IN ('open', 'discharged', 'cancelled')),
    open_json        TEXT NOT NULL,
    info_json        TEXT,
    discharge_json   TEXT,
    msgid            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

-- One live visit per institution, kind and serial: a repeated 2201/2401 finds it.
CREATE UNIQUE INDEX national_visit_serial ON national_visit (institution_id, kind, ipt_otp_no)
    WHERE status <> 'cancelled';
CREATE INDEX national_visit_msgid ON national_visit (institution_id, msgid);

CREATE TABLE national_fee_line (
    id               INTEGER PRIMARY KEY,
    visit_id         BIGINT NOT NULL REFERENCES national_visit (id),
    chrg_bchno       TEXT NOT NULL,
    feedetl_sn       TEXT NOT NULL,
    line_json        TEXT NOT NULL,
    msgid            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    UNIQUE (visit_id, feedetl_sn)
);

CREATE INDEX national_fee_line_batch ON national_fee_line (visit_id, chrg_bchno);

CREATE TABLE national_settlement (
    id               INTEGER PRIMARY KEY,
    visit_id         BIGINT NOT NULL REFERENCES national_visit (id),
    chrg_bchno       TEXT NOT NULL,
    setl_id          TEXT NOT NULL UNIQUE,
    request_id       TEXT NOT NULL,
    msgid            TEXT NOT NULL,
    infno            TEXT NOT NULL,
    med_type         TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('settled', 'reversed')),
    setl_time        TEXT NOT NULL,
    reversed_at      TEXT
);

CREATE UNIQUE INDEX national_settlement_live ON national_settlement (visit_id, chrg_bchno)
    WHERE status = 'settled';
CREATE INDEX national_settlement_msgid ON national_settlement (msgid);
