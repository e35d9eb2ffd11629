-- This instance's ed25519 signing key (one row): it signs what other parties verify offline
-- with the public key alone — federation messages to peer instances, e-voucher QR tokens.
-- Kept in the database so that every `yibao serve` process of one installation signs with the
-- same key. Hex text on both stores. Keep in step with the other backend's 0028_instance_key.sql.

CREATE TABLE instance_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    algorithm   TEXT NOT NULL,
    secret_hex  TEXT NOT NULL,
    public_hex  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
