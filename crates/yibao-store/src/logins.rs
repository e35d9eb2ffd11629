//! Citizen accounts (参保人账户) and employer operators (单位经办人). Passwords arrive hashed.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CitizenAccountRow {
    pub id: i64,
    pub id_number: String,
    pub name: String,
    pub phone: String,
    #[serde(skip)]
    pub password_hash: String,
    pub active: i64,
    pub created_at: String,
}

const CITIZEN_COLS: &str = "id, id_number, name, phone, password_hash, active, created_at";

pub async fn insert_citizen(
    conn: &mut AnyConnection,
    id_number: &str,
    name: &str,
    phone: &str,
    password_hash: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO citizen_account (id_number, name, phone, password_hash, active, created_at) \
         VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
    )
    .bind(id_number)
    .bind(name)
    .bind(phone)
    .bind(password_hash)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn find_citizen_by_id_number(
    conn: &mut AnyConnection,
    id_number: &str,
) -> Result<Option<CitizenAccountRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CITIZEN_COLS} FROM citizen_account WHERE id_number = $1"
    ))
    .bind(id_number)
    .fetch_optional(conn)
    .await?)
}

pub async fn find_citizen(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<CitizenAccountRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CITIZEN_COLS} FROM citizen_account WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn set_citizen_password(
    conn: &mut AnyConnection,
    id: i64,
    password_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE citizen_account SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OperatorRow {
    pub id: i64,
    pub employer_id: i64,
    pub username: String,
    pub display_name: String,
    pub phone: String,
    #[serde(skip)]
    pub password_hash: String,
    pub manager: i64,
    pub active: i64,
    pub created_at: String,
}

const OPERATOR_COLS: &str =
    "id, employer_id, username, display_name, phone, password_hash, manager, active, created_at";

#[derive(Debug, Clone)]
pub struct NewOperator<'a> {
    pub employer_id: i64,
    pub username: &'a str,
    pub display_name: &'a str,
    pub phone: &'a str,
    pub password_hash: &'a str,
    pub manager: bool,
}

pub async fn insert_operator(
    conn: &mut AnyConnection,
    o: &NewOperator<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO employer_operator \
         (employer_id, username, display_name, phone, password_hash, manager, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
    )
    .bind(o.employer_id)
    .bind(o.username)
    .bind(o.display_name)
    .bind(o.phone)
    .bind(o.password_hash)
    .bind(i64::from(o.manager))
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn find_operator(
    conn: &mut AnyConnection,
    employer_id: i64,
    username: &str,
) -> Result<Option<OperatorRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {OPERATOR_COLS} FROM employer_operator WHERE employer_id = $1 AND username = $2"
    ))
    .bind(employer_id)
    .bind(username)
    .fetch_optional(conn)
    .await?)
}

pub async fn find_operator_by_id(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<OperatorRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {OPERATOR_COLS} FROM employer_operator WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn list_operators(
    conn: &mut AnyConnection,
    employer_id: i64,
) -> Result<Vec<OperatorRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {OPERATOR_COLS} FROM employer_operator WHERE employer_id = $1 ORDER BY username"
    ))
    .bind(employer_id)
    .fetch_all(conn)
    .await?)
}

pub async fn set_operator_password(
    conn: &mut AnyConnection,
    id: i64,
    password_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE employer_operator SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
