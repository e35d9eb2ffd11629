-- Maternity benefits paid (生育保险待遇): one row per completed case of prenatal care, delivery
-- costs, family-planning costs, the allowance or its recalculation. `dedup_key` is
-- "<beneficiary id number>:<benefit>:<event date>[:<operation>]" for every benefit but a
-- recalculation (NULL), so the same birth is never paid twice, whoever applies (the person or
-- the employer). Keep in step with ../postgres/0023_maternity.sql.

CREATE TABLE maternity_benefit (
    id                 INTEGER PRIMARY KEY,
    case_number        TEXT NOT NULL UNIQUE,
    person_id          BIGINT NOT NULL REFERENCES person (id),
    beneficiary        TEXT NOT NULL CHECK (beneficiary IN ('insured', 'spouse')),
    beneficiary_id     TEXT NOT NULL,
    benefit            TEXT NOT NULL CHECK (benefit IN ('prenatal_care', 'delivery_costs', 'family_planning_costs', 'allowance', 'allowance_recalculation')),
    event              TEXT NOT NULL CHECK (event IN ('birth', 'miscarriage', 'family_planning')),
    event_text         TEXT NOT NULL,
    event_date         TEXT NOT NULL,
    dedup_key          TEXT UNIQUE,
    employer_id        BIGINT REFERENCES employer (id),
    wage_year          BIGINT,
    average_wage_fen   BIGINT,
    leave_days         BIGINT,
    costs_fen          BIGINT,
    limit_fen          BIGINT,
    amount_fen         BIGINT NOT NULL,
    paid_before_fen    BIGINT NOT NULL DEFAULT 0,
    difference_fen     BIGINT NOT NULL,
    paid_fen           BIGINT NOT NULL CHECK (paid_fen >= 0),
    payee              TEXT NOT NULL CHECK (payee IN ('person', 'employer')),
    payee_text         TEXT NOT NULL,
    policy_name        TEXT NOT NULL,
    example            BIGINT NOT NULL CHECK (example IN (0, 1)),
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL
);

CREATE INDEX maternity_benefit_person ON maternity_benefit (person_id, event_date);
