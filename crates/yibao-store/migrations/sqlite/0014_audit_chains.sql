-- Settlements and their reversals in the audit chain without one global lock: each person's
-- year (the accumulator row settlement already locks) has its own chain, named in `chain`, whose
-- head (last sequence number and hash) is kept on that accumulator row; the
-- main chain keeps the name ''. A periodic seal appends to the main chain an entry whose digest
-- covers the head of every chain that grew since the last seal, listed in audit_seal_item, so the
-- external checkpoint of the main chain also anchors them. See docs/adr/0006-audit-chains.md.
-- Keep in step with ../postgres/0014_audit_chains.sql. SQLite cannot change a primary key in
-- place, so the table is rebuilt.

CREATE TABLE audit_log_chains (
    chain         TEXT NOT NULL DEFAULT '',
    seq           BIGINT NOT NULL,
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
    hash          TEXT NOT NULL,
    -- The main-chain sequence number of the seal that covers this entry; 0 = not yet sealed.
    sealed        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (chain, seq)
);

INSERT INTO audit_log_chains (chain, seq, at, actor_kind, actor_id, actor_label, agency_id,
    action, target_kind, target_id, before_sha256, after_sha256, summary, prev_hash, hash)
SELECT '', seq, at, actor_kind, actor_id, actor_label, agency_id, action, target_kind,
    target_id, before_sha256, after_sha256, summary, prev_hash, hash
FROM audit_log;

DROP TABLE audit_log;
ALTER TABLE audit_log_chains RENAME TO audit_log;

CREATE INDEX audit_log_target ON audit_log (target_kind, target_id);
-- audit_log_actor is not re-created: no query reads it (search filters on actor_label), and
-- every settlement would pay for it.
CREATE INDEX audit_log_unsealed ON audit_log (chain, seq) WHERE sealed = 0 AND chain <> '';
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_seal_item (
    seal_seq BIGINT NOT NULL,
    chain    TEXT NOT NULL,
    seq      BIGINT NOT NULL,
    hash     TEXT NOT NULL,
    PRIMARY KEY (seal_seq, chain)
);

CREATE INDEX audit_seal_item_chain ON audit_seal_item (chain, seq);

-- The head of the person's year chain, read and moved in the statements settlement already runs
-- on this row (a separate read would see a stale tail after waiting for the row lock).
ALTER TABLE accumulator ADD COLUMN audit_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accumulator ADD COLUMN audit_hash TEXT NOT NULL DEFAULT '';
