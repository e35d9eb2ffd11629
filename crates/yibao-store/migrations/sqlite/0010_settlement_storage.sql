-- PostgreSQL stores the settlement result uncompressed out of line (see
-- ../postgres/0010_settlement_storage.sql); SQLite has no such setting. This migration keeps the
-- two histories in step.
SELECT 1;
