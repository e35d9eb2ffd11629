-- PostgreSQL keeps the settlement's compressed result in its row (see
-- ../postgres/0055_settlement_result_inline.sql); SQLite has no storage setting. This migration
-- keeps the two histories in step.
SELECT 1;
