//! Remote-care filings as stored: the domain's filing as JSON plus the columns lookups need.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FilingRow {
    pub id: String,
    pub person_id_number: String,
    pub kind: String,
    pub target_code: String,
    pub case_number: Option<String>,
    pub filing_json: String,
    pub application_json: String,
    pub created_at: String,
    pub updated_at: String,
}

const COLS: &str = "id, person_id_number, kind, target_code, case_number, filing_json, \
                    application_json, created_at, updated_at";

pub async fn insert(conn: &mut AnyConnection, r: &FilingRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO filing (id, person_id_number, kind, target_code, case_number, filing_json, \
         application_json, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&r.id)
    .bind(&r.person_id_number)
    .bind(&r.kind)
    .bind(&r.target_code)
    .bind(&r.case_number)
    .bind(&r.filing_json)
    .bind(&r.application_json)
    .bind(&r.created_at)
    .bind(&r.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the stored filing (a change or cancellation ends it).
pub async fn update_filing(
    conn: &mut AnyConnection,
    id: &str,
    filing_json: &str,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE filing SET filing_json = $1, updated_at = $2 WHERE id = $3")
        .bind(filing_json)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<FilingRow>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLS} FROM filing WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn list_for_person(
    conn: &mut AnyConnection,
    id_number: &str,
) -> Result<Vec<FilingRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM filing WHERE person_id_number = $1 ORDER BY created_at DESC, id DESC"
    ))
    .bind(id_number)
    .fetch_all(conn)
    .await?)
}
