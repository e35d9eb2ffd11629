-- PostgreSQL replaces the ledger's foreign keys to `institution` with a trigger that refuses the
-- same deletes and id changes (see ../postgres/0056_settlement_institution_guard.sql, ADR 0018):
-- there the key locked the institution's row for every settlement. SQLite's foreign key check
-- takes no row lock, so it keeps the key; the two stores refuse the same changes. This
-- migration keeps the two histories in step.
SELECT 1;
