-- PostgreSQL stores the settlement's result compressed with lz4 (see
-- ../postgres/0053_settlement_result_lz4.sql); SQLite has no column compression. This migration
-- keeps the two histories in step.
SELECT 1;
