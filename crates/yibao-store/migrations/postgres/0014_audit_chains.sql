-- Settlements and their reversals in the audit chain without one global lock: each person's
-- year (the accumulator row settlement already locks) has its own chain, named in `chain`, whose
-- head (last sequence number and hash) is kept on that accumulator row; the
-- main chain keeps the name ''. A periodic seal appends to the main chain an entry whose digest
-- covers the head of every chain that grew since the last seal, listed in audit_seal_item, so the
-- external checkpoint of the main chain also anchors them. See docs/adr/0006-audit-chains.md.
-- Keep in step with ../sqlite/0014_audit_chains.sql.
-- Chain names compare bytewise (COLLATE "C"), as on SQLite, so verify can merge ordered pages.

ALTER TABLE audit_log ADD COLUMN chain TEXT COLLATE "C" NOT NULL DEFAULT '';
-- The main-chain sequence number of the seal that covers this entry; 0 = not yet sealed.
-- Not part of the entry's hash: it is bookkeeping, and the seal's own entry is what counts.
ALTER TABLE audit_log ADD COLUMN sealed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD PRIMARY KEY (chain, seq);

-- No query reads audit_log_actor (search filters on actor_label), and every settlement would pay
-- for it.
DROP INDEX audit_log_actor;
CREATE INDEX audit_log_unsealed ON audit_log (chain, seq) WHERE sealed = 0 AND chain <> '';
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_seal_item (
    seal_seq BIGINT NOT NULL,
    chain    TEXT COLLATE "C" NOT NULL,
    seq      BIGINT NOT NULL,
    hash     TEXT NOT NULL,
    PRIMARY KEY (seal_seq, chain)
);

CREATE INDEX audit_seal_item_chain ON audit_seal_item (chain, seq);

-- The head of the person's year chain, read and moved in the statements settlement already runs
-- on this row (a separate read would see a stale tail after waiting for the row lock).
ALTER TABLE accumulator ADD COLUMN audit_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accumulator ADD COLUMN audit_hash TEXT NOT NULL DEFAULT '';
