//! Holiday schedules an administrator imported, and the log of those changes.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CalendarYearRow {
    pub year: i64,
    pub source_text: String,
    pub sha256: String,
    pub imported_at: String,
    pub imported_by: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CalendarChangeRow {
    pub id: i64,
    pub year: i64,
    pub before_sha256: Option<String>,
    pub after_sha256: String,
    pub actor: String,
    pub note: String,
    pub at: String,
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<CalendarYearRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT year, source_text, sha256, imported_at, imported_by FROM calendar_year ORDER BY year",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn get(
    conn: &mut AnyConnection,
    year: i64,
) -> Result<Option<CalendarYearRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT year, source_text, sha256, imported_at, imported_by FROM calendar_year WHERE year = $1",
    )
    .bind(year)
    .fetch_optional(conn)
    .await?)
}

/// Stores (or replaces) one year and logs the change, in the caller's transaction.
pub async fn upsert(
    conn: &mut AnyConnection,
    row: &CalendarYearRow,
    before_sha256: Option<&str>,
    note: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO calendar_year (year, source_text, sha256, imported_at, imported_by) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (year) DO UPDATE SET source_text = excluded.source_text, sha256 = excluded.sha256, \
         imported_at = excluded.imported_at, imported_by = excluded.imported_by",
    )
    .bind(row.year)
    .bind(&row.source_text)
    .bind(&row.sha256)
    .bind(&row.imported_at)
    .bind(&row.imported_by)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO calendar_change (year, before_sha256, after_sha256, actor, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(row.year)
    .bind(before_sha256)
    .bind(&row.sha256)
    .bind(&row.imported_by)
    .bind(note)
    .bind(&row.imported_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn changes(conn: &mut AnyConnection) -> Result<Vec<CalendarChangeRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, year, before_sha256, after_sha256, actor, note, at FROM calendar_change ORDER BY id",
    )
    .fetch_all(conn)
    .await?)
}
