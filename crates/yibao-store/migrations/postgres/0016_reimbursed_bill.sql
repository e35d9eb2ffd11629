-- Manual reimbursement pays a bill once (issue 15): each bill a completed manual reimbursement
-- case has paid, keyed by the institution where the care happened (national code) and its
-- visit/admission number. The primary key makes a second payment of the same bill fail even
-- when two cases are paid at the same moment. The settlement ledger is looked up by the same
-- pair, hence the index. Keep in step with ../sqlite/0016_reimbursed_bill.sql.

CREATE TABLE reimbursed_bill (
    institution_code TEXT NOT NULL,
    admission_id     TEXT NOT NULL,
    case_number      TEXT NOT NULL,
    person_id_number TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (institution_code, admission_id)
);

CREATE INDEX settlement_admission ON settlement (institution_id, admission_id);
