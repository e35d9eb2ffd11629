-- The contribution ledger (缴费台账): bases declared by employers, what is due per person, payer
-- kind and month, and what the tax authority (which collects) reports as paid; arrears are
-- derived (due − paid), never stored. Keep in step with ../postgres/0017_contributions.sql.

-- An employer's declared monthly wage of one employee for a year, clamped to the policy's limits
-- (缴费基数申报 / 年度工资申报).
CREATE TABLE contribution_base (
    id           INTEGER PRIMARY KEY,
    employer_id  BIGINT NOT NULL REFERENCES employer (id),
    person_id    BIGINT NOT NULL REFERENCES person (id),
    year         BIGINT NOT NULL,
    declared_fen BIGINT NOT NULL CHECK (declared_fen >= 0),
    base_fen     BIGINT NOT NULL CHECK (base_fen >= 0),
    adjustment   TEXT NOT NULL CHECK (adjustment IN ('as_declared', 'raised_to_floor', 'lowered_to_ceiling')),
    case_number  TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (employer_id, person_id, year)
);

-- What is due (应缴) for one person, payer kind and month, and the month's account credit with it
-- (a retiree's line: nothing due, the credit only).
CREATE TABLE contribution_due (
    id                 INTEGER PRIMARY KEY,
    person_id          BIGINT NOT NULL REFERENCES person (id),
    employer_id        BIGINT REFERENCES employer (id),
    kind               TEXT NOT NULL CHECK (kind IN ('employee', 'flexible', 'retired')),
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

CREATE INDEX contribution_due_employer ON contribution_due (employer_id, month);
CREATE INDEX contribution_due_month ON contribution_due (month);

-- One import of the tax authority's paid records: all rows or none.
CREATE TABLE contribution_import (
    id         INTEGER PRIMARY KEY,
    file_name  TEXT NOT NULL,
    sha256     TEXT NOT NULL UNIQUE,
    row_count  BIGINT NOT NULL,
    total_fen  BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- A paid record (实缴) as the tax authority reports it.
CREATE TABLE contribution_paid (
    id             INTEGER PRIMARY KEY,
    receipt_number TEXT NOT NULL UNIQUE,
    person_id      BIGINT NOT NULL REFERENCES person (id),
    kind           TEXT NOT NULL CHECK (kind IN ('employee', 'flexible')),
    month          TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
    paid_on        TEXT NOT NULL,
    import_id      BIGINT NOT NULL REFERENCES contribution_import (id),
    created_at     TEXT NOT NULL
);

CREATE INDEX contribution_paid_person ON contribution_paid (person_id, kind, month);
