-- Foundation tables (SQLite). Keep in step with ../postgres/0001_foundation.sql: same tables,
-- same columns, same types as seen by the Any driver (BIGINT, TEXT). Money is BIGINT fen, dates
-- are ISO text (YYYY-MM-DD), timestamps RFC 3339 UTC text, flags BIGINT 0/1.

CREATE TABLE meta (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE agency (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'district')),
    address     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    hours       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE service_window (
    id           INTEGER PRIMARY KEY,
    agency_id    BIGINT NOT NULL REFERENCES agency (id),
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    cross_region BIGINT NOT NULL DEFAULT 0 CHECK (cross_region IN (0, 1)),
    created_at   TEXT NOT NULL,
    UNIQUE (agency_id, code)
);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    agency_id     BIGINT NOT NULL REFERENCES agency (id),
    roles         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT NOT NULL
);

CREATE TABLE employer (
    id                   INTEGER PRIMARY KEY,
    uscc                 TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    region_code          TEXT NOT NULL,
    legal_representative TEXT NOT NULL DEFAULT '',
    address              TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL
);

CREATE TABLE person (
    id          INTEGER PRIMARY KEY,
    id_number   TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    sex         TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date  TEXT NOT NULL,
    region_code TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
