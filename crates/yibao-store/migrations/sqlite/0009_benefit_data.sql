-- Benefit data an administrator maintains without a release: policy parameter versions (the
-- format of data/policy/) and benefit catalogues (CSV) per region. Versions are immutable; a
-- correction is a new version. Keep in step with ../postgres/0009_benefit_data.sql.

CREATE TABLE policy_version (
    region_code TEXT NOT NULL,
    version     BIGINT NOT NULL,
    text        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    PRIMARY KEY (region_code, version)
);

CREATE TABLE benefit_catalogue (
    region_code TEXT NOT NULL,
    version     BIGINT NOT NULL,
    csv_text    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    entries     BIGINT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    PRIMARY KEY (region_code, version)
);
