-- Accounts other than staff, institution API tokens, phone verification codes and the audit
-- chain. Keep in step with ../postgres/0004_accounts.sql.

-- A citizen (参保人) logs in with the ID number; the person row may not exist yet (not insured).
CREATE TABLE citizen_account (
    id                INTEGER PRIMARY KEY,
    id_number         TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    phone             TEXT NOT NULL,
    password_hash     TEXT NOT NULL,
    active            BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at        TEXT NOT NULL
);

-- Several operators (经办人) per employer; one of them may manage the others.
CREATE TABLE employer_operator (
    id            INTEGER PRIMARY KEY,
    employer_id   BIGINT NOT NULL REFERENCES employer (id),
    username      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    phone         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    manager       BIGINT NOT NULL DEFAULT 0 CHECK (manager IN (0, 1)),
    active        BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT NOT NULL,
    UNIQUE (employer_id, username)
);

-- Designated medical institutions and pharmacies (定点医药机构).
CREATE TABLE institution (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('hospital', 'pharmacy')),
    level       TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL,
    agency_id   BIGINT NOT NULL REFERENCES agency (id),
    created_at  TEXT NOT NULL
);

-- Only the SHA-256 of a token is kept; the prefix lets a person recognise a token in a list.
CREATE TABLE api_token (
    id             INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institution (id),
    token_sha256   TEXT NOT NULL UNIQUE,
    prefix         TEXT NOT NULL,
    label          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    revoked_at     TEXT,
    last_used_at   TEXT
);

CREATE INDEX api_token_institution ON api_token (institution_id);

-- One-time phone verification codes (registration, password reset), stored hashed.
CREATE TABLE phone_code (
    id          INTEGER PRIMARY KEY,
    phone       TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    code_sha256 TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    used_at     TEXT
);

CREATE INDEX phone_code_phone ON phone_code (phone, purpose);

-- The audit chain: append-only, each entry's hash covers its fields and its predecessor's hash.
CREATE TABLE audit_log (
    seq           BIGINT PRIMARY KEY,
    at            TEXT NOT NULL,
    actor_kind    TEXT NOT NULL,
    actor_id      BIGINT NOT NULL,
    actor_label   TEXT NOT NULL,
    agency_id     BIGINT,
    action        TEXT NOT NULL,
    target_kind   TEXT NOT NULL,
    target_id     TEXT NOT NULL,
    before_sha256 TEXT NOT NULL,
    after_sha256  TEXT NOT NULL,
    summary       TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);

CREATE INDEX audit_log_target ON audit_log (target_kind, target_id);
CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id);

-- The head of the chain: appends lock this row, so two writers never fork the chain, and a
-- deleted tail shows as a mismatch with the head.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

ALTER TABLE staff ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
