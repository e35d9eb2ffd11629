-- Residents' yearly contributions (城乡居民个人缴费) join the ledger: payer kind `resident`, one
-- line per person and year, written in the month column as the year's first month (`YYYY-01`).
-- SQLite cannot change a CHECK in place, so both tables are rebuilt with their indexes; no
-- foreign key points at either. Keep in step with ../postgres/0020_resident_contributions.sql.

CREATE TABLE contribution_due_new (
    id                 INTEGER PRIMARY KEY,
    person_id          BIGINT NOT NULL REFERENCES person (id),
    employer_id        BIGINT REFERENCES employer (id),
    kind               TEXT NOT NULL CHECK (kind IN ('employee', 'flexible', 'retired', 'resident')),
    month              TEXT NOT NULL,
    base_fen           BIGINT NOT NULL CHECK (base_fen >= 0),
    employer_fen       BIGINT NOT NULL CHECK (employer_fen >= 0),
    person_fen         BIGINT NOT NULL CHECK (person_fen >= 0),
    total_fen          BIGINT NOT NULL CHECK (total_fen >= 0),
    account_credit_fen BIGINT NOT NULL CHECK (account_credit_fen >= 0),
    policy_name        TEXT NOT NULL,
    example            BIGINT NOT NULL CHECK (example IN (0, 1)),
    created_at         TEXT NOT NULL,
    UNIQUE (person_id, kind, month)
);
INSERT INTO contribution_due_new (id, person_id, employer_id, kind, month, base_fen, employer_fen, person_fen, total_fen, account_credit_fen, policy_name, example, created_at)
SELECT id, person_id, employer_id, kind, month, base_fen, employer_fen, person_fen, total_fen, account_credit_fen, policy_name, example, created_at FROM contribution_due;
DROP TABLE contribution_due;
ALTER TABLE contribution_due_new RENAME TO contribution_due;
CREATE INDEX contribution_due_employer ON contribution_due (employer_id, month);
CREATE INDEX contribution_due_month ON contribution_due (month);

CREATE TABLE contribution_paid_new (
    id             INTEGER PRIMARY KEY,
    receipt_number TEXT NOT NULL UNIQUE,
    person_id      BIGINT NOT NULL REFERENCES person (id),
    kind           TEXT NOT NULL CHECK (kind IN ('employee', 'flexible', 'resident')),
    month          TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
    paid_on        TEXT NOT NULL,
    import_id      BIGINT NOT NULL REFERENCES contribution_import (id),
    created_at     TEXT NOT NULL
);
INSERT INTO contribution_paid_new (id, receipt_number, person_id, kind, month, amount_fen, paid_on, import_id, created_at)
SELECT id, receipt_number, person_id, kind, month, amount_fen, paid_on, import_id, created_at FROM contribution_paid;
DROP TABLE contribution_paid;
ALTER TABLE contribution_paid_new RENAME TO contribution_paid;
CREATE INDEX contribution_paid_person ON contribution_paid (person_id, kind, month);
