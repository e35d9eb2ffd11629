-- Institution staff log in to their pages (月结算申报、对账、确认结算单) with the institution's
-- code and an API token: such a session's actor is the institution, its id the token's
-- (docs/institutions.md). SQLite cannot change a CHECK in place, so the table is rebuilt with
-- its index. Keep in step with ../postgres/0033_institution_sessions.sql.

CREATE TABLE session_new (
    token_sha256 TEXT NOT NULL PRIMARY KEY,
    actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('staff', 'citizen', 'employer', 'institution')),
    actor_id     BIGINT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT
);
INSERT INTO session_new (token_sha256, actor_kind, actor_id, csrf_token, created_at, expires_at,
    revoked_at)
SELECT token_sha256, actor_kind, actor_id, csrf_token, created_at, expires_at, revoked_at
FROM session;
DROP TABLE session;
ALTER TABLE session_new RENAME TO session;
CREATE INDEX session_actor ON session (actor_kind, actor_id);
