//! Files of the national interface (9101 upload, 9102 download, the 3202 result; migration
//! 0038), and the ledger lines 3202 compares a detail file with.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

/// A stored file without its bytes.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub institution_id: i64,
    pub file_qury_no: String,
    pub filename: String,
    pub kind: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub msgid: String,
    pub source_file_id: Option<i64>,
    pub summary_json: Option<String>,
    pub created_at: String,
    pub dld_endtime: String,
}

#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    pub institution_id: i64,
    pub file_qury_no: &'a str,
    pub filename: &'a str,
    /// `upload` (9101) or `reconciliation` (a 3202 result).
    pub kind: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub msgid: &'a str,
    pub source_file_id: Option<i64>,
    pub summary_json: Option<&'a str>,
    pub created_at: &'a str,
    pub dld_endtime: &'a str,
}

const COLS: &str = "id, institution_id, file_qury_no, filename, kind, size_bytes, sha256, msgid, \
                    source_file_id, summary_json, created_at, dld_endtime";

/// Keeps a file. `Conflict` when the file_qury_no was issued before (the caller draws another).
pub async fn insert(conn: &mut AnyConnection, f: &NewFile<'_>) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO national_file (institution_id, file_qury_no, filename, kind, size_bytes, \
         sha256, content, msgid, source_file_id, summary_json, created_at, dld_endtime) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(f.institution_id)
    .bind(f.file_qury_no)
    .bind(f.filename)
    .bind(f.kind)
    .bind(i64::try_from(f.content.len()).unwrap_or(i64::MAX))
    .bind(f.sha256)
    .bind(f.content.to_vec())
    .bind(f.msgid)
    .bind(f.source_file_id)
    .bind(f.summary_json)
    .bind(f.created_at)
    .bind(f.dld_endtime)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The institution's file by file_qury_no (another institution's is not found).
pub async fn find(
    conn: &mut AnyConnection,
    institution_id: i64,
    file_qury_no: &str,
) -> Result<Option<FileRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM national_file WHERE institution_id = $1 AND file_qury_no = $2"
    ))
    .bind(institution_id)
    .bind(file_qury_no)
    .fetch_optional(conn)
    .await?)
}

/// A file's bytes.
pub async fn content(conn: &mut AnyConnection, id: i64) -> Result<Vec<u8>, StoreError> {
    let (bytes,): (Vec<u8>,) = sqlx::query_as("SELECT content FROM national_file WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok(bytes)
}

/// A ledger row as 3202 reads it: the settlement, when it was written and reversed, its stored
/// result (the split), and its national identity when the national interface made it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatementRow {
    pub id: i64,
    pub request_id: String,
    pub person_id_number: String,
    pub admission_id: Option<String>,
    pub visit_type: String,
    pub result_json: String,
    pub created_at: String,
    pub reversed_at: Option<String>,
    pub setl_id: Option<String>,
    pub msgid: Option<String>,
    pub mdtrt_id: Option<String>,
}

/// The institution's settlements written in [from, to) or reversed in [from, to), oldest
/// first, with the national settlement that made each (if any).
pub async fn statement_rows(
    conn: &mut AnyConnection,
    institution_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<StatementRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.request_id, s.person_id_number, s.admission_id, s.visit_type, \
         s.result_json, s.created_at, s.reversed_at, x.setl_id, x.msgid, x.mdtrt_id \
         FROM settlement s \
         LEFT JOIN (SELECT n.request_id, n.setl_id, n.msgid, v.mdtrt_id, v.institution_id \
                    FROM national_settlement n JOIN national_visit v ON v.id = n.visit_id) x \
           ON x.request_id = s.request_id AND x.institution_id = s.institution_id \
         WHERE s.institution_id = $1 \
           AND ((s.created_at >= $2 AND s.created_at < $3) \
             OR (s.reversed_at >= $2 AND s.reversed_at < $3)) \
         ORDER BY s.id",
    )
    .bind(institution_id)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?)
}
