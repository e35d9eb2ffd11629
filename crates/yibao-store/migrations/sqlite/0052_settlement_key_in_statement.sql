-- PostgreSQL's partitioned ledger now writes its idempotency key in the settlement's own
-- statement (see ../postgres/0052_settlement_key_in_statement.sql). SQLite keeps one settlement
-- table with its own (institution_id, request_id) uniqueness (0042); this migration keeps the two
-- histories in step.
SELECT 1;
