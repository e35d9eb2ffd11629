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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoginFailureRow {
    pub login: String,
    pub failures: i64,
    pub last_failed: String,
    pub locked_until: Option<String>,
}

pub async fn login_failure(
    conn: &mut AnyConnection,
    login: &str,
) -> Result<Option<LoginFailureRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT login, failures, last_failed, locked_until FROM login_failure WHERE login = $1",
    )
    .bind(login)
    .fetch_optional(conn)
    .await?)
}

pub async fn record_failure(
    conn: &mut AnyConnection,
    login: &str,
    failures: i64,
    now: &str,
    locked_until: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO login_failure (login, failures, last_failed, locked_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (login) DO UPDATE SET failures = excluded.failures, \
         last_failed = excluded.last_failed, locked_until = excluded.locked_until",
    )
    .bind(login)
    .bind(failures)
    .bind(now)
    .bind(locked_until)
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
