-- Designated institutions' agreements and monthly settlement (issue #21, docs/institutions.md).
-- Keep in step with ../postgres/0025_institution_monthly.sql.

-- The agreement (医保服务协议) of each institution: its lifecycle stage and its terms (the
-- domain's `institution::Agreement` as JSON, once signed). An institution registered before
-- agreements were kept is recorded in force from its registration date, without a stated end,
-- paid by fee for service, with cross-province settlement open (as it settled until now).
CREATE TABLE institution_agreement (
    institution_id  BIGINT NOT NULL PRIMARY KEY REFERENCES institution (id),
    stage           TEXT NOT NULL CHECK (stage IN ('applied', 'evaluated', 'publicised',
                        'in_force', 'suspended', 'terminated', 'refused')),
    terms_json      TEXT,
    jurisdiction    TEXT NOT NULL DEFAULT '',
    applied_on      TEXT,
    publicity_from  TEXT,
    publicity_ends  TEXT,
    updated_at      TEXT NOT NULL
);

INSERT INTO institution_agreement (institution_id, stage, terms_json, updated_at)
SELECT id, 'in_force',
       json_object('valid_from', SUBSTR(created_at, 1, 10), 'valid_until', NULL,
           'level', level, 'services', json_array(),
           'methods', json_array('fee_for_service'), 'annual_budget_fen', NULL,
           'cross_province', json('true')),
       created_at
FROM institution;

-- Each step of an agreement's lifecycle, in order.
CREATE TABLE institution_agreement_event (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institution (id),
    action          TEXT NOT NULL,
    stage_from      TEXT NOT NULL,
    stage_to        TEXT NOT NULL,
    note            TEXT NOT NULL,
    actor_label     TEXT NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX institution_agreement_event_inst ON institution_agreement_event (institution_id, id);

-- The ledger's month (Beijing date of the settlement) and the sums the monthly reconciliation
-- adds up, as columns, so a month is summed by an index range and not by parsing JSON. Old rows
-- are filled from their stored result.
ALTER TABLE settlement ADD COLUMN month TEXT NOT NULL DEFAULT '';
ALTER TABLE settlement ADD COLUMN scheme TEXT NOT NULL DEFAULT '';
ALTER TABLE settlement ADD COLUMN visit_type TEXT NOT NULL DEFAULT '';
ALTER TABLE settlement ADD COLUMN total_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE settlement ADD COLUMN pooled_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE settlement ADD COLUMN critical_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE settlement ADD COLUMN aid_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE settlement ADD COLUMN account_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE settlement ADD COLUMN cash_fen BIGINT NOT NULL DEFAULT 0;

UPDATE settlement SET
    month = strftime('%Y-%m', created_at, '+8 hours'),
    scheme = COALESCE(json_extract(result_json, '$.scheme'), ''),
    visit_type = COALESCE(json_extract(result_json, '$.visit'), ''),
    total_fen = COALESCE(json_extract(result_json, '$.total'), 0),
    pooled_fen = COALESCE(json_extract(result_json, '$.fund'), 0),
    critical_fen = COALESCE(json_extract(result_json, '$.critical_illness'), 0),
    aid_fen = COALESCE(json_extract(result_json, '$.aid'), 0),
    account_fen = COALESCE(json_extract(result_json, '$.account'), 0)
        + COALESCE(json_extract(result_json, '$.account_mutual_aid'), 0),
    cash_fen = COALESCE(json_extract(result_json, '$.cash'), 0);

-- PostgreSQL's index also INCLUDEs the amounts (index-only scans); SQLite has no INCLUDE.
CREATE INDEX settlement_month ON settlement (institution_id, month, status, scheme, visit_type);

-- An institution's declaration of a month (申报), each new one superseding the last, with its
-- reconciliation against the ledger (对账) as it was when declared.
CREATE TABLE monthly_declaration (
    id                  INTEGER PRIMARY KEY,
    institution_id      BIGINT NOT NULL REFERENCES institution (id),
    month               TEXT NOT NULL,
    seq                 BIGINT NOT NULL,
    lines_json          TEXT NOT NULL,
    groups_json         TEXT NOT NULL,
    reconciliation_json TEXT NOT NULL,
    mismatches          BIGINT NOT NULL,
    declared_at         TEXT NOT NULL,
    UNIQUE (institution_id, month, seq)
);

-- Deductions (扣款) from audits on an institution's month.
CREATE TABLE monthly_deduction (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institution (id),
    month           TEXT NOT NULL,
    reason          TEXT NOT NULL,
    amount_fen      BIGINT NOT NULL CHECK (amount_fen > 0),
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX monthly_deduction_month ON monthly_deduction (institution_id, month);

-- The month's point value per agency (fixed by its first statement run): region points and
-- the point budget they share.
CREATE TABLE monthly_point_value (
    agency_id       BIGINT NOT NULL REFERENCES agency (id),
    month           TEXT NOT NULL,
    region_points   BIGINT NOT NULL,
    budget_fen      BIGINT NOT NULL,
    fixed_at        TEXT NOT NULL,
    PRIMARY KEY (agency_id, month)
);

-- The month's 结算单 of an institution: issued by the agency, confirmed by the institution,
-- paid by finance in a batch.
CREATE TABLE monthly_statement (
    id              INTEGER PRIMARY KEY,
    institution_id  BIGINT NOT NULL REFERENCES institution (id),
    month           TEXT NOT NULL,
    declaration_id  BIGINT NOT NULL REFERENCES monthly_declaration (id),
    status          TEXT NOT NULL CHECK (status IN ('issued', 'confirmed', 'paid')),
    statement_json  TEXT NOT NULL,
    due_fen         BIGINT NOT NULL,
    deductions_fen  BIGINT NOT NULL,
    reserve_fen     BIGINT NOT NULL,
    net_fen         BIGINT NOT NULL,
    pay_by          TEXT NOT NULL,
    issued_at       TEXT NOT NULL,
    issued_by       TEXT NOT NULL,
    confirmed_at    TEXT,
    paid_at         TEXT,
    batch           TEXT,
    UNIQUE (institution_id, month)
);
