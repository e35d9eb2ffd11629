//! Sessions and failed-login counters.

use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_sha256: String,
    pub actor_kind: String,
    pub actor_id: i64,
    pub csrf_token: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

pub async fn insert_session(conn: &mut AnyConnection, s: &SessionRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO session (token_sha256, actor_kind, actor_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.token_sha256)
    .bind(&s.actor_kind)
    .bind(s.actor_id)
    .bind(&s.csrf_token)
    .bind(&s.created_at)
    .bind(&s.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_session(
    conn: &mut AnyConnection,
    token_sha256: &str,
) -> Result<Option<SessionRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT token_sha256, actor_kind, actor_id, csrf_token, created_at, expires_at, revoked_at \
         FROM session WHERE token_sha256 = $1",
    )
    .bind(token_sha256)
    .fetch_optional(conn)
    .await?)
}

pub async fn revoke_session(
    conn: &mut AnyConnection,
    token_sha256: &str,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE session SET revoked_at = $1 WHERE token_sha256 = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(token_sha256)
    .execute(conn)
    .await?;
    Ok(())
}

/// The failure count after a failed login.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Attempt {
    pub failures: i64,
    pub locked_until: Option<String>,
}

/// Until when `login` is locked, if it ever was (compare with now).
pub async fn locked_until(
    conn: &mut AnyConnection,
    login: &str,
) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT locked_until FROM login_failure WHERE login = $1")
            .bind(login)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|(u,)| u))
}

/// Counts one failed login of `login` in one statement, so parallel failures (even from several
/// processes) cannot overwrite each other's count. A lock that has run out starts a fresh count;
/// the failure that reaches `max` locks until `lock_until`.
pub async fn record_failure(
    conn: &mut AnyConnection,
    login: &str,
    now: &str,
    max: i64,
    lock_until: &str,
) -> Result<Attempt, StoreError> {
    Ok(sqlx::query_as(
        "INSERT INTO login_failure (login, failures, last_failed, locked_until) \
         VALUES ($1, 1, $2, CASE WHEN 1 >= $3 THEN $4 ELSE NULL END) \
         ON CONFLICT (login) DO UPDATE SET \
           failures = CASE WHEN login_failure.locked_until <= $2 THEN 1 \
                      ELSE login_failure.failures + 1 END, \
           last_failed = $2, \
           locked_until = CASE \
             WHEN login_failure.locked_until <= $2 THEN (CASE WHEN 1 >= $3 THEN $4 ELSE NULL END) \
             WHEN login_failure.locked_until IS NULL AND login_failure.failures + 1 >= $3 THEN $4 \
             ELSE login_failure.locked_until END \
         RETURNING failures, locked_until",
    )
    .bind(login)
    .bind(now)
    .bind(max)
    .bind(lock_until)
    .fetch_one(conn)
    .await?)
}

/// Ends every lock and count of one account, from every source (after a password reset).
pub async fn clear_failures_of_account(
    conn: &mut AnyConnection,
    account_key: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "DELETE FROM login_failure WHERE login = $1 OR substr(login, 1, CAST($2 AS INTEGER)) = $3",
    )
    .bind(account_key)
    .bind(account_key.chars().count() as i64 + 1)
    .bind(format!("{account_key}@"))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear_failures(conn: &mut AnyConnection, login: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failure WHERE login = $1")
        .bind(login)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhoneCodeRow {
    pub id: i64,
    pub phone: String,
    pub purpose: String,
    pub code_sha256: String,
    pub created_at: String,
    pub expires_at: String,
    pub attempts: i64,
    pub used_at: Option<String>,
}

pub async fn insert_phone_code(
    conn: &mut AnyConnection,
    phone: &str,
    purpose: &str,
    code_sha256: &str,
    now: &str,
    expires_at: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO phone_code (phone, purpose, code_sha256, created_at, expires_at, attempts) \
         VALUES ($1, $2, $3, $4, $5, 0)",
    )
    .bind(phone)
    .bind(purpose)
    .bind(code_sha256)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest unused code for a phone and purpose.
pub async fn latest_phone_code(
    conn: &mut AnyConnection,
    phone: &str,
    purpose: &str,
) -> Result<Option<PhoneCodeRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, phone, purpose, code_sha256, created_at, expires_at, attempts, used_at \
         FROM phone_code WHERE phone = $1 AND purpose = $2 AND used_at IS NULL \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(phone)
    .bind(purpose)
    .fetch_optional(conn)
    .await?)
}

/// Codes sent to a phone since `since` (to throttle sending).
pub async fn count_phone_codes_since(
    conn: &mut AnyConnection,
    phone: &str,
    since: &str,
) -> Result<i64, StoreError> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM phone_code WHERE phone = $1 AND created_at >= $2")
            .bind(phone)
            .bind(since)
            .fetch_one(conn)
            .await?;
    Ok(n)
}

pub async fn bump_phone_code(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE phone_code SET attempts = attempts + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn use_phone_code(
    conn: &mut AnyConnection,
    id: i64,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE phone_code SET used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every live session of an actor (after a password change or reset).
pub async fn revoke_sessions_of(
    conn: &mut AnyConnection,
    actor_kind: &str,
    actor_id: i64,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE session SET revoked_at = $1 \
         WHERE actor_kind = $2 AND actor_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(actor_kind)
    .bind(actor_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts one failed login from `source` in the leaky bucket of `login_source`: the source's
/// drain time moves `interval_ms` past the later of itself and `now_ms`. One statement, so
/// failures counted at once by several processes all count. Returns the new drain time.
pub async fn record_source_failure(
    conn: &mut AnyConnection,
    source: &str,
    now_ms: i64,
    interval_ms: i64,
) -> Result<i64, StoreError> {
    let (drained_at,): (i64,) = sqlx::query_as(
        "INSERT INTO login_source (source, drained_at_ms) VALUES ($1, $2 + $3) \
         ON CONFLICT (source) DO UPDATE SET drained_at_ms = \
           CASE WHEN login_source.drained_at_ms > $2 THEN login_source.drained_at_ms ELSE $2 END + $3 \
         RETURNING drained_at_ms",
    )
    .bind(source)
    .bind(now_ms)
    .bind(interval_ms)
    .fetch_one(conn)
    .await?;
    Ok(drained_at)
}

/// When the failures of `source` will have drained, if it has any on record.
pub async fn source_drained_at(
    conn: &mut AnyConnection,
    source: &str,
) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT drained_at_ms FROM login_source WHERE source = $1")
            .bind(source)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(t,)| t))
}

/// Forgets the sources whose failures have drained by `now_ms` (housekeeping).
pub async fn forget_drained_sources(
    conn: &mut AnyConnection,
    now_ms: i64,
) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM login_source WHERE drained_at_ms <= $1")
            .bind(now_ms)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
