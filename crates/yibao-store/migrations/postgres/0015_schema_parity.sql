-- SQLite gives seven primary-key columns the NOT NULL that PostgreSQL implies for every primary
-- key (see ../sqlite/0015_schema_parity.sql); nothing changes here. This migration keeps the two
-- histories in step.
SELECT 1;
