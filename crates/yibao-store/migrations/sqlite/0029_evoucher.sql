-- The 医保电子凭证 (e-voucher, seed 000 item 01; issue #22, docs/national.md "Certificates"):
-- one row per voucher a person activated. Its QR tokens are signed and verified offline; only a
-- revocation (挂失/注销) is looked up here. One active voucher per person (partial unique index):
-- activating twice at once keeps one. Revoked rows stay (nothing is deleted).
-- Keep in step with ../postgres/0029_evoucher.sql.

CREATE TABLE evoucher (
    id               INTEGER PRIMARY KEY,
    person_id_number TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    issued_at        TEXT NOT NULL,
    issued_by        TEXT NOT NULL,
    revoked_at       TEXT,
    revoked_by       TEXT,
    revoke_reason    TEXT CHECK (revoke_reason IN ('lost', 'deregistered'))
);

CREATE UNIQUE INDEX evoucher_active ON evoucher (person_id_number) WHERE status = 'active';
CREATE INDEX evoucher_person ON evoucher (person_id_number);
