-- Federation between yibao instances (issue #18, docs/federation.md): this installation's region,
-- its peers (other bureaus' instances: regions served, base URL, ed25519 public key), the
-- transactional outbox (written in the transaction of the change that causes the message and
-- delivered afterwards by the delivery worker) and the inbox keyed by message id (a message is
-- applied at most once, in the transaction of its effect). Refused deliveries (unknown sender,
-- bad signature) are kept too. Nothing is deleted: a removed peer keeps its row with removed_at.
-- Keep in step with ../postgres/0031_federation.sql.

CREATE TABLE federation_identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    region_code TEXT NOT NULL,
    name        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE federation_peer (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    region_codes TEXT NOT NULL,
    base_url     TEXT NOT NULL,
    public_hex   TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    added_by     TEXT NOT NULL,
    removed_at   TEXT,
    removed_by   TEXT
);

-- One active peer per public key.
CREATE UNIQUE INDEX federation_peer_key ON federation_peer (public_hex) WHERE removed_at IS NULL;

CREATE TABLE federation_outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    peer_id         INTEGER NOT NULL REFERENCES federation_peer (id),
    kind            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    envelope        TEXT NOT NULL,
    signature_hex   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    delivered_at    TEXT
);

CREATE INDEX federation_outbox_due ON federation_outbox (next_attempt_at) WHERE delivered_at IS NULL;

CREATE TABLE federation_inbox (
    message_id  TEXT NOT NULL PRIMARY KEY,
    peer_id     INTEGER NOT NULL REFERENCES federation_peer (id),
    kind        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    envelope    TEXT NOT NULL,
    received_at TEXT NOT NULL,
    outcome     TEXT NOT NULL
);

CREATE TABLE federation_refusal (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    code        TEXT NOT NULL,
    from_region TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    detail      TEXT NOT NULL
);
