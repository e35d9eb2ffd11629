-- Issue #18, cross-province settlement clearing (docs/clearing.md). Each settlement now records
-- the insured (pooling) region whose policy it was made under, so that a month's care given here
-- to persons insured in another province can be stated per pair of provinces. Keep in step with
-- ../postgres/0054_clearing.sql.

ALTER TABLE settlement ADD COLUMN insured_region TEXT NOT NULL DEFAULT '';

-- Settlements recorded before this migration: the region of the person's latest coverage, the
-- one the settlement path read then unless a transfer moved the person since.
UPDATE settlement SET insured_region = COALESCE((
    SELECT c.region_code FROM coverage c JOIN person p ON p.id = c.person_id
    WHERE p.id_number = settlement.person_id_number
    ORDER BY c.id DESC LIMIT 1), '')
WHERE insured_region = ''
  AND EXISTS (SELECT 1 FROM person p WHERE p.id_number = settlement.person_id_number);

-- A statement as each side holds it: `care` on the installation that paid the hospitals (就医地),
-- `insured` on the one that reimburses (参保地). Both sides are rows here when one installation
-- serves both provinces. `peer_id` is the other installation, if the other side is one.
CREATE TABLE clearing_statement (
    id             INTEGER PRIMARY KEY,
    role           TEXT NOT NULL CHECK (role IN ('care', 'insured')),
    month          TEXT NOT NULL,
    care_region    TEXT NOT NULL,
    insured_region TEXT NOT NULL,
    peer_id        BIGINT REFERENCES federation_peer (id),
    line_count     BIGINT NOT NULL,
    total_fen      BIGINT NOT NULL,
    pooled_fen     BIGINT NOT NULL,
    critical_fen   BIGINT NOT NULL,
    aid_fen        BIGINT NOT NULL,
    account_fen    BIGINT NOT NULL,
    cash_fen       BIGINT NOT NULL,
    cleared_fen    BIGINT NOT NULL,
    digest         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('awaiting', 'reconciled')),
    accepted_count BIGINT,
    accepted_fen   BIGINT,
    disputed_count BIGINT,
    disputed_fen   BIGINT,
    message_id     TEXT,
    issued_at      TEXT NOT NULL,
    reconciled_at  TEXT,
    UNIQUE (role, month, care_region, insured_region)
);

CREATE TABLE clearing_line (
    id               INTEGER PRIMARY KEY,
    statement_id     BIGINT NOT NULL REFERENCES clearing_statement (id),
    role             TEXT NOT NULL CHECK (role IN ('care', 'insured')),
    care_region      TEXT NOT NULL,
    line_no          BIGINT NOT NULL,
    settlement_ref   TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('settlement', 'reversal')),
    settlement_id    BIGINT,
    settlement_month TEXT,
    institution_code TEXT NOT NULL,
    person_id_number TEXT NOT NULL,
    insured_region   TEXT NOT NULL,
    settled_on       TEXT NOT NULL,
    booked_on        TEXT NOT NULL,
    total_fen        BIGINT NOT NULL,
    pooled_fen       BIGINT NOT NULL,
    critical_fen     BIGINT NOT NULL,
    aid_fen          BIGINT NOT NULL,
    account_fen      BIGINT NOT NULL,
    cash_fen         BIGINT NOT NULL,
    cleared_fen      BIGINT NOT NULL,
    dispute_code     TEXT,
    UNIQUE (statement_id, line_no)
);

-- The care side states a settlement, and its reversal, once.
CREATE UNIQUE INDEX clearing_line_care_once ON clearing_line (settlement_id, kind)
    WHERE role = 'care';
-- The insured side accepts a settlement, and its reversal, once per care province.
CREATE UNIQUE INDEX clearing_line_insured_once ON clearing_line (care_region, settlement_ref, kind)
    WHERE role = 'insured' AND dispute_code IS NULL;
