//! The audit chain (审计日志): append-only rows, each hashing its predecessor. The hash itself is
//! computed by the service layer; the store appends under a lock on the chain's head row.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::error::StoreError;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor_kind: String,
    pub actor_id: i64,
    pub actor_label: String,
    pub agency_id: Option<i64>,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub before_sha256: String,
    pub after_sha256: String,
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

const COLS: &str = "seq, at, actor_kind, actor_id, actor_label, agency_id, action, target_kind, \
                    target_id, before_sha256, after_sha256, summary, prev_hash, hash";

/// Takes the head of the chain for this transaction: returns the next sequence number and the
/// hash of the last entry. The row stays locked until the transaction ends, so appends are
/// serialised (PostgreSQL row lock; SQLite's single writer).
pub async fn lock_head(conn: &mut AnyConnection) -> Result<(i64, String), StoreError> {
    let row: (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(conn)
            .await?;
    Ok(row)
}

pub async fn append(conn: &mut AnyConnection, row: &AuditRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_kind, actor_id, actor_label, agency_id, action, \
         target_kind, target_id, before_sha256, after_sha256, summary, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(row.seq)
    .bind(&row.at)
    .bind(&row.actor_kind)
    .bind(row.actor_id)
    .bind(&row.actor_label)
    .bind(row.agency_id)
    .bind(&row.action)
    .bind(&row.target_kind)
    .bind(&row.target_id)
    .bind(&row.before_sha256)
    .bind(&row.after_sha256)
    .bind(&row.summary)
    .bind(&row.prev_hash)
    .bind(&row.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&row.hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// The head as recorded: (last sequence number, last hash).
pub async fn head(conn: &mut AnyConnection) -> Result<(i64, String), StoreError> {
    Ok(
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(conn)
            .await?,
    )
}

/// A page of the chain in order, from `after_seq` (exclusive).
pub async fn page(
    conn: &mut AnyConnection,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
    ))
    .bind(after_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Search filters; empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub actor_label: String,
    pub from: String,
    pub to: String,
}

/// Newest first, at most `limit` rows.
pub async fn search(
    conn: &mut AnyConnection,
    f: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM audit_log \
         WHERE ($1 = '' OR action = $1) AND ($2 = '' OR target_kind = $2) \
         AND ($3 = '' OR target_id = $3) AND ($4 = '' OR actor_label = $4) \
         AND ($5 = '' OR at >= $5) AND ($6 = '' OR at < $6) \
         ORDER BY seq DESC LIMIT $7"
    ))
    .bind(&f.action)
    .bind(&f.target_kind)
    .bind(&f.target_id)
    .bind(&f.actor_label)
    .bind(&f.from)
    .bind(&f.to)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
