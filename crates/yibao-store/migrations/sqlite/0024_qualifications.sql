-- Chronic/special disease qualifications (门诊慢特病 / 特病 / 两病 / 单行支付药品 资格认定) and
-- medical-aid recognitions and manual aid claims (issue #19, docs/qualifications.md).
-- Nothing is deleted: a re-certification is a new row; settlement reads the row valid on the
-- visit date. Keep in step with ../postgres/0024_qualifications.sql.

CREATE TABLE qualification (
    id               INTEGER PRIMARY KEY,
    person_id_number TEXT NOT NULL,
    service          TEXT NOT NULL,
    list_id          TEXT NOT NULL,
    list_version     BIGINT NOT NULL,
    disease_code     TEXT NOT NULL,
    disease_name     TEXT NOT NULL,
    scheme           TEXT NOT NULL,
    valid_from       TEXT NOT NULL,
    valid_to         TEXT NOT NULL,
    certifier        TEXT NOT NULL,
    certified_on     TEXT NOT NULL,
    validity_example BIGINT NOT NULL,
    case_number      TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    CHECK (valid_from <= valid_to)
);

CREATE INDEX qualification_person ON qualification (person_id_number);

-- 医疗救助身份认定: category, who recognised it (source), from, to (inclusive).
CREATE TABLE aid_status (
    id               INTEGER PRIMARY KEY,
    person_id_number TEXT NOT NULL,
    category         TEXT NOT NULL CHECK (category IN ('extreme_poverty', 'minimum_living',
                         'poverty_relapse', 'marginal_low_income', 'monitored_rural',
                         'illness_impoverished')),
    source           TEXT NOT NULL,
    valid_from       TEXT NOT NULL,
    valid_to         TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    CHECK (valid_from <= valid_to)
);

CREATE INDEX aid_status_person ON aid_status (person_id_number);

-- Manual aid paid per bill (医疗救助对象手工（零星）报销): a bill is aided by hand once.
CREATE TABLE aid_claim (
    id               INTEGER PRIMARY KEY,
    institution_code TEXT NOT NULL,
    admission_id     TEXT NOT NULL,
    case_number      TEXT NOT NULL,
    person_id_number TEXT NOT NULL,
    year             BIGINT NOT NULL,
    category         TEXT NOT NULL,
    amount_fen       BIGINT NOT NULL CHECK (amount_fen >= 0),
    created_at       TEXT NOT NULL,
    UNIQUE (institution_code, admission_id)
);

CREATE INDEX aid_claim_person ON aid_claim (person_id_number, year);
