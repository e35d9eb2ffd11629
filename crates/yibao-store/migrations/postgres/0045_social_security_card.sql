-- The social security card register (社会保障卡): card number → person, for visits that present
-- the card (national `mdtrt_cert_type` 03). Cards are issued by the human-resources department;
-- the agency imports their numbers, serial numbers and statuses (`yibao card import`).
CREATE TABLE social_security_card (
    card_no          TEXT NOT NULL PRIMARY KEY,
    person_id_number TEXT NOT NULL,
    card_sn          TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('normal', 'lost', 'cancelled')),
    updated_at       TEXT NOT NULL
);

CREATE INDEX social_security_card_person ON social_security_card (person_id_number);
