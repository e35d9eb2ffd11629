//! The installation's signing key (one row, created on first use).

use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRow {
    pub algorithm: String,
    pub secret_hex: String,
    pub public_hex: String,
    pub created_at: String,
}

pub async fn get(conn: &mut AnyConnection) -> Result<Option<KeyRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT algorithm, secret_hex, public_hex, created_at FROM instance_key WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?)
}

/// Stores `row` unless a key exists already (two processes starting at once keep the first).
pub async fn insert_if_absent(conn: &mut AnyConnection, row: &KeyRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO instance_key (id, algorithm, secret_hex, public_hex, created_at) \
         VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&row.algorithm)
    .bind(&row.secret_hex)
    .bind(&row.public_hex)
    .bind(&row.created_at)
    .execute(conn)
    .await?;
    Ok(())
}
