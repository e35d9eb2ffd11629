-- The settlement's stored result (about 7 kB of JSON, about 3 kB after lz4, 0053) was still
-- moved out of line: above about 2 kB a row's compressed values go to the TOAST table, so every
-- settlement wrote two TOAST chunks and their index entries beside its row. MAIN storage keeps a
-- compressed value in the row unless the row would not fit in a page (about 8 kB), which
-- only an unusually long bill reaches. Measured in docs/performance.md (session 14).
-- ALTER TABLE on the partitioned parent sets every partition; partitions created later take the
-- parent's setting. Keep in step with ../sqlite/0055_settlement_result_inline.sql.
ALTER TABLE settlement ALTER COLUMN result_json SET STORAGE MAIN;
