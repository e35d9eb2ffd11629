//! Sign-in sessions of the national interface (9001 / 9002, migration 0030).

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SignInRow {
    pub id: i64,
    pub institution_id: i64,
    pub sign_no: String,
    pub signed_in_at: String,
    pub signed_out_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewSignIn<'a> {
    pub institution_id: i64,
    pub sign_no: &'a str,
    pub opter_no: Option<&'a str>,
    pub mac: Option<&'a str>,
    pub ip: Option<&'a str>,
}

/// Opens a session. `Conflict` when the sign_no was issued before (the caller draws another).
pub async fn insert(
    conn: &mut AnyConnection,
    s: &NewSignIn<'_>,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO national_sign_in (institution_id, sign_no, opter_no, mac, ip, signed_in_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(s.institution_id)
    .bind(s.sign_no)
    .bind(s.opter_no)
    .bind(s.mac)
    .bind(s.ip)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The institution's session of `sign_no`.
pub async fn find(
    conn: &mut AnyConnection,
    institution_id: i64,
    sign_no: &str,
) -> Result<Option<SignInRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, institution_id, sign_no, signed_in_at, signed_out_at FROM national_sign_in \
         WHERE institution_id = $1 AND sign_no = $2",
    )
    .bind(institution_id)
    .bind(sign_no)
    .fetch_optional(conn)
    .await?)
}

/// Closes the session (9002); a closed one stays closed at its first time.
pub async fn sign_out(conn: &mut AnyConnection, id: i64, now: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE national_sign_in SET signed_out_at = $1 WHERE id = $2 AND signed_out_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
