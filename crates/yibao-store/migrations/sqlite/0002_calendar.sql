-- Holiday schedules imported by an administrator (they override the schedule shipped in the
-- binary for the same year), and the log of every change to them. Keep in step with
-- ../postgres/0002_calendar.sql.

CREATE TABLE calendar_year (
    year        BIGINT PRIMARY KEY,
    source_text TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);

CREATE TABLE calendar_change (
    id            INTEGER PRIMARY KEY,
    year          BIGINT NOT NULL,
    before_sha256 TEXT,
    after_sha256  TEXT NOT NULL,
    actor         TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    at            TEXT NOT NULL
);
