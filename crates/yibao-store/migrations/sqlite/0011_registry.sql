-- The registry (参保登记): employer and person records with their dated history, identity
-- document types, and what a coverage change records. Keep in step with
-- ../postgres/0011_registry.sql.

ALTER TABLE employer ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE employer ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE employer ADD COLUMN bank_name TEXT NOT NULL DEFAULT '';
ALTER TABLE employer ADD COLUMN bank_account TEXT NOT NULL DEFAULT '';
-- Unpaid contributions reported by the tax authority (欠费), integer fen.
ALTER TABLE employer ADD COLUMN arrears_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE employer ADD COLUMN registered_on TEXT NOT NULL DEFAULT '';
ALTER TABLE employer ADD COLUMN deregistered_on TEXT;
ALTER TABLE employer ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';

-- Every change of an employer's record, none overwritten: register, change (before/after),
-- split, merge, relocate, deregister, arrears.
CREATE TABLE employer_event (
    id          INTEGER PRIMARY KEY,
    employer_id BIGINT NOT NULL REFERENCES employer (id),
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail_json TEXT NOT NULL DEFAULT '{}',
    case_number TEXT,
    actor_label TEXT NOT NULL
);

CREATE INDEX employer_event_employer ON employer_event (employer_id, id);

ALTER TABLE person ADD COLUMN document_type TEXT NOT NULL DEFAULT 'resident_id_card';
ALTER TABLE person ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';

CREATE TABLE person_event (
    id          INTEGER PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES person (id),
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail_json TEXT NOT NULL DEFAULT '{}',
    case_number TEXT,
    actor_label TEXT NOT NULL
);

CREATE INDEX person_event_person ON person_event (person_id, id);

-- A coverage's contribution grade (缴费档次) and, on each event, its dated effect and detail
-- (the employer it moved from, the lateness of the report …).
ALTER TABLE coverage ADD COLUMN grade TEXT NOT NULL DEFAULT '';
ALTER TABLE coverage_event ADD COLUMN effective_on TEXT;
ALTER TABLE coverage_event ADD COLUMN detail_json TEXT NOT NULL DEFAULT '{}';

CREATE INDEX coverage_employer ON coverage (employer_id, status);
