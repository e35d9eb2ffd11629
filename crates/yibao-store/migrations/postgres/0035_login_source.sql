-- Failed logins per source (client address) across all accounts, counted in the database so that
-- every `yibao serve` process on it applies one limit (docs/adr/0011-several-processes.md). A
-- leaky bucket kept as one number: `drained_at_ms` is when the source's failures so far will have
-- drained at the allowed rate (the generic cell rate algorithm's "theoretical arrival time"); a
-- row already drained is the same as no row and is deleted by housekeeping.
-- Keep in step with ../sqlite/0035_login_source.sql.

CREATE TABLE login_source (
    source        TEXT PRIMARY KEY,
    drained_at_ms BIGINT NOT NULL
);
