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
