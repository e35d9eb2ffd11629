-- Designation and agreement items through the case engine (issue #21, docs/institutions.md
-- "Through the case engine"). Keep in step with the other store's 0040_institution_application.sql.

-- An institution is identified by its 统一社会信用代码 when it applies (the case's applicant
-- reference); institutions registered before have none until an administrator records it.
ALTER TABLE institution ADD COLUMN uscc TEXT;
CREATE INDEX institution_uscc ON institution (uscc);

-- A designation application's steps before the institution exists (Chongqing 33/34: 评估 within
-- 10 days of acceptance, 公示 7 working days; Sichuan 33/34: 考察评估、协商谈判、结果公示), keyed
-- by the case number (no foreign key: case_file is partitioned elsewhere). Completing the case
-- signs the agreement from these and creates the institution.
CREATE TABLE institution_application (
    case_number      TEXT NOT NULL PRIMARY KEY,
    stage            TEXT NOT NULL CHECK (stage IN ('applied', 'evaluated', 'publicised', 'refused')),
    -- The institution code given when the evaluation passed (生成机构编码).
    code             TEXT,
    evaluated_on     TEXT,
    publicity_from   TEXT,
    publicity_ends   TEXT,
    -- The agreement's terms as negotiated (协商谈判): the domain's `institution::Agreement`.
    terms_json       TEXT,
    -- The steps taken, each {action, on, note, actor} (a JSON array).
    history_json     TEXT NOT NULL DEFAULT '[]',
    updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX institution_application_code ON institution_application (code);
