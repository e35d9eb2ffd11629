-- The partitioned ledger's idempotency key is written by the settlement's own statement
-- (`store::settlement::record`: `… INSERT INTO settlement … RETURNING id` then `INSERT INTO
-- settlement_request` in the same data-modifying CTE) instead of a PL/pgSQL row trigger, which
-- cost about 12 % of the HTTP settlement rate (docs/performance.md, session 11). Every writer of
-- the ledger on PostgreSQL writes the key itself: the settlement path, `store::settlement::insert`
-- and the bulk loaders (`yibao bench populate|month`). Moving rows out of the default partition
-- (`yibao partition ensure`) keeps their ids and so their keys.
--
-- The key also remembers its settlement's month, so that a retry's look-up of the first answer
-- reads one partition. The per-month unique (institution_id, request_id, month) on the ledger is
-- dropped: the key table holds the same key across all months, and one index fewer is written
-- per settlement. docs/adr/0014-partitioned-ledger.md.

DROP TRIGGER settlement_request_key ON settlement;
DROP FUNCTION settlement_request_key();

ALTER TABLE settlement_request ADD COLUMN month TEXT NOT NULL DEFAULT '';
-- Keys of detached months keep '': their settlement is no longer in the ledger, so a late retry
-- finds no first answer and is refused as a duplicate, as before.
UPDATE settlement_request k SET month = s.month FROM settlement s WHERE s.id = k.settlement_id;
ALTER TABLE settlement_request ALTER COLUMN month DROP DEFAULT;

ALTER TABLE settlement DROP CONSTRAINT settlement_institution_id_request_id_month_key;
