-- The settlement's stored result (its full explanation, several kB) is kept out of line without
-- compression: compressing it costs the server CPU on every settlement of the hot path, and it is
-- read only on retries and queries. Keep in step with ../sqlite/0010_settlement_storage.sql.
ALTER TABLE settlement ALTER COLUMN result_json SET STORAGE EXTERNAL;
