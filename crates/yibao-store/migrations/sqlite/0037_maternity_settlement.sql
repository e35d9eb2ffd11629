-- A real-time maternity settlement (national 医疗类别 51–53) names the benefit it paid and the
-- days its event lies in (the birth or operation date when the hospital sent it, else the stay),
-- so that a manual claim of the same event is refused and a birth paid by hand is not settled
-- again (docs/maternity.md). Written in the settlement's transaction; a reversed settlement no
-- longer counts (joined on settlement.status). Keep in step with the other backend's 0037.

CREATE TABLE maternity_settlement (
    settlement_id    BIGINT NOT NULL PRIMARY KEY REFERENCES settlement (id),
    person_id_number TEXT NOT NULL,
    benefit          TEXT NOT NULL,
    event_from       TEXT NOT NULL,
    event_to         TEXT NOT NULL,
    created_at       TEXT NOT NULL
);

CREATE INDEX maternity_settlement_person ON maternity_settlement (person_id_number, benefit);
