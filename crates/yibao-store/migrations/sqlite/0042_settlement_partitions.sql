-- PostgreSQL partitions the settlement ledger by month and keeps its idempotency key in
-- `settlement_request` (see ../postgres/0042_settlement_partitions.sql and
-- docs/adr/0014-partitioned-ledger.md). SQLite keeps one settlement table with its own
-- (institution_id, request_id) uniqueness: it has no declarative partitioning, one file is one
-- agency's small installation, and archiving a month there is a backup of the file. This
-- migration keeps the two histories in step.
SELECT 1;
