-- Institution staff log in to their pages (月结算申报、对账、确认结算单) with the institution's
-- code and an API token: such a session's actor is the institution, its id the token's
-- (docs/institutions.md). Keep in step with ../sqlite/0033_institution_sessions.sql.

ALTER TABLE session DROP CONSTRAINT session_actor_kind_check;
ALTER TABLE session ADD CONSTRAINT session_actor_kind_check
    CHECK (actor_kind IN ('staff', 'citizen', 'employer', 'institution'));
