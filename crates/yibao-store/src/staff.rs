//! Staff accounts (经办人员): username, agency, roles and the argon2 hash of the password.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StaffRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub agency_id: i64,
    pub roles: String,
    #[serde(skip)]
    pub password_hash: String,
    pub active: i64,
    pub must_change_password: i64,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct NewStaff<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub agency_id: i64,
    /// Comma-separated role names (clerk, reviewer, finance, supervisor, admin, auditor).
    pub roles: &'a str,
    pub password_hash: &'a str,
}

pub async fn insert(
    conn: &mut AnyConnection,
    s: &NewStaff<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO staff (username, display_name, agency_id, roles, password_hash, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
    )
    .bind(s.username)
    .bind(s.display_name)
    .bind(s.agency_id)
    .bind(s.roles)
    .bind(s.password_hash)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn find_by_username(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<StaffRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, username, display_name, agency_id, roles, password_hash, active, must_change_password, created_at \
         FROM staff WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(conn)
    .await?)
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<StaffRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, username, display_name, agency_id, roles, password_hash, active, must_change_password, created_at \
         FROM staff ORDER BY agency_id, username",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn find_by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<StaffRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, username, display_name, agency_id, roles, password_hash, active, must_change_password, created_at \
         FROM staff WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Sets a new password; `must_change` makes the next login ask for a new one (after a reset).
pub async fn set_password(
    conn: &mut AnyConnection,
    id: i64,
    password_hash: &str,
    must_change: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE staff SET password_hash = $1, must_change_password = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(i64::from(must_change))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_active(conn: &mut AnyConnection, id: i64, active: bool) -> Result<(), StoreError> {
    sqlx::query("UPDATE staff SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
