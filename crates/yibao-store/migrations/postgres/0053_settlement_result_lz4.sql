-- The settlement's stored result (its explanation, about 8 kB of UTF-8 JSON for a 10–40 line
-- bill) was kept out of line uncompressed (0010, 0042): pglz cost the server CPU on every
-- settlement. lz4 compresses it to about 3 kB at a small fraction of pglz's cost, so the row
-- writes two TOAST chunks instead of five and about 5 kB less WAL. Measured in
-- docs/performance.md (session 12). Partitions, present and future, take the column's setting
-- from the parent only when created, so the existing ones are set one by one. A server built
-- without lz4 keeps the uncompressed storage. Keep in step with ../sqlite/0053_settlement_result_lz4.sql.
DO $$
DECLARE
    t TEXT;
BEGIN
    FOR t IN SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'settlement'::regclass
             UNION ALL SELECT 'settlement' LOOP
        EXECUTE format('ALTER TABLE ONLY %I ALTER COLUMN result_json SET COMPRESSION lz4', t);
        EXECUTE format('ALTER TABLE ONLY %I ALTER COLUMN result_json SET STORAGE EXTENDED', t);
    END LOOP;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 not available on this server: settlement results stay uncompressed';
END $$;
