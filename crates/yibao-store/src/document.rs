//! Issued documents (参保证明 …) kept as issued, found by their verification code (migration
//! 0027).

use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IssuedRow {
    pub code: String,
    pub kind: String,
    pub title: String,
    pub subject: String,
    pub content_digest: String,
    pub content: String,
    pub issued_on: String,
    pub issued_by: String,
    pub created_at: String,
}

/// Stores the document unless the same content was issued the same day, and answers the code
/// the document carries (the stored one when it was issued before).
pub async fn issue(conn: &mut AnyConnection, r: &IssuedRow) -> Result<String, StoreError> {
    sqlx::query(
        "INSERT INTO issued_document (code, kind, title, subject, content_digest, content, \
         issued_on, issued_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (content_digest, issued_on) DO NOTHING",
    )
    .bind(&r.code)
    .bind(&r.kind)
    .bind(&r.title)
    .bind(&r.subject)
    .bind(&r.content_digest)
    .bind(&r.content)
    .bind(&r.issued_on)
    .bind(&r.issued_by)
    .bind(&r.created_at)
    .execute(&mut *conn)
    .await?;
    let (code,): (String,) = sqlx::query_as(
        "SELECT code FROM issued_document WHERE content_digest = $1 AND issued_on = $2",
    )
    .bind(&r.content_digest)
    .bind(&r.issued_on)
    .fetch_one(conn)
    .await?;
    Ok(code)
}

pub async fn find(conn: &mut AnyConnection, code: &str) -> Result<Option<IssuedRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT code, kind, title, subject, content_digest, content, issued_on, issued_by, \
         created_at FROM issued_document WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await?)
}
