-- 目录对照 (issue #22, docs/national.md "Catalogue download and mapping"): an institution's own
-- item code (medins_list_codg, the HIS's 医药机构目录编码) mapped to a national catalogue code
-- (med_list_codg) by 3301; 3302 withdraws it. Settlement prices a fee line without a known
-- national code under its mapped one. One live mapping per institution and item code (partial
-- unique index); a withdrawn row stays.
-- Sign-in sessions (9001 / 9002): the sign_no issued to an institution, checked on later calls
-- that carry one, closed by 9002. Keep in step with ../postgres/0030_national_mapping_sign_in.sql.

CREATE TABLE national_mapping (
    id               INTEGER PRIMARY KEY,
    institution_id   BIGINT NOT NULL REFERENCES institution (id),
    medins_list_codg TEXT NOT NULL,
    med_list_codg    TEXT NOT NULL,
    item_name        TEXT,
    list_type        TEXT,
    begndate         TEXT,
    enddate          TEXT,
    status           TEXT NOT NULL CHECK (status IN ('active', 'withdrawn')),
    msgid            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    withdrawn_at     TEXT
);

CREATE UNIQUE INDEX national_mapping_live ON national_mapping (institution_id, medins_list_codg)
    WHERE status = 'active';

CREATE TABLE national_sign_in (
    id             INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institution (id),
    sign_no        TEXT NOT NULL UNIQUE,
    opter_no       TEXT,
    mac            TEXT,
    ip             TEXT,
    signed_in_at   TEXT NOT NULL,
    signed_out_at  TEXT
);
