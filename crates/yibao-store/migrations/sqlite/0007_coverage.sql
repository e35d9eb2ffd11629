-- Coverage (参保) per person and scheme, with its status history. Keep in step with
-- ../postgres/0007_coverage.sql.

CREATE TABLE coverage (
    id           INTEGER PRIMARY KEY,
    person_id    BIGINT NOT NULL REFERENCES person (id),
    scheme       TEXT NOT NULL CHECK (scheme IN ('employee', 'resident')),
    category     TEXT NOT NULL DEFAULT '',
    employer_id  BIGINT REFERENCES employer (id),
    region_code  TEXT NOT NULL,
    -- registered (登记、待缴费), active, suspended, ended
    status       TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    start_date   TEXT,
    end_date     TEXT,
    case_number  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE INDEX coverage_person ON coverage (person_id, scheme);

CREATE TABLE coverage_event (
    id          INTEGER PRIMARY KEY,
    coverage_id BIGINT NOT NULL REFERENCES coverage (id),
    at          TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    case_number TEXT
);
