-- Server-side sessions (the cookie carries a random token; only its SHA-256 is stored) and
-- failed-login counters for throttling and lock-out. Keep in step with ../postgres/0003_identity.sql.

CREATE TABLE session (
    token_sha256 TEXT PRIMARY KEY,
    actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('staff', 'citizen', 'employer')),
    actor_id     BIGINT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT
);

CREATE INDEX session_actor ON session (actor_kind, actor_id);

CREATE TABLE login_failure (
    login        TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    last_failed  TEXT NOT NULL,
    locked_until TEXT
);
