-- PostgreSQL partitions the case tables by the case's creation month (see
-- ../postgres/0050_case_partitions.sql and docs/adr/0015-partitioned-cases.md). SQLite keeps one
-- table each, with its own keys (`UNIQUE (number)`, `case_file (id)` referenced by the children):
-- it has no declarative partitioning and one file is one agency's small installation. It carries
-- the same month columns so that the store's statements are one text for both backends.
ALTER TABLE case_file ADD COLUMN month TEXT NOT NULL DEFAULT '';
UPDATE case_file SET month = substr(number, 8, 4) || '-' || substr(number, 12, 2);

ALTER TABLE case_event ADD COLUMN case_month TEXT NOT NULL DEFAULT '';
UPDATE case_event SET case_month = (SELECT c.month FROM case_file c WHERE c.id = case_event.case_id);

ALTER TABLE case_material ADD COLUMN case_month TEXT NOT NULL DEFAULT '';
UPDATE case_material
    SET case_month = (SELECT c.month FROM case_file c WHERE c.id = case_material.case_id);

ALTER TABLE case_notice ADD COLUMN case_month TEXT NOT NULL DEFAULT '';
UPDATE case_notice
    SET case_month = (SELECT c.month FROM case_file c WHERE c.id = case_notice.case_id);

ALTER TABLE case_pause ADD COLUMN case_month TEXT NOT NULL DEFAULT '';
UPDATE case_pause SET case_month = (SELECT c.month FROM case_file c WHERE c.id = case_pause.case_id);

ALTER TABLE case_evaluation ADD COLUMN case_month TEXT NOT NULL DEFAULT '';
UPDATE case_evaluation
    SET case_month = (SELECT c.month FROM case_file c WHERE c.id = case_evaluation.case_id);
